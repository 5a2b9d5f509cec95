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

"$BIN/celery" -A config worker --beat --pool=solo --loglevel=WARNING \
  --schedule var/celerybeat-schedule &
"$BIN/gunicorn" config.wsgi --bind "$HOST:$PORT" --workers 2 --access-logfile - --log-level warning &

cat <<MSG

  党建工作平台 is running:  http://$HOST:$PORT/
  Demo logins (password: dangjian2026):
    admin   系统管理员（/admin/）
    zzb     校党委组织部：全校概况、逐级下钻
    dw10    计算机科学与技术学院党委书记
    zb001   马克思主义学院教工第一党支部书记：花名册
    dy001   普通党员：本人档案
  Ctrl-C stops the web server, the Celery worker and beat.

MSG
wait -n
