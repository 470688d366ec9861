// SPDX-License-Identifier: GPL-2.0
/*
 * Migration storm, run as the guest's first program (scenario "stress").
 *
 * For the given number of seconds, all at once:
 *  - two processes keep their memory moving between the two NUMA nodes
 *    (move_pages() and migrate_pages()), one of them on THPs, and compare
 *    every page with what they last wrote after every move;
 *  - zram writes and reads at random offsets, every read compared;
 *  - THP allocations: map, touch, compare, unmap;
 *  - compaction: compact_memory every second, and proactive compaction;
 *  - the host inflates and deflates the virtio-balloon to random sizes;
 *  - migration fault injection for every task: fail_migrate_page (the
 *    error switching between EAGAIN and EBUSY) and fail_migrate_delay (5 ms)
 *    at 1%, fail_migrate_alloc at 0.01%.
 * Then the books: no page differs, nothing is left isolated, the balloon
 * holds what the host asked for, zsmalloc's objects and pages match zram's,
 * and free memory (MemFree and the per-CPU lists) comes back to within 4 MiB
 * (plus what KASAN's stack depot kept) once everything is given back.
 *
 * usage: stress [seconds]   (default 180)
 */
#include "guest.h"

#include <dirent.h>

#define NUMA_PAGES	4096	/* 16 MiB per process */
#define ZRAM_SLOTS	8192	/* 32 MiB of a 64 MiB device */
#define ZRAM_RUN	16	/* pages per read or write */
#define THP_BYTES	(16 * MIB)
#define FAULT_TIMES	1000000	/* "times" of each fault attribute, counted down */
#define FREE_SLACK_KB	4096	/* free memory may end this much lower */
#define MAX_DIAG	5

enum {
	ST_MOVE_PAGES, ST_MIGRATE_PAGES, ST_PAGES_MOVED, ST_PAGES_NOT_MOVED,
	ST_MOVE_REFUSED, ST_NUMA_CHECKED, ST_NUMA_BAD,
	ST_ZRAM_WRITES, ST_ZRAM_READS, ST_ZRAM_CHECKED, ST_ZRAM_BAD, ST_ZRAM_OBJS,
	ST_THP_ROUNDS, ST_THP_HUGE, ST_THP_BAD,
	ST_COMPACT, ST_ERRNO_FLIPS, ST_BALLOON_REQ, ST_WORKER_FAILED,
	NR_ST
};

static const char * const st_names[NR_ST] = {
	"numa_move_pages_calls", "numa_migrate_pages_calls", "numa_pages_moved",
	"numa_pages_not_moved", "numa_calls_refused", "numa_pages_checked",
	"numa_pages_differing",
	"zram_writes", "zram_reads", "zram_pages_checked", "zram_pages_differing",
	"zram_objects_expected",
	"thp_rounds", "thp_rounds_with_huge_pages", "thp_pages_differing",
	"compact_memory_writes", "fault_errno_switches", "balloon_requests",
	"workers_failed",
};

static long *st;		/* shared by all processes */
static double deadline;

static void add(int what, long n)
{
	__atomic_fetch_add(&st[what], n, __ATOMIC_RELAXED);
}

static unsigned long seed(unsigned int id, unsigned long i, uint32_t gen)
{
	return ((unsigned long)id << 56) ^ ((unsigned long)gen << 24) ^ i;
}

