"""逝世 and 出党 in the UI (issue 21): the member's branch (or a unit above) records a death or departure with
its date and document; the member leaves the active roster from then, history kept, and the 党内统计
"deaths and departures" table counts it by that date at the branch the member left from."""

from __future__ import annotations

import datetime
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from members import statistics
from members.models import Departure, Member, StatTable
from members.selectors import branch_roster
from members.services.departures import may_record_departure, member_depart
from tests.conftest import login
from tests.factories import MemberFactory

TODAY = datetime.date(2026, 6, 15)
pytestmark = pytest.mark.usefixtures("pinned")


@pytest.fixture
def pinned():
    with time_machine.travel(
        datetime.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        yield


def _post(client, member, **data):
    return client.post(
        reverse("members:depart", args=[member.pk]),
        {
            "request_key": str(uuid.uuid4()),
            "reason": "died",
            "left_on": "2026-05-20",
            "document": "死亡证明",
            "note": "",
            "confirm": "on",
            **data,
        },
    )


def _left_cells(unit, as_of) -> dict[str, int]:
    table = StatTable.objects.get(code="left")
    values = statistics.compute_table(table=table, unit=unit, as_of=as_of)
    return {row: values[i][0] for i, (row, _label) in enumerate(table.rows)}


def test_who_may_record(cast):
    member = cast.bob_member
    assert may_record_departure(user=cast.alice, member=member)  # the branch's secretary
    assert may_record_departure(user=cast.officer, member=member)  # the committee above
    assert not may_record_departure(user=cast.charlie, member=member)  # another branch
    assert not may_record_departure(user=cast.bob, member=member)  # the member
    assert login(cast.charlie).get(reverse("members:depart", args=[member.pk])).status_code == 403
    assert _post(login(cast.charlie), member).status_code == 403
    assert _post(login(cast.bob), member).status_code == 403
    with pytest.raises(PermissionDenied):
        member_depart(member=member, reason="died", left_on=TODAY, document="x", by=cast.charlie)
    assert login(cast.alice).put(reverse("members:depart", args=[member.pk])).status_code == 405
    assert Member.objects.get(pk=member.pk).is_active


def test_branch_records_a_death_it_leaves_the_roster_and_the_history_keeps_it(cast):
    member = cast.bob_member
    client = login(cast.alice)
    page = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert reverse("members:depart", args=[member.pk]) in page
    response = _post(client, member, note="因病逝世")
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.is_active, member.left_on, member.left_reason) == (
        False,
        datetime.date(2026, 5, 20),
        "died",
    )
    departure = Departure.objects.get(member=member)
    assert departure.recorded_by == cast.alice and departure.document == "死亡证明"
    assert departure.history.get().history_user == cast.alice
    assert member.history.first().history_user == cast.alice
    assert [h.is_active for h in member.history.order_by("history_date")][-2:] == [True, False]
    assert member not in branch_roster(branch=cast.branch_a)
    page = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "2026年5月20日" in page and "死亡证明" in page and "因病逝世" in page
    assert reverse("members:depart", args=[member.pk]) not in page
    # Recording it again is refused: the form shows what is on record instead.
    again = client.get(reverse("members:depart", args=[member.pk])).content.decode()
    assert 'id="departure-recorded"' in again and 'id="departure-form"' not in again
    assert _post(client, member).status_code == 200
    with pytest.raises(ValidationError):
        member_depart(member=member, reason="withdrew", left_on=TODAY, document="x", by=cast.alice)
    assert Departure.objects.count() == 1


def test_the_statistics_count_it_by_its_date_at_the_branch_it_left(cast):
    other = MemberFactory(branch=cast.branch_b, category="student")
    member_depart(
        member=cast.bob_member,
        reason="expelled",
        left_on=datetime.date(2026, 3, 10),
        document="计算机学院党委〔2026〕5号",
        by=cast.officer,
    )
    member_depart(
        member=other,
        reason="struck_off",
        left_on=datetime.date(2026, 6, 1),
        document="文学院党委决定",
        by=None,
    )
    # The day before: nobody left yet, and both are still on the rolls.
    assert set(_left_cells(cast.university, datetime.date(2026, 3, 9)).values()) == {0}
    members = StatTable.objects.get(code="members-category")
    before = statistics.compute_table(table=members, unit=cast.university, as_of=datetime.date(2026, 3, 9))
    after = statistics.compute_table(table=members, unit=cast.university, as_of=TODAY)
    assert before[0][0] - after[0][0] == 2
    assert _left_cells(cast.university, datetime.date(2026, 3, 10)) == {
        "total": 1,
        "left:died": 0,
        "left:expelled": 1,
        "left:struck_off": 0,
        "left:withdrew": 0,
        "left:lapsed": 0,
    }
    assert _left_cells(cast.university, TODAY)["total"] == 2
    assert _left_cells(cast.university, TODAY)["left:struck_off"] == 1
    # Counted at the branch each one left from, not elsewhere.
    assert _left_cells(cast.branch_a, TODAY)["total"] == 1 and _left_cells(cast.c2, TODAY)["total"] == 1
    # A past year's table does not count this year's departures.
    assert _left_cells(cast.university, datetime.date(2025, 12, 31))["total"] == 0


