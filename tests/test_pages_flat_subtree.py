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
