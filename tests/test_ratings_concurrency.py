"""Exactly once under concurrency: many threads, each on its own database connection, submit the same
rater's (or the same code's) rating at the same moment; exactly one is counted.

Runs on whatever database the suite uses: on PostgreSQL the submissions really overlap (the second
INSERT of a ballot waits on the first's unique-index entry, the second claim of a code on its row lock);
on SQLite the IMMEDIATE transactions queue behind the write lock. Both must count one.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from assessments.models import Ballot, RatingCode, SealedBallot
from assessments.services import ratings as services
from tests.factories import UserFactory
from tests.ratings_helpers import answers, eligible, make_campaign, people, target_of

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 64  # issue 16: 64 parallel submissions by one login and by one code


def _race(work) -> list[str]:
    """Run ``work`` in THREADS threads released together; return each thread's outcome."""
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait()
            work()
            result = "counted"
        except services.RatingRefused as exc:
            result = exc.reason
        except Exception as exc:  # anything else is a failure the assertion shows
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_same_rater_many_parallel_submissions_count_once(cast):
    zzb, _dw1, _dw2 = people(cast)
    campaign = make_campaign(cast, by=zzb)
    student = UserFactory(username="2024001")
    eligible(campaign, student, cast.branch_b)
    form = answers([target_of(campaign, cast.branch_b), target_of(campaign, cast.c2)], campaign)

    outcomes = _race(lambda: services.ballot_cast(campaign=campaign, rater=student, answers=form))

    assert sorted(outcomes) == ["already"] * (THREADS - 1) + ["counted"], (connection.vendor, outcomes)
    assert Ballot.objects.filter(rater=student).count() == 2
    assert SealedBallot.objects.count() == 2


def test_same_code_many_parallel_submissions_count_once(cast):
    zzb, _dw1, _dw2 = people(cast)
    campaign = make_campaign(cast, by=zzb)
    code = services.codes_generate(campaign=campaign, unit=cast.branch_a, count=1, by=zzb)[0]
    form = answers([target_of(campaign, cast.branch_a), target_of(campaign, cast.c1)], campaign)

    outcomes = _race(lambda: services.code_ballot_cast(code=code, answers=form))

    assert sorted(outcomes) == ["already"] * (THREADS - 1) + ["counted"], (connection.vendor, outcomes)
    assert RatingCode.objects.get().used
    assert Ballot.objects.count() == 2 and SealedBallot.objects.count() == 2
