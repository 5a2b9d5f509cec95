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

# The web server first: the box below says "running" only once it answers (issue 17.3: on a loaded 2-core
# machine two gunicorn workers and the Celery worker importing Django side by side took 10 s or more).
"$BIN/gunicorn" config.wsgi --bind "$HOST:$PORT" --workers 2 --access-logfile - --log-level warning &

# The logins, from the one list load_demo also uses (members.demo.demo_logins_summary), printed once, here;
# worked out while gunicorn boots, then this waits (up to 120 s) for /healthz.
LOGINS="$(HOST="$HOST" PORT="$PORT" "$BIN/python" -c '
import django, os, time, urllib.request
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()
from members.demo import DEMO_PASSWORD, demo_logins_summary
lines = [f"  Demo logins (password: {DEMO_PASSWORD}):"]
lines += [f"    {username:<8} {what}" for username, what in demo_logins_summary()]
url = "http://%s:%s/healthz" % (os.environ["HOST"], os.environ["PORT"])
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url, timeout=2):
            break
    except OSError:
        time.sleep(0.2)
print("\n".join(lines))
' 2>/dev/null || echo "  Demo logins: see README.md")"

# The worker's banner and log go to var/celery.log (issue 22: they scrolled this box away); --quiet drops
# the banner, the log file keeps warnings and errors. Started once the web server answers, so the first page
# does not wait for the worker's start-up.
"$BIN/celery" -A config --quiet worker --beat --pool=solo --loglevel=WARNING \
  --schedule var/celerybeat-schedule --logfile var/celery.log &

cat <<MSG

  ┌──────────────────────────────────────────────────────────────────
  │ 党建工作平台 is running:  http://$HOST:$PORT/
  └──────────────────────────────────────────────────────────────────
$LOGINS
  The Celery worker and beat log to var/celery.log; requests are logged below.
  Ctrl-C stops the web server, the Celery worker and beat.

MSG
wait -n
