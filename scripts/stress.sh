#!/usr/bin/env bash
# make stress: the migration storm in the x86_64 guest (guest/stress.c) for
# DURATION seconds (default 600; make check runs 180), then its books.
# Results: build/results/stress.tsv; console log and metrics in build/stress/.
. "$(dirname "$0")/common.sh"

duration=${DURATION:-600}
[[ $duration =~ ^[0-9]+$ ]] && [ "$duration" -ge 10 ] && [ "$duration" -le 86400 ] ||
	die "DURATION must be a number of seconds from 10 to 86400 (got '$duration')"

# Boot (about 2 minutes under TCG), the storm, then the checks: balloon
# moves and the final settling take a few minutes more.
rc=0
E2E_TIMEOUT=$((duration + 1500)) "$TOP/scripts/e2e.sh" stress "$duration" || rc=$?
python3 "$TOP/scripts/stress_report.py" "$BUILD" || true
exit "$rc"
