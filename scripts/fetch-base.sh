#!/usr/bin/env bash
# Download the pinned linux-source .deb through the private apt state, verify
# the package and tarball checksums against base.pin, and leave the verified
# tarball at build/base/linux-source.tar.xz.
. "$(dirname "$0")/common.sh"
# shellcheck source=/dev/null
. "$TOP/base.pin"

OUT=$BUILD/base
TARBALL_OUT=$OUT/linux-source.tar.xz
mkdir -p "$OUT"

if [ -f "$TARBALL_OUT" ] && [ -f "$OUT/verified" ] &&
	[ "$(cat "$OUT/verified")" = "$TARBALL_SHA256" ]; then
	exit 0
fi

"$TOP/scripts/apt-private.sh" update

available=$(APT_CMD=apt-cache "$TOP/scripts/apt-private.sh" madison "$PACKAGE" 2>/dev/null |
	awk -F'|' '{ gsub(/ /, "", $2); print $2 }')
if ! grep -qxF "$VERSION" <<<"$available"; then
	{
		echo "error: $PACKAGE version $VERSION is no longer served by $SUITE."
		echo "Versions served now: ${available:-none}"
		echo "To re-pin: choose a version above, set VERSION in base.pin, run"
		echo "'make fetch PIN_CHECK=0' to download it, and copy the two sha256 values"
		echo "it prints into DEB_SHA256 and TARBALL_SHA256. Then rebase the series."
	} >&2
	exit 1
fi

progress "fetching $PACKAGE=$VERSION"
rm -f "$OUT"/*.deb
(cd "$OUT" && "$TOP/scripts/apt-private.sh" download "$PACKAGE=$VERSION" >"$OUT/download.log" 2>&1) ||
	{ tail -n 20 "$OUT/download.log"; die "download of $PACKAGE=$VERSION failed"; }
deb=$(ls "$OUT"/*.deb)

check_sha() {
	local file=$1 want=$2 what=$3 got
	got=$(sha256sum "$file" | cut -d' ' -f1)
	if [ "${PIN_CHECK:-1}" = 0 ]; then
		echo "$what sha256: $got"
		return 0
	fi
	[ "$got" = "$want" ] || die "$what checksum mismatch: got $got, base.pin says $want"
}

check_sha "$deb" "$DEB_SHA256" "$PACKAGE .deb"
progress "unpacking $TARBALL from the package"
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./$TARBALL" >"$TARBALL_OUT.tmp"
check_sha "$TARBALL_OUT.tmp" "$TARBALL_SHA256" "$TARBALL"
mv "$TARBALL_OUT.tmp" "$TARBALL_OUT"
rm -f "$deb"
echo "$TARBALL_SHA256" >"$OUT/verified"
progress "base tarball verified"
