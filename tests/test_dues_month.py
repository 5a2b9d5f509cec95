"""Issue 22: dues are the branch's to record — "all paid this month, except …" in one step — and units above
only read them."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from branches.models import Role
from branches.services import role_assign
from members.models import DuesPayment
from members.rules import add_months, first_of_month
from members.services.dues import dues_declare, dues_may_record, dues_record, dues_record_month
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory


def _declare(member, base="4000"):
    return dues_declare(
        member=member, kind="employee", base=Decimal(base), valid_from=datetime.date(2024, 1, 1), by=None
    )


@pytest.fixture
def month():
    return first_of_month(timezone.localdate())


def test_all_paid_except_the_ticked_ones_in_one_step_with_history(cast, month):
    _declare(cast.alice_member)
    _declare(cast.bob_member, base="9000")
    carol = MemberFactory(branch=cast.branch_a, name="卡罗")
    _declare(carol)
    MemberFactory(branch=cast.branch_a, name="丁一")  # no declared base: left open, never guessed
    created = dues_record_month(
        branch=cast.branch_a, month=month, by=cast.alice, except_members={carol.pk}, request_key=uuid.uuid4()
    )
    lines = {line.member_id: line for line in DuesPayment.objects.filter(branch=cast.branch_a, month=month)}
    assert len(created) == 2
    assert set(lines) == {cast.alice_member.pk, cast.bob_member.pk}
    assert lines[cast.bob_member.pk].amount == Decimal("135.00")
    assert lines[cast.bob_member.pk].status == DuesPayment.Status.PAID
    assert lines[cast.bob_member.pk].recorded_by == cast.alice
    history = DuesPayment.history.filter(member_id=cast.bob_member.pk, month=month)
    assert history.count() == 1 and history.get().history_user == cast.alice
    # The left-out member is then recorded on their own line (here: exempt, with who approved it).
    dues_record(member=carol, month=month, status="exempt", approval="学院党委 2026-11-30", by=cast.alice)
    assert DuesPayment.objects.filter(branch=cast.branch_a, month=month).count() == 3


def test_the_same_form_sent_twice_records_once(cast, month):
    _declare(cast.alice_member)
    _declare(cast.bob_member)
    key = uuid.uuid4()
    assert len(dues_record_month(branch=cast.branch_a, month=month, by=cast.alice, request_key=key)) == 2
    assert dues_record_month(branch=cast.branch_a, month=month, by=cast.alice, request_key=key) == []
    assert DuesPayment.objects.filter(branch=cast.branch_a, month=month).count() == 2
    # A new form after that finds nothing left to record and records nothing twice.
    assert dues_record_month(branch=cast.branch_a, month=month, by=cast.alice, request_key=uuid.uuid4()) == []


def test_no_future_month(cast, month):
    _declare(cast.alice_member)
    with pytest.raises(ValidationError):
        dues_record_month(branch=cast.branch_a, month=add_months(month, 1), by=cast.alice)


def test_only_the_branch_records_its_dues(cast, month):
    """The committee's organisation commissioner (cast.officer) holds manage_members on the subtree, yet the
    ledger is the branch's: he reads it, he does not write it. The branch's deputy and commissioner may."""
    _declare(cast.bob_member)
    assert dues_may_record(user=cast.alice, branch=cast.branch_a)
    assert not dues_may_record(user=cast.officer, branch=cast.branch_a)
    assert not dues_may_record(user=cast.charlie, branch=cast.branch_a)
    assert not dues_may_record(user=cast.bob, branch=cast.branch_a)
    with pytest.raises(PermissionDenied):
        dues_record(member=cast.bob_member, month=month, status="paid", by=cast.officer)
    with pytest.raises(PermissionDenied):
        dues_record_month(branch=cast.branch_a, month=month, by=cast.officer)
    with pytest.raises(PermissionDenied):
        dues_declare(
            member=cast.bob_member, kind="employee", base=Decimal(1), valid_from=month, by=cast.officer
        )
    for kind in (Role.Kind.DEPUTY, Role.Kind.ORGANIZER):
        user = UserFactory()
        role_assign(user=user, organization=cast.branch_a, kind=kind)
        assert dues_may_record(user=user, branch=cast.branch_a)
    publicity = UserFactory()
    role_assign(user=publicity, organization=cast.branch_a, kind=Role.Kind.PUBLICITY)
    assert not dues_may_record(user=publicity, branch=cast.branch_a)


def test_the_page_offers_the_step_to_the_branch_and_only_reading_above(cast, as_alice, month):
    _declare(cast.alice_member)
    _declare(cast.bob_member)
    url = reverse("members:dues", args=[cast.branch_a.pk])
    page = as_alice.get(url).content.decode()
    assert 'id="all-paid"' in page and 'name="request_key"' in page
    response = as_alice.post(
        f"{url}?month={month:%Y-%m}",
        {"action": "record_all", "exceptions": [cast.bob_member.pk], "request_key": str(uuid.uuid4())},
    )
    assert response.status_code == 302
    assert list(
        DuesPayment.objects.filter(branch=cast.branch_a, month=month).values_list("member_id", flat=True)
    ) == [cast.alice_member.pk]
    officer = login(cast.officer)
    page = officer.get(url).content.decode()
    assert response.status_code == 302
    assert 'id="all-paid"' not in page and 'id="dues-readonly"' in page and 'value="record"' not in page
    response = officer.post(
        f"{url}?month={month:%Y-%m}", {"action": "record_all", "request_key": str(uuid.uuid4())}
    )
    assert response.status_code == 404
    assert DuesPayment.objects.filter(branch=cast.branch_a, month=month).count() == 1


def test_amounts_on_the_ledger_have_thousands_separators(cast, as_alice, month):
    _declare(cast.bob_member, base="90000")
    page = as_alice.get(reverse("members:dues", args=[cast.branch_a.pk])).content.decode()
    assert "¥1,800.00" in page
