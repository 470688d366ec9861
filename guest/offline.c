// SPDX-License-Identifier: GPL-2.0
/*
 * Memory offlining and balloon pages that cannot migrate (make check, step
 * offline-nobm): a kernel built with CONFIG_BALLOON_MIGRATION=n
 * (config/x86_64-nobm.config), virtio-mem memory onlined to ZONE_NORMAL
 * (memhp_default_state=online_kernel) and a virtio-balloon inflated over it.
 *
 * Such balloon pages are PageOffline() without movable_ops, and without a
 * reference count in the series. Memory offlining must refuse their block
 * with -EBUSY, as the base kernel does: only pages whose owner agreed (a
 * PageOffline() state, not a reference count of zero) may be skipped. A block
 * that went offline with them would lose memory to a later deflation, which
 * frees pages of offline memory.
 *
 * The virtio-mem device sits on a NUMA node of its own, fully plugged (node 2,
 * scripts/qemu-e2e.py --virtio-mem), whose only CPU is CPU 3. The guest sends
 * the balloon's interrupts to CPU 3, so that the balloon's work runs there and
 * takes node 2's memory first, while this program runs on CPU 0: the other
 * nodes keep enough free memory for the rest of the kernel, whose allocations
 * would otherwise fall back to node 2 as well and leave unmovable kernel
 * memory in every block that holds balloon pages. The guest:
 *  1. finds the device's memory blocks (/proc/iomem), waits for them, and
 *     checks that none holds a PageOffline() page yet (a fully plugged
 *     device has no fake-offline pages);
 *  2. inflates the balloon with up to BALLOON_MIB, leaving a margin free:
 *     it takes node 2's memory too;
 *  3. finds the blocks that hold balloon pages (/proc/kpageflags);
 *  4. tries to offline each of them: each must refuse with -EBUSY and keep
 *     its pages. A block can also hold unmovable kernel memory (node 2's
 *     kswapd and kcompactd stacks; slab that was allocated while the other
 *     nodes were low; the balloon's own bookkeeping, unless virtio-balloon
 *     allocated it before it took the memory, balloon_prepare_inflation()
 *     in the series, as it does since patch 23): isolation
 *     refuses such a block first and reports the page ("page dumped
 *     because: unmovable page"). At least one block must refuse without
 *     such a report, after isolation: there only balloon pages can have
 *     kept it online. A kernel that lets offlining skip them offlines
 *     those blocks instead;
 *  5. deflates;
 *  6. offlines those blocks again (a metric: kernel memory may have landed
 *     there meanwhile, and offlining waits for pages that passed isolation
 *     but are not free: each attempt is stopped after OFFLINE_LIMIT_S), and
 *     onlines every block again: the memory is back.
 *
 * usage: offline VMEM_MIB BALLOON_MIB (the size of the virtio-mem device, and
 * at most how much to inflate: less than the boot memory, which is all that
 * QEMU's balloon target counts)
 */
#include "guest.h"

#include <sys/prctl.h>

#define KPF_LRU		5
#define KPF_SLAB	7
#define KPF_BUDDY	10
#define KPF_OFFLINE	23
#define KPF_PGTABLE	26
#define MEMORY_DIR	"/sys/devices/system/memory"
#define MARGIN_MIB	48
#define MAX_BLOCKS	64
#define STR_(x)		#x
#define STR(x)		STR_(x)
/* How long an offlining attempt may take: refusing takes well under a second. */
#define REFUSE_LIMIT_S	60
#define OFFLINE_LIMIT_S	20
/* virtio-mem: how long the driver may take to resize, and by how much. */
#define VMEM_LIMIT_S	120
#define UNPLUG_MIB	192
#define ANON_MIB	64

static unsigned long block_bytes;
static unsigned long blocks[MAX_BLOCKS];
static unsigned int nr_blocks;

static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = 0;
	return ok;
}

static bool block_attr(unsigned long id, const char *attr, char *buf, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), MEMORY_DIR "/memory%lu/%s", id, attr);
	return read_line(path, buf, len);
}

