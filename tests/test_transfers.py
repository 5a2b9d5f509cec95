"""Transfers (issue 8): the branch changes only on completion, history kept, one open letter per member,
graduates in bulk (all or none), validity from the rules, permissions with the cast."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from members.models import Member, Transfer
from members.rules import add_months
from members.selectors.lifecycle import lifecycle_due, transfers_for
from members.services.transfers import (
    transfer_complete,
    transfer_in_register,
    transfer_out_bulk,
    transfer_start,
)
from tests.factories import MemberFactory

TODAY = timezone.localdate()
D = datetime.timedelta


def test_within_moves_the_member_only_when_complete(cast):
    transfer = transfer_start(
        member=cast.bob_member,
        direction="within",
        letter_number="校内-1",
        issued_on=TODAY,
        to_branch=cast.branch_b,
        by=cast.alice,
    )
    assert transfer.valid_until == add_months(TODAY, 3)
    assert Member.objects.get(pk=cast.bob_member.pk).branch == cast.branch_a
    with pytest.raises(PermissionDenied):  # the receiving branch completes it
        transfer_complete(transfer=transfer, completed_on=TODAY, by=cast.alice)
    transfer_complete(transfer=transfer, completed_on=TODAY, by=cast.charlie)
    bob = Member.objects.get(pk=cast.bob_member.pk)
    assert bob.branch == cast.branch_b
    assert bob.history.filter(branch=cast.branch_a).exists()  # history kept
    with pytest.raises(ValidationError):
        transfer_complete(transfer=transfer, completed_on=TODAY, by=cast.charlie)


def test_one_open_transfer_per_member(cast):
    transfer_start(
        member=cast.bob_member,
        direction="out",
        letter_number="A1",
        issued_on=TODAY,
        outside_unit="某市委组织部",
        by=None,
    )
    with pytest.raises(ValidationError):
        transfer_start(
            member=cast.bob_member,
            direction="out",
            letter_number="A2",
            issued_on=TODAY,
            outside_unit="某市委组织部",
            by=None,
        )


def test_out_deactivates_with_receipt_and_in_activates(cast):
    out = transfer_start(
        member=cast.bob_member,
        direction="out",
        letter_number="A1",
        issued_on=TODAY,
        outside_unit="某大学党委",
        dues_paid_to=datetime.date(2026, 6, 15),
        by=cast.alice,
    )
    assert out.dues_paid_to == datetime.date(2026, 6, 1)
    transfer_complete(transfer=out, completed_on=TODAY, by=cast.alice)
    out.refresh_from_db()
    assert out.receipt_returned_on == TODAY and not Member.objects.get(pk=cast.bob_member.pk).is_active
    arrival = transfer_in_register(
        to_branch=cast.branch_a,
        outside_unit="某中学党支部",
        letter_number="IN-1",
        issued_on=TODAY,
        by=cast.alice,
        person={
            "name": "新来",
            "gender": "M",
            "birth_date": datetime.date(1995, 1, 1),
            "category": "teacher",
            "stage": "full",
            "joined_on": datetime.date(2018, 7, 1),
        },
    )
    assert not arrival.member.is_active
    transfer_complete(transfer=arrival, completed_on=TODAY, by=cast.alice)
    assert Member.objects.get(pk=arrival.member_id).is_active


def test_bulk_graduates_all_or_none(cast):
    students = [MemberFactory(branch=cast.branch_b, category="student") for _ in range(3)]
    transfer_start(
        member=students[2], direction="out", letter_number="X", issued_on=TODAY, outside_unit="某地", by=None
    )
    with pytest.raises(ValidationError):
        transfer_out_bulk(
            branch=cast.branch_b,
            members=students,
            outside_unit="某市人才中心",
            letter_prefix="2026毕业",
            issued_on=TODAY,
            by=cast.charlie,
        )
    assert Transfer.objects.count() == 1
    done = transfer_out_bulk(
        branch=cast.branch_b,
        members=students[:2],
        outside_unit="某市人才中心",
        letter_prefix="2026毕业",
        issued_on=TODAY,
        by=cast.charlie,
    )
    assert [t.letter_number for t in done] == ["2026毕业-001", "2026毕业-002"]
    with pytest.raises(PermissionDenied):
        transfer_out_bulk(
            branch=cast.branch_b,
            members=students[:1],
            outside_unit="x",
            letter_prefix="p",
            issued_on=TODAY,
            by=cast.alice,
        )


def test_expiring_letters_are_due(cast):
    transfer_start(
        member=cast.bob_member,
        direction="out",
        letter_number="OLD",
        issued_on=TODAY - D(days=100),
        outside_unit="某地",
        by=None,
    )
    items = [i for i in lifecycle_due(organization=cast.branch_a, today=TODAY) if i.topic == "transfer"]
    assert len(items) == 1 and items[0].overdue


def test_transfers_page_permissions_and_queries(cast, as_alice, as_charlie, django_assert_num_queries):
    url = reverse("members:transfers", args=[cast.branch_a.pk])
    transfer_start(
        member=cast.bob_member,
        direction="within",
        letter_number="T1",
        issued_on=TODAY,
        to_branch=cast.branch_b,
        by=None,
    )
    # 1 session, 2 user, 3 unit, 4 view, 5 manage, 6 transfers with member and branches; template:
    # 7 breadcrumb, 8 the flags beside the members' names (the 民主评议 source's approved entries),
    # 9 member choices, 10 branch choices, 11 bulk member choices.
    with django_assert_num_queries(11):
        assert as_alice.get(url).status_code == 200
    assert as_charlie.get(url).status_code == 403
    response = as_alice.post(
        url,
        {
            "action": "start",
            "member": cast.alice_member.pk,
            "direction": "out",
            "letter_number": "T2",
            "outside_unit": "某地",
            "issued_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    assert transfers_for(organization=cast.branch_a).count() == 2
    assert as_charlie.post(url, {"action": "start"}).status_code == 403


def test_within_stays_in_the_university(cast, as_alice):
    """The letter "within the university" offers and accepts only the university's own branches (the choices
    were every branch of the tree: at a province, a hundred universities' worth on a secretary's page)."""
    from branches.models import Organization
    from tests.factories import make_org

    K = Organization.Kind
    other = make_org(
        make_org(None, K.UNIVERSITY, "中共湖滨大学委员会", code="U2"),
        K.BRANCH,
        "湖滨大学教工党支部",
        code="X",
        category="teacher",
    )
    with pytest.raises(ValidationError):
        transfer_start(
            member=cast.bob_member,
            direction="within",
            letter_number="外校-1",
            issued_on=TODAY,
            to_branch=other,
            by=cast.alice,
        )
    page = as_alice.get(reverse("members:transfers", args=[cast.branch_a.pk])).content.decode()
    assert f'value="{cast.branch_b.pk}"' in page and f'value="{other.pk}"' not in page
    assert not Transfer.objects.exists()
