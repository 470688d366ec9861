#!/usr/bin/env bash
# make export: regenerate patches/ (patch files, series, cover letter) from
# build/linux base..HEAD.
. "$(dirname "$0")/common.sh"

[ -z "$(tree_changes)" ] ||
	die "build/linux has uncommitted changes; commit them (or stash) before exporting"
tmp=$(mktemp -d "$BUILD/export.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$TOP/scripts/gen-series.sh" "$tmp"
mkdir -p "$PATCHES"
find "$PATCHES" -maxdepth 1 -name '*.patch' -delete
cp "$tmp"/*.patch "$tmp/series" "$PATCHES/"
# build/linux now matches patches/: record it so that `make tree` is a no-op.
git -C "$LINUX" tag -f series >/dev/null
(
	cd "$PATCHES"
	cat series
	while read -r p; do cat "$p"; done <series
) | sha256sum | cut -d' ' -f1 >"$LINUX/.git/series.stamp"
progress "exported $(wc -l <"$PATCHES/series") patches to patches/"
