"""Issue 14, item 6: the daily step's derived to-dos are a function of the state at the step's date.

Whatever sequence of ``--today`` dates ran before (forward, backward, repeated), the open to-dos after a run
equal those a single run at that date opens on a database without derived to-dos; a to-do closed because its
cause went away reopens when the cause is back. The one-way changes (assessment phases, rating campaign
closes) stay monotone: an earlier date never undoes them.

The world: the fixed cast, the 2026 July-1 cycle (self-assessment 10 June – 1 July), branch A's minutes (one
approved, one waiting for review), members whose dues lapse, a rating campaign closing on 20 December. The
clock is pinned after every date the tests run, so the campaign's "capped at the real now" never bites.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import Assessment, AssessmentCycle, RatingCampaign
from assessments.services import cycles_advance
from assessments.services.ratings import campaign_create, campaign_publish
from disclosure.models import Meeting, Todo
from disclosure.services import meeting_return
from tests.assessment_fixtures import (
    cycle_cast,  # noqa: F401
    day,
)

pytestmark = pytest.mark.calendar

DERIVED = tuple(Todo.Kind)  # every kind: all are derived from the state by the daily step
# After every date below, so a campaign closes on its own date, never held back by the real clock.
NOW = datetime.datetime(2027, 3, 1, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
# The days where something turns: period ends and their filing grace, the cycle's phases, the campaign.
TURNS = [
    day(3, 25),
    day(3, 31),
    day(4, 5),
    day(4, 9),
    day(6, 9),
    day(6, 10),
    day(6, 24),
    day(6, 30),
    day(7, 1),
    day(7, 2),
    day(7, 5),
    day(7, 15),
    day(7, 16),
    day(7, 17),
    day(7, 31),
    day(8, 1),
    day(8, 2),
    day(9, 25),
    day(10, 5),
    day(12, 20),
    day(12, 21),
    day(12, 28),
    day(1, 3, 2027),
]
dates = st.one_of(st.sampled_from(TURNS), st.dates(day(1, 1), day(2, 1, 2027)))


def _held(month: int, dom: int) -> datetime.datetime:
    return datetime.datetime(2026, month, dom, 15, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def world(cycle_cast, time_machine):  # noqa: F811
    time_machine.move_to(NOW, tick=False)
    c = cycle_cast
    Meeting.objects.create(
        organization=c.branch_a,
        kind=Meeting.Kind.THEME_DAY,
        status=Meeting.Status.APPROVED,
        held_at=_held(6, 12),
        topics="学习党章",
        expected_count=2,
        present_count=2,
    )
    c.waiting = Meeting.objects.create(
        organization=c.branch_a,
        kind=Meeting.Kind.GENERAL_ASSEMBLY,
        status=Meeting.Status.SUBMITTED,
        held_at=_held(5, 20),
        submitted_at=_held(5, 21),
        reviewer=c.c1,
        topics="换届",
        expected_count=2,
        present_count=2,
    )
    opens = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=NOW.tzinfo)
    c.campaign = campaign_create(
        scope=c.university,
        name="2026年度述职评议",
        year=2026,
        opens_at=opens,
        closes_at=opens + datetime.timedelta(days=19),
        by=None,
        custody="server",
    )  # issue 16: the daily step's close then opens it too
    campaign_publish(campaign=c.campaign, by=None)
    return c


def _open_todos() -> set[tuple]:
    """The open derived to-dos, as a fresh run writes them: who, what, which cause, when due, the words."""
    return set(
        Todo.objects.open()
        .filter(kind__in=DERIVED)
        .values_list("user_id", "kind", "key", "due_on", "text", "organization_id", "meeting_id")
    )


def _fresh(today: datetime.date) -> set[tuple]:
    """What a single run at ``today`` opens on the same state without any derived to-do."""
    Todo.objects.filter(kind__in=DERIVED).delete()
    cycles_advance(today=today)
    return _open_todos()


def _phases() -> tuple:
    cycle = AssessmentCycle.objects.get()
    return (
        cycle.opened_on,
        cycle.self_closed_on,
        cycle.review_closed_on,
        cycle.verification_closed_on,
        cycle.published_on,
        RatingCampaign.objects.get().status,
        tuple(sorted(Assessment.objects.values_list("pk", "status"))),
    )


def _replay_matches_a_single_run(sequence: list[datetime.date]) -> None:
    with transaction.atomic():  # each sequence starts from the same world
        for today in sequence:
            cycles_advance(today=today)
        after = _open_todos()
        phases = _phases()
        assert after == _fresh(sequence[-1]), sequence
        assert _phases() == phases  # the single run changed nothing one-way: the sequence had done it
        transaction.set_rollback(True)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None
)
@given(sequence=st.lists(dates, min_size=1, max_size=4))
def test_open_todos_after_any_sequence_of_dates_are_those_of_a_single_run(world, sequence):
    _replay_matches_a_single_run(sequence)


@pytest.mark.parametrize(
    "sequence",
    [
        [day(6, 26), day(6, 20), day(6, 26)],  # the issue's case: later, earlier, later again
        [day(7, 1), day(6, 12), day(6, 26)],  # the self-assessment's to-dos come back while it is open
        [day(8, 2), day(6, 26)],  # after the cycle is published: an earlier date finds nothing to assess
        [day(6, 26), day(6, 26), day(6, 26)],
        [day(4, 5), day(3, 31), day(4, 9), day(3, 28)],  # around March's period end and its filing grace
        [day(1, 3, 2027), day(12, 28), day(6, 26)],  # across the year end
    ],
)
def test_named_sequences(world, sequence):
    _replay_matches_a_single_run(sequence)


def test_the_issue_case_reopens_what_the_earlier_date_closed(world):
    """Forward, back, forward: the to-dos of the later date are open again (on the demo, 8,221 stayed closed)."""
    first = cycles_advance(today=day(6, 26))
    at_26 = _open_todos()
    assert first["reminders"]["created"] > 0 and first["assessment_todos"]["created"] > 0
    earlier = cycles_advance(today=day(5, 10))
    assert earlier["reminders"]["closed"] > 0  # June's meetings are not due yet on 10 May
    again = cycles_advance(today=day(6, 26))
    assert _open_todos() == at_26
    assert again["reminders"]["created"] == earlier["reminders"]["closed"]  # all of them reopened
    assert (
        Todo.objects.filter(kind__in=DERIVED).count()
        == len(at_26) + Todo.objects.filter(kind__in=DERIVED, done_at__isnull=False).count()
    )  # reopened rows, not duplicates


def test_a_todo_closed_because_its_cause_went_away_reopens_when_it_is_back(world):
    """The review to-do closes once the record is returned; the missing-meeting to-do of the returned
    record's period reopens since the returned record no longer counts; both as a fresh run would have them."""
    c = world
    cycles_advance(today=day(6, 26))
    review_key = Todo.objects.get(user=c.officer, kind=Todo.Kind.REVIEW_WAITING).key
    missing = f"missing:{c.branch_a.pk}:general_assembly:2026-04"
    assert not Todo.objects.open().filter(user=c.alice, key=missing).exists()  # the waiting record counts
    meeting_return(meeting=c.waiting, by=c.officer, reason="请补充签到表")
    assert not Todo.objects.open().filter(key=review_key).exists()  # closed by the reviewer's act

    returned = Todo.objects.get(user=c.alice, kind=Todo.Kind.RETURNED)
    cycles_advance(today=day(6, 27))
    assert Todo.objects.open().filter(user=c.alice, key=missing).exists()
    assert Todo.objects.open().filter(pk=returned.pk).exists()  # the daily step keeps the reviewer's act
    assert _open_todos() == _fresh(day(6, 27))


