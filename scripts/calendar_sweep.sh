#!/usr/bin/env bash
# The calendar sweep (issue 14, step 0): the date-sensitive tests (marked `calendar`; tests/conftest.py marks
# every module that reads the clock) run with the whole test process moved to fixed days of the year, 07:30 in
# Beijing, so that a test which holds only on some days fails here rather than on that day in CI.
# The browser, worker and server tests are left out: their other processes keep the real clock.
# Usage: scripts/calendar_sweep.sh [DATE ...] [-- PYTEST_ARGS]     (default: the dates below)
#
# SWEEP_JOBS=N runs N days at a time (default 1, one after another). Each day's process has its own VAR_DIR
# (var/sweep/DAY-PID: its SQLite test database, media, public-cache generation file), so days run side by side
# share nothing; its output is printed whole when it ends, and the days are reported in the order given.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
JOBS=${SWEEP_JOBS:-1}
dates=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do dates+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
if [ ${#dates[@]} -eq 0 ]; then
  # New Year's Day, the half-year's last day, the July-1 close, the end of Q3, New Year's Eve, a leap day.
  dates=(2027-01-01 2027-06-30 2027-07-01 2027-09-30 2027-12-31 2028-02-29)
fi
marks=${SWEEP_MARKS:-"calendar and not e2e and not worker and not server"}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

sweep_day() {  # DAY PYTEST_ARGS...: one day's run, its output in $logs/DAY.log and its status in $logs/DAY.rc
  local day=$1; shift
  local var="var/sweep/$day-$$" rc=0
  mkdir -p "$var"
  if [ "$JOBS" -le 1 ]; then  # one at a time: shown as it runs
    VAR_DIR="$PWD/$var" PORTAL_TEST_TODAY="$day" \
      $PY -m pytest -q -p no:cacheprovider -m "$marks" "$@" 2>&1 | tee "$logs/$day.log" || rc=$?
  else
    VAR_DIR="$PWD/$var" PORTAL_TEST_TODAY="$day" \
      $PY -m pytest -q -p no:cacheprovider -m "$marks" "$@" >"$logs/$day.log" 2>&1 || rc=$?
  fi
  echo "$rc" >"$logs/$day.rc"
  rm -rf "$var"
}

running=0
for day in "${dates[@]}"; do
  if [ "$JOBS" -le 1 ]; then
    echo "== calendar sweep: $day"
    sweep_day "$day" "$@"
  else
    sweep_day "$day" "$@" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then wait -n || true; running=$((running - 1)); fi
  fi
done
wait
failed=()
for day in "${dates[@]}"; do
  if [ "$JOBS" -gt 1 ]; then
    echo "== calendar sweep: $day"
    cat "$logs/$day.log"
  fi
  [ "$(cat "$logs/$day.rc")" = 0 ] || failed+=("$day")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "calendar sweep failed on: ${failed[*]}" >&2
  exit 1
fi
echo "calendar sweep passed on: ${dates[*]}"