/*
 * Write @state to a block's state file; 0 or the errno of the write, or
 * ETIMEDOUT if it took longer than @limit seconds. Offlining retries for as
 * long as it finds no unmovable page and the block is not free yet: a page
 * that is neither free nor movable but passed isolation (a kernel page without
 * a reference count, say) keeps it going until that page is freed, on the
 * base kernel as well. The write is done by a child that is killed with
 * SIGKILL after @limit seconds: offline_pages() stops on a fatal signal and
 * puts the block back online.
 */
static int set_state(unsigned long id, const char *state, double limit)
{
	double t0 = now();
	char path[128];
	int status;
	pid_t pid;

	snprintf(path, sizeof(path), MEMORY_DIR "/memory%lu/state", id);
	pid = fork();
	if (pid < 0)
		return errno;
	if (!pid) {
		int fd;
		ssize_t n;

		/* Do not go on offlining memory for a parent that is gone. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fd = open(path, O_WRONLY);
		if (fd < 0)
			_exit(errno);
		n = write(fd, state, strlen(state));
		_exit(n < 0 ? errno : n != (ssize_t)strlen(state) ? EIO : 0);
	}
	for (;;) {
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid)
			break;
		if (got < 0 && errno != EINTR) {
			diag("waitpid: %s", strerror(errno));
			kill(pid, SIGKILL);
			return ECHILD;
		}
		if (now() - t0 > limit) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			/* The write may have completed as the signal came. */
			if (WIFEXITED(status))
				return WEXITSTATUS(status);
			return ETIMEDOUT;
		}
		usleep(50000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
}

static bool block_is(unsigned long id, const char *state)
{
	char buf[64];

	return block_attr(id, "state", buf, sizeof(buf)) && !strcmp(buf, state);
}

/* The memory blocks of virtio-mem's "System RAM (virtio_mem)" resources. */
static void find_blocks(void)
{
	char line[256];
	FILE *f = fopen("/proc/iomem", "r");

	nr_blocks = 0;
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long start, end, id;

		if (!strstr(line, "System RAM (virtio_mem)") ||
		    sscanf(line, " %lx-%lx", &start, &end) != 2)
			continue;
		for (id = start / block_bytes; id <= end / block_bytes; id++)
			if (nr_blocks < MAX_BLOCKS &&
			    (!nr_blocks || blocks[nr_blocks - 1] != id))
				blocks[nr_blocks++] = id;
	}
	if (f)
		fclose(f);
}

/*
 * Pages of a memory block with one of the KPF_* bits in @mask set (with
 * @none: with none of them set), from /proc/kpageflags.
 */
static long pages_in(unsigned long id, uint64_t mask, bool none)
{
	unsigned long pfn = id * (block_bytes / PAGE), n = block_bytes / PAGE;
	static uint64_t flags[512];
	long count = 0;
	int fd = open("/proc/kpageflags", O_RDONLY);

	if (fd < 0) {
		diag("open /proc/kpageflags: %s", strerror(errno));
		return -1;
	}
	while (n) {
		unsigned long chunk = n < 512 ? n : 512, i;
		ssize_t got = pread(fd, flags, chunk * 8, pfn * 8);

		if (got != (ssize_t)(chunk * 8)) {
			diag("read /proc/kpageflags at pfn %lx: %s", pfn,
			     got < 0 ? strerror(errno) : "short read");
			close(fd);
			return -1;
		}
		for (i = 0; i < chunk; i++)
			count += !(flags[i] & mask) == none;
		pfn += chunk;
		n -= chunk;
	}
	close(fd);
	return count;
}

/* PageOffline() pages of a memory block. */
static long offline_pages_in(unsigned long id)
{
	return pages_in(id, 1ULL << KPF_OFFLINE, false);
}

/* Slab and page-table pages: unmovable kernel memory that says what it is. */
static long kernel_pages_in(unsigned long id)
{
	return pages_in(id, 1ULL << KPF_SLAB | 1ULL << KPF_PGTABLE, false);
}