static void *map_aligned(size_t len, bool huge)
{
	unsigned char *raw = mmap(NULL, len + 2 * MIB, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *p;

	if (raw == MAP_FAILED)
		return NULL;
	p = (unsigned char *)(((uintptr_t)raw + 2 * MIB - 1) & ~(2 * MIB - 1));
	madvise(p, len, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return p;
}

/* --- NUMA ping-pong --------------------------------------------------- */

static void numa_worker(unsigned int id, bool huge)
{
	unsigned char *buf = map_aligned(NUMA_PAGES * PAGE, huge);
	void **pages = calloc(NUMA_PAGES, sizeof(*pages));
	int *nodes = calloc(NUMA_PAGES, sizeof(*nodes));
	int *status = calloc(NUMA_PAGES, sizeof(*status));
	uint32_t *gen = calloc(NUMA_PAGES, sizeof(*gen));
	uint64_t rnd = 0x5eed0000 + id;
	unsigned long i, k, round;
	long bad = 0;

	if (!buf || !pages || !nodes || !status || !gen) {
		diag("numa worker %u: out of memory", id);
		exit(1);
	}
	for (i = 0; i < NUMA_PAGES; i++) {
		pages[i] = buf + i * PAGE;
		gen[i] = 1;
		fill_page(buf + i * PAGE, seed(id, i, 1), i % 2);
	}
	for (round = 0; now() < deadline; round++) {
		int to = round % 2 ? 0 : 1;

		if (round % 3 == 2) {
			unsigned long from_mask = 1UL << !to, to_mask = 1UL << to;

			if (syscall(SYS_migrate_pages, 0, 8 * sizeof(long),
				    &from_mask, &to_mask) < 0)
				add(ST_MOVE_REFUSED, 1);
			add(ST_MIGRATE_PAGES, 1);
		} else {
			long moved = 0;

			for (i = 0; i < NUMA_PAGES; i++)
				nodes[i] = to;
			/* Injected faults may refuse the whole call (ENOMEM). */
			if (syscall(SYS_move_pages, 0, NUMA_PAGES, pages, nodes,
				    status, MPOL_MF_MOVE) < 0) {
				add(ST_MOVE_REFUSED, 1);
			} else {
				for (i = 0; i < NUMA_PAGES; i++)
					moved += status[i] == to;
				add(ST_PAGES_MOVED, moved);
				add(ST_PAGES_NOT_MOVED, NUMA_PAGES - moved);
			}
			add(ST_MOVE_PAGES, 1);
		}
		/* Every page as it was last written. */
		for (i = 0; i < NUMA_PAGES; i++) {
			if (check_page(buf + i * PAGE, seed(id, i, gen[i]), i % 2))
				continue;
			if (bad++ < MAX_DIAG)
				diag("numa worker %u: page %lu (generation %u) differs after round %lu",
				     id, i, gen[i], round);
		}
		add(ST_NUMA_CHECKED, NUMA_PAGES);
		/* Rewrite an eighth of the pages. */
		for (k = 0; k < NUMA_PAGES / 8; k++) {
			i = xorshift(&rnd) % NUMA_PAGES;
			fill_page(buf + i * PAGE, seed(id, i, ++gen[i]), i % 2);
		}
	}
	add(ST_NUMA_BAD, bad);
	exit(0);
}

/* --- zram -------------------------------------------------------------- */

enum { Z_NONE, Z_RANDOM, Z_PATTERN, Z_ZERO };

static bool zram_page_ok(const unsigned char *p, unsigned long slot,
			 uint8_t kind, uint32_t gen)
{
	unsigned long j;

	if (kind == Z_ZERO) {
		for (j = 0; j < PAGE; j++)
			if (p[j])
				return false;
		return true;
	}
	return check_page(p, seed(9, slot, gen), kind == Z_PATTERN);
}

static long zram_check_run(int fd, unsigned char *buf, unsigned long first,
			   const uint8_t *kind, const uint32_t *gen)
{
	unsigned long j;
	long bad = 0;

	if (pread(fd, buf, ZRAM_RUN * PAGE, first * PAGE) != (ssize_t)(ZRAM_RUN * PAGE)) {
		diag("zram read at slot %lu: %s", first, strerror(errno));
		return ZRAM_RUN;
	}
	for (j = 0; j < ZRAM_RUN; j++) {
		if (kind[first + j] == Z_NONE)
			continue;
		add(ST_ZRAM_CHECKED, 1);
		if (!zram_page_ok(buf + j * PAGE, first + j, kind[first + j], gen[first + j]))
			bad++;
	}
	return bad;
}

static void zram_worker(void)
{
	unsigned char *buf = map_aligned(ZRAM_RUN * PAGE, false);
	uint8_t *kind = calloc(ZRAM_SLOTS, 1);
	uint32_t *gen = calloc(ZRAM_SLOTS, sizeof(*gen));
	uint64_t rnd = 0x2a11;
	unsigned long first, j;
	long bad = 0, objs = 0, b;
	int fd = open("/dev/zram0", O_RDWR | O_DIRECT);

	if (!buf || !kind || !gen || fd < 0) {
		diag("zram worker: %s", strerror(errno));
		exit(1);
	}
	while (now() < deadline) {
		first = xorshift(&rnd) % (ZRAM_SLOTS / ZRAM_RUN) * ZRAM_RUN;
		for (j = 0; j < ZRAM_RUN; j++) {
			unsigned long s = first + j;

			kind[s] = 1 + xorshift(&rnd) % 3;
			gen[s]++;
			if (kind[s] == Z_ZERO)
				memset(buf + j * PAGE, 0, PAGE);
			else
				fill_page(buf + j * PAGE, seed(9, s, gen[s]), kind[s] == Z_PATTERN);
		}
		if (pwrite(fd, buf, ZRAM_RUN * PAGE, first * PAGE) != (ssize_t)(ZRAM_RUN * PAGE)) {
			diag("zram write at slot %lu: %s", first, strerror(errno));
			exit(1);
		}
		add(ST_ZRAM_WRITES, 1);
		first = xorshift(&rnd) % (ZRAM_SLOTS / ZRAM_RUN) * ZRAM_RUN;
		b = zram_check_run(fd, buf, first, kind, gen);
		if (b && bad < MAX_DIAG)
			diag("zram: %ld pages of slots %lu-%lu differ", b, first, first + ZRAM_RUN - 1);
		bad += b;
		add(ST_ZRAM_READS, 1);
	}
	/* Everything once more, and what zsmalloc must hold. */
	for (first = 0; first < ZRAM_SLOTS; first += ZRAM_RUN)
		bad += zram_check_run(fd, buf, first, kind, gen);
	for (j = 0; j < ZRAM_SLOTS; j++)
		objs += kind[j] == Z_RANDOM || kind[j] == Z_PATTERN;
	close(fd);
	add(ST_ZRAM_BAD, bad);
	add(ST_ZRAM_OBJS, objs);
	exit(0);
}

/* --- THP allocations ----------------------------------------------------- */

static long anon_huge_kb(void)
{
	return read_key("/proc/self/smaps_rollup", "AnonHugePages");
}

static void thp_worker(void)
{
	unsigned long i, n = THP_BYTES / PAGE, round;
	long bad = 0;

	for (round = 0; now() < deadline; round++) {
		unsigned char *raw, *p;

		raw = mmap(NULL, THP_BYTES + 2 * MIB, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (raw == MAP_FAILED) {
			diag("thp worker: mmap: %s", strerror(errno));
			exit(1);
		}
		p = (unsigned char *)(((uintptr_t)raw + 2 * MIB - 1) & ~(2 * MIB - 1));
		madvise(p, THP_BYTES, MADV_HUGEPAGE);
		for (i = 0; i < n; i++)
			fill_page(p + i * PAGE, seed(7, i, round), false);
		add(ST_THP_HUGE, anon_huge_kb() > 0);
		for (i = 0; i < n; i++)
			if (!check_page(p + i * PAGE, seed(7, i, round), false) &&
			    bad++ < MAX_DIAG)
				diag("thp worker: page %lu of round %lu differs", i, round);
		munmap(raw, THP_BYTES + 2 * MIB);
		add(ST_THP_ROUNDS, 1);
	}
	add(ST_THP_BAD, bad);
	exit(0);
}

/* --- compaction, and the injected error switching --------------------- */

static void compact_worker(void)
{
	unsigned long round;

	for (round = 0; now() < deadline; round++) {
		if (write_file("/proc/sys/vm/compact_memory", "1"))
			add(ST_COMPACT, 1);
		if (round % 5 == 4 &&
		    write_file("/sys/kernel/debug/fail_migrate_page/errno",
			       round % 10 == 4 ? "16" : "11"))
			add(ST_ERRNO_FLIPS, 1);
		sleep(1);
	}
	exit(0);
}

/* --- the balloon, moved by the host -------------------------------------- */

static void balloon_worker(void)
{
	uint64_t rnd = 0xba11;

	while (now() < deadline - 5) {
		if (xorshift(&rnd) % 4 == 0)
			host("balloon-deflate");
		else
			host("balloon-inflate %lu", 32 + (unsigned long)(xorshift(&rnd) % 320));
		add(ST_BALLOON_REQ, 1);
		sleep(3 + xorshift(&rnd) % 4);
	}
	exit(0);
}

/* --- fault injection ----------------------------------------------------- */

static const char * const faults[] = {
	"fail_migrate_alloc", "fail_migrate_page", "fail_migrate_delay",
};

static bool fault_write(const char *fault, const char *knob, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/debug/%s/%s", fault, knob);
	return write_file(path, val);
}

static long long fault_read(const char *fault, const char *knob)
{
	char path[128], line[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/%s/%s", fault, knob);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	return line[0] ? strtoll(line, NULL, 10) : -1;
}

/* A write the kernel must refuse with EINVAL, leaving the knob as it was. */
static bool refused(const char *fault, const char *knob, const char *val)
{
	char path[128];
	long long before = fault_read(fault, knob);
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/kernel/debug/%s/%s", fault, knob);
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		diag("open %s: %s", path, strerror(errno));
		return false;
	}
	n = write(fd, val, strlen(val));
	close(fd);
	if (n >= 0 || errno != EINVAL || fault_read(fault, knob) != before) {
		diag("%s: writing %s gave %zd (%s), value now %lld (was %lld)", path, val,
		     n, n < 0 ? strerror(errno) : "accepted", fault_read(fault, knob), before);
		return false;
	}
	return true;
}

static void test_fault_knobs(void)
{
	bool ok = fault_read("fail_migrate_page", "errno") == 11 &&
		  fault_read("fail_migrate_delay", "delay_ms") == 10;

	if (!ok)
		diag("fault knobs missing or not at their defaults (errno 11, delay_ms 10)");
	ok &= refused("fail_migrate_page", "errno", "2");	/* ENOENT */
	ok &= refused("fail_migrate_page", "errno", "12");	/* ENOMEM */
	ok &= refused("fail_migrate_page", "errno", "0");
	ok &= refused("fail_migrate_delay", "delay_ms", "0");
	ok &= refused("fail_migrate_delay", "delay_ms", "1001");
	result(ok, "fault_knobs_refuse_bad_values");
}

static bool faults_on(void)
{
	char times[32];
	unsigned int i;
	bool ok = true;

	snprintf(times, sizeof(times), "%d", FAULT_TIMES);
	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		ok &= fault_write(faults[i], "verbose", "0");
		ok &= fault_write(faults[i], "interval", "1");
		ok &= fault_write(faults[i], "times", times);
		ok &= fault_write(faults[i], "probability", "1");
	}
	/*
	 * 1% of the pages of a 4096-page move_pages() call would fail nearly
	 * every call as a whole (-ENOMEM ends it): fail 1 in 10000.
	 */
	ok &= fault_write("fail_migrate_alloc", "interval", "1000");
	ok &= fault_write("fail_migrate_alloc", "probability", "10");
	ok &= fault_write("fail_migrate_delay", "delay_ms", "5");
	return ok;
}

/* Turn injection off; how many faults each attribute injected. */
static void faults_off(long long *injected)
{
	unsigned int i;

	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		fault_write(faults[i], "probability", "0");
		injected[i] = FAULT_TIMES - fault_read(faults[i], "times");
	}
	fault_write("fail_migrate_page", "errno", "11");
	fault_write("fail_migrate_delay", "delay_ms", "10");
}

/* --- the books ----------------------------------------------------------- */

/* Fold the per-CPU vmstat deltas, so that the counters are exact. */
static void stat_refresh(void)
{
	write_file("/proc/sys/vm/stat_refresh", "1");
}

/*
 * MemFree once the caches are given back: the page cache and reclaimable
 * slab (drop_caches), and what the slab caches hold, including the objects
 * KASAN keeps in quarantine (a cache's "shrink" file frees them).
 */
static long long free_kb_settled(void)
{
	char path[320];
	struct dirent *d;
	DIR *dir;

	write_file("/proc/sys/vm/drop_caches", "3");
	dir = opendir("/sys/kernel/slab");
	while (dir && (d = readdir(dir))) {
		int fd;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", d->d_name);
		fd = open(path, O_WRONLY);
		if (fd >= 0) {
			if (write(fd, "1", 1) != 1)
				diag("shrinking %s: %s", d->d_name, strerror(errno));
			close(fd);
		}
	}
	if (dir)
		closedir(dir);
	write_file("/proc/sys/vm/compact_memory", "1");
	sleep(2);
	return meminfo_kb("MemFree");
}

/* Free pages on the per-CPU lists, which MemFree does not count. */
static long long pcp_free_kb(void)
{
	char line[256];
	long long pages = 0;
	FILE *f = fopen("/proc/zoneinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		long long n;

		if (sscanf(line, " count: %lld", &n) == 1)
			pages += n;
	}
	if (f)
		fclose(f);
	return pages * (PAGE / 1024);
}

/* Memory the stack depot took for KASAN's stack traces: never given back. */
static long long stackdepot_kb(void)
{
	return read_key("/sys/kernel/debug/stackdepot/stats", "pools") * 16;
}

/* /proc/meminfo, to tell where memory went if MemFree does not come back. */
#define MEMINFO_KEYS	64
struct meminfo {
	char key[MEMINFO_KEYS][32];
	long long kb[MEMINFO_KEYS];
	int n;
};

static void meminfo_read(struct meminfo *mi)
{
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	mi->n = 0;
	while (f && mi->n < MEMINFO_KEYS && fgets(line, sizeof(line), f))
		if (sscanf(line, "%31[^:]: %lld", mi->key[mi->n], &mi->kb[mi->n]) == 2)
			mi->n++;
	if (f)
		fclose(f);
}

static void meminfo_diff(const struct meminfo *a, const struct meminfo *b)
{
	int i;

	for (i = 0; i < a->n && i < b->n; i++)
		if (!strcmp(a->key[i], b->key[i]) && llabs(b->kb[i] - a->kb[i]) >= 1024)
			diag("meminfo %s: %lld -> %lld kB", a->key[i], a->kb[i], b->kb[i]);
}

/*
 * zsmalloc's per-class object and page counts against zram's own books and
 * against the objects the zram worker left: a page lost or duplicated by
 * migration shows up as a difference.
 */
static void test_zsmalloc_books(void)
{
	unsigned long long v[9] = { 0 };
	unsigned long objs = 0, used = 0, pages = 0;
	char line[512];
	bool ok = true;
	FILE *f = fopen("/sys/block/zram0/mm_stat", "r");

	if (!f || fscanf(f, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
			 &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]) != 9) {
		diag("cannot read /sys/block/zram0/mm_stat");
		ok = false;
	}
	if (f)
		fclose(f);
	f = fopen("/sys/kernel/debug/zsmalloc/zram0/classes", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "Total");
		int n;

		if (!p)
			continue;
		/* Total, then the 11 fullness groups, then what we want. */
		p += 5;
		for (n = 0; n < 11; n++)
			strtoul(p, &p, 10);
		objs = strtoul(p, &p, 10);
		used = strtoul(p, &p, 10);
		pages = strtoul(p, &p, 10);
	}
	if (f)
		fclose(f);
	else
		ok = false;
	metric("zsmalloc_objects_allocated", "%lu", objs);
	metric("zsmalloc_objects_used", "%lu", used);
	metric("zsmalloc_pages_used", "%lu", pages);
	metric("zram_mm_stat", "%llu %llu %llu %llu %llu %llu %llu %llu %llu", v[0], v[1],
	       v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
	if (used != (unsigned long)st[ST_ZRAM_OBJS] ||
	    used != v[0] / PAGE - v[5]) {
		diag("zsmalloc holds %lu objects; zram stores %llu pages, %llu of them same-filled; the worker left %ld",
		     used, v[0] / PAGE, v[5], st[ST_ZRAM_OBJS]);
		ok = false;
	}
	if (pages != v[2] / PAGE) {
		diag("zsmalloc's classes use %lu pages, its pool counts %llu", pages, v[2] / PAGE);
		ok = false;
	}
	result(ok && st[ST_ZRAM_OBJS] > 0, "storm_zsmalloc_books");
}

