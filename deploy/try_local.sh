#!/usr/bin/env bash
# Tries the deployment under deploy/ for real on one machine that has no systemd: PostgreSQL database
# portal_deploy, Redis db 12, gunicorn and two Celery workers and one beat started with the ExecStart lines
# of the unit files, and nginx running deploy/nginx-portal.conf (TLS with a throw-away self-signed
# certificate) from a temporary prefix, never touching /etc. Then it checks the lot through the proxy and
# prints PASS/FAIL per check.
#
#   deploy/try_local.sh          set up, start, check, stop (exit status 1 if a check failed)
#   deploy/try_local.sh start    set up and start, leave it running (https://localhost:8443/)
#   deploy/try_local.sh stop     stop what `start` left running
#
# Needs: the virtualenv (`make setup`), PostgreSQL reachable as $PGUSER@$PGHOST:$PGPORT with the right to
# create a database, Redis on $TRY_REDIS, openssl; installs nginx with apt-get when it is missing.
# Everything it writes goes to $TRY_DIR (default /tmp/portal-deploy-try): logs/ holds every process's log.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/.venv/bin
TRY=${TRY_DIR:-/tmp/portal-deploy-try}
RUN=$TRY/run
LOGS=$TRY/logs
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
TRY_DB=${TRY_DB:-portal_deploy}
TRY_REDIS=${TRY_REDIS:-redis://127.0.0.1:6379/12}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
SERVICES=(nginx beat worker2 worker1 web)  # stop order: the proxy first, the app server last

say() { printf '%s\n' "$*"; }

# --- stop --------------------------------------------------------------------------------------------
stop_one() {  # name: TERM the process group recorded in $RUN/name.pid, KILL it after 30 s
    local name=$1 pidfile=$RUN/$1.pid pid
    [[ -f $pidfile ]] || return 0
    pid=$(cat "$pidfile")
    if [[ $name == nginx ]]; then
        # nginx writes its own pid file; quit gracefully through the master.
        kill -QUIT "$pid" 2>/dev/null || true
    else
        kill -TERM "$pid" 2>/dev/null || true
    fi
    for _ in $(seq 60); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    # Anything left of the group (pool children, gunicorn workers) goes now.
    if [[ $name != nginx ]]; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
}

stop_all() {
    [[ -d $RUN ]] || return 0
    local name
    for name in "${SERVICES[@]}"; do stop_one "$name"; done
    say "stopped: ${SERVICES[*]}"
}

if [[ ${1:-} == stop ]]; then
    stop_all
    exit 0
fi

# --- environment: deploy/portal.env.example, then this machine's values ---------------------------------
free_port() {  # the given port if nothing listens on it, else a free one
    "$BIN/python" - "$1" <<'PY'
import socket, sys
port = int(sys.argv[1])
with socket.socket() as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
PY
}

stop_all >/dev/null  # a previous `start` left running
rm -rf "$TRY"
mkdir -p "$RUN" "$LOGS" "$TRY/var" "$TRY/media" "$TRY/nginx"

HTTP_PORT=$(free_port "${HTTP_PORT:-8088}")
HTTPS_PORT=$(free_port "${HTTPS_PORT:-8443}")
APP_PORT=$(free_port "${APP_PORT:-8089}")

set -a
# shellcheck source=portal.env.example
. deploy/portal.env.example   # the example must read as shell too (systemd's EnvironmentFile= reads it)
DATABASE_URL=postgres://$PGUSER@$PGHOST:$PGPORT/$TRY_DB
REDIS_URL=$TRY_REDIS
SECRET_KEY_FILE=$TRY/secret_key
ALLOWED_HOSTS=localhost,127.0.0.1
CSRF_TRUSTED_ORIGINS=https://localhost:$HTTPS_PORT
VAR_DIR=$TRY/var
MEDIA_ROOT=$TRY/media
set +a
# HTTPS=true, BEHIND_PROXY=true, PROXY_COUNT=1 stay as in the example.
"$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(64))' >"$SECRET_KEY_FILE"
chmod 600 "$SECRET_KEY_FILE"

# --- packages, database, Redis ---------------------------------------------------------------------------
if [[ ! -x $NGINX ]]; then
    say "installing nginx"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi
command -v openssl >/dev/null || { say "openssl is missing"; exit 1; }
[[ -x $BIN/gunicorn && -x $BIN/celery ]] || { say "run 'make setup' first"; exit 1; }

if [[ -z $(psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$TRY_DB'") ]]; then
    createdb "$TRY_DB"
    say "created database $TRY_DB"
fi
"$BIN/python" -c 'import redis, os; redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()'  # our db only

say "migrate, demo data (if empty), collectstatic ..."
"$BIN/python" manage.py migrate --noinput -v0
"$BIN/python" manage.py load_demo --if-empty >"$LOGS/load_demo.log" 2>&1
"$BIN/python" manage.py collectstatic --noinput -v0

# --- the unit files' command lines -------------------------------------------------------------------------
unit_cmd() {  # file [instance]: ExecStart= with this checkout and $VAR_DIR for /srv/portal, /var/lib/portal
    local line
    line=$(sed -n 's/^ExecStart=//p' "deploy/$1")
    line=${line//\/srv\/portal/$ROOT}
    line=${line//\/var\/lib\/portal/$VAR_DIR}
    line=${line//%i/${2:-}}
    line=${line//%%/%}
    printf '%s' "$line"
}

start() {  # name command...: own process group, output to logs/name.log, pid to run/name.pid
    local name=$1
    shift
    setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
    echo $! >"$RUN/$name.pid"
    say "started $name (pid $!): $*"
}

if [[ ${1:-} == start ]]; then trap '[[ $? == 0 ]] || stop_all' EXIT; else trap 'stop_all' EXIT; fi

# gunicorn: the unit's command; this machine binds another port and runs 2 sync workers.
read -r -a WEB <<<"$(unit_cmd portal-web.service)"
GUNICORN_CMD_ARGS="--bind 127.0.0.1:$APP_PORT --workers 2" start web "${WEB[@]}"
read -r -a W1 <<<"$(unit_cmd 'portal-worker@.service' 1)"
read -r -a W2 <<<"$(unit_cmd 'portal-worker@.service' 2)"
start worker1 "${W1[@]}"
start worker2 "${W2[@]}"
read -r -a BEAT <<<"$(unit_cmd portal-beat.service)"
# The dashboard's figures entry fires every minute here, so the try sees the beat send a task.
BEAT_SENDS=""
if grep -q FIGURES_REFRESH_MINUTES config/celery.py; then BEAT_SENDS=figures-refresh; export FIGURES_REFRESH_MINUTES=1; fi
start beat "${BEAT[@]}"

# nginx: deploy/nginx-portal.conf with this machine's ports, name, certificate and upstream, inside a
# minimal nginx.conf whose every path is under $TRY.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$TRY/nginx/localhost.key" -out "$TRY/nginx/localhost.pem" 2>/dev/null
"$BIN/python" - "$TRY/nginx" "$HTTP_PORT" "$HTTPS_PORT" "$APP_PORT" <<'PY'
import sys
from pathlib import Path

out, http_port, https_port, app_port = sys.argv[1], *sys.argv[2:]
site = Path("deploy/nginx-portal.conf").read_text()
swaps = [  # (shipped text, local text, how many times it must occur)
    ("    listen [::]:80;\n", "", 1),
    ("    listen [::]:443 ssl http2;\n", "", 1),
    ("listen 80;", f"listen 127.0.0.1:{http_port};", 1),
    ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;", 1),
    ("server_name dangjian.example.edu.cn;", "server_name localhost 127.0.0.1;", 2),
    ("return 301 https://$host$request_uri;", f"return 301 https://$host:{https_port}$request_uri;", 1),
    ("/etc/ssl/certs/dangjian.example.edu.cn.pem", f"{out}/localhost.pem", 1),
    ("/etc/ssl/private/dangjian.example.edu.cn.key", f"{out}/localhost.key", 1),
    ("server 127.0.0.1:8000", f"server 127.0.0.1:{app_port}", 1),
]
for old, new, count in swaps:
    found = site.count(old)
    if found != count:
        sys.exit(f"deploy/nginx-portal.conf: expected {count}× {old.strip()!r}, found {found}")
    site = site.replace(old, new)
Path(out, "portal.conf").write_text(site)
Path(out, "nginx.conf").write_text(f"""\
worker_processes 1;
pid {out}/nginx.pid;
error_log {out}/../logs/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {out}/../logs/nginx-access.log;
    client_body_temp_path {out}/body;
    proxy_temp_path {out}/proxy;
    fastcgi_temp_path {out}/fastcgi;
    uwsgi_temp_path {out}/uwsgi;
    scgi_temp_path {out}/scgi;
    include {out}/portal.conf;
}}
""")
PY
NGX=("$NGINX" -p "$TRY/nginx" -e "$LOGS/nginx-error.log" -c "$TRY/nginx/nginx.conf")
"${NGX[@]}" -t 2>"$LOGS/nginx-test.log" || { cat "$LOGS/nginx-test.log"; exit 1; }
"${NGX[@]}"
for _ in $(seq 20); do [[ -s $TRY/nginx/nginx.pid ]] && break; sleep 0.25; done
cp "$TRY/nginx/nginx.pid" "$RUN/nginx.pid"
say "started nginx (pid $(cat "$RUN/nginx.pid")): $("$NGINX" -v 2>&1) on http://127.0.0.1:$HTTP_PORT and https://localhost:$HTTPS_PORT"

# Wait for gunicorn (it answers /healthz once a worker is up).
for _ in $(seq 120); do
    curl -s -o /dev/null -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$APP_PORT/healthz" && break
    sleep 0.5
done

if [[ ${1:-} == start ]]; then
    say "running; logs in $LOGS; stop with: deploy/try_local.sh stop"
    exit 0
fi

# --- checks ----------------------------------------------------------------------------------------------
FAILS=0
check() {  # name ok(0/1) detail
    if [[ $2 == 0 ]]; then say "PASS  $1${3:+ — $3}"; else say "FAIL  $1${3:+ — $3}"; FAILS=$((FAILS + 1)); fi
}
say ""
say "checks (nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), gunicorn $("$BIN/gunicorn" --version | sed 's/.*version //; s/)//'), $("$BIN/celery" --version | cut -d' ' -f1 | sed 's/^/celery /'), $(psql -d postgres -tAc 'SHOW server_version' | cut -d' ' -f1 | sed 's/^/PostgreSQL /'), Redis $(redis-cli -u "${REDIS_URL%/*}" INFO server 2>/dev/null | sed -n 's/^redis_version:\(.*\)\r$/\1/p'))"

out=$("$BIN/python" manage.py check --deploy 2>&1) && rc=0 || rc=1
[[ $rc == 0 && $out == *"no issues"* ]] || rc=1
check "manage.py check --deploy with the example's HTTPS/proxy settings" $rc "$(tail -n1 <<<"$out")"

workers=$(pgrep -c -P "$(cat "$RUN/web.pid")" || true)
[[ $workers == 2 ]] && rc=0 || rc=1
check "gunicorn runs 2 sync workers" $rc "$workers worker processes under the master"

# The failed-login probe below starts from no django-axes record for zz10 (earlier runs left some).
"$BIN/python" manage.py shell --no-imports -c \
    "from axes.models import AccessAttempt; AccessAttempt.objects.filter(username='zz10').delete()" >/dev/null

# HTTP through nginx: Python's standard library, so no client package is needed.
"$BIN/python" - "$HTTP_PORT" "$HTTPS_PORT" "$MEDIA_ROOT" >"$LOGS/http-checks.out" 2>&1 <<'PY' || true
import http.client, re, ssl, sys
from pathlib import Path

http_port, https_port, media = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
tls = ssl.create_default_context()
tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE  # the throw-away self-signed certificate
ORIGIN = f"https://localhost:{https_port}"


class Browser:
    def __init__(self, source="127.0.0.1"):
        self.source, self.cookies, self.set_cookie = source, {}, []

    def go(self, method, path, body=None, headers=None, port=None, plain=False):
        if plain:
            conn = http.client.HTTPConnection("localhost", port, timeout=60, source_address=(self.source, 0))
        else:
            conn = http.client.HTTPSConnection("localhost", port or https_port, timeout=60, context=tls,
                                               source_address=(self.source, 0))
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        self.set_cookie = response.headers.get_all("Set-Cookie") or []
        for line in self.set_cookie:
            name, _, value = line.split(";")[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        conn.close()
        return response, data.decode("utf-8", "replace")


def report(name, ok, detail=""):
    print(f"{'PASS' if ok else 'FAIL'}  {name}{' — ' + detail if detail else ''}")


b = Browser()
r, _ = b.go("GET", "/accounts/login/", port=http_port, plain=True)
report(f"plain HTTP :{http_port} redirects to HTTPS", r.status == 301 and
       r.headers.get("Location", "").startswith(f"{ORIGIN}/accounts/login/"), f"{r.status} → {r.headers.get('Location')}")

r, page = b.go("GET", "/accounts/login/")
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
report("login page through nginx (HTTPS)", r.status == 200 and token is not None,
       f"{r.status}, {len(page)} bytes, HSTS: {r.headers.get('Strict-Transport-Security')}")

static = re.search(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', page)
if static:
    r, body = b.go("GET", static.group(1), headers={"Accept-Encoding": "gzip"})
    report("static file through nginx (WhiteNoise)", r.status == 200 and "max-age" in r.headers.get("Cache-Control", ""),
           f"{static.group(1)}: {r.status}, {r.headers.get('Content-Type')}, {r.headers.get('Content-Encoding')}, "
           f"Cache-Control: {r.headers.get('Cache-Control')}")
else:
    report("static file through nginx (WhiteNoise)", False, "no /static/ link on the login page")

# Login POST: CSRF cookie + token, Referer/Origin of the HTTPS site as a browser sends them.
form = f"csrfmiddlewaretoken={token.group(1) if token else ''}&username=zzb&password=dangjian2026&next=/"
r, _ = b.go("POST", "/accounts/login/", body=form, headers={
    "Content-Type": "application/x-www-form-urlencoded", "Referer": f"{ORIGIN}/accounts/login/", "Origin": ORIGIN})
session_cookie = next((c for c in b.set_cookie if c.startswith("sessionid=")), "")
flags = [flag for flag in ("Secure", "HttpOnly") if flag.lower() in session_cookie.lower()]
hops, location = [], r.headers.get("Location", "")
for _ in range(4):  # "/" sends each role on to its own start page
    r2, home = b.go("GET", location)
    hops.append(f"{location} {r2.status}")
    if r2.status not in (301, 302):
        break
    location = r2.headers.get("Location", "")
report("login POST with CSRF through the proxy", r.status == 302 and r2.status == 200 and "sessionid" in b.cookies
       and "logout" in home.lower() and flags == ["Secure", "HttpOnly"],
       f"POST {r.status}, then {' → '.join(hops)} as zzb; session cookie {'+'.join(flags)}")

# The same POST without the token is refused: CSRF is really checked behind the proxy.
other = Browser()
other.go("GET", "/accounts/login/")
r, _ = other.go("POST", "/accounts/login/", body="username=zzb&password=dangjian2026", headers={
    "Content-Type": "application/x-www-form-urlencoded", "Referer": f"{ORIGIN}/accounts/login/", "Origin": ORIGIN})
report("login POST without the CSRF token is refused", r.status == 403, f"{r.status}")

# Uploads are not served by path, even when the file exists under MEDIA_ROOT.
media.mkdir(parents=True, exist_ok=True)
(media / "deploy-probe.txt").write_text("must not be served\n")
r, _ = b.go("GET", "/media/deploy-probe.txt")
report("/media/ is not served (downloads go through permission-checked views)", r.status == 404, f"{r.status}")

# nginx refuses a body over client_max_body_size before gunicorn sees it.
conn = http.client.HTTPSConnection("localhost", https_port, timeout=30, context=tls)
conn.putrequest("POST", "/accounts/login/")
conn.putheader("Content-Length", str(206 * 1024 * 1024))
conn.putheader("Content-Type", "application/octet-stream")
conn.endheaders()
r = conn.getresponse()
report("a 206 MiB request is refused by nginx (client_max_body_size 205m)", r.status == 413, f"{r.status}")
conn.close()

# X-Forwarded-For: the client's own address reaches the app (PROXY_COUNT=1). Connect from 127.0.0.2.
far = Browser(source="127.0.0.2")
r, _ = far.go("GET", "/rate/NOSUCHCODE0000/")
print(f"XFF-PROBE {r.status}")
r, page = far.go("GET", "/accounts/login/")
far_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
r, _ = far.go("POST", "/accounts/login/", body=f"csrfmiddlewaretoken={far_token.group(1)}&username=zz10&password=wrong",
              headers={"Content-Type": "application/x-www-form-urlencoded",
                       "Referer": f"{ORIGIN}/accounts/login/", "Origin": ORIGIN})
print(f"AXES-PROBE {r.status}")
PY
grep -E '^(PASS|FAIL)' "$LOGS/http-checks.out" || true
FAILS=$((FAILS + $(grep -c '^FAIL' "$LOGS/http-checks.out" || true)))
if grep -q Traceback "$LOGS/http-checks.out"; then check "HTTP checks ran to the end" 1 "see $LOGS/http-checks.out"; fi

# Which address did the app see for the 127.0.0.2 client? The rating throttle's Redis key, and django-axes.
key=$(redis-cli -u "$REDIS_URL" --scan --pattern '*throttle:code-fail:*' | head -n1)
[[ $key == *:127.0.0.2 ]] && rc=0 || rc=1
check "X-Forwarded-For: the rating throttle counts the client's own address" $rc "Redis key ${key:-none}"
seen=$("$BIN/python" manage.py shell --no-imports -c \
    "from axes.models import AccessAttempt; print(*AccessAttempt.objects.filter(username='zz10').values_list('ip_address', flat=True))" 2>/dev/null || true)
[[ $seen == 127.0.0.2 ]] && rc=0 || rc=1
check "X-Forwarded-For: django-axes records the client's own address" $rc "failed login from 127.0.0.2 recorded as '${seen}'"

# Celery through Redis: both workers answer, a task sent by name runs on one of them.
ping=""
for _ in $(seq 30); do
    ping=$("$BIN/celery" -A config inspect ping --timeout 3 2>&1 || true)
    [[ $ping == *worker1@* && $ping == *worker2@* ]] && break
    sleep 1
done
[[ $ping == *worker1@* && $ping == *worker2@* ]] && rc=0 || rc=1
check "celery inspect ping: two workers" $rc "$(grep -o 'worker[0-9]@[^:]*' <<<"$ping" | sort | paste -sd, -)"

run_task() {  # task name: send it through Redis, wait for a worker's "succeeded" line
    local task=$1 id line=""
    id=$("$BIN/celery" -A config call "$task" 2>&1 | tail -n1)
    for _ in $(seq 240); do
        line=$(grep -H "$task\[$id\] succeeded" "$LOGS"/worker[12].log || true)
        [[ -n $line ]] && break
        sleep 0.5
    done
    [[ -n $line ]] && rc=0 || rc=1
    [[ -n $line ]] && line="$(basename "${line%%.log:*}") $(grep -o 'succeeded in [0-9]*\.[0-9]' <<<"$line") s"
    check "task $task sent through Redis ran on a worker" $rc "${line:-no 'succeeded' line for $id in logs/worker1.log or worker2.log}"
}
run_task assessments.tasks.advance_cycles
if grep -qs 'def figures_refresh_all' branches/tasks.py; then
    run_task branches.tasks.figures_refresh_all
else
    say "SKIP  branches.tasks.figures_refresh_all (not in branches/tasks.py yet)"
fi

# One file, or .bak/.dat/.dir when Python's dbm falls back to dbm.dumb.
schedule=$(cd "$VAR_DIR" && ls celerybeat-schedule* 2>/dev/null | paste -sd' ' - || true)
grep -q 'beat: Starting' "$LOGS/beat.log" && [[ -n $schedule ]] && rc=0 || rc=1
check "beat started and wrote its schedule file" $rc "${schedule:-none} in \$VAR_DIR (the unit's --schedule path)"

if [[ -n $BEAT_SENDS ]]; then  # beat → Redis → a worker, on the beat's own schedule (≤ 1 minute)
    line=""
    for _ in $(seq 150); do
        if grep -q "Sending due task $BEAT_SENDS" "$LOGS/beat.log" &&
            [[ $(cat "$LOGS"/worker[12].log | grep -c 'figures_refresh_all\[.*\] succeeded') -ge 2 ]]; then
            line=$(grep -h -o "Sending due task $BEAT_SENDS.*" "$LOGS/beat.log" | head -n1)
            break
        fi
        sleep 0.5
    done
    [[ -n $line ]] && rc=0 || rc=1
    check "beat sent '$BEAT_SENDS' on its schedule and a worker ran it" $rc "${line:-nothing within 75 s}"
fi

say ""
if [[ $FAILS == 0 ]]; then say "all checks passed"; else say "$FAILS check(s) failed; logs in $LOGS"; fi
[[ $FAILS == 0 ]]