/*
 * What a block that did not go offline holds: free, LRU, PageOffline, slab,
 * page-table pages, and pages that are none of these (kernel allocations
 * that do not say what they are, pages being freed).
 */
static void census(unsigned long id)
{
	static const uint64_t known = 1ULL << KPF_BUDDY | 1ULL << KPF_LRU |
		1ULL << KPF_OFFLINE | 1ULL << KPF_SLAB | 1ULL << KPF_PGTABLE;

	diag("memory%lu: %ld free, %ld LRU, %ld PageOffline, %ld slab, %ld page-table, %ld other pages",
	     id, pages_in(id, 1ULL << KPF_BUDDY, false),
	     pages_in(id, 1ULL << KPF_LRU, false),
	     pages_in(id, 1ULL << KPF_OFFLINE, false),
	     pages_in(id, 1ULL << KPF_SLAB, false),
	     pages_in(id, 1ULL << KPF_PGTABLE, false),
	     pages_in(id, known, true));
}

/*
 * Run here on CPU 0, and let the balloon's interrupts, and so the work they
 * queue (inflation, deflation), go to CPU 3, node 2's.
 */
static bool balloon_on_node2(void)
{
	char path[640], dev[256] = "";
	unsigned int n = 0;
	struct dirent *e;
	cpu_set_t set;
	long irq = 0;
	DIR *d;
	FILE *f;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		diag("sched_setaffinity: %s", strerror(errno));
		return false;
	}
	d = opendir(BALLOON_DRIVER_DIR);
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, "virtio", 6))
			snprintf(dev, sizeof(dev), "%s", e->d_name);
	if (d)
		closedir(d);
	/* The PCI device's MSI-X vectors, or its INTx line. */
	snprintf(path, sizeof(path), BALLOON_DRIVER_DIR "/%s/../msi_irqs", dev);
	d = dev[0] ? opendir(path) : NULL;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/irq/%s/smp_affinity_list", e->d_name);
		n += write_file(path, "3");
	}
	if (d)
		closedir(d);
	snprintf(path, sizeof(path), BALLOON_DRIVER_DIR "/%s/../irq", dev);
	f = !n && dev[0] ? fopen(path, "r") : NULL;
	if (f) {
		if (fscanf(f, "%ld", &irq) == 1 && irq > 0) {
			snprintf(path, sizeof(path), "/proc/irq/%ld/smp_affinity_list", irq);
			n += write_file(path, "3");
		}
		fclose(f);
	}
	if (!n)
		diag("no interrupt of the balloon (%s) could be sent to CPU 3", dev[0] ? dev : "no device");
	return n > 0;
}

/* How many pages memory isolation reported as unmovable so far (dmesg). */
static long isolation_reports(void)
{
	FILE *f = popen("dmesg", "r");
	char line[512];
	long n = 0;

	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, "page dumped because: unmovable page") != NULL;
	if (f)
		pclose(f);
	return n;
}

/* Step 1: every block of the device present, online, in ZONE_NORMAL. */
static bool test_blocks_online(unsigned long vmem_mib)
{
	unsigned long want = vmem_mib * MIB / block_bytes;
	double t0 = now();
	char zones[128] = "";
	unsigned int i;
	bool ok = false;

	while (now() - t0 < 120) {
		find_blocks();
		ok = nr_blocks == want;
		for (i = 0; ok && i < nr_blocks; i++)
			ok = block_is(blocks[i], "online");
		if (ok)
			break;
		usleep(200000);
	}
	metric("vmem_online_s", "%.1f", now() - t0);
	if (!ok)
		diag("virtio-mem: %u memory blocks online of %lu (%lu MiB of %lu MiB blocks)",
		     nr_blocks, want, vmem_mib, block_bytes / MIB);
	for (i = 0; ok && i < nr_blocks; i++) {
		block_attr(blocks[i], "valid_zones", zones, sizeof(zones));
		if (strcmp(zones, "Normal")) {
			diag("memory%lu is online in zone '%s', not Normal", blocks[i], zones);
			ok = false;
		}
	}
	result(ok, "vmem_blocks_online_normal");
	return ok;
}

