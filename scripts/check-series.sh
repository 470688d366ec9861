#!/usr/bin/env bash
# make check-series: build every prefix of the series (UML, the KUnit config
# with the suites) to prove that each patch builds alone. One worktree and
# one build directory are reused, so each step is an incremental build.
# FROM=N starts at patch N (the earlier prefixes were built before).
# CHECK_ARCH=x86_64 builds the x86_64 test kernel's configuration instead
# (config/x86_64.config without KASAN and lockdep, in build/x86_64-check-series);
# the patches that change widely included headers make that a full build each,
# hours for the whole series on 2 CPUs.
# Results: build/results/check-series.tsv
. "$(dirname "$0")/common.sh"

reset_results check-series
n=$(git -C "$LINUX" rev-list --count base..series)
wt=$BUILD/wt/check-series
case "${CHECK_ARCH:-um}" in
um) karch=um odir=$BUILD/uml-check-series ;;
x86_64) karch=x86_64 odir=$BUILD/x86_64-check-series ;;
*) die "CHECK_ARCH must be um or x86_64, not '$CHECK_ARCH'" ;;
esac
mkdir -p "$odir" "$BUILD/logs"
# The same configuration as kunit.py's kernel: the fragments, completed by
# olddefconfig (options a prefix does not know yet are dropped).
build_prefix() {
	local src=$1 o=$2
	cp "$o/fragment.config" "$o/.config" &&
		make -C "$src" O="$o" ARCH="$karch" CC="$CC_CMD" olddefconfig >/dev/null &&
		make -C "$src" O="$o" ARCH="$karch" CC="$CC_CMD" -j"$JOBS"
}

for i in $(seq "${FROM:-1}" "$n"); do
	rev=$(git -C "$LINUX" rev-list --reverse base..series | sed -n "${i}p")
	subject=$(git -C "$LINUX" log -1 --format=%s "$rev")
	worktree "$rev" "$wt"
	log=$BUILD/logs/check-series-$i.log
	cat "$TOP/config/kunit.config" "$TOP/config/suites.config" >"$odir/fragment.config"
	if [ "$karch" = x86_64 ]; then
		log=$BUILD/logs/check-series-x86_64-$i.log
		grep -v -e KASAN -e PROVE_LOCKING "$TOP/config/x86_64.config" >>"$odir/fragment.config"
		cat "$TOP/config/suites-x86_64.config" >>"$odir/fragment.config"
	fi
	if run_logged "$log" "check-series ($karch): patch $i/$n: $subject" build_prefix "$wt" "$odir"; then
		result check-series ok "patch $i builds ($karch): $subject"
	else
		result check-series fail "patch $i builds ($karch): $subject" "see ${log#"$TOP"/}"
	fi
done
! grep -q '^fail' "$RESULTS/check-series.tsv"
