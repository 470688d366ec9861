#!/usr/bin/env bash
# Tests of the harness itself (step "harness" of make check), each one
# result line in build/results/harness.tsv:
#  - the accelerator probe: the probe guest runs under TCG; an option set
#    that cannot start fails the probe; a KVM that fails the probe gives
#    TCG, a forced KVM that fails it is an error, QEMU_ACCEL=tcg is obeyed;
#  - the base fallback: with a pin the archive never had, fetch-base.sh
#    takes the newest linux-source-7.3, says "pinned X, using Y", and
#    repin.sh writes what it took into the pin; a pin of a series the
#    archive has no version of stops with a clear error;
#  - the guest's device check: balloon_device_ready() (guest/guest.h, built
#    for the host) on made-up sysfs trees, and the host's verdict on a
#    console where the guest bailed out (scripts/qemu-e2e.py --evaluate);
#  - the compaction parity check of `make bench` (scripts/compact_table.py).
# Everything runs in a temporary BUILD; nothing of build/ is touched.
. "$(dirname "$0")/common.sh"

group=harness
reset_results "$group"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
qm=(python3 "$TOP/scripts/qemu_machine.py")

check() {
	local name=$1 detail=$2
	shift 2
	if "$@"; then
		result "$group" ok "$name"
	else
		result "$group" fail "$name" "$detail"
	fi
}

# --- accelerator probe
out=$("${qm[@]}" probe tcg 2>&1) && rc=0 || rc=$?
check accel_probe_tcg_runs "probe under TCG: $out" test "$rc" = 0
out=$("${qm[@]}" probe tcg -machine no-such-machine 2>&1) && rc=0 || rc=$?
check accel_probe_refuses_broken "an impossible option set passed the probe: $out" \
	test "$rc" = 1

accel_in() {	# accel_in <dir> <env...>: the decision of a run with a fresh results dir
	local dir=$1
	shift
	env BUILD="$tmp/$dir" HARNESS_T0=1 "$@" "${qm[@]}" accel 2>"$tmp/$dir.err"
}
got=$(accel_in a ACCEL_PROBE_ARGS="-machine no-such-machine") || got="exit $?"
check accel_failed_kvm_gives_tcg "a KVM that fails the probe gave '$got'" \
	grep -q '^accel=tcg$' "$tmp/a/results/accel.txt"
check accel_failed_kvm_says_why "accel.txt does not say why" \
	grep -q '^why=KVM probe failed: ' "$tmp/a/results/accel.txt"
got=$(accel_in b QEMU_ACCEL=kvm ACCEL_PROBE_ARGS="-machine no-such-machine") && rc=0 || rc=$?
check accel_forced_kvm_fails "a forced KVM that fails the probe gave '$got' (exit $rc)" \
	grep -q 'QEMU_ACCEL=kvm, but the KVM probe failed' "$tmp/b.err"
got=$(accel_in c QEMU_ACCEL=tcg) || got="exit $?"
check accel_forced_tcg "QEMU_ACCEL=tcg gave '$got'" test "$got" = tcg
got=$(accel_in d QEMU_ACCEL=bogus) && rc=0 || rc=$?
check accel_bad_value "QEMU_ACCEL=bogus was accepted" \
	grep -q 'QEMU_ACCEL must be kvm or tcg' "$tmp/d.err"
# One decision per run: a second call of the same run reuses it.
got=$(accel_in a ACCEL_PROBE_ARGS="-machine no-such-machine") || got="exit $?"
check accel_once_per_run "the second call of a run probed again" \
	test "$(grep -c 'accel-probe' "$tmp/a/results/boots.tsv")" = 1

# --- base fallback
sed 's/^VERSION=.*/VERSION=7.3.0-0~never1/' "$BASE_PIN" >"$tmp/never.pin"
out=$(BUILD=$tmp/fb BASE_PIN=$tmp/never.pin "$TOP/scripts/fetch-base.sh" 2>&1) && rc=0 || rc=$?
# shellcheck source=/dev/null
check base_fallback_fetches "fetch-base.sh with a pin never served: exit $rc: $(tail -n 3 <<<"$out")" \
	bash -c "[ $rc = 0 ] && grep -q '^PINNED=0$' '$tmp/fb/base/fetched' &&
		[ -s '$tmp/fb/base/linux-source.tar.xz' ]"
