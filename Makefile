# Harness for the page-migration patch series. See README.md.
#
#   make run            fetch, build, boot the x86_64 kernel in QEMU, report
#   make check          every test; ends with "N passed, N failed"
#
# BASE_ONLY=1 or PREFIX=N (on kernel, kunit-*, initramfs, e2e) use the base
# kernel or the base plus the first N patches instead of the whole series.
SHELL := /bin/bash
S := scripts
export HARNESS_T0 := $(shell date +%s)

.PHONY: all run check deps fetch fetch-show repin tree export export-check \
	kernel kunit-uml kunit-x86_64 kunit initramfs e2e stress lint lint-baseline check-series \
	bench clean distclean

all: run

deps:
	@$(S)/deps.sh

fetch: deps
	@$(S)/fetch-base.sh

# Versions of the base package the archive serves now (for re-pinning).
fetch-show: deps
	@$(S)/apt-private.sh update
	@APT_CMD=apt-cache $(S)/apt-private.sh madison $$(sed -n 's/^PACKAGE=//p' base.pin)

# Pin the base that `make tree` took when the pinned one was gone.
repin: tree
	@$(S)/repin.sh

tree: fetch
	@$(S)/tree.sh

export:
	@$(S)/export.sh

export-check:
	@$(S)/export-check.sh

kernel: tree
	@$(S)/kunit.sh x86_64 build

kunit-uml: tree
	@$(S)/kunit.sh uml run $(FILTER)

kunit-x86_64: tree
	@$(S)/kunit.sh x86_64 run $(FILTER)

kunit: kunit-uml kunit-x86_64

initramfs: tree
	@$(S)/initramfs.sh

e2e: kernel initramfs
	@$(S)/e2e.sh $(SCENARIO)

run: deps tree
	@t0=$$(date +%s); \
	$(S)/kunit.sh x86_64 build && $(S)/initramfs.sh && \
	{ $(S)/e2e.sh e2e; rc=$$?; python3 $(S)/report.py build e2e $$(( $$(date +%s) - t0 )) || rc=1; \
	  python3 $(S)/qemu_machine.py boots; exit $$rc; }

# The migration storm in the guest for DURATION seconds (default 600; make
# check runs a 180 s one): scripts/stress.sh.
stress: kernel initramfs
	@DURATION="$(DURATION)" $(S)/stress.sh

lint: tree
	@$(S)/lint.sh

# Rewrite config/lint-base.txt (the base's warnings that make lint compares
# with) by compiling every touched file on the base as well.
lint-baseline: tree
	@LINT_BASELINE=write $(S)/lint.sh

check:
	@$(S)/check.sh

check-series: tree
	@$(S)/check-series.sh

# The migration benchmark, base kernel vs series (ROUNDS, REPS, MAX_MIB,
# BENCH_ARCHS: see scripts/bench.sh). Not part of `make check`, which runs
# the benchmark's smoke cases with KUnit.
bench: deps tree
	@$(S)/bench.sh

clean:
	rm -rf build/uml* build/x86_64* build/guest* build/results build/logs build/e2e* build/lint \
		build/stress* build/bench*

distclean:
	rm -rf build
