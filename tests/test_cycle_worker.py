"""A real Celery worker runs ``advance_cycles`` (Redis in CI's PostgreSQL+Redis pass, the filesystem broker
otherwise) and the July-1 cycle opens: the assessments exist in the database the test reads."""

import time

import pytest
from django.conf import settings

from assessments.models import Assessment, ItemScore
from assessments.tasks import advance_cycles
from tests.assessment_fixtures import cycle_cast  # noqa: F401
from tests.test_celery_worker import worker_queue  # noqa: F401


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_advance_cycles_and_opens_the_self_assessment(cycle_cast, worker_queue):  # noqa: F811
    queue, process = worker_queue
    advance_cycles.apply_async(args=["2026-06-10"], queue=queue)

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        cycle_cast.cycle.refresh_from_db()
        if cycle_cast.cycle.opened_on is not None:
            break
        assert process.poll() is None, process.stdout.read()
        time.sleep(0.3)
    assert cycle_cast.cycle.opened_on is not None, "the worker did not run the task within 90 s"
    assert Assessment.objects.filter(cycle=cycle_cast.cycle).count() == 4
    # The teacher branch's table: 23 items since issue 18 added the annual guide's (as tests/test_cycle.py).
    assert ItemScore.objects.filter(assessment__organization=cycle_cast.branch_a).count() == 23
    assert settings.CELERY_BROKER_URL.startswith("redis" if settings.REDIS_URL else "filesystem")
