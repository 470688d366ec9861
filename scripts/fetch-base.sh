#!/usr/bin/env bash
# Download the base kernel's linux-source .deb through the private apt state
# and leave its tarball at build/base/linux-source.tar.xz, with what was
# taken in build/base/fetched (PACKAGE, VERSION, TARBALL, both checksums).
#
# The pinned version (base.pin, or the file BASE_PIN names) is checked
# against both pinned checksums. The archive keeps one version per suite, so
# the pinned one can vanish: then the newest linux-source-7.3 the suite
# serves is taken, or failing that the newest linux-source-7.*, with one
# line "pinned X, using Y"; its checksums are printed, not checked (nothing
# pins them), and `make repin` writes them into base.pin. tree.sh applies
# the series to such a base with `git am -3`.
. "$(dirname "$0")/common.sh"
# shellcheck source=/dev/null
. "$BASE_PIN"

OUT=$BUILD/base
TARBALL_OUT=$OUT/linux-source.tar.xz
mkdir -p "$OUT"

# Done already: the tarball of the pinned version, verified, or of the
# fallback chosen in the last hour (after which the archive is asked again).
if [ -f "$TARBALL_OUT" ] && [ -f "$OUT/fetched" ]; then
	# shellcheck source=/dev/null
	got=$(. "$OUT/fetched" && echo "$PACKAGE=$VERSION:$TARBALL_SHA256")
	if [ "$got" = "$PACKAGE=$VERSION:$TARBALL_SHA256" ]; then
		exit 0
	fi
	if [ -z "$(find "$OUT/fetched" -mmin +60)" ] && grep -q '^PINNED=0$' "$OUT/fetched"; then
		exit 0
	fi
fi

"$TOP/scripts/apt-private.sh" update

# Versions of package $1 the private apt state serves, newest first.
served_versions() {
	APT_CMD=apt-cache "$TOP/scripts/apt-private.sh" madison "$1" 2>/dev/null |
		awk -F'|' '{ gsub(/ /, "", $1); gsub(/ /, "", $2); if ($1 == pkg) print $2 }' pkg="$1" |
		sort -u | sort_versions
}

# Debian version order (dpkg --compare-versions), newest first.
sort_versions() {
	local v out=()
	while read -r v; do
		[ -n "$v" ] || continue
		local i=0
		while ((i < ${#out[@]})) && dpkg --compare-versions "${out[i]}" ge "$v"; do
			i=$((i + 1))
		done
		out=("${out[@]:0:i}" "$v" "${out[@]:i}")
	done
	((${#out[@]})) && printf '%s\n' "${out[@]}"
	return 0
}

pin_pkg=$PACKAGE pin_ver=$VERSION
pkg=$PACKAGE
ver=
if served_versions "$PACKAGE" | grep -qxF "$VERSION"; then
	ver=$VERSION
	pinned=1
else
	pinned=0
	ver=$(served_versions "$PACKAGE" | head -n 1)
	if [ -z "$ver" ]; then
		# Another 7.x: the newest package name, then its newest version.
		series=${PACKAGE%.*}
		pkg=$(APT_CMD=apt-cache "$TOP/scripts/apt-private.sh" pkgnames "$series." 2>/dev/null |
			grep -E "^${series//./\\.}\.[0-9]+$" | sort -t. -k2,2n | tail -n 1 || true)
		[ -n "$pkg" ] && ver=$(served_versions "$pkg" | head -n 1)
	fi
	if [ -z "$ver" ]; then
		die "$pin_pkg $pin_ver is not served by $SUITE, and no other ${PACKAGE%.*}.* is"
	fi
	progress "pinned $pin_pkg $pin_ver, using $pkg $ver (the pinned version is not served by $SUITE; 'make repin' pins it)"
fi

progress "fetching $pkg=$ver"
rm -f "$OUT"/*.deb
(cd "$OUT" && "$TOP/scripts/apt-private.sh" download "$pkg=$ver" >"$OUT/download.log" 2>&1) ||
	{ tail -n 20 "$OUT/download.log"; die "download of $pkg=$ver failed"; }
deb=$(ls "$OUT"/*.deb)
tarball=usr/src/$pkg.tar.xz

check_sha() {
	local file=$1 want=$2 what=$3 got
	got=$(sha256sum "$file" | cut -d' ' -f1)
	if [ "$pinned" = 0 ] || [ "${PIN_CHECK:-1}" = 0 ]; then
		echo "$what sha256: $got" >&2
	elif [ "$got" != "$want" ]; then
		die "$what checksum mismatch: got $got, base.pin says $want"
	fi
	echo "$got"
}

deb_sha=$(check_sha "$deb" "$DEB_SHA256" "$pkg .deb")
progress "unpacking $tarball from the package"
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./$tarball" >"$TARBALL_OUT.tmp" ||
	die "$deb holds no $tarball"
tar_sha=$(check_sha "$TARBALL_OUT.tmp" "$TARBALL_SHA256" "$tarball")
mv "$TARBALL_OUT.tmp" "$TARBALL_OUT"
rm -f "$deb"
cat >"$OUT/fetched" <<EOF
PACKAGE=$pkg
VERSION=$ver
SUITE=$SUITE
DEB_SHA256=$deb_sha
TARBALL=$tarball
TARBALL_SHA256=$tar_sha
PINNED=$pinned
EOF
if [ "$pinned" = 1 ]; then
	progress "base tarball verified"
else
	progress "base tarball of $pkg $ver (not the pinned version: checksums not checked)"
fi
