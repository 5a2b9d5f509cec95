"""The 组织部 dashboard (issue 9) through gunicorn on PostgreSQL, uncached and cached, beside the raw SQL that
computes the same numbers.

    .venv/bin/python bench/dashboard.py                   # scale 1 and scale 100, 4 connections, 10 s a page
    .venv/bin/python bench/dashboard.py --scales 1        # the one-university demo only
    .venv/bin/python bench/dashboard.py --quick           # smoke run: scale 1, 3 s a page, 3 repeats
    .venv/bin/python bench/dashboard.py --fresh           # drop and reload the demo databases first

For each scale: the demo database (``portal_dash1`` = ``load_demo --scale 1``, one university;
``portal_dash100`` = ``--scale 100``, a province of 100 universities, about 600k members and 30k
branches) is created and loaded once (bench/loadlib.py), then ``manage.py figures_refresh`` writes the
snapshots. A child process (Django on the same database) logs the demo officers in (sessions in the
database, cookie handed to wrk) and times the raw SQL: ``branches.figures.figures_compute(root=unit)`` runs
once under ``CaptureQueriesContext`` to capture the exact statements the figure collectors send to
PostgreSQL, which are then replayed with a bare psycopg2 connection (execute + fetchall) ``--repeat``
times; ``figures_compute`` itself (SQL and the Python roll-up) is timed the same way.

Then two gunicorn servers (2 sync workers), one with ``DASHBOARD_CACHE_SECONDS=0`` (every request renders
from the snapshot rows) and one with ``300`` (the rendered blocks come from Redis), each page loaded by
wrk with 4 connections after a warm-up. ``/dashboard/`` redirects to ``/dashboard/<pk>/`` of the viewer's
top unit (checked once per page); wrk follows no redirects, so the unit's page itself is loaded.

Budgets (issue 9): university p95 <= 150 ms uncached, province p95 <= 500 ms uncached, any dashboard p95
<= 20 ms cached, uncached p95 <= 3x the raw SQL's p50, no errors and no non-2xx answers. Exit status 0
when every budget holds.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadlib import (  # noqa: E402
    PYTHON,
    _manage,
    bench_environment,
    demo_database,
    django_setup,
    row,
    served,
    wrk,
)

REDIS = "redis://127.0.0.1:6379/13"
CONNECTIONS = 4  # the "4 clients at once"
BUDGET_MS = {"university": 150.0, "committee": 150.0, "province": 500.0}
BUDGET_CACHED_MS = 20.0
BUDGET_RATIO = 3.0

# What each scale measures: (label, login, unit code, URL kind). Every page is /dashboard/<pk of the unit>/;
# "top" = the viewer's own unit, where /dashboard/ must redirect; "drill" = a unit below it.
PLANS: dict[int, list[tuple[str, str, str, str]]] = {
    1: [
        ("university U001 (zzb)", "zzb", "U001", "top"),
        ("committee U001-C10 (zzb)", "zzb", "U001-C10", "drill"),
    ],
    100: [
        ("province P01 (swzzc)", "swzzc", "P01", "top"),
        ("university U001 (zzb)", "zzb", "U001", "top"),
        ("university U002 (u002_zzb)", "u002_zzb", "U002", "top"),
    ],
}


def database_name(scale: int) -> str:
    return f"portal_dash{scale}"


def plan_for(scale: int) -> list[tuple[str, str, str, str]]:
    if scale in PLANS:
        return PLANS[scale]
    # Any other province size: the province and its first university.
    return [PLANS[100][0], PLANS[100][1]]


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: p50 of 7 runs is the 4th, p95 of 7 runs is the slowest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# --- the child process: Django on the benchmark database --------------------------------------------------


def prepare(database_url: str, scale: int, repeat: int) -> dict:
    """Sessions for the plan's logins, the plan's units, and the raw SQL / figures_compute timings."""
    os.chdir(ROOT)  # Celery's Django fix-up puts the working directory first on sys.path
    django_setup(database_url=database_url, redis_url=REDIS, env={"DASHBOARD_CACHE_SECONDS": "0"})
    import psycopg2
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from branches.figures import figures_compute
    from branches.models import Organization
    from members.models import Member

    plan = plan_for(scale)
    result: dict = {
        "members": Member.objects.count(),
        "branches": Organization.objects.filter(kind=Organization.Kind.BRANCH).count(),
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "sessions": {},
        "units": {},
        "raw": {},
    }
    users = get_user_model().objects
    for _label, login, _code, _kind in plan:
        if login not in result["sessions"]:
            client = Client()
            client.force_login(users.get(username=login), backend="config.cas.LocalPasswordBackend")
            result["sessions"][login] = client.cookies[settings.SESSION_COOKIE_NAME].value

    raw = psycopg2.connect(_dsn(settings.DATABASES["default"]))
    raw.autocommit = True
    try:
        for code in dict.fromkeys(code for _label, _login, code, _kind in plan):
            unit = Organization.objects.get(code=code)
            result["units"][code] = {
                "pk": unit.pk,
                "name": unit.name,
                "short_name": unit.short_name,
                "kind": unit.kind,
            }
            result["raw"][code] = _raw_sql(
                unit, raw, repeat, figures_compute, connection, CaptureQueriesContext
            )
    finally:
        raw.close()
    return result


def _dsn(db: dict) -> str:
    parts = [f"dbname={db['NAME']}"]
    for key, name in (("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password")):
        if db.get(key):
            parts.append(f"{name}={db[key]}")
    return " ".join(parts)


def _raw_sql(unit, raw, repeat: int, figures_compute, connection, capture) -> dict:
    with capture(connection) as captured:  # also the warm-up: the same pages in PostgreSQL's buffers
        figures_compute(root=unit)
    statements = [q["sql"] for q in captured.captured_queries if q.get("sql")]
    replayed = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH", "(SELECT"))]
    skipped = len(statements) - len(replayed)

    def replay() -> tuple[float, int]:
        rows = 0
        started = time.perf_counter()
        with raw.cursor() as cursor:
            for sql in replayed:
                cursor.execute(sql)
                rows += len(cursor.fetchall())
        return time.perf_counter() - started, rows

    replay()  # warm-up
    sql_times, rows = [], 0
    for _ in range(repeat):
        seconds, rows = replay()
        sql_times.append(seconds * 1000)
    compute_times = []
    for _ in range(repeat):
        started = time.perf_counter()
        figures_compute(root=unit)
        compute_times.append((time.perf_counter() - started) * 1000)
    return {
        "statements": len(replayed),
        "skipped": skipped,
        "rows": rows,
        "sql_ms": sql_times,
        "compute_ms": compute_times,
    }


# --- the parent: databases, servers, wrk ------------------------------------------------------------------


def wait_for_other_loads() -> None:
    """Never run load_demo --if-empty (or time anything) while another load_demo is still writing: its
    transaction is not committed yet, so --if-empty would see an empty database and load it a second time."""
    announced = False
    while True:
        others = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit() or int(proc.name) == os.getpid():
                continue
            try:
                cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(part.endswith(b"manage.py") for part in cmdline) and b"load_demo" in cmdline:
                others.append(proc.name)
        if not others:
            return
        if not announced:
            print(f"waiting for a running load_demo (pid {', '.join(others)}) to finish …", file=sys.stderr)
            announced = True
        time.sleep(10)


def run_prepare(database_url: str, scale: int, repeat: int) -> dict:
    command = [
        PYTHON,
        str(Path(__file__).resolve()),
        "--prepare",
        database_url,
        "--scales",
        str(scale),
        "--repeat",
        str(repeat),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    line = next((line for line in done.stdout.splitlines() if line.startswith("PREPARE_JSON ")), None)
    if done.returncode or line is None:
        raise SystemExit(f"the in-process set-up failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return json.loads(line.removeprefix("PREPARE_JSON "))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect (to the login page) is an answer to report
        return None


def check_page(url: str, cookie: str, unit: dict) -> str:
    """One plain GET: '' when it is a 200 showing the unit's name, else what is wrong."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with opener.open(request, timeout=120) as response:
            status, body = response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code} {error.headers.get('Location') or ''}".strip()
    if status != 200:
        return f"HTTP {status}"
    names = [n for n in (unit["name"], unit["short_name"]) if n]
    if not any(name in body for name in names):
        return f"200 but the page does not name {unit['name']!r}"
    return ""