check base_fallback_says_so "no 'pinned X, using Y' line: $(tail -n 3 <<<"$out")" \
	grep -q "pinned linux-source-7.3 7.3.0-0~never1, using linux-source-7.3 " <<<"$out"
# repin writes what was taken (a stand-in import: the base commit only).
git init -q "$tmp/fb/linux"
git -C "$tmp/fb/linux" -c user.name=t -c user.email=t@localhost commit -q --allow-empty -m base
git -C "$tmp/fb/linux" tag base
(. "$tmp/fb/base/fetched" && echo "$PACKAGE=$VERSION") >"$tmp/fb/linux/.git/base.version"
cp "$tmp/never.pin" "$tmp/repin.pin"
BUILD=$tmp/fb BASE_PIN=$tmp/repin.pin "$TOP/scripts/repin.sh" 2>/dev/null || true
want_ver=$(sed -n 's/^VERSION=//p' "$tmp/fb/base/fetched")
want_commit=$(git -C "$tmp/fb/linux" rev-parse base)
check base_repin_writes_pin "repin.sh left: $(grep -v '^#' "$tmp/repin.pin" | tr '\n' ' ')" \
	bash -c "grep -qxF 'VERSION=$want_ver' '$tmp/repin.pin' &&
		grep -qxF 'BASE_COMMIT=$want_commit' '$tmp/repin.pin' &&
		grep -qxF \"TARBALL_SHA256=\$(sed -n 's/^TARBALL_SHA256=//p' '$tmp/fb/base/fetched')\" '$tmp/repin.pin' &&
		[ \$(grep -c '^#' '$tmp/repin.pin') = \$(grep -c '^#' '$BASE_PIN') ]"
sed 's/^PACKAGE=.*/PACKAGE=linux-source-6.99/' "$BASE_PIN" >"$tmp/none.pin"
out=$(BUILD=$tmp/fb2 BASE_PIN=$tmp/none.pin "$TOP/scripts/fetch-base.sh" 2>&1) && rc=0 || rc=$?
check base_fallback_none_served "a pin with nothing served: exit $rc: $(tail -n 1 <<<"$out")" \
	bash -c "[ $rc != 0 ] && grep -q 'is not served by .*, and no other linux-source-6\.\* is' <<<'$out'"

# --- guest device check
gcc -O2 -Wall -Wextra -Werror -o "$tmp/devcheck" "$TOP/scripts/devcheck-test.c"
sys=$tmp/sys
drv=$sys/bus/virtio/drivers/virtio_balloon
mkdir -p "$drv"
out=$("$tmp/devcheck" "$drv") && rc=0 || rc=$?
check devcheck_no_device "no bound device passed: exit $rc: $out" \
	bash -c "[ $rc = 1 ] && grep -q 'no virtio-balloon device is bound' <<<'$out'"
pci=$sys/devices/pci0000:00/0000:00:02.0
mkdir -p "$pci/virtio0"
ln -s "../../../../devices/pci0000:00/0000:00:02.0/virtio0" "$drv/virtio0"
echo 0 >"$pci/irq"
out=$("$tmp/devcheck" "$drv") && rc=0 || rc=$?
check devcheck_no_interrupt "a device without an interrupt passed: exit $rc: $out" \
	bash -c "[ $rc = 1 ] && grep -q 'virtio-balloon (virtio0) has no interrupt' <<<'$out'"
