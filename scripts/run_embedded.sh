#!/usr/bin/env bash
# The embedded default on one machine: gunicorn serves the portal, one Celery worker with the (single)
# beat consumes the filesystem broker under var/. Ctrl-C stops all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
mkdir -p var
trap 'trap - EXIT INT TERM; kill 0 2>/dev/null' EXIT INT TERM

# The logins, from the one list load_demo also uses (members.demo.demo_logins_summary): printed once, here.
LOGINS="$("$BIN/python" -c '
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()
from members.demo import DEMO_PASSWORD, demo_logins_summary
print(f"  Demo logins (password: {DEMO_PASSWORD}):")
for username, what in demo_logins_summary():
    print(f"    {username:<8} {what}")
' 2>/dev/null || echo "  Demo logins: see README.md")"

# The worker's banner and log go to var/celery.log (issue 22: they scrolled this box away); --quiet drops
# the banner, the log file keeps warnings and errors.
"$BIN/celery" -A config --quiet worker --beat --pool=solo --loglevel=WARNING \
  --schedule var/celerybeat-schedule --logfile var/celery.log &
"$BIN/gunicorn" config.wsgi --bind "$HOST:$PORT" --workers 2 --access-logfile - --log-level warning &
sleep 1  # let both start before the box, so it stays the last thing on the screen until a request comes

cat <<MSG

  ┌──────────────────────────────────────────────────────────────────
  │ 党建工作平台 is running:  http://$HOST:$PORT/
  └──────────────────────────────────────────────────────────────────
$LOGINS
  The Celery worker and beat log to var/celery.log; requests are logged below.
  Ctrl-C stops the web server, the Celery worker and beat.

MSG
wait -n
