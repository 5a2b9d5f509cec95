"""load_demo gives exactly DESIGN §1's figures, deterministically; party_stats reports them."""

import json

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from branches.models import Organization, Role
from branches.selectors import MANAGE_MEMBERS, organization_permission_holds
from members.models import Member
from members.resources import id_number_is_valid


@pytest.fixture
def demo(session_demo, db):
    # The session's demo (seed 7, tests/conftest.py); each test runs in a savepoint rolled back after it.
    return session_demo


def _stats(capsys) -> dict:
    capsys.readouterr()
    call_command("party_stats", "--json")
    return json.loads(capsys.readouterr().out)


def test_figures_of_design_section_1(demo, capsys):
    stats = _stats(capsys)
    assert stats["organizations_by_kind"]["university"] == 1
    assert stats["secondary_committees"] == 21
    assert stats["secondary_committees_by_unit_type"] == {"teaching": 16, "non_teaching": 5}
    assert stats["organizations_by_kind"]["branch"] == 293
    assert stats["staff_branches"] == 136
    assert stats["branches_by_category"]["student"] == 141
    assert stats["branches_by_category"]["retiree"] == 16
    assert stats["party_members"] == 5841
    assert stats["staff_party_members"] == 1903
    assert stats["party_members_by_category"]["student"] == 3539
    assert stats["party_members_by_category"]["retiree"] == 399
    stages = stats["people_by_stage"]
    assert stages["applicant"] > 0 and stages["activist"] > 0 and stages["candidate"] > 0
    assert stats["organizations_by_kind"]["group"] > 0
    assert sum(stats["party_members_by_gender"].values()) == 5841
    assert sum(stats["party_members_by_age_band"].values()) == 5841


def test_every_branch_has_three_full_members_and_valid_people(demo):
    from django.db.models import Count, Q

    weakest = (
        Organization.objects.filter(kind="branch")
        .annotate(full=Count("members", filter=Q(members__stage="full")))
        .order_by("full")
        .first()
    )
    assert weakest.full >= 3
    sample = Member.objects.order_by("?")[:200]
    assert all(id_number_is_valid(m.id_number) for m in sample)
    assert all(m.category == m.branch.category for m in Member.objects.select_related("branch")[:500])
    assert Member.history.count() == Member.objects.count()


def _people_drawn(seed: int, today) -> list[tuple[str, str, str]]:
    """The first 300 people (by ID number) a seed draws, in memory: nothing written, what load_demo writes."""
    from members.demo import DemoBuilder

    builder = DemoBuilder(seed=seed, scale=1, today=today)
    university = builder.university(1)
    for committee in university.children:
        for branch in committee.children:
            branch.obj = Organization(code=branch.code)  # unsaved: only its code is read
    builder._people(university)
    drawn = [(member.name, member.id_number, member.branch.code) for member in builder.members]
    return sorted(drawn, key=lambda row: row[1])[:300]


def test_same_seed_same_data(demo):
    # The session's demo (seed 7) is what the seed draws: its first 300 people, as written, equal a fresh draw of
    # the same seed in memory, and another seed draws other people. (A second load of the seed over the first
    # cost a minute and compared the same 300 rows; --replace is tested by the province's load below.)
    first = list(Member.objects.order_by("id_number").values_list("name", "id_number", "branch__code")[:300])
    assert len(first) == 300
    assert _people_drawn(demo.seed, demo.today) == [tuple(row) for row in first]
    assert _people_drawn(demo.seed + 5, demo.today) != [tuple(row) for row in first]


def test_demo_logins_work_and_hold_their_roles(demo):
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="127.0.0.1")
    for username in ("admin", "zzb", "dw10", "zz10", "zb001", "dy001"):
        assert authenticate(request, username=username, password="dangjian2026") is not None, username
    zb001 = Role.objects.get(user__username="zb001")
    assert zb001.kind == "secretary" and zb001.organization.kind == "branch"
    assert organization_permission_holds(
        user=zb001.user, organization=zb001.organization, codename=MANAGE_MEMBERS
    )
    dw10 = Role.objects.get(user__username="dw10")
    assert dw10.organization.name.endswith("计算机科学与技术学院委员会")
    assert Member.objects.get(user__username="dy001").branch == zb001.organization


def test_refuses_a_non_empty_database_unless_asked(demo):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("load_demo", verbosity=0)
    call_command("load_demo", if_empty=True, verbosity=0)  # a no-op, as `make run` uses it
    assert Organization.objects.filter(kind="university").count() == 1


