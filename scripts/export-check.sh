#!/usr/bin/env bash
# make export-check: fail, naming the patches that differ, when build/linux
# holds commits or changes that are not in patches/.
. "$(dirname "$0")/common.sh"

[ -d "$LINUX/.git" ] || { echo "export-check: no build/linux, nothing to lose"; exit 0; }
bad=0
if [ -n "$(tree_changes)" ]; then
	echo "export-check: build/linux has uncommitted changes:"
	tree_changes | head -n 20
	bad=1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/export-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$TOP/scripts/gen-series.sh" "$tmp"
for f in "$tmp"/*.patch "$tmp/series"; do
	name=$(basename "$f")
	if [ ! -f "$PATCHES/$name" ]; then
		echo "export-check: $name is in build/linux but not in patches/"
		bad=1
	elif ! cmp -s "$f" "$PATCHES/$name"; then
		echo "export-check: $name differs from build/linux"
		bad=1
	fi
done
for f in "$PATCHES"/*.patch; do
	[ -e "$f" ] || continue
	name=$(basename "$f")
	if [ ! -f "$tmp/$name" ]; then
		echo "export-check: patches/$name is not in build/linux (stale, or build/linux is behind: run 'make tree')"
		bad=1
	fi
done
if [ "$bad" = 0 ]; then
	echo "export-check: build/linux and patches/ agree ($(wc -l <"$tmp/series") patches)"
fi
exit "$bad"
