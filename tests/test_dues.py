"""Dues (issue 8): every bracket edge, versioned tables, the ledger, the six-month lapse and the year list."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from members.models import DuesBracket, DuesPayment
from members.rules import add_months, first_of_month
from members.selectors.lifecycle import dues_year_list, lifecycle_due
from members.services.dues import dues_amount, dues_declare, dues_record
from tests.factories import MemberFactory

DAY = datetime.date(2025, 6, 1)
TODAY = timezone.localdate()


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("0", "0.00"),
        ("2999.99", "15.00"),
        ("3000", "15.00"),  # exactly 3000: 0.5 %
        ("3000.01", "30.00"),  # 1 % above 3000
        ("5000", "50.00"),  # exactly 5000: 1 %
        ("5000.01", "75.00"),  # 1.5 %
        ("10000", "150.00"),  # exactly 10000: 1.5 %
        ("10000.01", "200.00"),  # 2 %
        ("12345.67", "246.91"),  # rounded half-up to the fen
        ("3001", "30.01"),
    ],
)
def test_employee_brackets_at_their_edges(db, base, expected):
    assert dues_amount(base=Decimal(base), kind="employee", day=DAY) == Decimal(expected)


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("5000", "25.00"),  # pension exactly 5000: 0.5 %
        ("5000.01", "50.00"),  # 1 % above
        ("1234.50", "6.17"),  # 6.1725 → 6.17
        ("1235.00", "6.18"),  # 6.175 → 6.18 (half-up)
    ],
)
def test_retiree_brackets(db, base, expected):
    assert dues_amount(base=Decimal(base), kind="retiree", day=DAY) == Decimal(expected)


@pytest.mark.parametrize("kind", ["student", "relief"])
def test_students_and_relief_pay_twenty_fen(db, kind):
    assert dues_amount(base=Decimal("0"), kind=kind, day=DAY) == Decimal("0.20")
    assert dues_amount(base=Decimal("800"), kind=kind, day=DAY) == Decimal("0.20")


def test_a_newer_table_applies_from_its_date(db):
    DuesBracket.objects.create(valid_from=datetime.date(2026, 1, 1), kind="student", amount=Decimal("0.5"))
    assert dues_amount(base=Decimal(0), kind="student", day=datetime.date(2025, 12, 31)) == Decimal("0.20")
    assert dues_amount(base=Decimal(0), kind="student", day=datetime.date(2026, 1, 1)) == Decimal("0.50")


def test_negative_base_refused(db):
    with pytest.raises(ValidationError):
        dues_amount(base=Decimal("-1"), kind="employee", day=DAY)


def _declared(member, base="4000", kind="employee", since=datetime.date(2024, 1, 1)):
    return dues_declare(member=member, kind=kind, base=Decimal(base), valid_from=since, by=None)


def test_ledger_paid_by_other_exempt_and_no_double_count(cast):
    _declared(cast.bob_member)
    month = first_of_month(TODAY)
    line = dues_record(member=cast.bob_member, month=month, status="paid", by=cast.alice)
    assert line.amount == Decimal("40.00")
    with pytest.raises(ValidationError):
        dues_record(member=cast.bob_member, month=month, status="paid", by=cast.alice)
    assert DuesPayment.objects.filter(member=cast.bob_member).count() == 1
    _declared(cast.alice_member, base="9000")
    previous = add_months(month, -1)
    with pytest.raises(ValidationError):
        dues_record(member=cast.alice_member, month=previous, status="paid_by_other", by=cast.alice)
    with pytest.raises(ValidationError):  # another branch's member cannot pay on her behalf
        dues_record(
            member=cast.alice_member,
            month=previous,
            status="paid_by_other",
            by=cast.alice,
            paid_by=cast.charlie_member,
        )
    line = dues_record(
        member=cast.alice_member,
        month=previous,
        status="paid_by_other",
        by=cast.alice,
        paid_by=cast.bob_member,
    )
    assert line.amount == Decimal("135.00") and line.paid_by == cast.bob_member
    with pytest.raises(ValidationError):
        dues_record(member=cast.alice_member, month=add_months(month, -2), status="exempt", by=cast.alice)
    exempt = dues_record(
        member=cast.alice_member,
        month=add_months(month, -2),
        status="exempt",
        by=cast.alice,
        approval="支委会 2025-01-05",
    )
    assert exempt.amount == 0
    with pytest.raises(ValidationError):
        dues_record(member=cast.alice_member, month=add_months(month, 1), status="paid", by=cast.alice)


def test_ledger_needs_a_declaration_and_the_right_branch(cast):
    with pytest.raises(ValidationError):
        dues_record(member=cast.bob_member, month=TODAY, status="paid", by=cast.alice)
    with pytest.raises(PermissionDenied):
        dues_record(member=cast.bob_member, month=TODAY, status="paid", by=cast.charlie)


def test_six_months_unpaid_is_flagged(cast):
    cast.bob_member.joined_on = datetime.date(2015, 1, 1)
    cast.bob_member.save()
    _declared(cast.bob_member)
    _declared(cast.alice_member)
    lapse_month = first_of_month(add_months(TODAY, -6))
    dues_record(member=cast.bob_member, month=add_months(lapse_month, -1), status="paid", by=None)
    dues_record(member=cast.alice_member, month=lapse_month, status="paid", by=None)
    flagged = {
        item.member_id
        for item in lifecycle_due(organization=cast.branch_a, today=TODAY)
        if item.topic == "dues"
    }
    assert cast.bob_member.pk in flagged and cast.alice_member.pk not in flagged


def test_year_list_shows_arrears_and_totals(cast):
    _declared(cast.bob_member, base="3000", since=datetime.date(2025, 1, 1))
    for month in (1, 2, 4):
        dues_record(member=cast.bob_member, month=datetime.date(2025, month, 1), status="paid", by=None)
    data = dues_year_list(branch=cast.branch_a, year=2025, today=datetime.date(2025, 5, 20))
    bob = next(row for row in data["rows"] if row["member"] == cast.bob_member)
    assert bob["paid"] == Decimal("45.00")
    assert bob["arrears"] == [datetime.date(2025, 3, 1), datetime.date(2025, 5, 1)]


def test_ledger_page_records_and_refuses_other_branches(
    cast, as_alice, as_charlie, django_assert_num_queries
):
    _declared(cast.bob_member)
    url = reverse("members:dues", args=[cast.branch_a.pk])
    # 1 session, 2 user, 3 the unit, 4 view permission, 5 manage permission, ledger: 6 members,
    # 7 declarations, 8 payments, 9 the roster for "paid by"; template: 10 breadcrumb, 11 the declaration
    # form's member choices, 12 the flags beside the members' names (the 民主评议 source's approved entries).
    with django_assert_num_queries(12):
        assert as_alice.get(url).status_code == 200
    for _ in range(5):
        _declared(MemberFactory(branch=cast.branch_a))
    with django_assert_num_queries(12):
        assert len(as_alice.get(url).context["rows"]) == 7
    response = as_alice.post(url, {"action": "record", "member": cast.bob_member.pk, "status": "paid"})
    assert response.status_code == 302
    assert DuesPayment.objects.filter(member=cast.bob_member).count() == 1
    assert (
        as_alice.post(url, {"action": "record", "member": cast.bob_member.pk, "status": "paid"}).status_code
        == 400
    )
    assert DuesPayment.objects.filter(member=cast.bob_member).count() == 1
    assert as_charlie.get(url).status_code == 403
    assert (
        as_charlie.post(url, {"action": "record", "member": cast.bob_member.pk, "status": "paid"}).status_code
        == 403
    )
    year = as_alice.get(reverse("members:dues_year", args=[cast.branch_a.pk, TODAY.year]))
    assert year.status_code == 200 and "鲍勃" in year.content.decode()


def test_year_list_page_query_count_is_fixed(cast, as_alice, django_assert_num_queries):
    url = reverse("members:dues_year", args=[cast.branch_a.pk, 2025])
    _declared(cast.bob_member, since=datetime.date(2025, 1, 1))
    # 1 session, 2 user, 3 the unit, 4 view permission, dues_year_list: 5 members, 6 declarations,
    # 7 payments; 8 manage permission (the Word document), 9 the branch's own role (the publish button: the
    # branch publishes its list, issue 22); template: 10 breadcrumb.
    with django_assert_num_queries(10):
        as_alice.get(url)
    for _ in range(4):
        member = MemberFactory(branch=cast.branch_a)
        _declared(member, since=datetime.date(2025, 1, 1))
        dues_record(member=member, month=datetime.date(2025, 2, 1), status="paid", by=None)
    with django_assert_num_queries(10):
        response = as_alice.get(url)
    assert len(response.context["data"]["rows"]) == 6