def test_scale_builds_a_province(demo, capsys):
    # Scale 3 over the session's demo (--replace: it is deleted first, so the counts below are the new load's
    # alone): two universities drawn, the third copied from the second (members/demo_copy.py).
    seed_7 = Member.objects.order_by("id_number").values_list("id_number", flat=True).first()
    call_command("load_demo", scale=3, seed=3, replace=True, verbosity=0)
    assert not Member.objects.filter(id_number=seed_7).exists()
    # …with its history: no "deleted" row written for what was cleared (the ORM's delete writes one a row)
    from assessments.demo_programmes import GuideAction
    from assessments.models import Assessment, Commendation
    from projects.models import Grant

    assert not any(
        model.history.filter(history_type="-").exists()
        for model in (Assessment, Commendation, GuideAction, Grant, Member, Organization)
    )
    stats = _stats(capsys)
    assert stats["organizations_by_kind"]["province"] == 1
    assert stats["organizations_by_kind"]["university"] == 3
    assert stats["organizations_by_kind"]["branch"] == 3 * 293
    assert stats["party_members"] == 3 * 5841
    assert Role.objects.filter(user__username="u002_zb001").exists()
    _the_copy_is_a_university_of_its_own()
    # The dashboard's figures were computed by load_demo: the province's equal party_stats, the province's officer
    # compares both universities, and each university's 组织部 sees only its own.
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from django.urls import reverse

    from branches.models import UnitFigures
    from members.figures import counts_as_party_stats

    province = Organization.objects.get(kind=Organization.Kind.PROVINCE)
    figures = counts_as_party_stats(UnitFigures.objects.get(organization=province).data["counts"])
    assert all(figures[key] == stats[key] for key in figures)
    users = get_user_model().objects
    as_province, as_u2 = Client(), Client()
    as_province.force_login(users.get(username="swzzc"))
    as_u2.force_login(users.get(username="u002_zzb"))
    u1, u2 = Organization.objects.filter(kind=Organization.Kind.UNIVERSITY).order_by("path")[:2]
    assert as_province.get(reverse("dashboard:home")).url == reverse("dashboard:unit", args=[province.pk])
    page = as_province.get(reverse("dashboard:unit", args=[province.pk])).content.decode()
    assert u1.display_name in page and u2.display_name in page
    assert as_u2.get(reverse("dashboard:home")).url == reverse("dashboard:unit", args=[u2.pk])
    assert as_u2.get(reverse("dashboard:unit", args=[u1.pk])).status_code == 403
    assert as_u2.get(reverse("dashboard:unit", args=[province.pk])).status_code == 403


def _the_copy_is_a_university_of_its_own() -> None:
    """U003, copied from U002: the same rows of every kind, under its own codes, logins and ID numbers, every key
    pointing into its own subtree, and its figures (computed after the copy) those of U002."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from branches.models import UnitFigures
    from disclosure.models import Meeting, Todo
    from members.figures import counts_as_party_stats
    from members.models import DevelopmentStep, DuesPayment

    u2, u3 = (Organization.objects.get(code=code) for code in ("U002", "U003"))
    assert u3.name != u2.name and u3.get_parent().kind == Organization.Kind.PROVINCE
    under = {u: Organization.objects.filter(path__startswith=u.path) for u in (u2, u3)}
    assert [o.code.replace("U002", "U003") for o in under[u2].order_by("path")] == [
        o.code for o in under[u3].order_by("path")
    ]
    for model, key in (
        (Member, "branch__path__startswith"),
        (Meeting, "organization__path__startswith"),
        (Todo, "organization__path__startswith"),
        (DuesPayment, "member__branch__path__startswith"),
        (DevelopmentStep, "case__member__branch__path__startswith"),
    ):
        assert (
            model.objects.filter(**{key: u2.path}).count()
            == model.objects.filter(**{key: u3.path}).count()
            > 0
        )
    assert Member.objects.count() == len(set(Member.objects.values_list("id_number", flat=True)))
    assert all(
        id_number_is_valid(n)
        for n in Member.objects.filter(branch__path__startswith=u3.path).values_list("id_number", flat=True)
    )
    copied = Todo.objects.filter(organization__path__startswith=u3.path).select_related("user", "meeting")
    for todo in copied:
        assert todo.user.username.startswith(("u003_", "demo-c", "swzzc")), todo.user.username
        if todo.meeting_id:
            assert todo.meeting.organization.path.startswith(u3.path)
            assert f":{todo.meeting_id}:" in todo.key
        if todo.link and todo.kind == Todo.Kind.GUIDE:
            assert f"/{todo.organization_id}/" in todo.link
    figures = {
        u: counts_as_party_stats(UnitFigures.objects.get(organization=u).data["counts"]) for u in (u2, u3)
    }
    assert figures[u2] == figures[u3]
    officer = Client()
    officer.force_login(get_user_model().objects.get(username="u003_zzb"))
    assert officer.get(reverse("members:unit", args=[u3.pk])).status_code == 200
    assert officer.get(reverse("members:unit", args=[u2.pk])).status_code == 403


def test_overview_page_shows_the_same_numbers_as_the_command(demo, capsys, client):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    command = _stats(capsys)
    client.force_login(get_user_model().objects.get(username="zzb"))
    response = client.get(reverse("members:unit", args=[command["organization"]["id"]]))
    assert response.status_code == 200
    assert response.context["stats"] == command
    body = response.content.decode()
    assert "5,841" in body or "5841" in body


def test_the_demo_names_candidates_for_the_oldest_terms(demo):
    """Issue 21.3: five branches with the oldest terms have 4 candidates each for their next election, so
    their ballots print names; each stands for the term the branch is in now."""
    from members.models import TermCandidate
    from members.selectors.lifecycle import term_candidates

    units = {c.organization for c in TermCandidate.objects.select_related("organization")}
    assert len(units) == 5
    for unit in units:
        listed = list(term_candidates(organization=unit))
        assert len(listed) == 4 and all(c.member.stage == Member.Stage.FULL for c in listed)
        assert all(c.member.branch_id == unit.pk for c in listed)


def test_the_demo_shows_the_figures_that_moved_since_last_month(demo):
    """Issue 22: load_demo keeps last month's figures as the snapshot's ``previous``, so the 组织部's panel of
    figures that moved has something to show on the first page of ``make run``."""
    from django.test import Client
    from django.urls import reverse

    from assessments.selectors.first_screen import units_behind_and_moved
    from members.rules import add_months

    university = Organization.objects.get(kind=Organization.Kind.UNIVERSITY)
    screen = units_behind_and_moved(unit=university)
    assert screen.previous_as_of == add_months(demo.today, -1)
    assert len(screen.moved) >= 3
    client = Client()
    client.force_login(Role.objects.get(user__username="zzb").user)
    page = client.get(reverse("members:unit", args=[university.pk])).content.decode()
    assert 'id="figures-moved"' in page
