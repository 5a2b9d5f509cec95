"""load_demo's posts (disclosure/demo_posts.py): at least 1,200, about 300 理论学习 and 500 推进工作, uneven across
units, with internal and restricted ones, some awaiting the check, summaries of approved minutes, a history
row each, and searchable. The demo is the session's (tests/conftest.py: loaded once, each test in a savepoint).
"""

from collections import Counter

import pytest
from django.test import Client

from branches.models import Organization
from disclosure.models import Meeting, Post, PublishingRule
from disclosure.search import search_filter
from disclosure.selectors.benchmark import benchmark


@pytest.fixture
def db_demo(session_demo, db):
    return session_demo


def test_figures(db_demo):
    posts = Post.objects.all()
    assert posts.count() >= 1200
    by_category = Counter(posts.values_list("category__code", flat=True))
    assert 240 <= by_category["theory"] <= 360 and 420 <= by_category["work"] <= 580
    assert set(posts.values_list("section", flat=True)) == set(Post.Section.values)
    visibility = Counter(posts.values_list("visibility", flat=True))
    assert visibility["university"] > 50 and visibility["restricted"] > 10
    assert (
        posts.filter(status=Post.Status.PENDING).exists()
        and PublishingRule.objects.filter(check_required=True).exists()
    )
    summaries = posts.exclude(source_meeting=None)
    assert (
        summaries.exists() and not summaries.exclude(source_meeting__status=Meeting.Status.APPROVED).exists()
    )
    assert Post.history.count() == posts.count()
    assert not posts.filter(search_tokens="").exists()
    assert not posts.filter(status=Post.Status.PUBLISHED, published_at=None).exists()


def test_uneven_over_units_and_time(db_demo):
    units = Organization.objects.filter(kind=Organization.Kind.BRANCH, is_active=True).count()
    per_unit = Counter(
        Post.objects.filter(organization__kind="branch").values_list("organization_id", flat=True)
    )
    silent = units - len(per_unit)
    counts = sorted(per_unit.values())
    assert silent > units * 0.08  # some branches published nothing
    assert counts[-1] >= 4 * counts[len(counts) // 2]  # the busiest far above the median
    months = Counter(Post.objects.published().values_list("published_at__month", flat=True))
    assert len(months) >= 10


def test_benchmark_tells_a_story(db_demo):
    bench = benchmark(period="12m")
    totals = [row.total for row in bench.branches]
    assert max(totals) > 10 and min(totals) == 0
    assert any(row.on_time_share is not None and row.on_time_share < 80 for row in bench.branches)
    assert Client().get("/open/benchmark/").status_code == 200


def test_demo_posts_are_searchable(db_demo):
    sample = Post.objects.published().filter(visibility="public").first()
    word = sample.title[-4:]
    assert search_filter(Post.objects.published(), word).filter(pk=sample.pk).exists()
