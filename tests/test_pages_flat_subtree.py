"""Issue 17.1, part 2: the pages that were slowest for the 组织部 on the demo cost the same queries for a
university as for a branch — the benchmark page signed in reads the comparison shared by every viewer of the
same publish generation, the cycle's progress, the member-evaluation home and the offline scores read a fixed
number of queries whatever the number of units. Each count is pinned with its queries named."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import Organization, Role
from branches.services import role_assign
from disclosure.public_cache import public_pages_reset
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory, make_org
from tests.test_assessment_pages import live  # noqa: F401  (the fixture: this year's cycle, open)

pytestmark = pytest.mark.django_db
K = Organization.Kind


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _grow(cast, n: int) -> None:
    """``n`` more branches in each committee, each with a secretary and two members."""
    for committee in (cast.c1, cast.c2):
        for i in range(n):
            branch = make_org(
                committee,
                K.BRANCH,
                f"{committee.name}扩充第{i}党支部",
                code=f"{committee.code}X{i}",
                category="teacher",
            )
            role_assign(user=UserFactory(), organization=branch, kind=Role.Kind.SECRETARY)
            MemberFactory(branch=branch)
            MemberFactory(branch=branch)


def _zzb(cast):
    zzb = UserFactory(username="zzb")
    role_assign(user=zzb, organization=cast.university, kind=Role.Kind.OFFICER)
    return zzb


# --- /open/benchmark/ signed in -----------------------------------------------------------------------------


@pytest.fixture
def shared_benchmark(settings, tmp_path):
    """The comparison cache on (tests run with it off), and a publish generation of this test's own: the
    generation file under a private VAR_DIR, so another run on the machine bumping its own never moves it."""
    settings.BENCHMARK_CACHE_SECONDS = 300
    settings.VAR_DIR = tmp_path
    public_pages_reset()


def test_benchmark_signed_in_reads_the_comparison_every_viewer_shares(
    cast, shared_benchmark, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from disclosure.models import PostCategory
    from disclosure.services import post_save

    _grow(cast, 3)
    url = reverse("disclosure:open_benchmark")
    as_zzb, as_alice = login(_zzb(cast)), login(cast.alice)
    # The first viewer of the generation computes it: 1 session, 2 user, then benchmark's six — 3 universities,
    # 4 post categories, 5 the units, 6 posts by unit/section/category, 7 each unit's last post, 8 minutes' lags.
    with django_assert_num_queries(8):
        first = as_alice.get(url)
    # Every other viewer, however high their unit: 1 session, 2 user. The university's officer costs what the
    # branch secretary costs.
    with django_assert_num_queries(2):
        shared = as_zzb.get(url)
    assert _count(as_alice, url) == _count(as_zzb, url) == 2
    totals = {r.unit.code: r.total for r in shared.context["bench"].branches}
    assert totals == {r.unit.code: r.total for r in first.context["bench"].branches} and totals["A"] == 0
    assert len(totals) == 8  # A, B and the six grown branches
    # Another period or committee is its own comparison (the committee only picks the rows: the same one).
    with django_assert_num_queries(8):
        as_zzb.get(url + "?period=year")
    with django_assert_num_queries(2):
        assert as_zzb.get(url + "?c=C2").context["committee"].unit.code == "C2"
    # Publishing replaces the generation: the next viewer counts again and sees the post.
    with django_capture_on_commit_callbacks(execute=True):
        post_save(
            by=cast.alice,
            organization=cast.branch_a,
            publish=True,
            data={
                "section": "news",
                "category": PostCategory.objects.get(code="work"),
                "title": "标题",
                "body": "正文",
                "visibility": "public",
            },
        )
    with django_assert_num_queries(8):
        fresh = as_zzb.get(url)
    assert {r.unit.code: r.total for r in fresh.context["bench"].branches}["A"] == 1
    assert {r.unit.code: r.total for r in as_alice.get(url).context["bench"].branches}["A"] == 1


def test_benchmark_page_stays_under_150_kb_with_a_committee_of_many_branches(cast, as_alice):
    """Issue 17.5: the branches' table lists one committee at a time; the chart data names every branch."""
    _grow(cast, 40)
    response = as_alice.get(reverse("disclosure:open_benchmark") + "?c=C1")
    assert response.status_code == 200 and len(response.context["branch_rows"]) == 41
    assert len(response.content) < 150 * 1024, len(response.content)


