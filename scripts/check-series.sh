#!/usr/bin/env bash
# make check-series: build every prefix of the series (UML, the KUnit config
# with the suites) to prove that each patch builds alone. One worktree and
# one build directory are reused, so each step is an incremental build.
# Results: build/results/check-series.tsv
. "$(dirname "$0")/common.sh"

reset_results check-series
n=$(git -C "$LINUX" rev-list --count base..series)
wt=$BUILD/wt/check-series
odir=$BUILD/uml-check-series
mkdir -p "$odir" "$BUILD/logs"
build_prefix() {
	local src=$1 o=$2
	make -C "$src" O="$o" ARCH=um CC="$CC_CMD" defconfig >/dev/null &&
		"$src/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" "$o/fragment.config" >/dev/null &&
		make -C "$src" O="$o" ARCH=um CC="$CC_CMD" olddefconfig >/dev/null &&
		make -C "$src" O="$o" ARCH=um CC="$CC_CMD" -j"$JOBS"
}

for i in $(seq 1 "$n"); do
	rev=$(git -C "$LINUX" rev-list --reverse base..series | sed -n "${i}p")
	subject=$(git -C "$LINUX" log -1 --format=%s "$rev")
	worktree "$rev" "$wt"
	log=$BUILD/logs/check-series-$i.log
	cat "$TOP/config/kunit.config" "$TOP/config/suites.config" >"$odir/fragment.config"
	if run_logged "$log" "check-series: patch $i/$n: $subject" build_prefix "$wt" "$odir"; then
		result check-series ok "patch $i builds: $subject"
	else
		result check-series fail "patch $i builds: $subject" "see ${log#"$TOP"/}"
	fi
done
! grep -q '^fail' "$RESULTS/check-series.tsv"
