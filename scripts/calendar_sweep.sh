#!/usr/bin/env bash
# The calendar sweep (issue 14, step 0): the date-sensitive tests (marked `calendar`; tests/conftest.py marks
# every module that reads the clock) run with the whole test process moved to fixed days of the year, 07:30 in
# Beijing, so that a test which holds only on some days fails here rather than on that day in CI.
# The browser, worker and server tests are left out: their other processes keep the real clock.
# Usage: scripts/calendar_sweep.sh [DATE ...] [-- PYTEST_ARGS]     (default: the dates below)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
dates=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do dates+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
if [ ${#dates[@]} -eq 0 ]; then
  # New Year's Day, the half-year's last day, the July-1 close, the end of Q3, New Year's Eve, a leap day.
  dates=(2027-01-01 2027-06-30 2027-07-01 2027-09-30 2027-12-31 2028-02-29)
fi
marks=${SWEEP_MARKS:-"calendar and not e2e and not worker and not server"}
failed=()
for day in "${dates[@]}"; do
  echo "== calendar sweep: $day"
  if ! PORTAL_TEST_TODAY="$day" $PY -m pytest -q -p no:cacheprovider -m "$marks" "$@"; then
    failed+=("$day")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "calendar sweep failed on: ${failed[*]}" >&2
  exit 1
fi
echo "calendar sweep passed on: ${dates[*]}"
