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
# $JOBS patches at a time; results in series order.
cpdir=$BUILD/lint/checkpatch
rm -rf "$cpdir"
mkdir -p "$cpdir"
grep -v -e '^#' -e '^$' "$PATCHES/series" |
	xargs -r -P "$JOBS" -I{} sh -c 'cd "$1" && ./scripts/checkpatch.pl --strict "$2/$3" >"$4/$3.out" 2>&1; true' \
		sh "$LINUX" "$PATCHES" {} "$cpdir"
n=0
while read -r p; do
	case "$p" in '' | '#'*) continue ;; esac
	n=$((n + 1))
	out=$(cat "$cpdir/$p.out" 2>/dev/null || echo "checkpatch did not run")
	summary=$(grep -E '^total: ' <<<"$out" | tail -n 1 || true)
	if grep -qE '^total: 0 errors, 0 warnings' <<<"$out"; then
		result lint ok "checkpatch $p" "$summary"
	else
		printf '%s\n' "$out" >"$BUILD/lint/checkpatch-$p.txt"
		result lint fail "checkpatch $p" "${summary:-no summary} (build/lint/checkpatch-$p.txt)"
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
	drivers/virtio/virtio_balloon.c mm/migrate_copy_dma.c || true)
# The core of migration and its KUnit suites also compile for UML (the KUnit
# default): a kernel without NUMA and without memory hotplug.
mapfile -t umlfiles < <(git_l diff --name-only --diff-filter=AM base series -- \
	mm/balloon.c mm/migrate.c mm/migrate_range.c mm/migrate_copy.c mm/compaction.c \
	mm/page_isolation.c mm/tests/migrate_kunit.c || true)
mapfile -t docfiles < <(git_l diff --name-only --diff-filter=AM base series -- '*.c' '*.h' | grep -v '^tools/' || true)

# --- sparse and W=1 -----------------------------------------------------------
# Every touched file is compiled in the series tree, and its warnings
# (normalised: no line numbers) are compared with the same file's warnings on
# the base. The base's warnings come from config/lint-base.txt when it was
# made from this base with these compilers, this sparse and these config
# fragments (one key per architecture); otherwise, for a file it does not
# list, or when the series has a warning it does not list, the base tree is
# configured and the file compiled there (the answer that counts).
# `make lint-baseline` (LINT_BASELINE=write) compiles every file on the base
# and writes the file anew.
SPARSE=$("$TOP/scripts/sparse.sh")
BASELINE=$TOP/config/lint-base.txt
BASE_COMMIT=$(git_l rev-parse 'base^{commit}')
declare -A base_key base_ready
declare -a baseline_out=()

normalise() {
	local src=$1
	{ grep -E '(warning|error|BUILD-FAILED):' || true; } |
		sed -E -e "s|$src/||g" -e 's|(\.\./)+linux/||g' -e 's|(\.\./)+wt/base/||g' \
			-e 's/:[0-9]+:[0-9]+:/:/; s/:[0-9]+:/:/' \
			-e 's/frame size of [0-9]+ bytes/frame size of N bytes/' | sort -u
}

# One object with W=1 (and sparse with C=2 where $4 is "sparse"), in the
# object tree $2 of the source tree $1, for the architecture of $arch_make.
obj_warnings() {
	local src=$1 odir=$2 file=$3 checker=${4:-} out
	local obj=${file%.c}.o extra=()
	rm -f "$odir/$obj"
	[ "$checker" != sparse ] || extra=(C=2 CHECK="$SPARSE")
	out=$("$arch_make" "$src" "$odir" W=1 "${extra[@]}" "$obj" 2>&1) || out="$out
BUILD-FAILED: $file does not compile in this configuration"
	printf '%s\n' "$out" | normalise "$src"
}

x86_make() { make -C "$1" O="$2" ARCH=x86_64 CC="$CC_CMD" "${@:3}"; }
ppc_make() {
	make -C "$1" O="$2" ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu- \
		CC="ccache powerpc64le-linux-gnu-gcc" "${@:3}"
}
a64_make() {
	make -C "$1" O="$2" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		CC="ccache aarch64-linux-gnu-gcc" "${@:3}"
}
uml_make() { make -C "$1" O="$2" ARCH=um CC="$CC_CMD" "${@:3}"; }

# A configured object tree: defconfig, then the fragments $4..., prepared
# for compiling single objects.
frag_tree() {
	local src=$1 odir=$2 mk=$3
	shift 3
	mkdir -p "$odir"
	cat "$@" >"$odir/fragment.config"
	if ! cmp -s "$odir/fragment.config" "$odir/.fragment.used" 2>/dev/null || [ ! -f "$odir/.config" ]; then
		"$mk" "$src" "$odir" -s defconfig >/dev/null
		"$src/scripts/kconfig/merge_config.sh" -m -O "$odir" "$odir/.config" "$odir/fragment.config" >/dev/null 2>&1
		"$mk" "$src" "$odir" -s olddefconfig >/dev/null
		cp "$odir/fragment.config" "$odir/.fragment.used"
	fi
	"$mk" "$src" "$odir" -s -j"$JOBS" prepare >/dev/null 2>&1
}
x86_tree() { frag_tree "$1" "$2" x86_make "$TOP/config/kunit.config" "${@:3}" \
	"$TOP/config/x86_64.config" "$TOP/config/lint.config"; }
