"""Dues exemptions (issue 22): the branch asks, the secondary committee approves or returns with a reason;
an approved exemption settles its months for the lapse to-do and the dashboard's arrears."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from branches.services import role_assign
from branches.models import Role
from members.figures import collect_dues
from members.models import DuesExemption
from members.selectors.lifecycle import lifecycle_due
from members.services.dues import dues_declare, dues_record
from members.services.dues_exemptions import (
    dues_exemption_approve,
    dues_exemption_request,
    dues_exemption_resubmit,
    dues_exemption_return,
)
from tests.factories import MemberFactory, UserFactory

TODAY = datetime.date(2026, 5, 20)  # the lapse window: 2025-11 … 2026-05 (6 months before May: November)
NOW = datetime.datetime(2026, 5, 20, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def pinned_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _request(cast, first=datetime.date(2026, 1, 1), months=6, by=None, **extra):
    return dues_exemption_request(
        member=cast.bob_member,
        first_month=first,
        months=months,
        reason="长期病休，无收入",
        by=by or cast.alice,
        today=TODAY,
        **extra,
    )


def _lapsed(cast) -> set[int]:
    return {
        item.member_id
        for item in lifecycle_due(organization=cast.branch_a, today=TODAY)
        if item.topic == "dues"
    }


def _old_member(cast):
    cast.bob_member.joined_on = datetime.date(2015, 1, 1)
    cast.bob_member.save()
    dues_declare(
        member=cast.bob_member,
        kind="employee",
        base=Decimal(4000),
        valid_from=datetime.date(2024, 1, 1),
        by=None,
    )
    # Last paid: October 2025, the month before the window opens.
    dues_record(member=cast.bob_member, month=datetime.date(2025, 10, 1), status="paid", by=None, today=TODAY)


def test_the_branch_asks_the_committee_approves_and_history_keeps_each_step(cast):
    exemption = _request(cast)
    assert exemption.approver == cast.c1  # the secondary committee above the branch
    assert (exemption.first_month, exemption.last_month, exemption.months) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 6, 1),
        6,
    )
    assert exemption.status == DuesExemption.Status.SUBMITTED
    with pytest.raises(PermissionDenied):  # the branch does not approve its own request
        dues_exemption_approve(exemption=exemption, by=cast.alice)
    with pytest.raises(PermissionDenied):  # nor does another committee's branch
        dues_exemption_approve(exemption=exemption, by=cast.charlie)
    dues_exemption_approve(exemption=exemption, by=cast.officer)
    exemption.refresh_from_db()
    assert exemption.status == DuesExemption.Status.APPROVED and exemption.reviewed_by == cast.officer
    with pytest.raises(ValidationError):  # decided once
        dues_exemption_return(exemption=exemption, by=cast.officer, reason="再议")
    history = list(exemption.history.order_by("history_id").values_list("status", "history_user_id"))
    assert history == [("submitted", cast.alice.pk), ("approved", cast.officer.pk)]


def test_returned_with_a_reason_and_sent_again(cast):
    exemption = _request(cast)
    with pytest.raises(ValidationError):
        dues_exemption_return(exemption=exemption, by=cast.officer, reason="  ")
    dues_exemption_return(exemption=exemption, by=cast.officer, reason="缺少病休证明")
    exemption.refresh_from_db()
    assert exemption.status == "returned" and exemption.return_reason == "缺少病休证明"
    with pytest.raises(PermissionDenied):  # units above read; the branch corrects its own request
        dues_exemption_resubmit(
            exemption=exemption,
            first_month=datetime.date(2026, 2, 1),
            months=3,
            reason="附证明",
            by=cast.officer,
            today=TODAY,
        )
    dues_exemption_resubmit(
        exemption=exemption,
        first_month=datetime.date(2026, 2, 1),
        months=3,
        reason="附病休证明",
        by=cast.alice,
        today=TODAY,
    )
    exemption.refresh_from_db()
    assert (exemption.status, exemption.return_reason, exemption.last_month) == (
        "submitted",
        "",
        datetime.date(2026, 4, 1),
    )
    assert list(exemption.history.order_by("history_id").values_list("status", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
    ]
    # The return's reason is kept in the history even though the record no longer carries it.
    assert exemption.history.filter(status="returned").get().return_reason == "缺少病休证明"


@pytest.mark.parametrize(
    ("first", "months", "ok"),
    [
        (datetime.date(2026, 5, 1), 0, False),
        (datetime.date(2026, 5, 1), 1, True),
        (datetime.date(2026, 5, 1), 12, True),
        (datetime.date(2026, 5, 1), 13, False),
        (datetime.date(2025, 5, 1), 1, True),  # exactly twelve months back
        (datetime.date(2025, 4, 1), 1, False),  # thirteen
        (datetime.date(2027, 5, 1), 1, True),  # exactly twelve months ahead
        (datetime.date(2027, 6, 1), 1, False),
    ],
)
def test_months_are_bounded(cast, first, months, ok):
    if ok:
        assert _request(cast, first=first, months=months).months == months
    else:
        with pytest.raises(ValidationError):
            _request(cast, first=first, months=months)


def test_refusals_reason_overlap_non_member_and_permission(cast):
    with pytest.raises(ValidationError):
        dues_exemption_request(
            member=cast.bob_member, first_month=TODAY, months=1, reason=" ", by=cast.alice, today=TODAY
        )
    with pytest.raises(ValidationError):
        dues_exemption_request(
            member=cast.bob_member, first_month=TODAY, months=1, reason="x" * 501, by=cast.alice, today=TODAY
        )
    applicant = MemberFactory(branch=cast.branch_a, stage="applicant")
    with pytest.raises(ValidationError):
        dues_exemption_request(
            member=applicant, first_month=TODAY, months=1, reason="无", by=cast.alice, today=TODAY
        )
    with pytest.raises(PermissionDenied):  # the committee above reads dues; it does not ask for them
        _request(cast, by=cast.officer)
    _request(cast, first=datetime.date(2026, 1, 1), months=6)
    with pytest.raises(ValidationError):  # June overlaps
        _request(cast, first=datetime.date(2026, 6, 1), months=2)
    assert _request(cast, first=datetime.date(2026, 7, 1), months=2).months == 2  # the next months are free


def test_a_second_submission_of_the_form_is_the_same_request(cast):
    key = "0f6a3a5e-5a1e-4c3b-9a45-0d1b7f0e2f11"
    first = _request(cast, request_key=key)
    assert _request(cast, request_key=key) == first
    assert DuesExemption.objects.count() == 1


def test_an_approved_exemption_settles_the_lapse_at_its_edges(cast):
    _old_member(cast)
    assert cast.bob_member.pk in _lapsed(cast)  # nothing since October
    # An exemption that ended the month before the window (October) does not help.
    old = _request(cast, first=datetime.date(2025, 9, 1), months=2)
    dues_exemption_approve(exemption=old, by=cast.officer)
    assert cast.bob_member.pk in _lapsed(cast)
    # One covering November, the window's first month: settled.
    november = _request(cast, first=datetime.date(2025, 11, 1), months=1)
    assert cast.bob_member.pk in _lapsed(cast)  # asked for, not yet approved: still lapsed
    dues_exemption_approve(exemption=november, by=cast.officer)
    assert cast.bob_member.pk not in _lapsed(cast)


def test_a_returned_or_future_exemption_does_not_settle(cast):
    _old_member(cast)
    returned = _request(cast, first=datetime.date(2025, 11, 1), months=6)
    dues_exemption_return(exemption=returned, by=cast.officer, reason="缺证明")
    assert cast.bob_member.pk in _lapsed(cast)
    future = _request(cast, first=datetime.date(2026, 6, 1), months=3)  # starts next month
    dues_exemption_approve(exemption=future, by=cast.officer)
    assert cast.bob_member.pk in _lapsed(cast)


def test_the_dashboard_counts_an_exempted_member_neither_in_arrears_nor_lapsed(cast):
    _old_member(cast)
    for member in (cast.alice_member,):
        dues_declare(
            member=member, kind="employee", base=Decimal(4000), valid_from=datetime.date(2024, 1, 1), by=None
        )
        dues_record(member=member, month=datetime.date(2026, 4, 1), status="paid", by=None, today=TODAY)

    def figures():
        return dict(row for row in collect_dues(cast.university, TODAY) if "members" in row[1])[
            cast.branch_a.pk
        ]

    assert figures() == {"members": 2, "arrears": 1, "lapsed": 1}
    dues_exemption_approve(
        exemption=_request(cast, first=datetime.date(2026, 3, 1), months=1), by=cast.officer
    )
    assert figures() == {"members": 2, "arrears": 1, "lapsed": 0}  # March: not lapsed, April still open
    dues_exemption_approve(
        exemption=_request(cast, first=datetime.date(2026, 4, 1), months=12), by=cast.officer
    )
    assert figures() == {"members": 2, "arrears": 0, "lapsed": 0}


def test_the_university_officer_approves_too(cast):
    zzb = UserFactory(username="zzb")
    role_assign(user=zzb, organization=cast.university, kind=Role.Kind.OFFICER)
    dues_exemption_approve(exemption=_request(cast), by=zzb)
    assert DuesExemption.objects.get().status == "approved"


# --- pages ---------------------------------------------------------------------------------------------------


def test_the_branch_page_asks_and_the_committee_page_approves(cast, as_alice, as_officer, as_charlie):
    url = reverse("members:dues_exemptions", args=[cast.branch_a.pk])
    page = as_alice.get(url)
    assert page.status_code == 200 and "exemption-request" in page.content.decode()
    form = page.context["form"]
    data = {
        "request_key": str(form["request_key"].initial),
        "member": cast.bob_member.pk,
        "first_month": "2026-05-01",
        "months": "3",
        "reason": "家庭困难",
    }
    assert as_alice.post(url, data).status_code == 302
    assert as_alice.post(url, data).status_code == 302  # the same form again: still one request
    exemption = DuesExemption.objects.get()
    assert as_alice.post(url, data | {"request_key": "", "months": "13"}).status_code == 400
    assert as_alice.post(url, data | {"request_key": "", "first_month": "2020-01-01"}).status_code == 400
    # The committee's secretary reads the branch's page without the form, and cannot ask.
    branch_page = as_officer.get(url)
    assert branch_page.status_code == 200 and branch_page.context["form"] is None
    assert as_officer.post(url, data | {"request_key": ""}).status_code == 403
    # Its own page lists the request with approve / return.
    committee = as_officer.get(reverse("members:dues_exemptions", args=[cast.c1.pk]))
    assert committee.context["rows"][0]["may_decide"]
    # Another committee's branch secretary sees neither page nor buttons.
    assert as_charlie.get(url).status_code == 403
    assert as_charlie.post(reverse("members:dues_exemption_approve", args=[exemption.pk])).status_code == 403
    assert as_alice.post(reverse("members:dues_exemption_approve", args=[exemption.pk])).status_code == 403
    assert as_officer.get(reverse("members:dues_exemption_approve", args=[exemption.pk])).status_code == 405
    returned = as_officer.post(reverse("members:dues_exemption_return", args=[exemption.pk]), {"reason": ""})
    assert returned.status_code == 302 and DuesExemption.objects.get().status == "submitted"
    as_officer.post(reverse("members:dues_exemption_return", args=[exemption.pk]), {"reason": "请补充证明"})
    assert DuesExemption.objects.get().status == "returned"
    resubmit = reverse("members:dues_exemption_resubmit", args=[exemption.pk])
    assert (
        as_officer.post(resubmit, {"first_month": "2026-05-01", "months": "3", "reason": "补"}).status_code
        == 403
    )
    as_alice.post(resubmit, {"first_month": "2026-05-01", "months": "2", "reason": "已补充证明"})
    assert DuesExemption.objects.get().status == "submitted"
    as_officer.post(reverse("members:dues_exemption_approve", args=[exemption.pk]))
    assert DuesExemption.objects.get().status == "approved"


def test_the_list_pins_its_queries(cast, as_officer, django_assert_num_queries):
    url = reverse("members:dues_exemptions", args=[cast.c1.pk])
    _request(cast)
    # 1 session, 2 user, 3 the unit, 4 view permission (the roster is not read above a branch: no form),
    # 5 the requests with member, branch, approver and people, 6 the approving units the officer decides on;
    # template: 7 breadcrumb.
    with django_assert_num_queries(7):
        as_officer.get(url)
    for _ in range(4):
        dues_exemption_request(
            member=MemberFactory(branch=cast.branch_a),
            first_month=TODAY,
            months=1,
            reason="困难",
            by=cast.alice,
            today=TODAY,
        )
    with django_assert_num_queries(7):
        response = as_officer.get(url)
    assert len(response.context["rows"]) == 5 and all(row["may_decide"] for row in response.context["rows"])


def test_the_lapse_to_do_closes_when_the_exemption_is_approved(cast):
    from assessments.services import cycles_advance
    from disclosure.models import Todo

    def lapse_todos():
        return Todo.objects.open().filter(
            user=cast.alice,
            kind=Todo.Kind.MEMBER_AFFAIRS,
            key__startswith=f"lifecycle:dues:{cast.bob_member.pk}:",
        )

    _old_member(cast)
    cycles_advance(today=TODAY)
    assert lapse_todos().count() == 1
    exemption = _request(cast, first=datetime.date(2025, 11, 1), months=7)
    cycles_advance(today=TODAY)
    assert lapse_todos().count() == 1  # asked for only
    dues_exemption_approve(exemption=exemption, by=cast.officer)
    cycles_advance(today=TODAY + datetime.timedelta(days=1))
    assert lapse_todos().count() == 0


def test_the_approving_committee_gets_a_to_do_until_it_decides(cast):
    """A waiting request is the committee's to-do (its organiser here), linked to its exemptions page, not the
    branch's; it closes once decided, returned or approved, and comes back when the branch sends it again."""
    from assessments.services import cycles_advance
    from disclosure.models import Todo
    from disclosure.panels import _todo_url

    def decide_todos(user):
        return Todo.objects.open().filter(user=user, key__startswith="lifecycle:exemption:")

    exemption = _request(cast)
    cycles_advance(today=TODAY)
    (todo,) = decide_todos(cast.officer)
    assert todo.key == f"lifecycle:exemption:{exemption.pk}" and todo.organization_id == cast.c1.pk
    assert "鲍勃" in todo.text and todo.due_on == TODAY
    assert _todo_url(todo) == reverse("members:dues_exemptions", args=[cast.c1.pk])
    assert not decide_todos(cast.alice).exists()  # the branch asked; the decision is the committee's
    dues_exemption_return(exemption=exemption, by=cast.officer, reason="请附病休证明")
    cycles_advance(today=TODAY)
    assert not decide_todos(cast.officer).exists()
    dues_exemption_resubmit(
        exemption=exemption,
        first_month=datetime.date(2026, 1, 1),
        months=6,
        reason="长期病休，附证明",
        by=cast.alice,
        today=TODAY,
    )
    cycles_advance(today=TODAY)
    assert decide_todos(cast.officer).count() == 1
    dues_exemption_approve(exemption=exemption, by=cast.officer)
    cycles_advance(today=TODAY)
    assert not decide_todos(cast.officer).exists()


