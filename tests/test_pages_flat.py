"""Pages flat in the size of the tree (issue 17.1): the permission query probes the grants by path equality
(no scan of every unit per unit), the public index lists universities and committees (their branches are on
the committee's page), the cycle page reads the user's grant roots instead of every unit below them, the
transfer form offers the university's branches only. Query counts pinned, and the university's version of each
page costs no more queries than a branch's."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import Organization, Role
from branches.selectors import organizations_with_permission, permission_roots
from branches.services import role_assign
from tests.conftest import login
from tests.test_assessment_pages import live  # noqa: F401  (the fixture: this year's cycle, open)
from tests.factories import UserFactory, make_org

K = Organization.Kind


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _zzb(cast):
    """An officer of the 组织部: organizer of the university (holds the view and manage_units on all of it)."""
    user = UserFactory(username="zzb")
    role_assign(user=user, organization=cast.university, kind=Role.Kind.ORGANIZER)
    return user


def test_permission_covers_the_subtree_at_every_depth(cast):
    """The grant seen through path prefixes down to the deepest kind (a group, six levels under a province)."""
    province = make_org(None, K.PROVINCE, "省委教育工委", code="P")
    university = make_org(province, K.UNIVERSITY, "中共湖滨大学委员会", code="U2")
    committee = make_org(university, K.COMMITTEE, "湖滨大学理学院党委", code="U2C")
    general = make_org(committee, K.GENERAL_BRANCH, "理学院教工党总支", code="U2G")
    branch = make_org(general, K.BRANCH, "理学院教工第一党支部", code="U2B", category="teacher")
    group = make_org(branch, K.GROUP, "第一党小组", code="U2BG")
    assert group.depth == 6
    officer = UserFactory()
    role_assign(user=officer, organization=province, kind=Role.Kind.ORGANIZER)
    secretary = UserFactory()
    role_assign(user=secretary, organization=branch, kind=Role.Kind.SECRETARY)
    seen = set(organizations_with_permission(user=officer, codename="view_organization"))
    assert {province, university, committee, general, branch, group} <= seen and cast.university not in seen
    assert set(organizations_with_permission(user=secretary, codename="view_organization")) == {branch, group}
    assert list(permission_roots(user=secretary, codename="view_organization")) == [branch]
    assert not organizations_with_permission(user=UserFactory(), codename="view_organization").exists()


def test_open_index_lists_committees_not_their_branches(cast, anonymous, as_bob, django_assert_num_queries):
    direct = make_org(cast.university, K.BRANCH, "校机关直属党支部", code="D", category="admin_staff")
    page = anonymous.get(reverse("disclosure:open_index"), HTTP_COOKIE="").content.decode()
    assert 'data-unit="C1"' in page and f'href="/open/{direct.code}/"' in page
    assert f'href="/open/{cast.branch_a.code}/"' not in page  # on the committee's page instead
    assert 'href="/open/C1/#children-heading"' in page
    assert (
        f'href="/open/{cast.branch_a.code}/"' in anonymous.get("/open/C1/", HTTP_COOKIE="").content.decode()
    )
    # 1 session, 2 user, 3 the universities, 4 this page's committees and direct branches, 5 their visible
    # posts' counts.
    with django_assert_num_queries(5):
        as_bob.get(reverse("disclosure:open_index"))


def test_open_index_pages_a_province_by_university(cast, anonymous, as_bob):
    """A province's hundred universities all on the index made it 1.3 MB: five a page with their committees,
    every university named in the directory above, and a later page costs what the first costs."""
    from disclosure.selectors.posts import INDEX_UNIVERSITIES_PER_PAGE as per_page

    assert per_page == 5
    others = [make_org(None, K.UNIVERSITY, f"中共第{i}大学委员会", code=f"V{i}") for i in range(1, 7)]
    for university in others:
        make_org(university, K.COMMITTEE, f"{university.name}机关党委", code=f"{university.code}C")
    url = reverse("disclosure:open_index")
    first = anonymous.get(url, HTTP_COOKIE="").content.decode()
    second = anonymous.get(url + "?page=2", HTTP_COOKIE="").content.decode()
    assert "共 7 所高校" in first and "1 / 2" in first and 'href="?page=2"' in first
    for page in (first, second):  # the directory names all seven on both pages
        assert all(f'href="/open/{u.code}/"' in page for u in [cast.university, *others])
    # The committees are shown on their university's page of the index only (paths order: A, V1 … V6).
    assert 'data-unit="C1"' in first and 'data-unit="V4C"' in first and 'data-unit="V5C"' not in first
    assert 'data-unit="V5C"' in second and 'data-unit="V6C"' in second and 'data-unit="C1"' not in second
    assert "2 / 2" in second and 'href="?page=1"' in second
    # A page past the end or not a number is the last or the first, not an error.
    assert 'data-unit="V6C"' in anonymous.get(url + "?page=9", HTTP_COOKIE="").content.decode()
    assert 'data-unit="C1"' in anonymous.get(url + "?page=x", HTTP_COOKIE="").content.decode()
    assert _count(as_bob, url) == _count(as_bob, url + "?page=2")


def test_open_index_of_one_university_has_no_directory_or_pager(cast, anonymous):
    page = anonymous.get(reverse("disclosure:open_index"), HTTP_COOKIE="").content.decode()
    assert "所高校" not in page and "1 / 1" not in page


def test_cycle_home_for_the_university_costs_what_a_branch_costs(cast, as_alice):
    from assessments.services.assessment import cycle_create

    cycle_create(root=cast.university, year=2026)
    officer = login(_zzb(cast))
    url = reverse("cycle:home")
    branch, university = _count(as_alice, url), _count(officer, url)
    assert university <= branch, (university, branch)
    assert "2026" in officer.get(url).content.decode() and "2026" in as_alice.get(url).content.decode()


def test_projects_home_queries_fixed_whoever_looks(cast, as_alice, as_bob, django_assert_num_queries):
    officer = login(_zzb(cast))
    url = reverse("projects:home")
    # session, user, open calls, mine, to endorse, reviews, calls administered, may create a call.
    with django_assert_num_queries(8):
        as_bob.get(url)
    assert _count(officer, url) <= _count(as_alice, url)


def test_transfers_page_for_a_branch_pinned(cast, as_alice, django_assert_num_queries):
    for n in range(30):  # more branches elsewhere change nothing
        make_org(cast.c2, K.BRANCH, f"文学院学生第{n + 2}党支部", code=f"B{n}", category="student")
    # session, user, unit, view, manage, breadcrumb (also the university for the choices), transfers,
    # member choices, branch choices, bulk member choices.
    with django_assert_num_queries(10):
        assert as_alice.get(reverse("members:transfers", args=[cast.branch_a.pk])).status_code == 200


def test_results_rank_the_branches_a_page_at_a_time(live, monkeypatch, django_assert_num_queries):
    """The branches' ranking is paged (a university's hundreds of rows were most of the page's time); every
    page costs the same queries, and the page number is parsed (a bad one is the first page)."""
    from assessments.views import assessment as views

    officer = login(live.zzb)
    monkeypatch.setattr(views, "RESULTS_PAGE_SIZE", 1)
    url = reverse("cycle:results", args=[live.cycle.year])
    first = officer.get(url).content.decode()
    officer.get(url + "?page=2")
    with django_assert_num_queries(7):  # session, user, cycle, officer check ×2, root path, the assessments
        second = officer.get(url + "?page=2").content.decode()
    rows = [page.count('<tr data-unit="') for page in (first, second)]
    assert "1 / 2" in first and "2 / 2" in second and rows[0] == rows[1]
    assert ('data-unit="A"' in first) != ('data-unit="A"' in second)  # each branch on one page
    assert officer.get(url + "?page=x").content.decode().count('data-unit="A"') == first.count(
        'data-unit="A"'
    )