ppc_tree() {
	mkdir -p "$2"
	[ -f "$2/.config" ] || ppc_make "$1" "$2" -s pseries_le_defconfig >/dev/null
	ppc_make "$1" "$2" -s -j"$JOBS" prepare >/dev/null 2>&1
}
a64_tree() {
	mkdir -p "$2"
	if [ ! -f "$2/.config" ]; then
		a64_make "$1" "$2" -s defconfig >/dev/null
		"$1/scripts/config" --file "$2/.config" -e ARM64_64K_PAGES \
			-d ARM64_4K_PAGES -e VIRTIO_BALLOON -e MEMORY_HOTREMOVE
		a64_make "$1" "$2" -s olddefconfig >/dev/null
	fi
	a64_make "$1" "$2" -s -j"$JOBS" prepare >/dev/null 2>&1
}
uml_tree() { frag_tree "$1" "$2" uml_make "$TOP/config/kunit.config" "${@:3}"; }

# The prefix of an architecture's helpers (x86_make, x86_tree, ...).
pfx_of() {
	case "$1" in x86_64) echo x86 ;; powerpc) echo ppc ;; arm64) echo a64 ;; um) echo uml ;; esac
}

# What the base's warnings of one architecture depend on.
arch_key() {
	local a=$1
	{
		echo "$BASE_COMMIT"
		case "$a" in
		x86_64)
			gcc --version | head -n 1
			"$SPARSE" --version
			cat "$TOP/config/kunit.config" "$TOP/config/x86_64.config" "$TOP/config/lint.config"
			;;
		powerpc) powerpc64le-linux-gnu-gcc --version | head -n 1; echo pseries_le_defconfig ;;
		arm64) aarch64-linux-gnu-gcc --version | head -n 1; echo defconfig ARM64_64K_PAGES VIRTIO_BALLOON MEMORY_HOTREMOVE ;;
		um) gcc --version | head -n 1; cat "$TOP/config/kunit.config" ;;
		esac
		declare -f "$(pfx_of "$a")_tree" "$(pfx_of "$a")_make" frag_tree normalise obj_warnings
	} | sha256sum | cut -c1-16
}

# The base's warnings of $2 on architecture $1, from the stored baseline if
# $3 is not "live" and the baseline holds them; else compiled on the base.
base_warnings() {
	local a=$1 f=$2 how=${3:-} pfx
	pfx=$(pfx_of "$a")
	# A file the series adds has no base warnings.
	git_l cat-file -e "base:$f" 2>/dev/null || return 0
	if [ "$how" != live ] && [ "${LINT_BASELINE:-}" != write ] && [ -f "$BASELINE" ] &&
		grep -qxF "key	$a	${base_key[$a]}" "$BASELINE" &&
		grep -qxF "file	$a	$f" "$BASELINE"; then
		awk -F'\t' -v a="$a" -v f="$f" '$1 == "warn" && $2 == a && $3 == f { print $4 }' "$BASELINE"
		return 0
	fi
	if [ -z "${base_ready[$a]:-}" ]; then
		BASE_ONLY=1 select_tree
		base_src=$SRC
		progress "lint: preparing the $a object tree of the base"
		"${pfx}_tree" "$base_src" "$BUILD/lint/$a-base"
		base_ready[$a]=1
	fi
	arch_make=${pfx}_make obj_warnings "$base_src" "$BUILD/lint/$a-base" "$f" \
		"$([ "$a" = x86_64 ] && echo sparse)"
	return 1
}