def test_the_demo_step_shows_each_status_with_its_history(cast):
    import random
    from types import SimpleNamespace

    from members.demo_lifecycle import _exemptions

    builder = SimpleNamespace(today=TODAY, seed=7)
    wanted = [(cast.bob_member, datetime.date(2025, 11, 1), 12)] * 10 + [
        (cast.alice_member, datetime.date(2026, 6, 1), 3)
    ] * 10
    assert _exemptions(builder, random.Random(3), wanted) == 20
    rows = DuesExemption.objects.all()
    assert {e.approver for e in rows} == {cast.c1}
    assert {e.status for e in rows if e.member == cast.bob_member} == {"approved", "submitted"}
    assert {e.status for e in rows if e.member == cast.alice_member} <= {"submitted", "returned"}
    assert all(e.return_reason for e in rows if e.status == "returned")
    assert DuesExemption.history.count() == 20


def test_all_paid_this_month_records_an_exempted_member_as_exempt(cast):
    from members.models import DuesPayment
    from members.services.dues import dues_record_month

    _old_member(cast)
    dues_declare(
        member=cast.alice_member,
        kind="employee",
        base=Decimal(4000),
        valid_from=datetime.date(2024, 1, 1),
        by=None,
    )
    dues_exemption_approve(
        exemption=_request(cast, first=datetime.date(2026, 4, 1), months=2), by=cast.officer
    )
    # Asked for, not approved: no effect on the month.
    _request(cast, first=datetime.date(2026, 3, 1), months=1)
    dues_record_month(branch=cast.branch_a, month=datetime.date(2026, 5, 1), by=cast.alice, today=TODAY)
    lines = {p.member_id: p for p in DuesPayment.objects.filter(month=datetime.date(2026, 5, 1))}
    bob, alice = lines[cast.bob_member.pk], lines[cast.alice_member.pk]
    assert (bob.status, bob.amount, bob.paid_on, bob.approval) == (
        "exempt",
        Decimal(0),
        None,
        cast.c1.display_name,
    )
    assert (alice.status, alice.amount) == ("paid", Decimal("40.00"))
    dues_record_month(branch=cast.branch_a, month=datetime.date(2026, 3, 1), by=cast.alice, today=TODAY)
    assert DuesPayment.objects.get(member=cast.bob_member, month=datetime.date(2026, 3, 1)).status == "paid"


def test_the_members_home_does_not_ask_for_exempted_months(cast, as_bob):
    from members.selectors.lifecycle import member_dues_summary

    dues_declare(
        member=cast.bob_member,
        kind="employee",
        base=Decimal(4000),
        valid_from=datetime.date(2024, 1, 1),
        by=None,
    )
    assert len(member_dues_summary(member=cast.bob_member, today=TODAY)["unpaid"]) == 5  # January to May
    dues_exemption_approve(
        exemption=_request(cast, first=datetime.date(2026, 2, 1), months=2), by=cast.officer
    )
    summary = member_dues_summary(member=cast.bob_member, today=TODAY)
    assert (
        summary["unpaid"] == [datetime.date(2026, m, 1) for m in (1, 4, 5)] and summary["exemption"] is None
    )
    dues_exemption_approve(
        exemption=_request(cast, first=datetime.date(2026, 5, 1), months=3), by=cast.officer
    )
    assert member_dues_summary(member=cast.bob_member, today=TODAY)["exemption"].last_month == datetime.date(
        2026, 7, 1
    )
    page = as_bob.get(reverse("members:me")).content.decode()
    assert "2026年5月至2026年7月免交党费（已批准）" in page