# --- the member-evaluation home -----------------------------------------------------------------------------


def test_evaluation_home_costs_the_university_what_it_costs_a_branch(cast, django_assert_num_queries):
    import datetime

    from assessments.services.evaluation import evaluation_open

    _grow(cast, 3)
    MemberFactory(branch=cast.branch_b)  # two party members: B may evaluate too
    for branch in Organization.objects.filter(kind=K.BRANCH):
        evaluation_open(branch=branch, year=2026, by=None, today=datetime.date(2026, 11, 2))
    url = reverse("evaluation:home")
    as_zzb, as_alice = login(_zzb(cast)), login(cast.alice)
    # 1 session, 2 user, 3 the evaluations of the units the user manages (at most 200, with their entries and
    # graded entries counted), 4 those awaiting the user's approval, 5 whether the user may open one (a branch
    # managed). The same five for the branch's secretary and the university's officer.
    with django_assert_num_queries(5):
        branch = as_alice.get(url)
    with django_assert_num_queries(5):
        university = as_zzb.get(url)
    assert [e.branch.code for e in branch.context["evaluations"]] == ["A"]
    assert len(university.context["evaluations"]) == 8  # every branch of the university


# --- the cycle's progress -----------------------------------------------------------------------------------


def test_cycle_progress_costs_the_university_what_it_costs_a_branch(live, django_assert_num_queries):
    url = reverse("cycle:progress", args=[live.cycle.year])
    as_zzb, as_alice = login(live.zzb), login(live.alice)
    as_zzb.get(url), as_alice.get(url)  # warm the sessions
    # 1 session, 2 user, 3 the paths of the user's grant roots and 4 the cycle rooted above one of them, 5 the
    # visible units' assessments counted by status, 6 this page of them with their units, 7 the officer check.
    with django_assert_num_queries(7):
        branch = as_alice.get(url)
    with django_assert_num_queries(7):
        university = as_zzb.get(url)
    assert [row.organization.code for row in branch.context["rows"]] == ["A"]
    assert {row.organization.code for row in university.context["rows"]} == {"C1", "C2", "A", "B"}


# --- the offline scores of a rating campaign ----------------------------------------------------------------


def test_offline_scores_cost_the_same_for_a_university_campaign_as_for_a_committees(
    cast, django_assert_num_queries
):
    import datetime

    from django.utils import timezone

    from assessments.services import ratings
    from tests.ratings_helpers import make_campaign, people

    _grow(cast, 3)
    zzb, dw1, _dw2 = people(cast)
    university = make_campaign(cast, by=zzb)
    now = timezone.now()
    committee = ratings.campaign_create(
        scope=cast.c1,
        name="2026年度书记述职测评（计算机学院）",
        year=2026,
        by=dw1,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=3),
    )
    as_dw1, as_zzb = login(dw1), login(zzb)
    # 1 session, 2 user, 3 the campaign among those the user manages, 4 whether the user manages its scope,
    # 5 its targets with their units, 6 the offline scores already entered. However many secretaries it rates.
    with django_assert_num_queries(6):
        small = as_dw1.get(reverse("assessments:offline_scores", args=[committee.pk]))
    with django_assert_num_queries(6):
        large = as_zzb.get(reverse("assessments:offline_scores", args=[university.pk]))
    assert len(small.context["form"].targets) < len(large.context["form"].targets)


@pytest.mark.parametrize("value", ["", "王伟 90\n李娜 <b>80</b>", None])
@pytest.mark.parametrize("bound", [False, True])
def test_the_offline_textarea_renders_what_djangos_renders(value, bound):
    """The offline form's textarea skips the widget templates (two thirds of a 314-secretary page's time) and
    must still give Django's markup, errors' aria attributes included."""
    from django import forms

    from assessments.forms.ratings import LinesTextarea

    def rendered(widget) -> str:
        field = forms.CharField(
            max_length=50, required=bound, initial=value, widget=widget(attrs={"rows": 4})
        )
        form = type("F", (forms.Form,), {"lines": field})({"lines": value or ""} if bound else None)
        form.is_valid()
        return str(form["lines"])

    assert rendered(LinesTextarea) == rendered(forms.Textarea)
