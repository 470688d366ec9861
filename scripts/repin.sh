#!/usr/bin/env bash
# make repin: pin the base that `make tree` fetched and imported (after the
# pinned version was no longer served, the newest one the archive had):
# write its package, version, both checksums and the base commit into
# base.pin (or the file BASE_PIN names), keeping the file's comments.
. "$(dirname "$0")/common.sh"

f=$BUILD/base/fetched
[ -f "$f" ] || die "nothing fetched yet: run 'make tree' first"
# shellcheck source=/dev/null
. "$f"
[ "$(cat "$LINUX/.git/base.version" 2>/dev/null)" = "$PACKAGE=$VERSION" ] ||
	die "build/linux is not the import of $PACKAGE $VERSION: run 'make tree' first"
commit=$(git -C "$LINUX" rev-parse base)

tmp=$BASE_PIN.tmp
awk -v PACKAGE="$PACKAGE" -v VERSION="$VERSION" -v SUITE="$SUITE" \
	-v DEB_SHA256="$DEB_SHA256" -v TARBALL="$TARBALL" \
	-v TARBALL_SHA256="$TARBALL_SHA256" -v BASE_COMMIT="$commit" '
	BEGIN { n = split("PACKAGE VERSION SUITE DEB_SHA256 TARBALL TARBALL_SHA256 BASE_COMMIT", keys, " ")
		v["PACKAGE"] = PACKAGE; v["VERSION"] = VERSION; v["SUITE"] = SUITE
		v["DEB_SHA256"] = DEB_SHA256; v["TARBALL"] = TARBALL
		v["TARBALL_SHA256"] = TARBALL_SHA256; v["BASE_COMMIT"] = BASE_COMMIT }
	{ split($0, kv, "=") }
	kv[1] in v && /^[A-Z_0-9]+=/ { print kv[1] "=" v[kv[1]]; seen[kv[1]] = 1; next }
	{ print }
	END { for (i = 1; i <= n; i++) if (!(keys[i] in seen)) print keys[i] "=" v[keys[i]] }
' "$BASE_PIN" >"$tmp"
mv "$tmp" "$BASE_PIN"
progress "base.pin: $PACKAGE $VERSION, base commit $commit"