/*
 * Ask the host for a virtio-mem device of @req_mib and wait until the guest
 * has done it: MemTotal differs from @memtotal (the fully plugged device's)
 * by exactly what is unplugged, and the device's memory blocks hold exactly
 * that many PageOffline pages (fake-offline: unplugged in a block that stays
 * online) besides the blocks the driver removed altogether.
 */
static bool vmem_resize(unsigned long vmem_mib, unsigned long req_mib,
			long long memtotal)
{
	long long want_kb = memtotal - (long long)(vmem_mib - req_mib) * 1024;
	long long block_pages = block_bytes / PAGE, fake = 0, want_fake = 0;
	double t0 = now();
	unsigned int i;
	bool ok = false;

	host("vmem-resize %lu", req_mib);
	while (!ok && now() - t0 < VMEM_LIMIT_S) {
		usleep(500000);
		if (meminfo_kb("MemTotal") != want_kb)
			continue;
		find_blocks();
		want_fake = nr_blocks * block_pages - (long long)req_mib * (MIB / PAGE);
		for (fake = 0, i = 0; i < nr_blocks; i++)
			fake += offline_pages_in(blocks[i]);
		ok = fake == want_fake;
	}
	metric("vmem_resize_s", "%.1f", now() - t0);
	metric("vmem_fake_offline_pages", "%lld", fake);
	if (!ok)
		diag("virtio-mem at %lu MiB: MemTotal %lld kB (want %lld), %u blocks, %lld fake-offline pages (want %lld) after %d s",
		     req_mib, meminfo_kb("MemTotal"), want_kb, nr_blocks, fake,
		     want_fake, VMEM_LIMIT_S);
	return ok;
}

