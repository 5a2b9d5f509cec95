"""The 组织部 dashboard (issue 9): snapshot figures that equal the live selectors, drill-down, who sees what
(a province's universities see only their own), fixed query counts, refresh on writes, xlsx per block."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from branches.figures import blocks, figures_compute, figures_refresh
from branches.models import Organization, Role, UnitFigures
from branches.services import role_assign
from disclosure.models import Meeting
from members.figures import counts_as_party_stats
from members.models import Member
from members.selectors import party_stats
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory, make_org

K = Organization.Kind


def _stats_without_header(stats: dict) -> dict:
    return {key: value for key, value in stats.items() if key in counts_as_party_stats({})}


def _figures(unit: Organization) -> dict:
    return UnitFigures.objects.get(organization=unit).data


def test_counts_equal_party_stats_for_every_unit(cast):
    MemberFactory.create_batch(3, branch=cast.branch_b, category="student", stage=Member.Stage.PROBATIONARY)
    MemberFactory(branch=cast.branch_a, stage=Member.Stage.APPLICANT)
    MemberFactory(branch=cast.branch_a, is_active=False)  # left: counted nowhere
    figures_refresh()
    for unit in [cast.university, cast.c1, cast.c2, cast.branch_a, cast.branch_b]:
        assert counts_as_party_stats(_figures(unit)["counts"]) == _stats_without_header(
            party_stats(organization=unit)
        ), unit.code
    counts = _figures(cast.university)["counts"]
    assert counts["stage_probationary"] == 3 and counts["stage_applicant"] == 1
    assert counts["org_branch"] == 2 and counts["org_committee"] == 2 and counts["org_university"] == 1


def test_every_block_is_stored_for_every_unit(cast):
    figures_refresh()
    keys = {block.key for block in blocks()}
    assert keys >= {
        "counts",
        "meetings",
        "publication",
        "assessment",
        "ratings",
        "funding",
        "development",
        "terms",
        "dues",
    }
    units = Organization.objects.exclude(kind=K.GROUP).count()
    assert UnitFigures.objects.count() == units
    for row in UnitFigures.objects.all():
        assert set(row.data) == keys


@pytest.fixture
def in_may(time_machine):
    """A day after January's and Q1's periods ended, so that branch B's are missing, not still due."""
    time_machine.move_to(datetime.datetime(2026, 5, 14, 10, tzinfo=timezone.get_fixed_timezone(480)))


def test_meetings_heat_map_counts_each_required_period_in_the_month_it_ends(in_may, cast):
    today = timezone.localdate()
    held = timezone.make_aware(datetime.datetime(today.year, 1, 10, 15))
    for kind in Meeting.BRANCH_KINDS:
        Meeting.objects.create(
            organization=cast.branch_a, kind=kind, status=Meeting.Status.APPROVED, held_at=held, topics="学习"
        )
    figures_refresh()
    a = _figures(cast.branch_a)["meetings"]
    b = _figures(cast.branch_b)["meetings"]
    university = _figures(cast.university)["meetings"]
    assert a["done_1"] >= 1 and "done_1" not in b  # branch B held nothing in January
    assert university["done_1"] == a["done_1"]
    assert university["missing_1"] == a.get("missing_1", 0) + b.get("missing_1", 0)
    assert university["branches"] == 2


def test_terms_and_dues_roll_up(cast):
    today = timezone.localdate()
    cast.branch_b.term_started_on = today.replace(day=1) - datetime.timedelta(days=3 * 366 + 40)
    cast.branch_b.term_years = 3
    cast.branch_b.save()
    figures_refresh()
    assert _figures(cast.branch_b)["terms"] == {"overdue": 1}
    assert _figures(cast.university)["terms"].get("overdue") == 1
    dues = _figures(cast.university)["dues"]
    # The cast's three party members have never paid: all in arrears.
    assert dues["members"] == 3 and dues["arrears"] == 3


# --- who sees what ------------------------------------------------------------------------------------------------


