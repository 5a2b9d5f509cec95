"""Benchmarking (对标): the figures per unit, ranks among peers, a fixed query count, and the page updating
as soon as something is published."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from branches.models import Organization
from disclosure.models import Meeting, PostCategory
from disclosure.selectors.benchmark import benchmark, period_range
from disclosure.services import post_save
from tests.factories import make_org

pytestmark = pytest.mark.django_db


def _post(cast, unit, by, section="news", code="work"):
    return post_save(
        by=by,
        organization=unit,
        publish=True,
        data={
            "section": section,
            "category": PostCategory.objects.get(code=code),
            "title": "标题",
            "body": "正文",
            "visibility": "public",
        },
    )


def _meeting(unit, lag, days_ago=10):
    held = timezone.now() - datetime.timedelta(days=days_ago)
    return Meeting.objects.create(
        organization=unit,
        kind="branch_committee",
        status="approved",
        held_at=held,
        first_submitted_at=held + datetime.timedelta(days=lag),
        filing_lag_days=lag,
        is_late=lag > 7,
    )


def test_figures_and_ranks(cast):
    _post(cast, cast.branch_a, cast.alice)
    _post(cast, cast.branch_a, cast.alice, section="branch_life", code="theory")
    _post(cast, cast.branch_b, cast.charlie)
    for lag in (1, 3, 20):
        _meeting(cast.branch_a, lag)
    _meeting(cast.branch_b, 2)
    _meeting(cast.branch_b, 2, days_ago=200)  # outside the 90 days
    bench = benchmark(period="90d")
    rows = {row.unit.code: row for row in bench.branches}
    a, b = rows["A"], rows["B"]
    assert a.total == 2 and a.sections == {"news": 1, "branch_life": 1}
    assert a.filed == 3 and a.on_time == 2 and a.on_time_share == 66.7 and a.median_lag == 3
    assert b.filed == 1 and b.on_time_share == 100.0 and b.days_since == 0
    assert (a.rank_all, b.rank_all, a.all) == (1, 2, 2)
    assert (a.rank_peers, a.peers) == (1, 1)  # alone in C1
    assert a.committee == cast.c1
    assert [r.unit.code for r in bench.committees] == ["C1", "C2"]
    assert all(r.rank_peers == 1 for r in bench.committees)  # no committee posted: tied


def test_ties_share_a_rank(cast):
    _post(cast, cast.branch_a, cast.alice)
    _post(cast, cast.branch_b, cast.charlie)
    rows = {row.unit.code: row for row in benchmark(period="30d").branches}
    assert rows["A"].rank_all == rows["B"].rank_all == 1


def test_periods():
    today = datetime.date(2026, 5, 20)
    assert period_range("year", today)[1] == datetime.date(2026, 1, 1)
    assert period_range("nonsense", today)[0] == "90d"


def test_query_count_does_not_grow_with_units(cast, django_assert_num_queries):
    url = reverse("disclosure:open_benchmark")
    # 1 universities, 2 categories, 3 units, 4 posts by section and category, 5 last post, 6 minutes' lags.
    with django_assert_num_queries(6):
        Client().get(url)
    for i in range(5):
        branch = make_org(cast.c2, Organization.Kind.BRANCH, f"新支部{i}", code=f"N{i}", category="student")
        _meeting(branch, 4)
    _post(cast, cast.branch_b, cast.charlie)
    with django_assert_num_queries(6):
        response = Client().get(url + "?period=year")
    assert len(response.context["bench"].branches) == 7


def test_the_branches_table_lists_one_committee_at_a_time(cast):
    """Issue 17.5: the page's size follows the largest committee, not the university; ranks stay the
    university's."""
    for i in range(5):
        make_org(cast.c2, Organization.Kind.BRANCH, f"新支部{i}", code=f"N{i}", category="student")
    url = reverse("disclosure:open_benchmark")
    response = Client().get(url + "?c=C2")
    rows = response.context["branch_rows"]
    assert response.context["committee"].unit.code == "C2" and {r.unit.code for r in rows} == {
        "B",
        *{f"N{i}" for i in range(5)},
    }
    assert all(r.all == 7 for r in rows)  # ranked among the university's 7 branches
    body = response.content.decode()
    assert 'data-unit="B"' in body and 'data-unit="A"' not in body
    default = Client().get(url + "?c=nope").context  # an unknown committee: the best-ranked one
    assert default["committee"] is not None and len(default["bench"].branches) == 7


def test_the_page_updates_as_soon_as_something_is_published(cast, django_capture_on_commit_callbacks):
    visitor = Client()
    url = reverse("disclosure:open_benchmark")
    before = {r.unit.code: r.total for r in visitor.get(url).context["bench"].branches}
    assert before["A"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        _post(cast, cast.branch_a, cast.alice)
    response = visitor.get(url)
    assert response.context is not None  # rendered again, not the stale copy
    assert {r.unit.code: r.total for r in response.context["bench"].branches}["A"] == 1
    assert 'id="bench-data"' in response.content.decode() and "<script>" not in response.content.decode()


def test_filing_minutes_updates_the_cached_benchmark(cast, django_capture_on_commit_callbacks):
    from disclosure.services import AttendanceEntry, meeting_save

    visitor = Client()
    url = reverse("disclosure:open_benchmark")
    visitor.get(url)
    held = timezone.now() - datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_save(
            by=cast.alice,
            organization=cast.branch_a,
            submit=True,
            data={"kind": "branch_committee", "held_at": held, "topics": "研究工作"},
            attendance=[
                AttendanceEntry(member_id=m.pk, status="present")
                for m in (cast.alice_member, cast.bob_member)
            ],
        )
    response = visitor.get(url)
    assert response.context is not None
    row = {r.unit.code: r for r in response.context["bench"].branches}["A"]
    assert (row.filed, row.on_time, row.median_lag) == (1, 1, 2)