def test_a_secretary_who_leaves_loses_the_todos_others_keep(world):
    """Per user, not per key: a former secretary's to-do closes though the key is still wanted for others."""
    from branches.models import Role
    from branches.services import role_assign, role_end
    from tests.factories import UserFactory

    c = world
    dora = UserFactory(username="dora")
    role = role_assign(user=dora, organization=c.branch_a, kind=Role.Kind.DEPUTY)
    cycles_advance(today=day(6, 26))
    assert Todo.objects.open().filter(user=dora, kind=Todo.Kind.MEETING_MISSING).exists()
    role_end(role=role)
    cycles_advance(today=day(6, 26))
    assert not Todo.objects.open().filter(user=dora).exists()
    assert _open_todos() == _fresh(day(6, 26))


def test_an_earlier_date_never_reopens_a_closed_phase_or_campaign(world):
    cycles_advance(today=day(12, 28))
    cycle = AssessmentCycle.objects.get()
    assert cycle.published_on is not None and cycle.self_closed_on is not None
    assert RatingCampaign.objects.get().status == RatingCampaign.Status.CLOSED
    closed = _phases()
    for earlier in (day(12, 1), day(7, 20), day(6, 20), day(6, 1), day(1, 2)):
        cycles_advance(today=earlier)
        assert _phases() == closed, earlier
    assert not Todo.objects.open().filter(kind=Todo.Kind.ASSESSMENT).exists()  # nothing to assess any more