# check_arch <arch> <label> <files...>: the series tree of <arch>, then
# every file compared with the base.
check_arch() {
	local a=$1 label=$2 pfx f new fromstore
	shift 2
	[ $# -gt 0 ] || return 0
	pfx=$(pfx_of "$a")
	base_key[$a]=$(arch_key "$a")
	[ "${LINT_BASELINE:-}" != write ] || baseline_out+=("key	$a	${base_key[$a]}")
	progress "lint: preparing the $a object tree of the series"
	if [ "$a" = x86_64 ]; then
		x86_tree "$LINUX" "$BUILD/lint/$a-series" "$TOP/config/suites.config" \
			"$TOP/config/suites-x86_64.config"
	elif [ "$a" = um ]; then
		uml_tree "$LINUX" "$BUILD/lint/$a-series" "$TOP/config/suites.config"
	else
		"${pfx}_tree" "$LINUX" "$BUILD/lint/$a-series"
	fi
	if [ "$a" = arm64 ]; then
		grep -qx 'CONFIG_ARM64_64K_PAGES=y' "$BUILD/lint/$a-series/.config" ||
			die "lint: the arm64 tree did not get 64 KiB pages"
	fi
	for f in "$@"; do
		progress "lint: $label on $f"
		arch_make=${pfx}_make obj_warnings "$LINUX" "$BUILD/lint/$a-series" "$f" \
			"$([ "$a" = x86_64 ] && echo sparse)" >"$BUILD/lint/series.warn"
		fromstore=1
		base_warnings "$a" "$f" >"$BUILD/lint/base.warn" || fromstore=0
		new=$(comm -23 "$BUILD/lint/series.warn" "$BUILD/lint/base.warn")
		if [ -n "$new" ] && [ "$fromstore" = 1 ]; then
			base_warnings "$a" "$f" live >"$BUILD/lint/base.warn" || true
			new=$(comm -23 "$BUILD/lint/series.warn" "$BUILD/lint/base.warn")
		fi
		if [ "${LINT_BASELINE:-}" = write ]; then
			baseline_out+=("file	$a	$f")
			while IFS= read -r w; do
				[ -z "$w" ] || baseline_out+=("warn	$a	$f	$w")
			done <"$BUILD/lint/base.warn"
		fi
		if grep -q BUILD-FAILED "$BUILD/lint/series.warn"; then
			result lint fail "$label $f" "$(grep -m1 -E 'error|BUILD-FAILED' "$BUILD/lint/series.warn")"
		elif [ -z "$new" ]; then
			result lint ok "$label $f" "$(wc -l <"$BUILD/lint/series.warn") warnings, none new$([ "$fromstore" = 1 ] || echo ' (base compiled)')"
		else
			printf '%s\n' "$new" >"$BUILD/lint/new-warnings-$a-${f//\//_}.txt"
			result lint fail "$label $f" "$(wc -l <<<"$new") new: $(head -n 1 <<<"$new")"
		fi
	done
}

check_arch x86_64 "sparse+W=1" "${cfiles[@]}"
check_arch powerpc "powerpc W=1" "${ppcfiles[@]}"
check_arch arm64 "arm64 64K W=1" "${arm64files[@]}"
check_arch um "uml W=1" "${umlfiles[@]}"

# The stored baseline against the truth, once per run where it is cheapest
# (UML): the base's warnings of one file, compiled now, must be what the
# baseline says, or the baseline is stale although its key matches.
if [ "${LINT_BASELINE:-}" != write ] && [ ${#umlfiles[@]} -gt 0 ] &&
	grep -qxF "key	um	${base_key[um]}" "$BASELINE" 2>/dev/null; then
	for f in "${umlfiles[@]}"; do
		grep -qxF "file	um	$f" "$BASELINE" || continue
		base_warnings um "$f" >"$BUILD/lint/stored.warn" || true
		base_warnings um "$f" live >"$BUILD/lint/live.warn" || true
		if cmp -s "$BUILD/lint/stored.warn" "$BUILD/lint/live.warn"; then
			result lint ok "baseline spot check uml $f" "$(wc -l <"$BUILD/lint/live.warn") base warnings, as stored"
		else
			result lint fail "baseline spot check uml $f" \
				"config/lint-base.txt differs from the base compiled now: make lint-baseline"
		fi
		break
	done
fi
if [ "${LINT_BASELINE:-}" = write ]; then
	{
		echo "# Warnings of the base kernel on the files the series touches, written by"
		echo "# \`make lint-baseline\` (scripts/lint.sh): an accelerator for the lint step,"
		echo "# used for an architecture only while its key (base commit, compiler, sparse,"
		echo "# config fragments) matches. Fields are separated by tabs."
		printf '%s\n' "${baseline_out[@]}"
	} >"$BASELINE"
	progress "lint: wrote ${BASELINE#"$TOP"/} ($(grep -c '^warn' "$BASELINE") warnings of $(grep -c '^file' "$BASELINE") files)"
fi

# --- kernel-doc -------------------------------------------------------------
# The base's copy of each file is read from git (kernel-doc needs no tree).
kdoc=$BUILD/lint/kdoc-base
rm -rf "$kdoc"
for f in "${docfiles[@]}"; do
	new_w=$(cd "$LINUX" && ./scripts/kernel-doc -none -Wall "$f" 2>&1 | sed -E 's/(\.[ch]):[0-9]+:?/\1:/' | sort)
	old_w=""
	if git_l cat-file -e "base:$f" 2>/dev/null; then
		mkdir -p "$kdoc/$(dirname "$f")"
		git_l show "base:$f" >"$kdoc/$f"
		old_w=$(cd "$kdoc" && "$LINUX/scripts/kernel-doc" -none -Wall "$f" 2>&1 | sed -E 's/(\.[ch]):[0-9]+:?/\1:/' | sort)
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