@pytest.fixture
def province(db):
    root = make_org(None, K.PROVINCE, "中共示范省委教育工作委员会", code="P")
    universities = []
    for n in (1, 2):
        uni = make_org(root, K.UNIVERSITY, f"中共第{n}大学委员会", code=f"U{n}")
        committee = make_org(
            uni, K.COMMITTEE, f"第{n}大学计算机学院党委", code=f"U{n}-C1", unit_type="teaching"
        )
        branch = make_org(
            committee, K.BRANCH, f"第{n}大学教工第一党支部", code=f"U{n}-B1", category="teacher"
        )
        MemberFactory.create_batch(2 + n, branch=branch)
        universities.append((uni, committee, branch))
    officers = {
        "province": UserFactory(username="sheng"),
        "u1": UserFactory(username="u1zzb"),
        "u2": UserFactory(username="u2zzb"),
        "c1": UserFactory(username="u1dw"),
    }
    role_assign(user=officers["province"], organization=root, kind=Role.Kind.OFFICER)
    role_assign(user=officers["u1"], organization=universities[0][0], kind=Role.Kind.OFFICER)
    role_assign(user=officers["u2"], organization=universities[1][0], kind=Role.Kind.OFFICER)
    role_assign(user=officers["c1"], organization=universities[0][1], kind=Role.Kind.SECRETARY)
    figures_refresh()
    return root, universities, officers


def test_each_user_lands_on_their_top_unit(province):
    root, universities, officers = province
    assert login(officers["province"]).get(reverse("dashboard:home")).url == reverse(
        "dashboard:unit", args=[root.pk]
    )
    assert login(officers["u2"]).get(reverse("dashboard:home")).url == reverse(
        "dashboard:unit", args=[universities[1][0].pk]
    )
    assert login(officers["c1"]).get(reverse("dashboard:home")).url == reverse(
        "dashboard:unit", args=[universities[0][1].pk]
    )


