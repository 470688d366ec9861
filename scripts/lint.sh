#!/usr/bin/env bash
# Lint the series with the kernel's own tools:
#  - scripts/checkpatch.pl --strict on every patch: 0 errors, 0 warnings;
#  - sparse (C=2, sparse built from Debian's sid source) and W=1 on every .c
#    file the series touches: no warning that the base tree does not have;
#  - scripts/kernel-doc -none on every touched .c/.h file: no new warning;
#  - make coccicheck MODE=report for every Coccinelle script the series adds.
# Results: build/results/lint.tsv (one line per check).
. "$(dirname "$0")/common.sh"

reset_results lint
mkdir -p "$BUILD/logs" "$BUILD/lint"
git_l() { git -C "$LINUX" "$@"; }

# --- checkpatch ---------------------------------------------------------------
n=0
while read -r p; do
	case "$p" in '' | '#'*) continue ;; esac
	n=$((n + 1))
	out=$(cd "$LINUX" && ./scripts/checkpatch.pl --strict "$PATCHES/$p" 2>&1) || true
	summary=$(grep -E '^total: ' <<<"$out" | tail -n 1)
	if grep -qE '^total: 0 errors, 0 warnings' <<<"$out"; then
		result lint ok "checkpatch $p" "$summary"
	else
		printf '%s\n' "$out" >"$BUILD/lint/checkpatch-$p.txt"
		result lint fail "checkpatch $p" "$summary (build/lint/checkpatch-$p.txt)"
	fi
done <"$PATCHES/series"
[ "$n" -gt 0 ] || progress "checkpatch: the series has no patches"

# Files the series touches (that still exist at its end).
mapfile -t cfiles < <(git_l diff --name-only --diff-filter=AM base series -- '*.c' | grep -v -e '^tools/' -e '^arch/powerpc/' || true)
# powerpc files, and the mm/ files that balloon and range migration build on,
# also compile for powerpc (pseries_le_defconfig: CMM, BALLOON_MIGRATION, and
# a PMD_ORDER only known at boot).
mapfile -t ppcfiles < <(git_l diff --name-only --diff-filter=AM base series -- 'arch/powerpc/*.c' \
	mm/balloon.c mm/migrate.c mm/migrate_range.c mm/compaction.c || true)
# The mm/ files of range migration, and the drivers it calls, also compile for
# arm64 with 64 KiB pages (defconfig + ARM64_64K_PAGES): the span of range
# migration is 1 << PMD_ORDER = 8192 pfns there and every bitmap of it 1 KiB,
# so a frame that grows with it warns (-Wframe-larger-than, 2048 bytes).
mapfile -t arm64files < <(git_l diff --name-only --diff-filter=AM base series -- \
	mm/balloon.c mm/migrate.c mm/migrate_range.c mm/compaction.c mm/page_alloc.c \
	mm/memory_hotplug.c mm/memory-failure.c mm/page_isolation.c \
	drivers/virtio/virtio_balloon.c || true)
mapfile -t docfiles < <(git_l diff --name-only --diff-filter=AM base series -- '*.c' '*.h' | grep -v '^tools/' || true)

# --- sparse and W=1 -----------------------------------------------------------
SPARSE=$("$TOP/scripts/sparse.sh")

# A configured x86_64 tree for compiling single objects: the test kernel's
# config (kunit.config + suites + x86_64.config).
lint_tree() {
	local src=$1 odir=$2
	shift 2
	mkdir -p "$odir"
	cat "$@" >"$odir/fragment.config"
	if ! cmp -s "$odir/fragment.config" "$odir/.fragment.used" 2>/dev/null || [ ! -f "$odir/.config" ]; then
		make -s -C "$src" O="$odir" ARCH=x86_64 CC="$CC_CMD" defconfig >/dev/null
		"$src/scripts/kconfig/merge_config.sh" -m -O "$odir" "$odir/.config" "$odir/fragment.config" >/dev/null 2>&1
		make -s -C "$src" O="$odir" ARCH=x86_64 CC="$CC_CMD" olddefconfig >/dev/null
		cp "$odir/fragment.config" "$odir/.fragment.used"
	fi
	make -s -C "$src" O="$odir" ARCH=x86_64 CC="$CC_CMD" -j"$JOBS" prepare >/dev/null 2>&1
}

