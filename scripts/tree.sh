#!/usr/bin/env bash
# (Re)create build/linux: a git repository whose first commit (tag `base`) is
# the pinned linux-source tarball, committed with a fixed identity and date so
# that its hash is the same on every machine, plus one commit per patch of
# patches/series (tag `series`). Idempotent: does nothing when build/linux
# already holds exactly base + series.
#
# Refuses to throw away commits or changes in build/linux that are not in
# patches/ (FORCE=1 overrides).
. "$(dirname "$0")/common.sh"
# shellcheck source=/dev/null
. "$BASE_PIN"
PIN_VERSION=$VERSION

git_l() { git -C "$LINUX" "$@"; }

series_stamp() {
	(
		cd "$PATCHES"
		cat series
		while read -r p; do
			case "$p" in '' | '#'*) continue ;; esac
			cat "$p"
		done <series
	) | sha256sum | cut -d' ' -f1
}

# What fetch-base.sh took: the pinned version, or the newest one served when
# the pinned one is gone (then VERSION differs from PIN_VERSION).
fetched() {
	# shellcheck source=/dev/null
	. "$BUILD/base/fetched"
}

create_base() {
	progress "importing the base tarball into build/linux (git)"
	rm -rf "$LINUX.tmp"
	mkdir -p "$LINUX.tmp"
	tar -xJf "$BUILD/base/linux-source.tar.xz" -C "$LINUX.tmp" --strip-components=1
	(
		cd "$LINUX.tmp"
		git init -q -b main .
		git config core.autocrlf false
		git config core.abbrev 12
		git config gc.auto 0
		# -f: the tarball is the truth, even where the kernel's own
		# .gitignore files would hide a file.
		git add -A -f .
		GIT_AUTHOR_NAME=$FIXED_NAME GIT_AUTHOR_EMAIL=$FIXED_EMAIL \
			GIT_AUTHOR_DATE=$FIXED_DATE GIT_COMMITTER_NAME=$FIXED_NAME \
			GIT_COMMITTER_EMAIL=$FIXED_EMAIL GIT_COMMITTER_DATE=$FIXED_DATE \
			git commit -q --no-verify -m "$PACKAGE $VERSION" \
			-m "Imported from Debian's $PACKAGE package, $TARBALL."
		git tag base
	)
	echo "$PACKAGE=$VERSION" >"$LINUX.tmp/.git/base.version"
	local got
	got=$(git -C "$LINUX.tmp" rev-parse base)
	if [ "$VERSION" = "$PIN_VERSION" ] && [ -n "${BASE_COMMIT:-}" ] && [ "$got" != "$BASE_COMMIT" ]; then
		die "base commit is $got, base.pin expects $BASE_COMMIT (the import is not deterministic?)"
	fi
	rm -rf "$LINUX"
	mv "$LINUX.tmp" "$LINUX"
	progress "base commit $got"
}

configure_identity() {
	git_l config user.name "$SERIES_AUTHOR_NAME"
	git_l config user.email "$SERIES_AUTHOR_EMAIL"
}

apply_series() {
	local stamp=$1 n=0
	progress "applying patches/series to build/linux"
	git_l am --abort >/dev/null 2>&1 || true
	git_l checkout -q -f -B main base
	git_l clean -q -fdx
	while read -r p; do
		case "$p" in '' | '#'*) continue ;; esac
		[ -f "$PATCHES/$p" ] || die "patches/series lists $p, which does not exist"
		# -3: on a base other than the pinned one, a patch whose context
		# moved still applies where the blobs it names are known.
		if ! GIT_COMMITTER_NAME=$FIXED_NAME GIT_COMMITTER_EMAIL=$FIXED_EMAIL \
			git_l am -q -3 --committer-date-is-author-date "$PATCHES/$p" \
			>"$BUILD/logs/git-am.log" 2>&1; then
			tail -n 20 "$BUILD/logs/git-am.log" >&2
			git_l am --abort >/dev/null 2>&1 || true
			die "patch $p does not apply to $(cat "$LINUX/.git/base.version" 2>/dev/null || echo the base)"
		fi
		n=$((n + 1))
	done <"$PATCHES/series"
	git_l tag -f series >/dev/null
	echo "$stamp" >"$LINUX/.git/series.stamp"
	progress "build/linux at base + $n patches ($(git_l rev-parse --short HEAD))"
}

mkdir -p "$BUILD/logs"
[ -f "$PATCHES/series" ] || die "patches/series is missing"
stamp=$(series_stamp)

"$TOP/scripts/fetch-base.sh"
fetched
if [ ! -d "$LINUX/.git" ] || ! git_l rev-parse -q --verify base >/dev/null; then
	create_base
elif [ "$(cat "$LINUX/.git/base.version" 2>/dev/null)" != "$PACKAGE=$VERSION" ]; then
	# A base of another version (the fallback, or a re-pin). An old tree
	# without the stamp holds the pinned base (its commit says which).
	if [ ! -f "$LINUX/.git/base.version" ] && [ "$VERSION" = "$PIN_VERSION" ] &&
		[ "$(git_l rev-parse base)" = "${BASE_COMMIT:-}" ]; then
		echo "$PACKAGE=$VERSION" >"$LINUX/.git/base.version"
	else
		if [ "${FORCE:-0}" != 1 ] && [ -n "$(git_l rev-list -1 series..HEAD 2>/dev/null)$(tree_changes)" ]; then
			die "build/linux holds work on a base other than $PACKAGE $VERSION: 'make export' it, or 'make tree FORCE=1'"
		fi
		create_base
	fi
fi
configure_identity

if [ -f "$LINUX/.git/series.stamp" ] && [ "$(cat "$LINUX/.git/series.stamp")" = "$stamp" ] &&
	[ "$(git_l rev-parse HEAD)" = "$(git_l rev-parse -q --verify series)" ] &&
	[ -z "$(tree_changes)" ]; then
	exit 0
fi

# Something differs. Do not destroy work that only lives in build/linux.
if [ "${FORCE:-0}" != 1 ] && [ -n "$(git_l rev-list -1 base..HEAD 2>/dev/null)$(tree_changes)" ]; then
	if ! "$TOP/scripts/export-check.sh" >/dev/null 2>&1; then
		if git_l rev-parse -q --verify series >/dev/null &&
			[ "$(cat "$LINUX/.git/series.stamp" 2>/dev/null)" != "$stamp" ] &&
			[ "$(git_l rev-parse HEAD)" = "$(git_l rev-parse series)" ] &&
			[ -z "$(tree_changes)" ]; then
			: # patches/ changed (e.g. git pull) and build/linux holds only the old series
		else
			"$TOP/scripts/export-check.sh" >&2 || true
			die "build/linux holds work that is not in patches/: 'make export' it, or 'make tree FORCE=1' to discard it"
		fi
	fi
fi
apply_series "$stamp"