@pytest.mark.parametrize(
    "left_on, ok",
    [
        (TODAY, True),
        (TODAY + datetime.timedelta(days=1), False),  # not in the future
        (datetime.date(2015, 6, 30), False),  # the day before joining (the factory's 2015-07-01)
        (datetime.date(2015, 7, 1), True),
    ],
)
def test_the_date_is_not_in_the_future_nor_before_joining(cast, left_on, ok):
    call = lambda: member_depart(  # noqa: E731
        member=cast.bob_member,
        reason="withdrew",
        left_on=left_on,
        document="退党申请及支部决定",
        by=cast.alice,
    )
    if ok:
        assert call().left_on == left_on
    else:
        with pytest.raises(ValidationError) as exc:
            call()
        assert "left_on" in exc.value.message_dict
        assert Member.objects.get(pk=cast.bob_member.pk).is_active


def test_only_active_party_members_and_known_reasons(cast):
    applicant = MemberFactory(
        branch=cast.branch_a, stage=Member.Stage.APPLICANT, joined_on=None, full_on=None
    )
    with pytest.raises(ValidationError):
        member_depart(member=applicant, reason="died", left_on=TODAY, document="x", by=cast.alice)
    for reason in ("lapsed", "nonsense"):
        with pytest.raises(ValidationError) as exc:
            member_depart(member=cast.bob_member, reason=reason, left_on=TODAY, document="x", by=cast.alice)
        assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        member_depart(member=cast.bob_member, reason="died", left_on=TODAY, document="  ", by=cast.alice)
    assert "document" in exc.value.message_dict
    page = login(cast.alice).get(reverse("members:depart", args=[applicant.pk])).content.decode()
    assert 'id="departure-none"' in page


def test_same_key_records_once_and_the_confirmation_is_required(cast):
    client = login(cast.alice)
    unconfirmed = _post(client, cast.bob_member, confirm="")
    assert unconfirmed.status_code == 400 and Member.objects.get(pk=cast.bob_member.pk).is_active
    key = str(uuid.uuid4())
    assert _post(client, cast.bob_member, request_key=key).status_code == 302
    assert (
        member_depart(
            member=cast.bob_member, reason="died", left_on=TODAY, document="x", by=cast.alice, request_key=key
        )
        == Departure.objects.get()
    )


def test_form_errors_kept_on_the_page(cast):
    response = _post(login(cast.alice), cast.bob_member, left_on="1800-01-01", document="", reason="lapsed")
    assert response.status_code == 400
    assert 'id="departure-form"' in response.content.decode()
    assert len(response.context["form"].errors) == 3
    assert Member.objects.get(pk=cast.bob_member.pk).is_active


def test_who_left_holds_no_office_and_the_deceased_no_login(cast):
    """Recording a departure ends the member's roles and withdraws what they granted; a death also closes the
    login, a departure keeps it (the person may still rate as staff or a student) with nothing of the unit."""
    from branches.models import Role
    from django.contrib.auth.models import User

    from branches.selectors import organization_permission_holds

    alice = cast.alice
    assert organization_permission_holds(user=alice, organization=cast.branch_a, codename="manage_members")
    member_depart(
        member=cast.alice_member,
        reason="withdrew",
        left_on=datetime.date(2026, 6, 1),
        document="退党申请",
        by=cast.officer,
    )
    role = Role.objects.get(user=alice, organization=cast.branch_a)
    assert role.ended_on == max(datetime.date(2026, 6, 1), role.started_on)
    alice = User.objects.get(pk=alice.pk)  # no permission cache from before
    assert alice.is_active
    assert not organization_permission_holds(
        user=alice, organization=cast.branch_a, codename="manage_members"
    )
    bob = cast.bob_member.user
    member_depart(
        member=cast.bob_member,
        reason="died",
        left_on=datetime.date(2026, 6, 10),
        document="死亡证明",
        by=cast.officer,
    )
    bob.refresh_from_db()
    assert not bob.is_active
