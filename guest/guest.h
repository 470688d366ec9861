/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest programs share: KTAP output, "@@HOST" requests to the host
 * driver (scripts/qemu-e2e.py), "# metric" lines, /proc and /sys access,
 * page patterns, the balloon's page count and running upstream selftests.
 *
 * Each program is one translation unit: the helpers are static.
 */
#ifndef GUEST_H
#define GUEST_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096UL
#define MIB		(1024UL * 1024UL)
#define MPOL_MF_MOVE	(1 << 1)

static int test_nr;
static int failures;

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline void metric(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("# metric %s ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline void result(bool ok, const char *name)
{
	printf("%s %d %s\n", ok ? "ok" : "not ok", ++test_nr, name);
	fflush(stdout);
	if (!ok)
		failures++;
}

/*
 * The device every scenario needs, checked before anything else: the
 * virtio-balloon, bound to its driver and with an interrupt (MSI-X vectors
 * or an INTx line). Without it each balloon step would fail later, far from
 * the cause (an ACPI error while routing PCI interrupts, say). @drv is the
 * driver's sysfs directory (BALLOON_DRIVER_DIR; another one in the
 * harness's own test of this check). On failure, @why says what is missing
 * in one line.
 */
#define BALLOON_DRIVER_DIR "/sys/bus/virtio/drivers/virtio_balloon"

static inline bool balloon_device_ready(const char *drv, char *why, size_t len)
{
	char path[640], dev[256] = "";
	struct dirent *e;
	long irq = 0, msi = 0;
	DIR *d = opendir(drv);
	FILE *f;

	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, "virtio", 6)) {
			snprintf(dev, sizeof(dev), "%s", e->d_name);
			break;
		}
	if (d)
		closedir(d);
	if (!dev[0]) {
		snprintf(why, len, "no virtio-balloon device is bound to its driver (look for PCI or ACPI errors on the console)");
		return false;
	}
	snprintf(path, sizeof(path), "%s/%s/../msi_irqs", drv, dev);
	d = opendir(path);
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			msi++;
	if (d)
		closedir(d);
	snprintf(path, sizeof(path), "%s/%s/../irq", drv, dev);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &irq) != 1)
			irq = 0;
		fclose(f);
	}
	if (!msi && irq <= 0) {
		snprintf(why, len, "virtio-balloon (%s) has no interrupt: no MSI-X vector, no INTx line (look for ACPI errors on the console)",
			 dev);
		return false;
	}
	return true;
}

/* Stop the scenario, in one KTAP line, when its device is not usable. */
static inline void require_balloon_device(void)
{
	char why[512];

	if (!balloon_device_ready(BALLOON_DRIVER_DIR, why, sizeof(why))) {
		printf("Bail out! %s\n", why);
		fflush(stdout);
		exit(1);
	}
}

static inline void host(const char *fmt, ...)
{
	va_list ap;

	printf("\n@@HOST ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline bool write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0) {
		diag("open %s: %s", path, strerror(errno));
		return false;
	}
	n = write(fd, val, strlen(val));
	close(fd);
	if (n != (ssize_t)strlen(val)) {
		diag("write %s to %s: %s", val, path, strerror(errno));
		return false;
	}
	return true;
}

/* A "key value" line of /proc/vmstat or /proc/meminfo; -1 if absent. */
static inline long long read_key(const char *path, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long long val = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) &&
		    (line[klen] == ' ' || line[klen] == ':')) {
			val = strtoll(line + klen + 1 + strspn(line + klen + 1, " :"), NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

static inline long long vmstat(const char *key)
{
	return read_key("/proc/vmstat", key);
}

static inline long long meminfo_kb(const char *key)
{
	return read_key("/proc/meminfo", key);
}

static inline uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* Page i of a buffer: random (incompressible) or a compressible pattern. */
static inline void fill_page(unsigned char *p, unsigned long i, bool compressible)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL ^ (i * 0xbf58476d1ce4e5b9ULL);
	unsigned long j;

	if (!compressible) {
		for (j = 0; j < PAGE; j += 8) {
			uint64_t v = xorshift(&s);

			memcpy(p + j, &v, 8);
		}
		return;
	}
	for (j = 0; j < PAGE; j++)
		p[j] = (j / 64) % 2 ? (unsigned char)i : (unsigned char)(j + i);
}

static inline bool check_page(const unsigned char *p, unsigned long i, bool compressible)
{
	unsigned char want[PAGE];

	fill_page(want, i, compressible);
	return !memcmp(p, want, PAGE);
}

static inline long long balloon_pages(void)
{
	return vmstat("nr_balloon_pages");
}

static inline bool wait_balloon(long long want, double timeout)
{
	double t0 = now();

	while (now() - t0 < timeout) {
		if (balloon_pages() == want)
			return true;
		usleep(200000);
	}
	diag("balloon holds %lld pages, expected %lld", balloon_pages(), want);
	return false;
}

/*
 * Run an upstream kselftest program (with the arguments in @arg, separated
 * by spaces, or none if @arg is NULL); its TAP goes out as a subtest, and
 * exit status 4 (KSFT_SKIP) makes it a skip.
 */
static inline void run_selftest(const char *prog, const char *arg,
				const char *name, int timeout_s)
{
	char line[1024], args[256] = "", *argv[8] = { (char *)prog };
	int pipefd[2], status = 0, argc = 1;
	double t0 = now();
	FILE *out;
	pid_t pid;

	snprintf(args, sizeof(args), "%s", arg ? arg : "");
	for (argv[argc] = strtok(args, " "); argv[argc] && argc < 7;
	     argv[argc] = strtok(NULL, " "))
		argc++;
	argv[argc] = NULL;
	if (pipe(pipefd)) {
		result(false, name);
		return;
	}
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		alarm(timeout_s);
		execv(prog, argv);
		_exit(127);
	}
	close(pipefd[1]);
	out = fdopen(pipefd[0], "r");
	while (out && fgets(line, sizeof(line), out)) {
		printf("    %s", line);
		fflush(stdout);
	}
	if (out)
		fclose(out);
	waitpid(pid, &status, 0);
	metric(name, "%.0fs exit %d", now() - t0,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 4) {
		printf("ok %d %s # SKIP\n", ++test_nr, name);
		fflush(stdout);
		return;
	}
	result(WIFEXITED(status) && WEXITSTATUS(status) == 0, name);
}

#endif /* GUEST_H */