def test_a_university_sees_only_its_own_and_the_province_compares_them(province):
    root, universities, officers = province
    (u1, c1, b1), (u2, c2, b2) = universities
    as_u1 = login(officers["u1"])
    for unit in (u1, c1, b1):
        assert as_u1.get(reverse("dashboard:unit", args=[unit.pk])).status_code == 200
    for unit in (root, u2, c2, b2):
        assert as_u1.get(reverse("dashboard:unit", args=[unit.pk])).status_code == 403
        assert as_u1.get(reverse("dashboard:export", args=[unit.pk, "counts"])).status_code == 403
    as_c1 = login(officers["c1"])
    assert as_c1.get(reverse("dashboard:unit", args=[c1.pk])).status_code == 200
    assert as_c1.get(reverse("dashboard:unit", args=[u1.pk])).status_code == 403

    page = login(officers["province"]).get(reverse("dashboard:unit", args=[root.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    # One row per university, each linking to its own dashboard.
    for uni in (u1, u2):
        assert reverse("dashboard:unit", args=[uni.pk]) in body
    assert counts_as_party_stats(_figures(root)["counts"]) == _stats_without_header(
        party_stats(organization=root)
    )


def test_plain_members_have_no_dashboard(cast):
    response = login(cast.bob).get(reverse("dashboard:home"))
    assert response.status_code == 403
    assert "没有" in response.content.decode()


def test_unknown_unit_and_block_are_404(cast):
    client = login(cast.officer)
    assert client.get(reverse("dashboard:unit", args=[999999])).status_code == 404
    assert client.get(reverse("dashboard:export", args=[cast.c1.pk, "nope"])).status_code == 404


# --- speed: a fixed number of queries -------------------------------------------------------------------------------


def _grow(university: Organization, committees: int, branches: int) -> None:
    for c in range(committees):
        committee = make_org(university, K.COMMITTEE, f"第{c}学院党委", code=f"X{c}", unit_type="teaching")
        for b in range(branches):
            branch = make_org(
                committee, K.BRANCH, f"第{c}学院第{b}支部", code=f"X{c}-{b}", category="student"
            )
            MemberFactory(branch=branch, category="student")


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("cache_seconds, expected", [(0, 4), (300, 3)])
def test_query_count_does_not_grow_with_the_tree(cast, settings, cache_seconds, expected):
    settings.DASHBOARD_CACHE_SECONDS = cache_seconds
    role_assign(user=cast.officer, organization=cast.university, kind=Role.Kind.OFFICER)
    figures_refresh()
    client = login(cast.officer)
    url = reverse("dashboard:unit", args=[cast.university.pk])
    client.get(url)  # warm the cache (when on)
    small = _count(client, url)
    _grow(cast.university, 4, 6)
    figures_refresh()
    client.get(url)
    assert _count(client, url) == small == expected
    # A committee and a branch too.
    for unit in (cast.c1, cast.branch_a):
        client.get(reverse("dashboard:unit", args=[unit.pk]))
        assert _count(client, reverse("dashboard:unit", args=[unit.pk])) == expected


def test_cached_blocks_follow_the_snapshot(cast, settings):
    settings.DASHBOARD_CACHE_SECONDS = 300
    figures_refresh()
    client = login(cast.officer)
    url = reverse("dashboard:unit", args=[cast.c1.pk])
    assert "艾丽" not in client.get(url).content.decode()
    before = client.get(url).content.decode()
    MemberFactory.create_batch(5, branch=cast.branch_a, stage=Member.Stage.PROBATIONARY)
    figures_refresh()
    after = client.get(url).content.decode()
    assert after != before  # a new snapshot is a new cache entry
    assert 'data-key="party_members">7<' in after


# --- refresh -------------------------------------------------------------------------------------------------------


def test_a_write_refreshes_its_university_after_the_commit(cast, django_capture_on_commit_callbacks):
    figures_refresh()
    assert _figures(cast.university)["counts"].get("stage_full") == 3
    with django_capture_on_commit_callbacks(execute=True):
        MemberFactory(branch=cast.branch_b, category="student")
    assert _figures(cast.university)["counts"]["stage_full"] == 4
    assert _figures(cast.c2)["counts"]["stage_full"] == 2


def test_a_partial_refresh_equals_a_full_one(province, django_capture_on_commit_callbacks):
    root, universities, _officers = province
    branch = universities[1][2]
    with django_capture_on_commit_callbacks(execute=True):
        MemberFactory.create_batch(4, branch=branch, stage=Member.Stage.PROBATIONARY)
    partial = {row.organization_id: row.data for row in UnitFigures.objects.all()}
    data, _own = figures_compute(root=root)
    assert partial == data
    assert partial[root.pk]["counts"]["stage_probationary"] == 4


def test_the_page_shows_the_figures_age(cast):
    figures_refresh()
    UnitFigures.objects.filter(organization=cast.c1).update(
        computed_at=timezone.now() - datetime.timedelta(minutes=7)
    )
    body = login(cast.officer).get(reverse("dashboard:unit", args=[cast.c1.pk])).content.decode()
    assert "7 分钟前" in body


def test_a_unit_without_figures_says_so(cast):
    body = login(cast.officer).get(reverse("dashboard:unit", args=[cast.c1.pk])).content.decode()
    assert "尚未" in body


def test_refresh_command_and_task(cast, capsys):
    from django.core.management import call_command

    from branches.tasks import figures_refresh_all, figures_refresh_unit

    call_command("figures_refresh")
    assert "units in" in capsys.readouterr().out
    assert figures_refresh_all.delay().get() == 5
    assert figures_refresh_unit.delay(cast.branch_a.pk).get() == 5  # the university's subtree


# --- xlsx ----------------------------------------------------------------------------------------------------------


def test_every_block_exports_the_tables_numbers(cast):
    MemberFactory.create_batch(2, branch=cast.branch_b, category="student")
    figures_refresh()
    client = login(cast.officer)  # organizer of C1
    response = client.get(reverse("dashboard:export", args=[cast.c1.pk, "counts"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("单位", "编码", "二级党委", "党支部")
    # One row per child (the committee has one branch), then the committee's total.
    assert rows[1][1] == "A" and rows[1][4] == 2  # party members of branch A (alice, bob)
    assert rows[2][0].startswith("合计") and rows[2][4] == 2
    for block in blocks():
        response = client.get(reverse("dashboard:export", args=[cast.c1.pk, block.key]))
        assert response.status_code == 200, block.key
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_permission_held_through_a_group_opens_the_dashboard(cast):
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    inspectors = Group.objects.create(name="督导组")
    assign_perm("view_organization", inspectors, cast.c2)
    user = UserFactory(username="inspector")
    user.groups.add(inspectors)
    figures_refresh()
    client = login(user)
    page = client.get(reverse("dashboard:unit", args=[cast.branch_b.pk]))
    assert page.status_code == 200
    assert "文学院党委" in page.content.decode()  # the breadcrumb starts at the group's unit…
    assert "江城大学" not in page.content.decode()  # …not above it
    assert client.get(reverse("dashboard:unit", args=[cast.c1.pk])).status_code == 403
