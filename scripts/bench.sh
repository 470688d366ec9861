#!/usr/bin/env bash
# make bench: the benchmarks of the series (KUnit suites migrate_bench and
# compact_bench, patches 2 and 3), base kernel vs series, in one run.
#
#   base:   the base kernel plus the x86 fix and the two benchmark patches (PREFIX=3),
#           which migrate with today's migrate_pages() and compaction
#   series: the whole series (serial copy engine unless a case says otherwise)
#
# For each architecture (BENCH_ARCHS, default "uml x86_64") both kernels are
# built with config/bench.config (no debug options), then booted alternately:
#
#  - migrate_bench, ROUNDS times (default 3; 0: not at all): base, series,
#    base, ... Each boot runs the suite with migrate_bench.reps=REPS
#    (default 5) and max_mib=MAX_MIB (default 1024) and reports the median
#    of its passes.
#  - compact_bench, COMPACT_ROUNDS times (default 5), with
#    compact_bench.reps=COMPACT_REPS (default 3) and fill_mib=0 (the whole
#    zone of movable allocations is filled and fragmented).
#
# The tables give the median and spread of the boots. UML runs natively;
# x86_64 runs in QEMU with this run's accelerator (scripts/qemu_machine.py:
# KVM with -cpu host where a probe boot runs, else TCG, whose figures are
# only to be read as ratios). Each table says which.
#
# Output: build/bench/*.log and build/bench/compact/*.log (raw KTAP of every
# boot), build/results/bench.md (both tables).
. "$(dirname "$0")/common.sh"