# Warnings of one object with C=2 W=1, normalised (no line/column numbers).
obj_warnings() {
	local src=$1 odir=$2 file=$3 out
	local obj=${file%.c}.o
	rm -f "$odir/$obj"
	out=$(make -C "$src" O="$odir" ARCH=x86_64 CC="$CC_CMD" C=2 W=1 CHECK="$SPARSE" \
		"$obj" 2>&1) || out="$out
BUILD-FAILED: $file does not compile in this configuration"
	{ printf '%s\n' "$out" | grep -E '(warning|error|BUILD-FAILED):' || true; } |
		sed -E -e "s|$src/||g" -e 's|(\.\./)+linux/||g' -e 's|(\.\./)+wt/base/||g' \
			-e 's/:[0-9]+:[0-9]+:/:/; s/:[0-9]+:/:/' | sort -u
}

if [ ${#cfiles[@]} -gt 0 ]; then
	BASE_ONLY=1 select_tree
	base_src=$SRC
	progress "lint: preparing x86_64 object trees (series and base) for sparse/W=1"
	lint_tree "$LINUX" "$BUILD/lint/obj-series" "$TOP/config/kunit.config" \
		"$TOP/config/suites.config" "$TOP/config/x86_64.config" "$TOP/config/lint.config"
	lint_tree "$base_src" "$BUILD/lint/obj-base" "$TOP/config/kunit.config" \
		"$TOP/config/x86_64.config" "$TOP/config/lint.config"
	for f in "${cfiles[@]}"; do
		progress "lint: sparse + W=1 on $f"
		obj_warnings "$LINUX" "$BUILD/lint/obj-series" "$f" >"$BUILD/lint/series.warn"
		if [ -f "$base_src/$f" ]; then
			obj_warnings "$base_src" "$BUILD/lint/obj-base" "$f" >"$BUILD/lint/base.warn"
		else
			: >"$BUILD/lint/base.warn"
		fi
		new=$(comm -23 "$BUILD/lint/series.warn" "$BUILD/lint/base.warn")
		if grep -q BUILD-FAILED "$BUILD/lint/series.warn"; then
			result lint fail "sparse+W=1 $f" "$(grep -m1 -E 'error|BUILD-FAILED' "$BUILD/lint/series.warn")"
		elif [ -z "$new" ]; then
			result lint ok "sparse+W=1 $f" "$(wc -l <"$BUILD/lint/series.warn") warnings, none new"
		else
			printf '%s\n' "$new" >"$BUILD/lint/new-warnings-${f//\//_}.txt"
			result lint fail "sparse+W=1 $f" "$(wc -l <<<"$new") new: $(head -n 1 <<<"$new")"
		fi
	done
fi

# --- powerpc (W=1, no sparse) ------------------------------------------------------
ppc_make() {
	make -C "$1" O="$2" ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu- \
		CC="ccache powerpc64le-linux-gnu-gcc" "${@:3}"
}
ppc_tree() {
	local src=$1 odir=$2
	mkdir -p "$odir"
	[ -f "$odir/.config" ] || ppc_make "$src" "$odir" -s pseries_le_defconfig >/dev/null
	ppc_make "$src" "$odir" -s -j"$JOBS" prepare >/dev/null 2>&1
}
ppc_warnings() {
	local src=$1 odir=$2 file=$3 out
	rm -f "$odir/${file%.c}.o"
	out=$(ppc_make "$src" "$odir" W=1 "${file%.c}.o" 2>&1) || out="$out
BUILD-FAILED: $file does not compile for powerpc"
	{ printf '%s\n' "$out" | grep -E '(warning|error|BUILD-FAILED):' || true; } |
		sed -E -e "s|$src/||g" -e 's|(\.\./)+linux/||g' -e 's|(\.\./)+wt/base/||g' \
			-e 's/:[0-9]+:[0-9]+:/:/; s/:[0-9]+:/:/' | sort -u
}
if [ ${#ppcfiles[@]} -gt 0 ]; then
	BASE_ONLY=1 select_tree
	progress "lint: preparing powerpc object trees (series and base)"
	ppc_tree "$LINUX" "$BUILD/lint/ppc-series"
	ppc_tree "$SRC" "$BUILD/lint/ppc-base"
	for f in "${ppcfiles[@]}"; do
		progress "lint: powerpc W=1 on $f"
		ppc_warnings "$LINUX" "$BUILD/lint/ppc-series" "$f" >"$BUILD/lint/series.warn"
		: >"$BUILD/lint/base.warn"
		[ ! -f "$SRC/$f" ] || ppc_warnings "$SRC" "$BUILD/lint/ppc-base" "$f" >"$BUILD/lint/base.warn"
		new=$(comm -23 "$BUILD/lint/series.warn" "$BUILD/lint/base.warn")
		if grep -q BUILD-FAILED "$BUILD/lint/series.warn"; then
			result lint fail "powerpc W=1 $f" "$(grep -m1 -E 'error|BUILD-FAILED' "$BUILD/lint/series.warn")"
		elif [ -z "$new" ]; then
			result lint ok "powerpc W=1 $f" "none new"
		else
			result lint fail "powerpc W=1 $f" "$(wc -l <<<"$new") new: $(head -n 1 <<<"$new")"
		fi
	done
fi

# --- arm64 with 64 KiB pages (W=1, no sparse) ----------------------------------
a64_make() {
	make -C "$1" O="$2" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		CC="ccache aarch64-linux-gnu-gcc" "${@:3}"
}
a64_tree() {
	local src=$1 odir=$2
	mkdir -p "$odir"
	if [ ! -f "$odir/.config" ]; then
		a64_make "$src" "$odir" -s defconfig >/dev/null
		"$src/scripts/config" --file "$odir/.config" -e ARM64_64K_PAGES \
			-d ARM64_4K_PAGES -e VIRTIO_BALLOON -e MEMORY_HOTREMOVE
		a64_make "$src" "$odir" -s olddefconfig >/dev/null
	fi
	a64_make "$src" "$odir" -s -j"$JOBS" prepare >/dev/null 2>&1
}
a64_warnings() {
	local src=$1 odir=$2 file=$3 out
	rm -f "$odir/${file%.c}.o"
	out=$(a64_make "$src" "$odir" W=1 "${file%.c}.o" 2>&1) || out="$out
BUILD-FAILED: $file does not compile for arm64"
	{ printf '%s\n' "$out" | grep -E '(warning|error|BUILD-FAILED):' || true; } |
		sed -E -e "s|$src/||g" -e 's|(\.\./)+linux/||g' -e 's|(\.\./)+wt/base/||g' \
			-e 's/:[0-9]+:[0-9]+:/:/; s/:[0-9]+:/:/' \
			-e 's/frame size of [0-9]+ bytes/frame size of N bytes/' | sort -u
}
if [ ${#arm64files[@]} -gt 0 ]; then
	BASE_ONLY=1 select_tree
	progress "lint: preparing arm64 64K-page object trees (series and base)"
	a64_tree "$LINUX" "$BUILD/lint/a64-series"
	a64_tree "$SRC" "$BUILD/lint/a64-base"
	grep -qx 'CONFIG_ARM64_64K_PAGES=y' "$BUILD/lint/a64-series/.config" ||
		die "lint: the arm64 tree did not get 64 KiB pages"
	for f in "${arm64files[@]}"; do
		progress "lint: arm64 64K W=1 on $f"
		a64_warnings "$LINUX" "$BUILD/lint/a64-series" "$f" >"$BUILD/lint/series.warn"
		: >"$BUILD/lint/base.warn"
		[ ! -f "$SRC/$f" ] || a64_warnings "$SRC" "$BUILD/lint/a64-base" "$f" >"$BUILD/lint/base.warn"
		new=$(comm -23 "$BUILD/lint/series.warn" "$BUILD/lint/base.warn")
		if grep -q BUILD-FAILED "$BUILD/lint/series.warn"; then
			result lint fail "arm64 64K W=1 $f" "$(grep -m1 -E 'error|BUILD-FAILED' "$BUILD/lint/series.warn")"
		elif [ -z "$new" ]; then
			result lint ok "arm64 64K W=1 $f" "none new"
		else
			result lint fail "arm64 64K W=1 $f" "$(wc -l <<<"$new") new: $(head -n 1 <<<"$new")"
		fi
	done
fi

# --- kernel-doc -------------------------------------------------------------
for f in "${docfiles[@]}"; do
	BASE_ONLY=1 select_tree
	new_w=$(cd "$LINUX" && ./scripts/kernel-doc -none -Wall "$f" 2>&1 | sed -E 's/(\.[ch]):[0-9]+:?/\1:/' | sort)
	old_w=""
	if [ -f "$SRC/$f" ]; then
		old_w=$(cd "$SRC" && ./scripts/kernel-doc -none -Wall "$f" 2>&1 | sed -E 's/(\.[ch]):[0-9]+:?/\1:/' | sort)
	fi
	added=$(comm -23 <(printf '%s\n' "$new_w" | sed '/^$/d') <(printf '%s\n' "$old_w" | sed '/^$/d'))
	if [ -z "$added" ]; then
		result lint ok "kernel-doc $f"
	else
		result lint fail "kernel-doc $f" "$(head -n 1 <<<"$added")"
	fi
done

# --- Coccinelle scripts the series adds ------------------------------------------
mapfile -t coccis < <(git_l diff --name-only --diff-filter=AM base series -- 'scripts/coccinelle/*.cocci' || true)
for c in "${coccis[@]}"; do
	progress "lint: make coccicheck MODE=report COCCI=$c"
	out=$(make -C "$LINUX" O="$BUILD/lint/cocci" coccicheck MODE=report \
		COCCI="$LINUX/$c" ${COCCI_DIRS:+M="$COCCI_DIRS"} 2>&1) || true
	printf '%s\n' "$out" >"$BUILD/lint/coccicheck-$(basename "$c").txt"
	hits=$(grep -E '^[^ ]+\.[ch]:[0-9]+' <<<"$out" || true)
	if [ -z "$hits" ] && ! grep -q 'coccicheck failed' <<<"$out"; then
		result lint ok "coccicheck $c" "no reports"
	else
		result lint fail "coccicheck $c" "$(wc -l <<<"$hits") reports: $(head -n 1 <<<"$hits")"
	fi
done

# --- Fixture tests of the Coccinelle scripts ------------------------------------
# tools/testing/coccinelle/<name>/ holds the fixtures of the script
# scripts/coccinelle/*/<name>.cocci; run_tests.sh prints TAP.
if [ -x "$LINUX/tools/testing/coccinelle/run_tests.sh" ]; then
	for d in "$LINUX"/tools/testing/coccinelle/*/; do
		name=$(basename "$d")
		c=$(cd "$LINUX" && ls scripts/coccinelle/*/"$name".cocci 2>/dev/null | head -n 1)
		[ -n "$c" ] || { result lint fail "cocci fixtures $name" "no scripts/coccinelle/*/$name.cocci"; continue; }
		progress "lint: fixtures of $c"
		tap=$(cd "$LINUX" && tools/testing/coccinelle/run_tests.sh "$c" "tools/testing/coccinelle/$name" 2>&1) || true
		printf '%s\n' "$tap" >"$BUILD/lint/cocci-fixtures-$name.tap"
		planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' <<<"$tap" | head -n 1)
		seen=0
		while IFS= read -r line; do
			case "$line" in
			"ok "*) result lint ok "cocci fixture $name: ${line#ok * }"; seen=$((seen + 1)) ;;
			"not ok "*) result lint fail "cocci fixture $name: ${line#not ok * }" "see build/lint/cocci-fixtures-$name.tap"; seen=$((seen + 1)) ;;
			esac
		done <<<"$tap"
		if [ -z "$planned" ] || [ "$seen" != "$planned" ]; then
			result lint fail "cocci fixtures $name" "$seen results for a plan of ${planned:-none}"
		fi
	done
fi

! grep -q '^fail' "$RESULTS/lint.tsv"
