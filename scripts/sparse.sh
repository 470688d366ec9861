#!/usr/bin/env bash
# Build sparse from Debian's sid source package (bookworm's 0.6.4 lacks
# __typeof_unqual__, so the kernel's checker-valid.sh rejects it and C=2
# silently checks nothing). Prints the path of the sparse binary.
. "$(dirname "$0")/common.sh"

dir=$BUILD/tools/sparse
bin=$dir/sparse
if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi
"$TOP/scripts/apt-private.sh" update >&2
progress "building sparse from Debian's sid source package"
rm -rf "$dir.src"
mkdir -p "$BUILD/logs"
mkdir -p "$dir.src"
(cd "$dir.src" && "$TOP/scripts/apt-private.sh" source --download-only sparse) >"$BUILD/logs/sparse.log" 2>&1 ||
	{ tail -n 20 "$BUILD/logs/sparse.log" >&2; die "apt-get source sparse failed"; }
dsc=$(ls "$dir.src"/sparse_*.dsc | head -n 1)
dpkg-source --no-check --skip-patches -x "$dsc" "$dir.src/tree" >>"$BUILD/logs/sparse.log" 2>&1 ||
	die "unpacking $dsc failed"
make -C "$dir.src/tree" -j"$JOBS" sparse >>"$BUILD/logs/sparse.log" 2>&1 ||
	{ tail -n 20 "$BUILD/logs/sparse.log" >&2; die "building sparse failed"; }
mkdir -p "$dir"
cp "$dir.src/tree/sparse" "$bin"
rm -rf "$dir.src"
"$bin" --version >&2
echo "$bin"
