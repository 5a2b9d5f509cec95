"""The daily cycle step (DESIGN §7): `manage.py advance_cycles [--today]`, its Celery task and its schedule.

Idempotent (a second run the same day creates nothing), catches up after a missed day, gives reviewers a
to-do for every record waiting for them and closes to-dos whose cause is gone. Uses the fixed cast: alice
secretary of branch A (under C1), charlie secretary of branch B (under C2), officer organizer of C1.
Dates are in a past year so that meetings "held" then may be filed.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from assessments.services import cycles_advance
from assessments.tasks import advance_cycles
from branches.services import role_assign
from disclosure.models import Meeting, Todo
from disclosure.services import AttendanceEntry, meeting_approve, meeting_save
from tests.factories import UserFactory

YEAR = 2025
# Q2 and June end on 30 June; with the default 7 reminder days, 23 June is the first day that reminds.
BEFORE_HORIZON = datetime.date(YEAR, 6, 20)
NEAR_END = datetime.date(YEAR, 6, 26)


def _held(month: int, day: int) -> datetime.datetime:
    return datetime.datetime(YEAR, month, day, 15, 0, tzinfo=timezone.get_current_timezone())


def _meeting(
    branch, kind: str, *, held_at: datetime.datetime, status: str = Meeting.Status.APPROVED
) -> Meeting:
    return Meeting.objects.create(
        organization=branch,
        kind=kind,
        status=status,
        held_at=held_at,
        topics="学习党章",
        expected_count=2,
        present_count=2,
    )


def _run(today: datetime.date) -> str:
    out = io.StringIO()
    call_command("advance_cycles", today=today.isoformat(), stdout=out)
    return out.getvalue()


def _open(user, kind: str = Todo.Kind.MEETING_MISSING) -> set[str]:
    return set(Todo.objects.open().filter(user=user, kind=kind).values_list("key", flat=True))


def test_command_with_today_reminds_secretaries_of_meetings_due_soon(cast):
    assert "0 created" in _run(BEFORE_HORIZON)  # June and Q2 end more than 7 days later: nothing yet
    assert not Todo.objects.exclude(kind=Todo.Kind.MEMBER_AFFAIRS).exists()

    output = _run(NEAR_END)

    assert f"advance_cycles for {NEAR_END.isoformat()}" in output
    # Branch A (2 full members, no party groups): 主题党日 (June), 党员大会 and 党课 (Q2); not 支委会 nor 党小组会.
    a = cast.branch_a.pk
    assert _open(cast.alice) == {
        f"missing:{a}:theme_day:{YEAR}-06",
        f"missing:{a}:general_assembly:{YEAR}-04",
        f"missing:{a}:party_lecture:{YEAR}-04",
    }
    assert len(_open(cast.charlie)) == 3  # the same for branch B, to its own secretary
    assert all(key.startswith(f"missing:{cast.branch_b.pk}:") for key in _open(cast.charlie))
    assert not _open(cast.officer) and not _open(cast.bob)  # only secretaries are reminded
    assert "reminders: 6 created, 0 closed" in output
    todo = Todo.objects.get(user=cast.alice, key=f"missing:{a}:theme_day:{YEAR}-06")
    assert todo.due_on == datetime.date(YEAR, 6, 30) and todo.organization == cast.branch_a


def test_a_meeting_already_filed_is_not_reminded(cast):
    _meeting(cast.branch_a, Meeting.Kind.THEME_DAY, held_at=_held(6, 5))
    _meeting(
        cast.branch_a, Meeting.Kind.GENERAL_ASSEMBLY, held_at=_held(4, 20), status=Meeting.Status.SUBMITTED
    )
    _meeting(cast.branch_a, Meeting.Kind.PARTY_LECTURE, held_at=_held(5, 8), status=Meeting.Status.DRAFT)
    cycles_advance(today=NEAR_END)
    # Approved and submitted records count as held; a draft does not.
    assert _open(cast.alice) == {f"missing:{cast.branch_a.pk}:party_lecture:{YEAR}-04"}


def test_running_twice_the_same_day_creates_nothing_twice(cast):
    _meeting(
        cast.branch_a, Meeting.Kind.GENERAL_ASSEMBLY, held_at=_held(6, 1), status=Meeting.Status.SUBMITTED
    )
    Meeting.objects.update(reviewer=cast.c1, submitted_at=_held(6, 2))
    first = cycles_advance(today=NEAR_END)
    meeting_todos = Todo.objects.exclude(kind=Todo.Kind.MEMBER_AFFAIRS)
    todos = list(Todo.objects.order_by("pk").values_list("user_id", "key", "done_at"))

    second = cycles_advance(today=NEAR_END)
    assert "reminders: 0 created, 0 closed" in _run(NEAR_END)  # and a third time, through the command

    assert (
        first["reminders"]["created"] == meeting_todos.count() == 5 + 1
    )  # 5 missing (A: 2, B: 3) + 1 to review
    assert second["reminders"] == {"created": 0, "closed": 0}
    assert second["member_affairs"] == {
        "created": 0,
        "closed": 0,
    }  # the lifecycle's to-dos are idempotent too
    assert list(Todo.objects.order_by("pk").values_list("user_id", "key", "done_at")) == todos


def test_a_missed_day_is_caught_up_by_the_next_run(cast):
    cycles_advance(today=BEFORE_HORIZON)
    # 21 to 27 June never ran (the machine was off); the run on the 28th creates what they would have.
    cycles_advance(today=datetime.date(YEAR, 6, 28))
    caught_up = _open(cast.alice)
    Todo.objects.all().delete()
    cycles_advance(today=datetime.date(YEAR, 6, 23))  # the first day that would have reminded
    assert _open(cast.alice) == caught_up and len(caught_up) == 3


def test_a_missed_day_still_closes_what_was_resolved_meanwhile(cast):
    cycles_advance(today=NEAR_END)
    # Alice holds the 主题党日 on the 27th and files it; the run of the 28th is missed.
    _meeting(cast.branch_a, Meeting.Kind.THEME_DAY, held_at=_held(6, 27), status=Meeting.Status.SUBMITTED)

    result = cycles_advance(today=datetime.date(YEAR, 6, 29))

    assert f"missing:{cast.branch_a.pk}:theme_day:{YEAR}-06" not in _open(cast.alice)
    assert len(_open(cast.alice)) == 2 and result["reminders"]["closed"] == 1
    assert Todo.objects.get(user=cast.alice, key__contains="theme_day").done_at is not None


# A day in the middle of a quarter, more than the reminder days before any period ends: the day's run has no
# meeting reminders of its own to create (on 2 December it also reminded of the year's 组织生活会).
MID_PERIOD = datetime.datetime(YEAR, 5, 12, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture
def mid_period(time_machine):
    time_machine.move_to(MID_PERIOD)


def test_reviewers_get_a_todo_for_every_record_waiting_for_them(mid_period, cast):
    dave = UserFactory(username="dave")
    record = meeting_save(
        by=cast.alice,
        organization=cast.branch_a,
        data={
            "kind": "general_assembly",
            "held_at": timezone.now() - datetime.timedelta(days=1),
            "topics": "学习",
        },
        attendance=[
            AttendanceEntry(cast.alice_member.pk, "present"),
            AttendanceEntry(cast.bob_member.pk, "present"),
        ],
        submit=True,
    )
    assert _open(cast.officer, Todo.Kind.REVIEW_WAITING)  # written when the record was submitted
    # C1 gets a deputy secretary after the submission: the next daily run gives him the record to review too.
    role_assign(user=dave, organization=cast.c1, kind="deputy")

    first = cycles_advance(today=timezone.localdate())
    second = cycles_advance(today=timezone.localdate())

    assert _open(dave, Todo.Kind.REVIEW_WAITING) == _open(cast.officer, Todo.Kind.REVIEW_WAITING)
    todo = Todo.objects.get(user=dave, kind=Todo.Kind.REVIEW_WAITING)
    assert todo.meeting == record and todo.organization == cast.branch_a
    assert first["reminders"]["created"] == 1 and second["reminders"]["created"] == 0
    assert not _open(cast.charlie, Todo.Kind.REVIEW_WAITING)  # C2's side sees nothing of C1's queue


def test_review_todos_close_once_the_record_is_no_longer_waiting(mid_period, cast):
    record = meeting_save(
        by=cast.alice,
        organization=cast.branch_a,
        data={
            "kind": "theme_day",
            "held_at": timezone.now() - datetime.timedelta(days=2),
            "topics": "重温入党誓词",
        },
        attendance=[AttendanceEntry(cast.alice_member.pk, "present")],
        submit=True,
    )
    other = _meeting(
        cast.branch_a,
        Meeting.Kind.PARTY_LECTURE,
        held_at=timezone.now() - datetime.timedelta(days=3),
        status=Meeting.Status.SUBMITTED,
    )
    Meeting.objects.filter(pk=other.pk).update(reviewer=cast.c1, submitted_at=timezone.now())
    cycles_advance(today=timezone.localdate())
    assert len(_open(cast.officer, Todo.Kind.REVIEW_WAITING)) == 2

    meeting_approve(meeting=record, by=cast.officer)  # the service closes its own to-do at once
    assert len(_open(cast.officer, Todo.Kind.REVIEW_WAITING)) == 1
    # The other one leaves the queue without the service (an administrator sent it back to draft):
    # the daily step notices and closes its to-do.
    Meeting.objects.filter(pk=other.pk).update(status=Meeting.Status.DRAFT)
    result = cycles_advance(today=timezone.localdate())
    assert not _open(cast.officer, Todo.Kind.REVIEW_WAITING) and result["reminders"]["closed"] == 1


@pytest.mark.parametrize("value", ["2026-13-01", "yesterday", "21/11/2026", ""])
def test_a_bad_today_is_a_clear_command_error(db, value):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("advance_cycles", today=value, stdout=io.StringIO())


def test_without_today_the_command_acts_on_today(cast):
    out = io.StringIO()
    call_command("advance_cycles", stdout=out)
    assert f"advance_cycles for {timezone.localdate().isoformat()}:" in out.getvalue()


def test_the_celery_task_is_a_thin_adapter_of_the_same_step(cast):
    result = advance_cycles.delay(today=NEAR_END.isoformat()).get()  # eager in the test settings
    assert result["reminders"] == {"created": 6, "closed": 0}
    assert advance_cycles.delay(today=NEAR_END.isoformat()).get()["reminders"] == {"created": 0, "closed": 0}


def test_beat_runs_it_every_day_at_two_beijing_time():
    from config.celery import app

    entry = app.conf.beat_schedule["advance-cycles-daily"]
    assert entry["task"] == advance_cycles.name == "assessments.tasks.advance_cycles"
    assert entry["schedule"].hour == {2} and entry["schedule"].minute == {0}
    assert entry["schedule"].day_of_week == set(range(7)) and app.conf.timezone == "Asia/Shanghai"
