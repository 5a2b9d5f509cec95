"""Issue 16.5: no log line of a real gunicorn run — its access log as deploy/gunicorn.conf.py configures it,
its error log, Django's request warnings — contains a rating code, whatever happens to the code (shown,
used, used again, wrong). The code travels only in request bodies (and in the QR's fragment, which never
reaches a server)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from assessments.models.ratings import code_display
from assessments.services import ratings as services
from tests.ratings_helpers import answers, make_campaign, people, target_of

# The gunicorn process keeps the real clock: left out of the calendar sweep, like the browser and worker tests.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server]

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s.get('PASSWORD') or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post(url: str, data: dict) -> int:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_real_gunicorn_run_logs_no_code(cast, tmp_path):
    zzb, _dw1, _dw2 = people(cast)
    campaign = make_campaign(cast, by=zzb, custody="trustees")
    used, fresh = services.codes_generate(campaign=campaign, unit=cast.branch_a, count=2, by=zzb)
    form = answers([target_of(campaign, cast.branch_a), target_of(campaign, cast.c1)], campaign)
    connection.close()
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": _database_url(),
            "SECRET_KEY": "x" * 60,
            "VAR_DIR": str(tmp_path / "var"),
            "DEBUG": "false",
            "LOG_LEVEL": "INFO",
            "PYTHONPATH": str(ROOT),
        }
    )
    # Production settings serve hashed static files: collect them where this run's VAR_DIR says.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                gunicorn,
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, log.read_text()
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=2).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.3)
            url = base + reverse("assessments:code_entry")
            urllib.request.urlopen(url, timeout=20).close()  # the QR's page: /rate/#CODE reaches us as /rate/
            assert _post(url, {"code": used}) == 200  # the rating form
            assert _post(url, {"code": used, "step": "rate", **form}) == 200  # counted, then code_done
            assert _post(url, {"code": used, "step": "rate", **form}) == 409  # used
            assert _post(url, {"code": "ABCDEFGHJKMNPQRS"}) == 404  # wrong
            assert _post(url, {"code": code_display(fresh)}) == 200  # typed as printed
        finally:
            process.terminate()
            process.wait(timeout=30)
    text = log.read_text()
    assert (
        '"POST /rate/ HTTP/1.1" 409' in text and '"POST /rate/ HTTP/1.1" 302' in text
    )  # the access log is on
    assert "Not Found: /rate/" in text or "Conflict: /rate/" in text or " 404 " in text
    for code in (used, fresh, "ABCDEFGHJKMNPQRS"):
        for written in (code, code_display(code), code.lower()):
            assert written not in text, written
