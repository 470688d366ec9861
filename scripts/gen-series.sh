#!/usr/bin/env bash
# Write the series base..HEAD of build/linux as patch files into directory $1:
# one `git format-patch` file per commit, the `series` file and the cover
# letter. The output depends only on the commits, so an unchanged tree gives
# byte-identical files.
#
# The cover letter's subject and blurb are kept from patches/0000-cover-letter.patch;
# its shortlog, diffstat and base-commit are regenerated.
. "$(dirname "$0")/common.sh"

out=$1
mkdir -p "$out"
git_l() { git -C "$LINUX" "$@"; }

git_l rev-parse -q --verify base >/dev/null || die "build/linux has no 'base' tag; run 'make tree'"
n=$(git_l rev-list --count base..HEAD)

if [ "$n" -gt 0 ]; then
	git_l -c core.abbrev=12 -c diff.noprefix=false -c diff.mnemonicPrefix=false \
		-c diff.renames=true -c format.signature= \
		format-patch -q --zero-commit --no-signature --numbered \
		--subject-prefix=PATCH --abbrev=12 --no-cover-letter \
		--base=base -o "$out" base..HEAD >/dev/null
fi
(cd "$out" && ls | grep -E '^[0-9]{4}-.*\.patch$' | grep -v '^0000-cover-letter' | sort) >"$out/series"

# Cover letter.
cover=$PATCHES/0000-cover-letter.patch
subject="<series title>"
blurb="<what the series does and why>"
if [ -f "$cover" ]; then
	subject=$(sed -n 's/^Subject: \[PATCH[^]]*\] //p' "$cover" | head -n 1)
	# The blurb: from the first blank line after the headers up to the
	# shortlog (a line "Name (N):").
	blurb=$(awk 'body && /^[^ ].* \([0-9]+\):$/ { exit }
		body { print }
		!body && /^$/ { body = 1 }' "$cover" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}')
fi
width=${#n}
{
	echo "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001"
	echo "From: $(git_l config user.name) <$(git_l config user.email)>"
	if [ "$n" -gt 0 ]; then
		echo "Date: $(git_l log -1 --format=%aD HEAD)"
	else
		echo "Date: $(git_l log -1 --format=%aD base)"
	fi
	printf 'Subject: [PATCH %0*d/%0*d] %s\n' "$width" 0 "$width" "$n" "$subject"
	echo
	printf '%s\n' "$blurb"
	echo
	if [ "$n" -gt 0 ]; then
		git_l shortlog base..HEAD
		git_l -c core.abbrev=12 diff --stat=72 --summary base..HEAD
		echo
	fi
	echo "base-commit: $(git_l rev-parse base)"
} >"$out/0000-cover-letter.patch"
