"""What the HTTP benchmarks share: a PostgreSQL database with the demo, gunicorn serving it, wrk loading it.

    from bench.loadlib import demo_database, served, wrk
    url = demo_database("portal_bench4", scale=1)            # migrated + load_demo, once per database
    with served(database_url=url, redis_url="redis://127.0.0.1:6379/14", workers=2) as base:
        minimal = wrk(base + "/healthz", connections=16, seconds=10)
        print(minimal["rps"], minimal["p95_ms"])

* ``demo_database`` creates the database when it is missing, migrates it and runs ``load_demo --if-empty``
  (``fresh=True`` drops and recreates it first). It returns the ``DATABASE_URL``.
* ``served`` starts gunicorn (``config.wsgi``, sync workers, production settings: ``DEBUG`` off, no access
  log) on a free port with the given database, Redis and extra environment, waits until ``/healthz``
  answers, yields the base URL and stops the server at the end. ``bench_environment`` gives the same
  environment (one fixed ``SECRET_KEY`` per run directory) so a script can prepare sessions in-process
  that the server accepts — call ``django_setup`` with the same arguments.
* ``wrk`` runs Debian's wrk (installed with apt-get when missing) and returns requests per second and
  latency percentiles parsed from a Lua ``done`` hook. Pass ``lua`` to shape the requests (define
  ``request()``, ``init()``, ``response()``…); the ``done`` hook is appended to it.

The load generator runs on the same 2 cores as the server, so compare figures taken in the same run
(a page against ``/healthz``), not against another machine's.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = (
    str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
)
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
# Benchmarks only: every server and every in-process set-up of one run share it, so sessions made by the
# script are valid in the server.
BENCH_SECRET_KEY = "bench-only-secret-key-never-used-in-production-0123456789abcdef"
# Per benchmark process: two benchmarks running at once must not collect static files into the same place.
RUN_DIR = Path(tempfile.gettempdir()) / f"portal-bench-{os.getpid()}"

DONE_HOOK = """
done = function(summary, latency, requests)
  local out = string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, '
    .. '"write_errors": %d, "timeouts": %d, "non_2xx": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, '
    .. '"p99_us": %d, "max_us": %d, "mean_us": %f}',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, summary.errors.status, latency:percentile(50),
    latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max, latency.mean)
  io.stderr:write("WRK_JSON " .. out .. "\\n")
end
"""


def bench_environment(
    *, database_url: str, redis_url: str = "", env: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment of a benchmark server: production settings on the given database and Redis."""
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    result = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DEBUG"}
    }
    result.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": database_url,
            "SECRET_KEY": BENCH_SECRET_KEY,
            "VAR_DIR": str(RUN_DIR / "var"),
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    if redis_url:
        result["REDIS_URL"] = redis_url
    result.update(env or {})
    return result


def django_setup(*, database_url: str, redis_url: str = "", env: dict[str, str] | None = None) -> None:
    """Configure Django in this process exactly as ``served`` configures the server."""
    os.environ.clear()
    os.environ.update(bench_environment(database_url=database_url, redis_url=redis_url, env=env))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _manage(*args: str, environment: dict[str, str]) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], cwd=ROOT, env=environment, check=True)


def _psql(sql: str, database: str = "postgres", *, dsn: str) -> str:
    parts = urlsplit(dsn)
    command = [
        "psql",
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
        "-d",
        database,
        "-tAc",
        sql,
    ]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def demo_database(
    name: str,
    *,
    scale: int = 1,
    seed: int = 2026,
    fresh: bool = False,
    server: str = "postgres://postgres@127.0.0.1:5432",
) -> str:
    """A PostgreSQL database called ``name`` holding the migrated demo; returns its DATABASE_URL."""
    url = f"{server}/{name}"
    if fresh:
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', dsn=url)
    if _psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'", dsn=url) != "1":
        _psql(f'CREATE DATABASE "{name}"', dsn=url)
    environment = bench_environment(database_url=url)
    started = time.perf_counter()
    _manage("migrate", "--noinput", "-v0", environment=environment)
    _manage("load_demo", "--scale", str(scale), "--seed", str(seed), "--if-empty", environment=environment)
    print(f"demo database {name}: ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served(
    *,
    database_url: str,
    redis_url: str = "",
    workers: int = 2,
    threads: int = 1,
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Iterator[str]:
    """gunicorn serving the portal on a free port until the block ends; yields ``http://127.0.0.1:PORT``."""
    environment = bench_environment(database_url=database_url, redis_url=redis_url, env=env)
    _manage("collectstatic", "--noinput", "-v0", environment=environment)
    port = _free_port()
    command = [
        GUNICORN,
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--backlog",
        "2048",
    ]
    if threads > 1:
        command += ["--threads", str(threads), "--worker-class", "gthread"]
    process = subprocess.Popen(command, cwd=ROOT, env=environment)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer /healthz in time")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        print("installing Debian's wrk …", file=sys.stderr)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"],
            check=True,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        path = shutil.which("wrk")
    if path is None:
        raise RuntimeError("wrk is not installed and apt-get could not install it")
    return path


def wrk(
    url: str,
    *,
    connections: int = 16,
    seconds: int = 10,
    threads: int = 1,
    lua: str | None = None,
    headers: dict[str, str] | None = None,
    warmup: int = 1,
) -> dict:
    """Load ``url`` with wrk; returns rps, p50_ms, p90_ms, p95_ms, p99_ms, max_ms, requests, errors, non_2xx.

    ``warmup`` seconds of the same load run first and are discarded (workers' first requests compile
    templates and open connections).
    """
    binary = ensure_wrk()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write((lua or "") + "\n" + DONE_HOOK)
    try:
        base = [binary, "-t", str(threads), "-c", str(connections), "--latency", "-s", script.name]
        for key, value in (headers or {}).items():
            base += ["-H", f"{key}: {value}"]
        if warmup:
            subprocess.run([*base, "-d", f"{warmup}s", url], check=True, capture_output=True, text=True)
        run = subprocess.run([*base, "-d", f"{seconds}s", url], check=True, capture_output=True, text=True)
    finally:
        os.unlink(script.name)
    line = next((line for line in run.stderr.splitlines() if line.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{run.stdout}\n{run.stderr}")
    raw = json.loads(line.removeprefix("WRK_JSON "))
    errors = raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"]
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "requests": raw["requests"],
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "mean_ms": raw["mean_us"] / 1000,
        "errors": errors,
        "non_2xx": raw["non_2xx"],
    }


def row(label: str, result: dict, reference: dict | None = None) -> str:
    """One printed line: requests/s, p50/p95/p99 and, with a reference, the share of its throughput."""
    share = f"  {100 * result['rps'] / reference['rps']:5.1f} %" if reference else ""
    return (
        f"{label:<28} {result['rps']:9.1f} req/s   p50 {result['p50_ms']:7.2f} ms   "
        f"p95 {result['p95_ms']:7.2f} ms   p99 {result['p99_ms']:7.2f} ms   "
        f"errors {result['errors']}  non-2xx {result['non_2xx']}{share}"
    )