static void test_zram_reset(void)
{
	long long zspages;

	write_file("/sys/block/zram0/reset", "1");
	stat_refresh();
	zspages = vmstat("nr_zspages");
	metric("nr_zspages_after_reset", "%lld", zspages);
	result(zspages == 0, "storm_zram_reset_frees_zspages");
}

static void test_nothing_isolated(void)
{
	long long anon, file;

	sleep(1);
	stat_refresh();
	anon = vmstat("nr_isolated_anon");
	file = vmstat("nr_isolated_file");
	if (anon || file)
		diag("still isolated: %lld anon, %lld file pages", anon, file);
	result(!anon && !file, "storm_nothing_left_isolated");
}

/* --- the storm ----------------------------------------------------------- */

static pid_t spawn(void (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0)
		fn();
	return pid;
}

static void numa0(void)
{
	numa_worker(0, false);
}

static void numa1(void)
{
	numa_worker(1, true);
}

static void storm(unsigned long seconds)
{
	static void (* const workers[])(void) = {
		numa0, numa1, zram_worker, thp_worker, compact_worker, balloon_worker,
	};
	static const char * const names[] = {
		"numa 4K", "numa THP", "zram", "thp", "compaction", "balloon",
	};
	enum { NR_WORKERS = sizeof(workers) / sizeof(workers[0]) };
	pid_t pids[NR_WORKERS];
	unsigned int i, j;
	int status;

	deadline = now() + seconds;
	for (i = 0; i < NR_WORKERS; i++)
		pids[i] = spawn(workers[i]);
	for (i = 0; i < NR_WORKERS; i++) {
		pid_t pid = wait(&status);

		for (j = 0; j < NR_WORKERS && pids[j] != pid; j++)
			;
		if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
			continue;
		diag("worker %s: %s %d", j < NR_WORKERS ? names[j] : "?",
		     pid > 0 && WIFSIGNALED(status) ? "killed by signal" : "exit status",
		     pid > 0 && WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		add(ST_WORKER_FAILED, 1);
	}
}

int main(int argc, char **argv)
{
	unsigned long seconds = argc > 1 ? strtoul(argv[1], NULL, 0) : 180;
	static const char * const keys[] = {
		"pgmigrate_success", "pgmigrate_fail", "thp_migration_success",
		"thp_migration_fail", "compact_migrate_scanned", "compact_stall",
		"compact_daemon_wake", "balloon_inflate", "balloon_deflate",
		"balloon_migrate", "pgmigrate_range_offline_success",
		"pgmigrate_range_offline_fail", "pgmigrate_range_zsmalloc_success",
		"pgmigrate_range_zsmalloc_fail", "pgmigrate_range_folio_success",
		"pgmigrate_range_folio_fail", "pgmigrate_batch_copied",
	};
	long long injected[3], memfree0, memfree1, memtotal0, pcp0, pcp1, depot0, depot1, slack;
	static struct meminfo mi0, mi1;
	double t0 = now();
	unsigned int i;
	bool ok;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!seconds || seconds > 86400) {
		printf("stress: bad duration '%s' (1-86400 seconds)\n", argc > 1 ? argv[1] : "");
		return 2;
	}
	st = mmap(NULL, NR_ST * sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED)
		return 1;
	printf("KTAP version 1\n1..12\n");
	require_balloon_device();
	diag("migration storm for %lu s", seconds);

	test_fault_knobs();
	memtotal0 = meminfo_kb("MemTotal");
	memfree0 = free_kb_settled();
	pcp0 = pcp_free_kb();
	depot0 = stackdepot_kb();
	meminfo_read(&mi0);
	write_file("/proc/sys/vm/compaction_proactiveness", "50");
	ok = write_file("/sys/block/zram0/disksize", "64M");
	ok &= faults_on();
	if (!ok)
		diag("set-up failed; the storm runs all the same");
	storm(seconds);
	faults_off(injected);

	for (i = 0; i < NR_ST; i++)
		metric(st_names[i], "%ld", st[i]);
	for (i = 0; i < 3; i++)
		metric(faults[i], "%lld injected", injected[i]);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		metric(keys[i], "%lld", vmstat(keys[i]));

	result(!st[ST_WORKER_FAILED] && !st[ST_NUMA_BAD] && st[ST_NUMA_CHECKED] > 0 &&
	       st[ST_PAGES_MOVED] > 0, "storm_numa_contents");
	result(!st[ST_WORKER_FAILED] && !st[ST_ZRAM_BAD] && st[ST_ZRAM_CHECKED] > 0,
	       "storm_zram_contents");
	result(!st[ST_WORKER_FAILED] && !st[ST_THP_BAD] && st[ST_THP_ROUNDS] > 0,
	       "storm_thp_contents");
	result(st[ST_COMPACT] > 0 && st[ST_ERRNO_FLIPS] > 0, "storm_compaction_ran");
	result(ok && injected[0] > 0 && injected[1] > 0 && injected[2] > 0,
	       "storm_faults_injected");

	/* The balloon ends where the host is last told to put it. */
	host("balloon-inflate 128");
	result(wait_balloon(128 * MIB / PAGE, 300), "storm_balloon_matches_host_target");
	host("balloon-deflate");
	ok = wait_balloon(0, 300);
	if (ok && meminfo_kb("MemTotal") != memtotal0) {
		diag("MemTotal %lld kB after deflate, was %lld kB", meminfo_kb("MemTotal"),
		     memtotal0);
		ok = false;
	}
	result(ok, "storm_balloon_deflated");

	test_zsmalloc_books();
	test_zram_reset();
	test_nothing_isolated();
	write_file("/proc/sys/vm/compaction_proactiveness", "20");
	memfree1 = free_kb_settled();
	pcp1 = pcp_free_kb();
	depot1 = stackdepot_kb();
	meminfo_read(&mi1);
	meminfo_diff(&mi0, &mi1);
	metric("pcp_free_before_kb", "%lld", pcp0);
	metric("pcp_free_after_kb", "%lld", pcp1);
	metric("stackdepot_before_kb", "%lld", depot0);
	metric("stackdepot_after_kb", "%lld", depot1);
	metric("memfree_before_kb", "%lld", memfree0);
	metric("memfree_after_kb", "%lld", memfree1);
	/*
	 * Free memory is MemFree plus the per-CPU lists (which keep more
	 * pages after a storm than before it). It must come back but for
	 * FREE_SLACK_KB and what the stack depot kept of KASAN's stack traces.
	 */
	slack = FREE_SLACK_KB + depot1 - depot0;
	metric("free_delta_kb", "%lld", memfree1 + pcp1 - memfree0 - pcp0);
	if (memfree1 + pcp1 < memfree0 + pcp0 - slack)
		diag("free memory (MemFree + per-CPU lists) %lld kB, was %lld kB before the storm (slack %lld kB)",
		     memfree1 + pcp1, memfree0 + pcp0, slack);
	result(memfree1 + pcp1 >= memfree0 + pcp0 - slack, "storm_free_memory_returns");
	metric("storm_s", "%lu", seconds);
	metric("scenario_s", "%.0f", now() - t0);
	return failures ? 1 : 0;
}
