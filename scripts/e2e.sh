#!/usr/bin/env bash
# Boot the x86_64 test kernel in QEMU with the guest initramfs and run the
# end-to-end scenario. Results: build/results/e2e<suffix>.tsv; console log and
# metrics in build/e2e<suffix>/.
#
# usage: e2e.sh [scenario [args]]   (default: e2e, the scenario of make run)
#
# E2E_KERNEL: the kernel's build directory under build/ (default x86_64, with
# the suffix of BASE_ONLY/PREFIX); E2E_OPTS: more scripts/qemu-e2e.py options.
. "$(dirname "$0")/common.sh"
select_tree

scenario=${1:-e2e}
args=${2:-}
kernel=$BUILD/${E2E_KERNEL:-x86_64}$SUFFIX/arch/x86/boot/bzImage
initrd=$BUILD/guest$SUFFIX/initramfs.cpio
[ -f "$kernel" ] || die "no x86_64 kernel at ${kernel#"$TOP"/}; run 'make kernel'"
[ -f "$initrd" ] || die "no initramfs at ${initrd#"$TOP"/}; run 'make initramfs'"

group=$scenario$SUFFIX
reset_results "$group"
work=$BUILD/$group
rm -rf "$work"
accel=$(qemu_accel)
progress "booting the ${E2E_KERNEL:-x86_64} kernel in QEMU ($accel, 4 vCPUs, 2 NUMA nodes, virtio-balloon): scenario '$scenario'"
python3 "$TOP/scripts/qemu-e2e.py" --kernel "$kernel" --initrd "$initrd" \
	--workdir "$work" --results "$RESULTS/$group.tsv" \
	--scenario "$scenario" --args "$args" --timeout "${E2E_TIMEOUT:-2400}" \
	${E2E_OPTS:-}
! grep -q '^fail' "$RESULTS/$group.tsv"