ROUNDS=${ROUNDS:-3}
REPS=${REPS:-5}
MAX_MIB=${MAX_MIB:-1024}
COMPACT_ROUNDS=${COMPACT_ROUNDS:-5}
COMPACT_REPS=${COMPACT_REPS:-3}
BENCH_ARCHS=${BENCH_ARCHS:-uml x86_64}
out=$BUILD/bench
cout=$out/compact
mkdir -p "$out" "$cout" "$RESULTS"
rm -f "$out"/*.log "$cout"/*.log

[[ $ROUNDS =~ ^[0-9]+$ ]] || die "ROUNDS must be a number, not '$ROUNDS'"
[[ $REPS =~ ^[1-9][0-9]?$ ]] || die "REPS must be 1-99, not '$REPS'"
if ! [[ $MAX_MIB =~ ^[1-9][0-9]*$ ]] || ((MAX_MIB > 4096)); then
	die "MAX_MIB must be 1-4096, not '$MAX_MIB'"
fi
[[ $COMPACT_ROUNDS =~ ^[0-9]+$ ]] || die "COMPACT_ROUNDS must be a number, not '$COMPACT_ROUNDS'"
[[ $COMPACT_REPS =~ ^[1-9][0-9]?$ ]] || die "COMPACT_REPS must be 1-99, not '$COMPACT_REPS'"

# kunit.py options of one architecture.
arch_opts() {
	local arch=$1
	opts=(--kunitconfig="$TOP/config/bench.config")
	case "$arch" in
	uml) ;;
	x86_64)
		opts+=(--kunitconfig="$TOP/config/bench-x86_64.config"
			--qemu_config="$TOP/config/qemu_x86_64_bench.py") ;;
	*) die "unknown arch $arch (BENCH_ARCHS: uml, x86_64)" ;;
	esac
}

# The source tree and build directory of a kernel: base (+ benchmarks) or series.
kernel_dirs() {
	local arch=$1 which=$2
	if [ "$which" = base ]; then
		PREFIX=3 select_tree
		bdir=$BUILD/bench-$arch-p3
	else
		select_tree
		bdir=$BUILD/bench-$arch
	fi
}

# The base kernel must differ from the base by the x86 fix (without it an
# x86_64 guest can die at boot, see patch 1) and the benchmarks only.
i=0
for want in "x86/cpu: Keep X86_FEATURE_LA57 set while the boot CPU is identified again" \
	"mm/tests: add a KUnit benchmark of page migration" \
	"mm/tests: add a KUnit benchmark of compaction"; do
	i=$((i + 1))
	rev=$(git -C "$LINUX" rev-list --reverse base..series | sed -n "${i}p")
	subject=$(git -C "$LINUX" log -1 --format=%s "$rev")
	[ "$subject" = "$want" ] || die "patch $i of the series is not '$want' ('$subject')"
done

for arch in $BENCH_ARCHS; do
	arch_opts "$arch"
	for which in base series; do
		kernel_dirs "$arch" "$which"
		mkdir -p "$bdir"
		export PROGRESS_CMD="echo \$(find '$bdir' -name '*.o' 2>/dev/null | wc -l) objects in ${bdir#"$TOP"/}"
		run_logged "$BUILD/logs/bench-$arch-$which-build.log" \
			"building the $which kernel for $arch (${bdir#"$TOP"/})" \
			python3 "$SRC/tools/testing/kunit/kunit.py" build "${opts[@]}" \
			--build_dir="$bdir" --jobs="$JOBS" --make_options "CC=$CC_CMD"
		unset PROGRESS_CMD
	done
done

# One boot of a benchmark: kunit.py on UML; on x86_64 QEMU is started by
# scripts/qemu-kunit.py with the run's accelerator and the console goes
# through `kunit.py parse` (raw KUnit lines, as kunit.py exec would print).
bench_boot() {
	local arch=$1 name=$2 args=$3 suite=$4
	if [ "$arch" = uml ]; then
		python3 "$SRC/tools/testing/kunit/kunit.py" exec "${opts[@]}" \
			--build_dir="$bdir" --timeout=3000 --raw_output=kunit \
			--kernel_args "$args" "$suite"
		return
	fi
	python3 "$TOP/scripts/qemu-kunit.py" --build-dir="$bdir" \
		--qemu-config="$TOP/config/qemu_x86_64_bench.py" --name="$name" \
		--timeout=3000 --kernel-args="$args" --filter="$suite" >&2 || return
	python3 "$SRC/tools/testing/kunit/kunit.py" parse --raw_output=kunit "$bdir/test.log"
}

accel=tcg
case " $BENCH_ARCHS " in *" x86_64 "*) accel=$(qemu_accel) ;; esac

fail=0
for arch in $BENCH_ARCHS; do
	arch_opts "$arch"
	for ((r = 1; r <= ROUNDS; r++)); do
		for which in base series; do
			kernel_dirs "$arch" "$which"
			log=$out/$arch-$which-$r.log
			run_logged "$log" "benchmark $arch $which, round $r of $ROUNDS" \
				bench_boot "$arch" "bench-$arch-$which-$r" \
				"migrate_bench.reps=$REPS migrate_bench.max_mib=$MAX_MIB" \
				'migrate_bench' || fail=1
		done
	done
done

for arch in $BENCH_ARCHS; do
	arch_opts "$arch"
	for ((r = 1; r <= COMPACT_ROUNDS; r++)); do
		for which in base series; do
			kernel_dirs "$arch" "$which"
			log=$cout/$arch-$which-$r.log
			run_logged "$log" "compaction benchmark $arch $which, round $r of $COMPACT_ROUNDS" \
				bench_boot "$arch" "compact-bench-$arch-$which-$r" \
				"compact_bench.reps=$COMPACT_REPS compact_bench.fill_mib=0" \
				'compact_bench' || fail=1
		done
	done
done

machine="$(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/MemTotal/ { printf "%d GiB", $2 / 1048576 + 0.5 }' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME")"
: >"$RESULTS/bench.md"
if ((ROUNDS)); then
	python3 "$TOP/scripts/bench_table.py" --machine "$machine" --accel "$accel" \
		--settings "rounds=$ROUNDS reps=$REPS max_mib=$MAX_MIB" "$out" >"$RESULTS/bench.md" || fail=1
fi
if ((COMPACT_ROUNDS)); then
	python3 "$TOP/scripts/compact_table.py" --machine "$machine" --accel "$accel" \
		--settings "rounds=$COMPACT_ROUNDS reps=$COMPACT_REPS fill_mib=0" "$cout" \
		>>"$RESULTS/bench.md" || fail=1
fi
cat "$RESULTS/bench.md"
python3 "$TOP/scripts/qemu_machine.py" boots >&2
if ((fail)); then
	progress "make bench: a benchmark run failed, see build/bench/*.log"
	exit 1
fi
progress "make bench: table in build/results/bench.md"
