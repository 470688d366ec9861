#!/usr/bin/env bash
# make check: every test of the project, from a fresh clone.
#   lint (checkpatch, sparse/W=1, kernel-doc, coccicheck, W=1 builds for
#   powerpc, arm64 64K and UML), KUnit on x86_64 (QEMU: every suite and case;
#   `make kunit-uml` runs the same suites on UML, outside make check, to keep
#   make check within 60 minutes on a cold compiler cache), the QEMU end-to-end scenario (with upstream's
#   selftests/mm programs), a short migration storm (STRESS_DURATION seconds,
#   default 180), memory offlining on a kernel without balloon migration, and
#   the harness's own tests (accelerator probe, base
#   fallback). Every QEMU boot uses one accelerator, probed once
#   (scripts/qemu_machine.py); the summary counts the boots.
# Each step records one line per check in build/results/<step>.tsv; a step that
# dies without results counts as one failure. The last line is the summary
# "N passed, N failed"; the exit status is non-zero on any failure.
. "$(dirname "$0")/common.sh"

S=$TOP/scripts
mkdir -p "$RESULTS"
rm -f "$RESULTS"/*.tsv
steps=()
declare -A step_time

step() {
	local name=$1 t0 rc=0
	shift
	steps+=("$name")
	t0=$(date +%s)
	progress "== check step: $name"
	"$@" || rc=$?
	step_time[$name]=$(($(date +%s) - t0))
	if [ "$rc" != 0 ] && ! grep -q '^fail' "$RESULTS/$name.tsv" 2>/dev/null; then
		result "$name" fail "$name" "step failed (exit $rc) without recording a failure"
	fi
	return 0
}

setup() {
	"$S/deps.sh" && "$S/tree.sh" && { "$S/sparse.sh" >/dev/null; } && result setup ok "base kernel fetched, verified, series applied"
}

# The benchmarks' smoke cases ran in the KUnit steps: their lines must parse
# for `make bench` (scripts/bench_table.py, scripts/compact_table.py: every
# workload of compact_bench) and no case may have failed.
bench_smoke() {
	local arch msg
	for arch in x86_64; do
		if msg=$(python3 "$S/bench_table.py" --smoke "$BUILD/$arch/test.log" 2>&1); then
			result bench-smoke ok "migrate_bench on $arch: $msg"
		else
			result bench-smoke fail "migrate_bench on $arch" "$msg"
		fi
		if msg=$(python3 "$S/compact_table.py" --smoke "$BUILD/$arch/test.log" 2>&1); then
			result bench-smoke ok "compact_bench on $arch: $msg"
		else
			result bench-smoke fail "compact_bench on $arch" "$msg"
		fi
	done
}

# Memory offlining with balloon pages that cannot migrate: a second x86_64
# kernel (CONFIG_BALLOON_MIGRATION=n) and a virtio-mem device (guest/offline.c).
# The guest needs about a minute; it bounds each offlining attempt itself, and
# 900 s stops a guest that hangs all the same within the time budget.
offline_nobm() {
	"$S/kunit.sh" x86_64-nobm build &&
		E2E_TIMEOUT=900 E2E_KERNEL=x86_64-nobm E2E_OPTS="--mem-mib 512 --virtio-mem 512 --append memhp_default_state=online_kernel" \
			"$S/e2e.sh" offline 512,448
}

step setup setup
if grep -q '^fail' "$RESULTS/setup.tsv" 2>/dev/null; then
	progress "set-up failed; nothing else can run"
else
	step harness "$S/harness-test.sh"
	step lint "$S/lint.sh"
	step kunit-x86_64 "$S/kunit.sh" x86_64 run
	step bench-smoke bench_smoke
	step initramfs bash -c "'$S/initramfs.sh' && printf 'ok\tinitramfs built\t\n' >>'$RESULTS/initramfs.tsv'"
	step e2e "$S/e2e.sh" e2e
	step stress env DURATION="${STRESS_DURATION:-180}" "$S/stress.sh"
	step offline offline_nobm
fi

passed=0
failed=0
echo
echo "== results"
for s in "${steps[@]}"; do
	f=$RESULTS/$s.tsv
	p=$(grep -c '^ok' "$f" 2>/dev/null || true)
	x=$(grep -c '^fail' "$f" 2>/dev/null || true)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${x:-0}))
	printf '%-14s %4d passed %4d failed  %5ds\n' "$s" "${p:-0}" "${x:-0}" "${step_time[$s]:-0}"
	grep '^fail' "$f" 2>/dev/null | cut -f2,3 | sed 's/^/    FAILED: /' || true
done
total=$(($(date +%s) - HARNESS_T0))
python3 "$S/qemu_machine.py" boots
echo "total time: $((total / 60))m$((total % 60))s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