echo 11 >"$pci/irq"
out=$("$tmp/devcheck" "$drv") && rc=0 || rc=$?
check devcheck_intx "a device with INTx line 11 failed: exit $rc: $out" test "$rc" = 0
echo 0 >"$pci/irq"
mkdir -p "$pci/msi_irqs/24" "$pci/msi_irqs/25"
out=$("$tmp/devcheck" "$drv") && rc=0 || rc=$?
check devcheck_msix "a device with two MSI-X vectors failed: exit $rc: $out" test "$rc" = 0
# The host side: a guest that bailed out fails <scenario>_devices with its
# reason and is not complete; nothing else it did not run passes.
cat >"$tmp/bail.console" <<'CONSOLE'
[    4.100000] virtio-pci 0000:00:02.0: enabling device (0000 -> 0003)
[    4.200000] ACPI Error: Aborting method \_SB.PCI0._PRT due to previous error (AE_AML_LOOP_TIMEOUT)
KTAP version 1
1..14
Bail out! virtio-balloon (virtio0) has no interrupt: no MSI-X vector, no INTx line
@@GUEST-EXIT 1
CONSOLE
: >"$tmp/bail.tsv"
python3 "$TOP/scripts/qemu-e2e.py" --evaluate "$tmp/bail.console" e2e "$tmp/bail.tsv" 2>/dev/null
check devcheck_host_verdict "results of a bailed-out guest: $(tr '\t\n' ' ;' <"$tmp/bail.tsv")" \
	bash -c "grep -qxF \$'fail\te2e_devices\tvirtio-balloon (virtio0) has no interrupt: no MSI-X vector, no INTx line' '$tmp/bail.tsv' &&
		grep -q \$'^fail\te2e_no_acpi_errors\t1 lines, first: .*AE_AML_LOOP_TIMEOUT' '$tmp/bail.tsv' &&
		grep -q \$'^fail\te2e_completed\tbailed out: ' '$tmp/bail.tsv' &&
		[ \$(grep -c '^ok' '$tmp/bail.tsv') = 1 ] &&
		grep -q \$'^ok\te2e_no_kernel_splats' '$tmp/bail.tsv'"

# --- compaction parity (scripts/compact_table.py): counts of the series
# against the base on the same fill; fewer free order-9 blocks, a lower
# alloc_contig_range() success rate or scanned pages more than 5% apart fail.
cb_log() {	# cb_log <file> <order9_after> <ok64> <migrate_scanned>
	cat >"$1" <<LOG
    # cb_balloon_migrate: compact_bench: balloon pages=4096 windows=19 rep=1 ns=4096000 ns_per_page=1000
    # cb_balloon_migrate: compact_bench: balloon pages=65536 windows=259 rep=1 ns=65536000 ns_per_page=1000
    # cb_fragmented: compact_bench: fill zone=Normal pages=1000 folio=100 balloon=50 zsmalloc=50
    # cb_fragmented: compact_bench: contig size=2M ok=1 err=0 ns=1000 migrated=10
    # cb_fragmented: compact_bench: contig size=64M ok=$3 err=0 ns=1000 migrated=10
    # cb_fragmented: compact_bench: compact rep=1 kept=200 ns=1000000 migrate_scanned=$4 free_scanned=500 migrated=100 order9_before=3 order9_after=$2
ok 1 compact_bench
LOG
}
parity() {	# parity <series order9_after> <series ok64> <series migrate_scanned>
	rm -rf "$tmp/cb" && mkdir "$tmp/cb"
	cb_log "$tmp/cb/uml-base-1.log" 10 1 1000
	cb_log "$tmp/cb/uml-series-1.log" "$@"
	python3 "$TOP/scripts/compact_table.py" "$tmp/cb" >"$tmp/cb.md" 2>&1
}
parity 10 1 1040 && rc=0 || rc=$?
check compact_parity_same "equal counts failed: exit $rc: $(tail -3 "$tmp/cb.md")" test "$rc" = 0
parity 9 1 1000 && rc=0 || rc=$?
check compact_parity_order9 "fewer order-9 blocks passed: exit $rc" \
	bash -c "[ $rc = 1 ] && grep -q 'parity: free order-9 blocks after compaction: series 9.00 < base 10.0' '$tmp/cb.md'"
parity 10 0 1000 && rc=0 || rc=$?
check compact_parity_contig "a failed alloc_contig_range() passed: exit $rc" \
	bash -c "[ $rc = 1 ] && grep -q 'parity: alloc_contig_range() 64 MiB success rate' '$tmp/cb.md'"
parity 10 1 1100 && rc=0 || rc=$?
check compact_parity_scanned "10% more pages scanned passed: exit $rc" \
	bash -c "[ $rc = 1 ] && grep -q 'parity: compact_node() migrate_scanned: series 1100, base 1000' '$tmp/cb.md'"

! grep -q '^fail' "$RESULTS/$group.tsv"
