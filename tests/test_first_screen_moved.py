"""The 组织部's first screen (issue 22): the snapshot keeps the figures as the week began, and the unit page
shows the units behind and the figures that moved, reading snapshots only (one query, a university as a
branch)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.selectors.first_screen import units_behind_and_moved
from branches.figures import block, figures_refresh
from branches.models import Role, UnitFigures
from branches.services import role_assign
from disclosure.models import Meeting
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory

TZ = timezone.get_fixed_timezone(480)
MONDAY = datetime.date(2026, 5, 11)


def _at(day: datetime.date, time_machine) -> None:
    time_machine.move_to(datetime.datetime.combine(day, datetime.time(10), tzinfo=TZ))


def _party_members(data: dict) -> int:
    return block("counts").values(data["counts"], MONDAY)["party_members"]


def test_the_weeks_first_refresh_keeps_the_figures_the_week_began_with(cast, time_machine):
    _at(MONDAY - datetime.timedelta(days=2), time_machine)  # Saturday
    figures_refresh(today=MONDAY - datetime.timedelta(days=2))
    row = UnitFigures.objects.get(organization=cast.c1)
    assert row.previous == {} and row.previous_as_of is None  # nothing to compare with yet
    saturday = _party_members(row.data)
    MemberFactory(branch=cast.branch_a)
    figures_refresh(today=MONDAY - datetime.timedelta(days=1))  # Sunday: the same week
    assert UnitFigures.objects.get(organization=cast.c1).previous == {}
    sunday = _party_members(UnitFigures.objects.get(organization=cast.c1).data)
    assert sunday == saturday + 1
    MemberFactory(branch=cast.branch_a)
    figures_refresh(today=MONDAY)  # the week's first refresh: Sunday's figures become "previous"
    row = UnitFigures.objects.get(organization=cast.c1)
    assert row.previous_as_of == MONDAY - datetime.timedelta(days=1)
    assert _party_members(row.previous) == sunday
    assert _party_members(row.data) == sunday + 1
    MemberFactory(branch=cast.branch_a)
    figures_refresh(unit=cast.branch_a, today=MONDAY + datetime.timedelta(days=4))  # Friday, a partial one
    row = UnitFigures.objects.get(organization=cast.c1)
    assert row.previous_as_of == MONDAY - datetime.timedelta(days=1)  # still the week's start
    assert _party_members(row.data) == sunday + 2


@pytest.fixture
def a_week_of_figures(cast, time_machine):
    """Last week's snapshot, then this week's: C1 grew by three members, A held every required meeting
    in January (B none), one of A's records waits for review."""
    _at(MONDAY - datetime.timedelta(days=3), time_machine)
    figures_refresh(today=MONDAY - datetime.timedelta(days=3))
    _at(MONDAY + datetime.timedelta(days=3), time_machine)
    held = datetime.datetime(2026, 1, 10, 15, tzinfo=TZ)
    for kind in Meeting.BRANCH_KINDS:
        Meeting.objects.create(
            organization=cast.branch_a, kind=kind, status=Meeting.Status.APPROVED, held_at=held, topics="学习"
        )
    Meeting.objects.create(
        organization=cast.branch_a,
        kind=Meeting.BRANCH_KINDS[0],
        status=Meeting.Status.SUBMITTED,
        held_at=datetime.datetime(2026, 5, 6, 15, tzinfo=TZ),
        submitted_at=datetime.datetime(2026, 5, 7, 9, tzinfo=TZ),
        topics="学习",
    )
    for _ in range(3):
        MemberFactory(branch=cast.branch_a)
    figures_refresh(today=MONDAY + datetime.timedelta(days=3))
    return cast


def test_units_behind_and_what_moved(a_week_of_figures, django_assert_num_queries):
    cast = a_week_of_figures
    with django_assert_num_queries(1):  # the unit's snapshot row and its children's
        screen = units_behind_and_moved(unit=cast.university)
    assert screen.previous_as_of == MONDAY - datetime.timedelta(days=3)
    # C2 (nothing held) before C1 (January held): the lowest completion first.
    assert [b.unit for b in screen.behind] == [cast.c2, cast.c1]
    c2, c1 = screen.behind
    assert c2.completion == 0 and c2.overdue > c1.overdue
    assert c1.waiting == 1 and c2.waiting == 0
    moves = {(m.unit, m.key): (m.before, m.after) for m in screen.moved}
    assert moves[(cast.c1, "party_members")] == (2, 5)
    assert (cast.c2, "party_members") not in moves  # C2 did not move
    assert moves[(cast.c1, "waiting")] == (0, 1)
    # Shares are compared as shares: C1's completion rose from 0.
    before, after = moves[(cast.c1, "completion")]
    assert before == 0 and 0 < after <= 1
    # The biggest move first: +150 % party members outweighs the others but the completion's points.
    assert screen.moved[0].weight == max(m.weight for m in screen.moved)


def test_a_branch_is_compared_with_itself_in_one_query(a_week_of_figures, django_assert_num_queries):
    cast = a_week_of_figures
    with django_assert_num_queries(1):
        screen = units_behind_and_moved(unit=cast.branch_a)
    assert [b.unit for b in screen.behind] == [cast.branch_a]
    assert {m.key for m in screen.moved} >= {"party_members", "waiting"}


def test_the_organisation_departments_first_screen_shows_them(a_week_of_figures):
    cast = a_week_of_figures
    zzb = UserFactory(username="zzb")
    role_assign(user=zzb, organization=cast.university, kind=Role.Kind.OFFICER)
    body = login(zzb).get(reverse("members:unit", args=[cast.university.pk])).content.decode()
    panel = body[body.index('id="behind-and-moved"') :]
    assert "落后单位" in panel and "变化" in panel
    assert panel.index(cast.c2.display_name) < panel.index(cast.c1.display_name)  # C2 first
    assert reverse("dashboard:unit", args=[cast.c2.pk]) in panel
    assert "2 → 5" in panel and "(+3)" in panel
    assert "1条记录待审核" in panel


def test_no_comparison_before_a_week_of_snapshots(cast, time_machine):
    _at(MONDAY, time_machine)
    figures_refresh(today=MONDAY)
    screen = units_behind_and_moved(unit=cast.university)
    assert screen.moved == [] and screen.previous_as_of is None
