#!/usr/bin/env bash
# Build the guest initramfs with the kernel's own usr/gen_init_cpio: busybox
# (static, from Debian), guest/init, the static scenario programs in guest/
# and upstream's selftests/mm programs built from the same kernel tree.
# Output: build/guest<suffix>/initramfs.cpio
. "$(dirname "$0")/common.sh"
select_tree

out=$BUILD/guest$SUFFIX
hdr=$BUILD/hdr$SUFFIX
mkdir -p "$out/bin" "$out/st" "$BUILD/logs"
log=$BUILD/logs/initramfs$SUFFIX.log
: >"$log"

busybox=/bin/busybox	# Debian's busybox-static
[ -x "$busybox" ] || die "static busybox not found (package busybox-static)"

# UAPI headers of this tree for the selftests.
if [ ! -f "$hdr/.stamp" ] || [ "$(cat "$hdr/.stamp")" != "$(git -C "$SRC" rev-parse HEAD)" ]; then
	progress "installing UAPI headers of ${SRC#"$TOP"/}"
	make -s -C "$SRC" ARCH=x86_64 O="$hdr/obj" INSTALL_HDR_PATH="$hdr" \
		headers_install >>"$log" 2>&1 || die "headers_install failed, see $log"
	git -C "$SRC" rev-parse HEAD >"$hdr/.stamp"
fi

progress "building guest programs and selftests (static)"
SELFTESTS=(migration compaction_test split_huge_page_test transhuge-stress hugetlb-madvise
	hugetlb-soft-offline memory-failure)
make -C "$SRC/tools/testing/selftests/mm" OUTPUT="$out/st" \
	KHDR_INCLUDES="-isystem $hdr/include" LDFLAGS=-static \
	"${SELFTESTS[@]/#/$out/st/}" >>"$log" 2>&1 ||
	{ tail -n 20 "$log"; die "selftests/mm build failed"; }
# The selftests Makefile writes its probe results into the source tree.
rm -f "$SRC"/tools/testing/selftests/mm/local_config.{h,mk,h_gen}

gcc -static -O2 -Wall -Wextra -Werror -o "$out/bin/e2e" "$TOP/guest/e2e.c" >>"$log" 2>&1 ||
	{ tail -n 20 "$log"; die "guest/e2e.c build failed"; }
for extra in "$TOP"/guest/*.c; do
	name=$(basename "$extra" .c)
	[ "$name" = e2e ] && continue
	gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$out/bin/$name" "$extra" \
		>>"$log" 2>&1 || { tail -n 20 "$log"; die "guest/$name.c build failed"; }
done

gcc -O2 -o "$out/gen_init_cpio" "$SRC/usr/gen_init_cpio.c" >>"$log" 2>&1 ||
	die "building usr/gen_init_cpio failed"

{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "nod /dev/null 0666 0 0 c 1 3"
	for d in /proc /sys /tmp /bin /sbin /usr /usr/bin /usr/sbin /root; do
		echo "dir $d 0755 0 0"
	done
	echo "file /bin/busybox $busybox 0755 0 0"
	echo "slink /bin/sh busybox 0777 0 0"
	echo "file /init $TOP/guest/init 0755 0 0"
	for p in "$out"/bin/*; do
		echo "file /bin/$(basename "$p") $p 0755 0 0"
	done
	for p in "${SELFTESTS[@]}"; do
		echo "file /bin/$p $out/st/$p 0755 0 0"
	done
} >"$out/initramfs.list"
"$out/gen_init_cpio" "$out/initramfs.list" >"$out/initramfs.cpio.tmp" 2>>"$log" ||
	die "gen_init_cpio failed, see $log"
mv "$out/initramfs.cpio.tmp" "$out/initramfs.cpio"
progress "initramfs: ${out#"$TOP"/}/initramfs.cpio ($(du -h "$out/initramfs.cpio" | cut -f1))"
