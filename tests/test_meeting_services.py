"""Minutes: draft, submit, quorum, 退回, approve, lateness, compliance, reminders (services and selectors)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from branches.services import role_assign
from disclosure.models import Meeting, Todo
from disclosure.selectors import compliance
from disclosure.services import (
    AttendanceEntry,
    meeting_approve,
    meeting_return,
    meeting_save,
    reminders_advance,
)
from tests.factories import MemberFactory


def _at(days_ago: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days_ago)


def _everyone(cast, *, absent=()):
    members = list(cast.branch_a.members.party_members())
    return [
        AttendanceEntry(m.pk, "absent" if m in absent else "present", "出差" if m in absent else "")
        for m in members
    ]


def _data(**extra):
    return {
        "kind": "general_assembly",
        "held_at": _at(2),
        "place": "会议室",
        "chair": "艾丽",
        "recorder": "鲍勃",
        "topics": "学习党章",
        "minutes": "<p>讨论</p><script>alert(1)</script>",
        "takes_vote": False,
    } | extra


def test_draft_then_submit_derives_counts_and_sanitises(cast):
    meeting = meeting_save(
        by=cast.alice, organization=cast.branch_a, data=_data(), attendance=_everyone(cast)
    )
    assert (
        meeting.status == "draft" and "<script>" not in meeting.minutes and "<p>讨论</p>" in meeting.minutes
    )
    assert (meeting.expected_count, meeting.present_count) == (2, 2)
    meeting = meeting_save(
        by=cast.alice,
        organization=cast.branch_a,
        data=_data(),
        attendance=_everyone(cast),
        meeting=meeting,
        submit=True,
    )
    assert meeting.status == "submitted" and meeting.reviewer == cast.c1
    assert meeting.filing_lag_days == 2 and not meeting.is_late
    assert Todo.objects.filter(user=cast.officer, kind="review_waiting").count() == 1


def test_a_new_record_is_saved_once_one_created_row_with_its_counts(cast):
    """Issue 15: creating a record wrote two history rows (the insert, then the counts) that the page had to
    merge; now one "created" row by the secretary, with the derived counts and the submission in it."""
    meeting = meeting_save(
        by=cast.alice, organization=cast.branch_a, data=_data(), attendance=_everyone(cast)
    )
    rows = list(meeting.history.all())
    assert len(rows) == 1
    assert rows[0].history_type == "+" and rows[0].history_user == cast.alice
    assert (rows[0].expected_count, rows[0].present_count, rows[0].status) == (2, 2, "draft")
    meeting = meeting_save(
        by=cast.alice,
        organization=cast.branch_a,
        data=_data(decisions="通过"),
        attendance=_everyone(cast),
        meeting=meeting,
        submit=True,
    )
    assert [r.history_type for r in meeting.history.order_by("history_date", "history_id")] == ["+", "~"]


def test_a_vote_without_a_majority_present_is_refused(cast):
    extra = [MemberFactory(branch=cast.branch_a) for _ in range(2)]
    attendance = _everyone(cast, absent=extra + [cast.bob_member])  # 1 of 4 voting members present
    with pytest.raises(ValidationError) as excinfo:
        meeting_save(
            by=cast.alice,
            organization=cast.branch_a,
            data=_data(takes_vote=True),
            attendance=attendance,
            submit=True,
        )
    assert "4" in excinfo.value.messages[0] and "1" in excinfo.value.messages[0]
    assert not Meeting.objects.exists()  # the submit is one transaction: nothing half-saved


def test_late_filing_is_accepted_and_marked(cast):
    meeting = meeting_save(
        by=cast.alice,
        organization=cast.branch_a,
        data=_data(held_at=_at(10)),
        attendance=_everyone(cast),
        submit=True,
    )
    assert meeting.is_late and meeting.filing_lag_days == 10


def test_return_fix_resubmit_approve(cast):
    meeting = meeting_save(
        by=cast.alice, organization=cast.branch_a, data=_data(), attendance=_everyone(cast), submit=True
    )
    with pytest.raises(PermissionDenied):
        meeting_return(meeting=meeting, by=cast.charlie, reason="x")
    meeting = meeting_return(meeting=meeting, by=cast.officer, reason="缺少决议")
    assert meeting.status == "returned"
    assert Todo.objects.open().filter(user=cast.alice, kind="returned").count() == 1
    meeting = meeting_save(
        by=cast.alice,
        organization=cast.branch_a,
        data=_data(decisions="通过"),
        attendance=_everyone(cast),
        meeting=meeting,
        submit=True,
    )
    assert Todo.objects.open().filter(user=cast.alice, kind="returned").count() == 0
    meeting = meeting_approve(meeting=meeting, by=cast.officer)
    assert meeting.status == "approved" and meeting.history.count() >= 4
    with pytest.raises(ValidationError):
        meeting_save(
            by=cast.alice,
            organization=cast.branch_a,
            data=_data(),
            attendance=_everyone(cast),
            meeting=meeting,
        )


def test_other_branch_secretary_cannot_file(cast):
    with pytest.raises(PermissionDenied):
        meeting_save(by=cast.charlie, organization=cast.branch_a, data=_data(), attendance=[])


def test_compliance_counts_approved_meetings_in_fixed_queries(cast, django_assert_num_queries):
    meeting = meeting_save(
        by=cast.alice, organization=cast.branch_a, data=_data(), attendance=_everyone(cast), submit=True
    )
    meeting_approve(meeting=meeting, by=cast.officer)
    today = timezone.localdate()
    with django_assert_num_queries(4):  # the meeting was held two days ago: last year's, on 1 January
        report = compliance(root=cast.university, year=meeting.held_on.year, today=today)
    a = next(e for e in report if e.branch == cast.branch_a)
    assembly = next(r for r in a.rows if r.kind == "general_assembly")
    quarter = (meeting.held_on.month - 1) // 3
    assert assembly.cells[quarter].state == "done"
    assert [r.kind for r in a.rows if r.kind == "branch_committee"] == []  # fewer than 7 full members


def test_reminders_are_idempotent(cast):
    role_assign(user=cast.officer, organization=cast.c1, kind="secretary")
    today = datetime.date(timezone.localdate().year, 12, 28)
    first = reminders_advance(today=today)
    second = reminders_advance(today=today)
    assert first["created"] > 0 and second["created"] == 0
    assert Todo.objects.filter(user=cast.alice, kind="meeting_missing").exists()


def test_a_missing_meeting_stays_on_the_list_while_a_late_filing_is_possible(cast, settings):
    settings.MINUTES_FILING_DAYS = 7
    year = timezone.localdate().year - 1
    key = f"missing:{cast.branch_a.pk}:theme_day:{year}-03"
    reminders_advance(today=datetime.date(year, 3, 28))  # March's 主题党日 is due, not held
    assert Todo.objects.open().filter(user=cast.alice, key=key).exists()
    reminders_advance(today=datetime.date(year, 4, 5))  # March is over, but a late record is still welcome
    assert Todo.objects.open().filter(user=cast.alice, key=key).exists()
    reminders_advance(today=datetime.date(year, 4, 9))  # past the filing window: the miss stays in compliance
    assert not Todo.objects.open().filter(user=cast.alice, key=key).exists()


def test_group_meetings_are_not_required_once_the_groups_are_deactivated(cast):
    from branches.services import organization_deactivate
    from tests.factories import make_org

    group = make_org(cast.branch_a, "group", "第一党小组")
    today = timezone.localdate()

    def kinds():
        report = compliance(root=cast.branch_a, year=today.year, today=today)
        return {row.kind for row in report[0].rows}

    assert "group_meeting" in kinds()
    organization_deactivate(organization=group)
    assert "group_meeting" not in kinds()