/* Anonymous memory on the virtio-mem node, in a pattern. */
static unsigned char *anon_on_node2(unsigned long mib)
{
	unsigned long nodemask = 1UL << 2, i;
	unsigned char *p = mmap(NULL, mib * MIB, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* MPOL_BIND (2) to node 2 */
	if (syscall(SYS_mbind, p, mib * MIB, 2, &nodemask, sizeof(nodemask) * 8, 0)) {
		diag("mbind to node 2: %s", strerror(errno));
		munmap(p, mib * MIB);
		return NULL;
	}
	for (i = 0; i < mib * MIB / PAGE; i++)
		fill_page(p + i * PAGE, i, false);
	return p;
}

static bool anon_intact(const unsigned char *p, unsigned long mib, const char *when)
{
	unsigned long i, bad = 0;

	for (i = 0; i < mib * MIB / PAGE; i++)
		bad += !check_page(p + i * PAGE, i, false);
	if (bad)
		diag("%lu of %lu pages of the process changed %s", bad, mib * MIB / PAGE, when);
	return !bad;
}

int main(int argc, char **argv)
{
	unsigned long vmem_mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;
	unsigned long balloon_mib = argc > 2 ? strtoul(argv[2], NULL, 0) : 0;
	unsigned int i, holding = 0, refused = 0, after_isolation = 0;
	unsigned int offlined = 0, back = 0;
	unsigned long before[MAX_BLOCKS];
	unsigned int nr_before, added;
	unsigned char *anon;
	long long memtotal, inflate_mib, want, held;
	long in_block[MAX_BLOCKS];
	char buf[64];
	bool ok;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("KTAP version 1\n1..9\n");
	require_balloon_device();
	if (vmstat("balloon_migrate") >= 0) {
		printf("Bail out! this kernel migrates balloon pages: the scenario needs CONFIG_BALLOON_MIGRATION=n\n");
		return 1;
	}
	if (!read_line(MEMORY_DIR "/block_size_bytes", buf, sizeof(buf)) ||
	    !(block_bytes = strtoul(buf, NULL, 16)) || vmem_mib * MIB < block_bytes ||
	    balloon_mib <= MARGIN_MIB) {
		printf("Bail out! need a virtio-mem device of a memory block or more and a balloon size (%lu MiB, %lu MiB, blocks of %s)\n",
		       vmem_mib, balloon_mib, buf);
		return 1;
	}
	if (!balloon_on_node2()) {
		printf("Bail out! the balloon's work cannot be moved to node 2's CPU\n");
		return 1;
	}
	if (!test_blocks_online(vmem_mib))
		return 1;
	for (i = 0; i < nr_blocks; i++) {
		if (offline_pages_in(blocks[i])) {
			printf("Bail out! memory%lu holds PageOffline pages before the balloon inflated (%ld)\n",
			       blocks[i], offline_pages_in(blocks[i]));
			return 1;
		}
	}
	memtotal = meminfo_kb("MemTotal");

	/* 2: the balloon takes node 2's memory too. */
	inflate_mib = meminfo_kb("MemFree") / 1024 - MARGIN_MIB;
	if (inflate_mib > (long long)balloon_mib)
		inflate_mib = balloon_mib;
	want = inflate_mib * (long long)(MIB / PAGE);
	host("balloon-inflate %lld", inflate_mib);
	ok = inflate_mib > 0 && wait_balloon(want, 120);
	held = balloon_pages();
	metric("balloon_pages", "%lld", held);
	for (i = 0; i < 3; i++) {
		char key[32];

		snprintf(key, sizeof(key), "Node %u MemFree", i);
		snprintf(buf, sizeof(buf), "/sys/devices/system/node/node%u/meminfo", i);
		diag("node %u: %lld kB free after inflation", i, read_key(buf, key));
	}
	result(ok, "balloon_inflate");

	/* 3: which blocks hold balloon pages. */
	for (i = 0; i < nr_blocks; i++) {
		in_block[i] = offline_pages_in(blocks[i]);
		diag("memory%lu: %ld PageOffline pages, %ld slab or page-table pages",
		     blocks[i], in_block[i], kernel_pages_in(blocks[i]));
		holding += in_block[i] > 0;
	}
	metric("vmem_blocks_with_balloon_pages", "%u", holding);
	if (!holding)
		diag("no virtio-mem block holds a PageOffline page: the balloon did not reach node 2");
	result(holding > 0, "balloon_pages_in_vmem_blocks");

	/* 4: their balloon pages keep them online. */
	ok = holding > 0;
	for (i = 0; i < nr_blocks; i++) {
		long reports = isolation_reports();
		bool isolated;

		if (in_block[i] <= 0)
			continue;
		err = set_state(blocks[i], "offline", REFUSE_LIMIT_S);
		isolated = isolation_reports() == reports;
		if (err == EBUSY && block_is(blocks[i], "online") &&
		    offline_pages_in(blocks[i]) == in_block[i]) {
			refused++;
			after_isolation += isolated;
			diag("memory%lu refused %s", blocks[i], isolated ?
			     "after isolation: its balloon pages" :
			     "at isolation: it holds unmovable kernel memory as well");
			continue;
		}
		ok = false;
		in_block[i] = 0;
		diag("offlining memory%lu with balloon pages in it: %s (want %s), state %s, %ld PageOffline pages now",
		     blocks[i], err == ETIMEDOUT ? "it did not finish within " STR(REFUSE_LIMIT_S) " s" :
		     err ? strerror(err) : "it went offline",
		     strerror(EBUSY), block_attr(blocks[i], "state", buf, sizeof(buf)) ? buf : "?",
		     offline_pages_in(blocks[i]));
		if (err == ETIMEDOUT)
			census(blocks[i]);
	}
	if (balloon_pages() != held) {
		ok = false;
		diag("the balloon holds %lld pages, %lld before offlining", balloon_pages(), held);
	}
	if (ok && !after_isolation) {
		ok = false;
		diag("every block with balloon pages also held unmovable kernel memory: nothing shows what the balloon pages do");
	}
	metric("vmem_blocks_refused", "%u", refused);
	metric("vmem_blocks_refused_after_isolation", "%u", after_isolation);
	result(ok, "offline_refused_with_balloon_pages");

	/* 5, 6: deflate, try those blocks again, and bring everything back. */
	host("balloon-deflate");
	result(wait_balloon(0, 120), "balloon_deflate");
	for (i = 0; i < nr_blocks; i++) {
		if (in_block[i] <= 0 || !block_is(blocks[i], "online"))
			continue;
		err = set_state(blocks[i], "offline", OFFLINE_LIMIT_S);
		if (!err) {
			offlined++;
			continue;
		}
		diag("memory%lu stays online after deflation: %s", blocks[i],
		     err == ETIMEDOUT ? "offlining did not finish within " STR(OFFLINE_LIMIT_S) " s" :
		     strerror(err));
		census(blocks[i]);
	}
	metric("vmem_blocks_offlined_after_deflation", "%u", offlined);
	for (i = 0; i < nr_blocks; i++) {
		if (block_is(blocks[i], "offline")) {
			err = set_state(blocks[i], "online_kernel", OFFLINE_LIMIT_S);
			if (err)
				diag("onlining memory%lu again: %s", blocks[i], strerror(err));
		}
		back += block_is(blocks[i], "online");
	}
	ok = back == nr_blocks && meminfo_kb("MemTotal") == memtotal;
	if (!ok)
		diag("%u of %u blocks online, MemTotal %lld kB, %lld kB before",
		     back, nr_blocks, meminfo_kb("MemTotal"), memtotal);
	result(ok, "online_again");

	/*
	 * 7-9: virtio-mem unplugs and plugs again while a process keeps data
	 * on its node. Unplugging takes subblocks with alloc_contig_range()
	 * and keeps them fake-offline, and removes a block that is unplugged
	 * entirely: memory offlining skips its fake-offline pages, which the
	 * driver marked skippable. Plugging back fills the partly unplugged
	 * block first (those pages go back to the page allocator), then adds
	 * a block with some subblocks unplugged (kept fake-offline as it is
	 * onlined), then plugs those. The counts alone would not show that a
	 * block went, or that one was added partly plugged: both are checked.
	 */
	anon = anon_on_node2(ANON_MIB);
	nr_before = nr_blocks;
	ok = anon && vmem_resize(vmem_mib, vmem_mib - UNPLUG_MIB, memtotal);
	/* More than a block unplugged: a block entirely, removed. */
	if (ok && nr_blocks >= nr_before) {
		diag("virtio-mem removed no memory block (%u blocks, %u before): offlining did not skip its fake-offline pages",
		     nr_blocks, nr_before);
		ok = false;
	}
	ok = ok && anon_intact(anon, ANON_MIB, "while virtio-mem unplugged");
	result(ok, "vmem_unplug");
	memcpy(before, blocks, sizeof(before));
	nr_before = nr_blocks;
	ok = ok && vmem_resize(vmem_mib, vmem_mib - UNPLUG_MIB / 3, memtotal);
	/* A block added with part of it unplugged: fake-offline as it onlined. */
	for (i = 0, added = 0; ok && i < nr_blocks; i++) {
		unsigned int j;

		for (j = 0; j < nr_before && before[j] != blocks[i]; j++)
			;
		if (j == nr_before && offline_pages_in(blocks[i]) > 0)
			added++;
	}
	if (ok && !added) {
		diag("no memory block was added partly plugged");
		ok = false;
	}
	result(ok, "vmem_plug_partly");
	ok = ok && vmem_resize(vmem_mib, vmem_mib, memtotal);
	ok = ok && anon_intact(anon, ANON_MIB, "while virtio-mem plugged");
	for (back = 0, i = 0; ok && i < nr_blocks; i++)
		back += block_is(blocks[i], "online");
	if (ok && back != vmem_mib * MIB / block_bytes) {
		diag("%u virtio-mem blocks online, want %lu", back, vmem_mib * MIB / block_bytes);
		ok = false;
	}
	result(ok, "vmem_plug");
	return failures ? 1 : 0;
}
