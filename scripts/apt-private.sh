#!/usr/bin/env bash
# A private apt state under build/apt that can see Debian suites the machine's
# own sources do not carry (trixie-backports for the kernel source, sid for
# the sparse source package). The system's apt configuration is never edited:
# everything is passed with -o Dir::... options.
#
# The archive URI is not written anywhere in the project: it is taken at run
# time from the machine's own apt configuration (the index target labelled
# "Debian").
#
# usage: apt-private.sh update | <apt-get arguments...>
. "$(dirname "$0")/common.sh"

APTDIR=$BUILD/apt
mkdir -p "$APTDIR"/{lists/partial,cache/archives/partial,etc/preferences.d}

archive_uri() {
	apt-get indextargets --format '$(REPO_URI)|$(LABEL)' 2>/dev/null |
		awk -F'|' '$2 == "Debian" { print $1; exit }'
}

APT_OPTS=(
	-o "Dir::Etc::sourcelist=$APTDIR/etc/sources.list"
	-o "Dir::Etc::sourceparts=-"
	-o "Dir::Etc::preferencesparts=$APTDIR/etc/preferences.d"
	-o "Dir::State::Lists=$APTDIR/lists"
	-o "Dir::Cache=$APTDIR/cache"
	-o "APT::Sandbox::User=root"
	-o "Debug::NoLocking=1"
)

if [ "${1:-}" = update ]; then
	# Refresh at most once an hour.
	stamp=$APTDIR/updated
	if [ -f "$stamp" ] && [ -z "$(find "$stamp" -mmin +60)" ]; then
		exit 0
	fi
	uri=$(archive_uri)
	[ -n "$uri" ] || die "no apt index target labelled 'Debian' on this machine; cannot derive the archive URI"
	# shellcheck source=/dev/null
	. "$BASE_PIN"
	cat >"$APTDIR/etc/sources.list" <<-EOF
		deb $uri $SUITE main
		deb-src $uri sid main
	EOF
	progress "apt (private state): updating $SUITE and sid source indexes"
	apt-get "${APT_OPTS[@]}" update >"$APTDIR/update.log" 2>&1 ||
		{ tail -n 20 "$APTDIR/update.log"; die "private apt-get update failed, see build/apt/update.log"; }
	touch "$stamp"
	exit 0
fi

exec "${APT_CMD:-apt-get}" "${APT_OPTS[@]}" "$@"
