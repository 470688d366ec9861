#!/usr/bin/env bash
# make bench: the migration benchmark (KUnit suite migrate_bench, patch 1 of
# the series), base kernel vs series, in one run.
#
#   base:   the base kernel plus only the benchmark patch (PREFIX=1), which
#           migrates with today's migrate_pages()
#   series: the whole series (serial copy engine unless a case says otherwise)
#
# For each architecture (BENCH_ARCHS, default "uml x86_64") both kernels are
# built with config/bench.config (no debug options), then booted alternately
# ROUNDS times (default 3): base, series, base, series, ... Each boot runs the
# suite with migrate_bench.reps=REPS (default 5) and max_mib=MAX_MIB (default
# 1024); a boot reports the median of its passes, the table the median and
# spread of the boots. UML runs natively (4 KiB figures); x86_64 runs in QEMU
# under TCG (64 KiB and 2 MiB folios, copy engines): read those as ratios.
#
# Output: build/bench/*.log (raw KTAP of every boot), build/results/bench.md.
. "$(dirname "$0")/common.sh"

ROUNDS=${ROUNDS:-3}
REPS=${REPS:-5}
MAX_MIB=${MAX_MIB:-1024}
BENCH_ARCHS=${BENCH_ARCHS:-uml x86_64}
out=$BUILD/bench
mkdir -p "$out" "$RESULTS"
rm -f "$out"/*.log

[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive number, not '$ROUNDS'"
[[ $REPS =~ ^[1-9][0-9]?$ ]] || die "REPS must be 1-99, not '$REPS'"
if ! [[ $MAX_MIB =~ ^[1-9][0-9]*$ ]] || ((MAX_MIB > 4096)); then
	die "MAX_MIB must be 1-4096, not '$MAX_MIB'"
fi

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

# The source tree and build directory of a kernel: base (+ benchmark) or series.
kernel_dirs() {
	local arch=$1 which=$2
	if [ "$which" = base ]; then
		PREFIX=1 select_tree
		bdir=$BUILD/bench-$arch-p1
	else
		select_tree
		bdir=$BUILD/bench-$arch
	fi
}

subject=$(git -C "$LINUX" log -1 --format=%s "$(git -C "$LINUX" rev-list --reverse base..series | head -n 1)")
[ "$subject" = "mm/tests: add a KUnit benchmark of page migration" ] ||
	die "patch 1 of the series is not the benchmark patch ('$subject')"

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

fail=0
for arch in $BENCH_ARCHS; do
	arch_opts "$arch"
	for ((r = 1; r <= ROUNDS; r++)); do
		for which in base series; do
			kernel_dirs "$arch" "$which"
			log=$out/$arch-$which-$r.log
			run_logged "$log" "benchmark $arch $which, round $r of $ROUNDS" \
				python3 "$SRC/tools/testing/kunit/kunit.py" exec "${opts[@]}" \
				--build_dir="$bdir" --timeout=3000 --raw_output=kunit \
				--kernel_args "migrate_bench.reps=$REPS migrate_bench.max_mib=$MAX_MIB" \
				'migrate_bench' || fail=1
		done
	done
done

machine="$(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/MemTotal/ { printf "%d GiB", $2 / 1048576 + 0.5 }' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME")"
python3 "$TOP/scripts/bench_table.py" --machine "$machine" \
	--settings "rounds=$ROUNDS reps=$REPS max_mib=$MAX_MIB" "$out" >"$RESULTS/bench.md" || fail=1
cat "$RESULTS/bench.md"
if ((fail)); then
	progress "make bench: a benchmark run failed, see build/bench/*.log"
	exit 1
fi
progress "make bench: table in build/results/bench.md"
