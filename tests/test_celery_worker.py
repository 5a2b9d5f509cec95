"""A real Celery worker process consumes a task from the configured broker (Redis when REDIS_URL is set,
the filesystem transport otherwise) and writes to the same database the test reads."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from members.models import StatsSnapshot
from members.tasks import stats_snapshot_take
from tests.factories import MemberFactory, make_org

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    from urllib.parse import quote

    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker_queue():
    queue = f"test-{os.getpid()}"
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings.base", "DATABASE_URL": _database_url()}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield queue, process
    finally:
        celery_app.conf.task_always_eager = eager
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_consumes_the_snapshot_task(worker_queue):
    queue, process = worker_queue
    university = make_org(None, "university", "中共江城大学委员会", code="U1")
    committee = make_org(university, "committee", "文学院党委", code="C1")
    branch = make_org(committee, "branch", "文学院教工第一党支部", code="B1", category="teacher")
    for _ in range(4):
        MemberFactory(branch=branch)

    stats_snapshot_take.apply_async(args=[university.pk], queue=queue)

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not StatsSnapshot.objects.filter(organization=university).exists():
        assert process.poll() is None, process.stdout.read()
        time.sleep(0.3)
    snapshot = StatsSnapshot.objects.filter(organization=university).first()
    assert snapshot is not None, "the worker did not run the task within 90 s"
    assert snapshot.data["party_members"] == 4
    assert snapshot.data["branches_by_category"]["teacher"] == 1
    expected_broker = "redis" if settings.REDIS_URL else "filesystem"
    assert settings.CELERY_BROKER_URL.startswith(expected_broker)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_refreshes_the_dashboard_figures(worker_queue):
    """The refresh a write queues (``figures_refresh_unit``, with its debounce countdown) runs in a worker
    process and writes the snapshot rows of the unit's university and of the province above it."""
    from branches.models import UnitFigures
    from branches.tasks import figures_refresh_unit

    queue, process = worker_queue
    province = make_org(None, "province", "中共示范省委教育工作委员会", code="P")
    university = make_org(province, "university", "中共江城大学委员会", code="U1")
    committee = make_org(university, "committee", "文学院党委", code="C1")
    branch = make_org(committee, "branch", "文学院教工第一党支部", code="B1", category="teacher")
    for _ in range(3):
        MemberFactory(branch=branch)

    figures_refresh_unit.apply_async(args=[branch.pk], queue=queue, countdown=1)

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not UnitFigures.objects.filter(organization=province).exists():
        assert process.poll() is None, process.stdout.read()
        time.sleep(0.3)
    assert UnitFigures.objects.filter(organization=province).exists(), (
        "the worker did not refresh within 90 s"
    )
    for unit in (province, university, committee, branch):
        counts = UnitFigures.objects.get(organization=unit).data["counts"]
        assert counts["stage_full"] == 3 and counts["org_branch"] == 1


@pytest.mark.django_db
def test_snapshot_is_idempotent_per_day(cast):
    from members.services import stats_snapshot_take_all

    assert stats_snapshot_take_all() == 3  # the university and two committees
    assert stats_snapshot_take_all() == 3
    assert StatsSnapshot.objects.count() == 3
    assert StatsSnapshot.objects.get(organization=cast.c1).data["party_members"] == 2


def test_beat_schedule_is_in_one_place():
    assert set(celery_app.conf.beat_schedule) == {
        "stats-snapshot-daily",
        "advance-cycles-daily",
        "figures-refresh",
        "once-keys-expire-daily",
        "notifications-digest-daily",
        "notifications-sweep",
    }
    assert (
        celery_app.conf.beat_schedule["notifications-digest-daily"]["task"]
        == "notifications.tasks.digest_run"
    )
    assert celery_app.conf.beat_schedule["figures-refresh"]["task"] == "branches.tasks.figures_refresh_all"
    assert (
        celery_app.conf.beat_schedule["figures-refresh"]["schedule"] == settings.FIGURES_REFRESH_MINUTES * 60
    )
    assert (
        celery_app.conf.beat_schedule["stats-snapshot-daily"]["task"]
        == "members.tasks.stats_snapshot_take_all"
    )