def check_home(base: str, cookie: str, expected: str) -> str:
    """'' when /dashboard/ sends this login to ``expected`` (its top unit's page), else what it did."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(base + "/dashboard/", headers={"Cookie": cookie})
    try:
        with opener.open(request, timeout=120) as response:
            return f"/dashboard/ answered {response.status} instead of a redirect to {expected}"
    except urllib.error.HTTPError as error:
        location = error.headers.get("Location") or ""
        if error.code in (301, 302) and location.split("?")[0].removeprefix(base) == expected:
            return ""
        return f"/dashboard/ answered {error.code} {location} instead of a redirect to {expected}".strip()


def measure_scale(scale: int, args, verdicts: list[tuple[bool, str]]) -> None:
    name = database_name(scale)
    wait_for_other_loads()
    started = time.perf_counter()
    url = demo_database(name, scale=scale, fresh=args.fresh)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    _manage("figures_refresh", environment=bench_environment(database_url=url, redis_url=REDIS))
    refreshed = time.perf_counter() - started
    info = run_prepare(url, scale, args.repeat)
    plan = plan_for(scale)

    print(
        f"\n== scale {scale}: {name}, {info['members']:,} members, {info['branches']:,} branches "
        f"(migrate + load_demo --if-empty {loaded:.1f} s; figures_refresh {refreshed:.1f} s)"
    )
    print(
        f"-- raw SQL: figures_compute(root=unit)'s statements replayed with psycopg2 (execute + fetchall), "
        f"and figures_compute itself; {args.repeat} runs after a warm-up"
    )
    for code, raw in info["raw"].items():
        unit = info["units"][code]
        skipped = f", {raw['skipped']} other statements not replayed" if raw["skipped"] else ""
        print(
            f"{code:<9} {unit['kind']:<11} raw SQL p50 {percentile(raw['sql_ms'], 50):8.1f} ms  "
            f"p95 {percentile(raw['sql_ms'], 95):8.1f} ms   figures_compute p50 "
            f"{percentile(raw['compute_ms'], 50):8.1f} ms  p95 {percentile(raw['compute_ms'], 95):8.1f} ms   "
            f"({raw['statements']} statements, {raw['rows']:,} rows{skipped})"
        )

    pages = []
    for label, login, code, kind in plan:
        unit = info["units"][code]
        # /dashboard/ redirects to /dashboard/<pk of the viewer's top unit>/ (checked on each server below);
        # wrk follows no redirects, so the unit's page is what is loaded.
        cookie = f"{info['cookie_name']}={info['sessions'][login]}"
        pages.append((label, f"/dashboard/{unit['pk']}/", cookie, unit, code, kind))

    results: dict[tuple[str, str], dict] = {}
    for mode, seconds in (("uncached", "0"), ("cached", "300")):
        with served(
            database_url=url, redis_url=REDIS, workers=args.workers, env={"DASHBOARD_CACHE_SECONDS": seconds}
        ) as base:
            print(
                f"-- {mode} (DASHBOARD_CACHE_SECONDS={seconds}), gunicorn {args.workers} sync workers, "
                f"wrk {CONNECTIONS} connections, {args.seconds} s a page after {args.warmup} s of warm-up"
            )
            minimal = wrk(
                base + "/healthz", connections=CONNECTIONS, seconds=args.seconds, warmup=args.warmup
            )
            print(row("/healthz", minimal))
            for label, path, cookie, unit, _code, kind in pages:
                problem = check_page(base + path, cookie, unit)
                if kind == "top" and not problem:
                    problem = check_home(base, cookie, path)
                if problem:
                    verdicts.append((False, f"scale {scale} {mode} {label} {path}: {problem}"))
                    print(f"{label} {path}: {problem}")
                    continue
                result = wrk(
                    base + path,
                    connections=CONNECTIONS,
                    seconds=args.seconds,
                    warmup=args.warmup,
                    headers={"Cookie": cookie},
                )
                results[(label, mode)] = result
                print(row(label[:28], result, minimal) + f"   {path}")

    print(f"-- budgets, scale {scale}")
    for label, _path, _cookie, unit, code, _kind in pages:
        raw_p50 = percentile(info["raw"][code]["sql_ms"], 50)
        uncached, cached = results.get((label, "uncached")), results.get((label, "cached"))
        if uncached:
            budget = BUDGET_MS[unit["kind"]] if unit["kind"] in BUDGET_MS else BUDGET_MS["university"]
            verdicts.append(
                _verdict(
                    uncached["p95_ms"] <= budget,
                    f"scale {scale} {label} uncached p95 {uncached['p95_ms']:.1f} ms <= {budget:.0f} ms",
                )
            )
            ratio = uncached["p95_ms"] / raw_p50 if raw_p50 else float("inf")
            verdicts.append(
                _verdict(
                    ratio <= BUDGET_RATIO,
                    f"scale {scale} {label} uncached p95 / raw SQL p50 = "
                    f"{uncached['p95_ms']:.1f} / {raw_p50:.1f} ms = {ratio:.2f}x "
                    f"<= {BUDGET_RATIO:.0f}x",
                )
            )
        if cached:
            verdicts.append(
                _verdict(
                    cached["p95_ms"] <= BUDGET_CACHED_MS,
                    f"scale {scale} {label} cached p95 {cached['p95_ms']:.1f} ms "
                    f"<= {BUDGET_CACHED_MS:.0f} ms",
                )
            )
        for mode, result in (("uncached", uncached), ("cached", cached)):
            if result:
                verdicts.append(
                    _verdict(
                        result["errors"] == 0 and result["non_2xx"] == 0,
                        f"scale {scale} {label} {mode}: {result['errors']} errors, "
                        f"{result['non_2xx']} non-2xx of {result['requests']} requests",
                    )
                )


def _verdict(ok: bool, text: str) -> tuple[bool, str]:
    print(f"{'PASS' if ok else 'FAIL'}  {text}")
    return ok, text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scales",
        type=int,
        nargs="+",
        default=[1, 100],
        help="demo sizes to measure (database portal_dash<N>; default 1 100)",
    )
    parser.add_argument(
        "--seconds", type=int, default=10, help="wrk's measured seconds per page (default 10)"
    )
    parser.add_argument("--warmup", type=int, default=2, help="wrk's discarded seconds per page (default 2)")
    parser.add_argument("--repeat", type=int, default=7, help="raw SQL / figures_compute runs (default 7)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--quick", action="store_true", help="smoke run: scale 1 only, 3 s a page, 3 repeats")
    parser.add_argument("--fresh", action="store_true", help="drop and reload the demo databases first")
    parser.add_argument("--prepare", metavar="DATABASE_URL", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.prepare:
        print("PREPARE_JSON " + json.dumps(prepare(args.prepare, args.scales[0], args.repeat)))
        return 0
    if args.quick:
        args.scales, args.seconds, args.warmup, args.repeat = [1], 3, 1, 3
    if args.repeat < 1 or args.seconds < 1:
        parser.error("--repeat and --seconds must be at least 1")

    print(
        f"dashboard benchmark: scales {' '.join(map(str, args.scales))}, {CONNECTIONS} connections, "
        f"{args.seconds} s a page, raw SQL p50/p95 of {args.repeat} runs; load average "
        f"{os.getloadavg()[0]:.2f} at the start"
    )
    verdicts: list[tuple[bool, str]] = []
    for scale in args.scales:
        measure_scale(scale, args, verdicts)
    failed = [text for ok, text in verdicts if not ok]
    print(
        f"\n{len(verdicts) - len(failed)} of {len(verdicts)} budget lines hold"
        + ("" if not failed else ":\n" + "\n".join(f"  FAIL  {text}" for text in failed))
    )
    return 1 if failed or not verdicts else 0


if __name__ == "__main__":
    sys.exit(main())
