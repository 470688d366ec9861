# Shared settings of the harness scripts; sourced, not run.
# shellcheck shell=bash

set -euo pipefail

# Debian's tools first (a python3 from pyenv would not see python3-ply etc.).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export LC_ALL=C

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
LINUX=$BUILD/linux
PATCHES=$TOP/patches
# The pin of the base kernel (another file for the harness's own tests).
BASE_PIN=${BASE_PIN:-$TOP/base.pin}
RESULTS=$BUILD/results
JOBS=${JOBS:-$(nproc)}

# Fixed identity and dates: the base commit and the applied series get the
# same hashes on every machine.
FIXED_NAME="Series Base"
FIXED_EMAIL="series-base@localhost"
FIXED_DATE="2026-11-15T22:30:00+0000"

# Author of the series' patches (build/linux's user.name/user.email).
SERIES_AUTHOR_NAME="Memdesc Migration Developers"
SERIES_AUTHOR_EMAIL="memdesc-migration@example.org"

# Start time of the whole make invocation, for elapsed times in progress lines.
: "${HARNESS_T0:=$(date +%s)}"
export HARNESS_T0

progress() {
	local now
	now=$(date +%s)
	printf '[%4ds] %s\n' $((now - HARNESS_T0)) "$*" >&2
}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# Run a long command with its output in a log file, printing a progress line
# every 30s so that nobody stares at a silent terminal.
run_logged() {
	local log=$1 what=$2
	shift 2
	mkdir -p "$(dirname "$log")"
	progress "$what (log: ${log#"$TOP"/})"
	"$@" >"$log" 2>&1 &
	local pid=$! t=0 rc=0
	while kill -0 "$pid" 2>/dev/null; do
		sleep 5
		t=$((t + 5))
		if ((t % 30 == 0)); then
			local detail
			if [ -n "${PROGRESS_CMD:-}" ]; then
				detail=$(eval "$PROGRESS_CMD" 2>/dev/null || true)
			else
				detail=$(tail -c 300 "$log" | tr -d '\r' | tail -n 1 | cut -c1-100)
			fi
			progress "  ... $what: ${t}s, $detail"
		fi
	done
	wait "$pid" || rc=$?
	if ((rc != 0)); then
		tail -n 40 "$log" >&2
		progress "$what FAILED (exit $rc), see ${log#"$TOP"/}"
	fi
	return $rc
}

# Record one check result for the summary of `make check`.
# usage: result <group> <ok|fail> <name> [detail]
result() {
	local group=$1 status=$2 name=$3 detail=${4:-}
	mkdir -p "$RESULTS"
	printf '%s\t%s\t%s\n' "$status" "$name" "$detail" >>"$RESULTS/$group.tsv"
	if [ "$status" = ok ]; then
		printf 'ok      %s %s\n' "$group" "$name" >&2
	else
		printf 'FAILED  %s %s %s\n' "$group" "$name" "$detail" >&2
	fi
}

reset_results() {
	mkdir -p "$RESULTS"
	: >"$RESULTS/$1.tsv"
}

# The compiler: ccache in front of gcc when it is installed.
if command -v ccache >/dev/null 2>&1; then
	CC_CMD="ccache gcc"
	export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-20G}
	# Hits across checkouts in different places (CI clones anywhere).
	export CCACHE_BASEDIR=$TOP CCACHE_NOHASHDIR=true
else
	CC_CMD=gcc
fi

# The QEMU accelerator of this run (kvm or tcg), decided once per run by a
# probe boot (scripts/qemu_machine.py; QEMU_ACCEL=kvm|tcg forces it).
qemu_accel() {
	python3 "$TOP/scripts/qemu_machine.py" accel
}

# Which kernel tree a build uses: the series (default), the base alone
# (BASE_ONLY=1) or the base plus the first N patches (PREFIX=N). Sets SRC
# (source tree) and SUFFIX (appended to build directory names).
select_tree() {
	if [ "${BASE_ONLY:-0}" = 1 ]; then
		SUFFIX=-base
		SRC=$BUILD/wt/base
		worktree base "$SRC"
	elif [ -n "${PREFIX:-}" ]; then
		local rev
		if [ "$PREFIX" = 0 ]; then
			rev=base
		else
			rev=$(git -C "$LINUX" rev-list --reverse base..series | sed -n "${PREFIX}p")
			[ -n "$rev" ] || die "PREFIX=$PREFIX: the series has fewer patches"
		fi
		SUFFIX=-p$PREFIX
		SRC=$BUILD/wt/p$PREFIX
		worktree "$rev" "$SRC"
	else
		SUFFIX=
		SRC=$LINUX
	fi
}

# A detached git worktree of build/linux at <rev> in <dir>.
worktree() {
	local rev=$1 dir=$2 want
	want=$(git -C "$LINUX" rev-parse "$rev^{commit}")
	if [ -d "$dir/.git" ] || [ -f "$dir/.git" ]; then
		[ "$(git -C "$dir" rev-parse HEAD)" = "$want" ] && return 0
		git -C "$dir" checkout -q -f --detach "$want"
		return 0
	fi
	progress "checking out $rev into ${dir#"$TOP"/}"
	git -C "$LINUX" worktree prune
	mkdir -p "$(dirname "$dir")"
	git -C "$LINUX" worktree add -q -f --detach "$dir" "$want"
}

# Uncommitted work in a kernel tree: changes to tracked files, and new files
# (Debian's top-level .gitignore ignores everything, so `git status` alone
# does not show new files). Prints nothing when the tree is clean.
tree_changes() {
	local dir=${1:-$LINUX}
	git -C "$dir" status --porcelain --untracked-files=no
	# (checkpatch --strict leaves its CamelCase cache in the tree it runs in)
	git -C "$dir" ls-files --others --exclude='__pycache__' --exclude='*.pyc' \
		--exclude='.checkpatch-camelcase.*' |
		sed 's/^/?? /'
}
