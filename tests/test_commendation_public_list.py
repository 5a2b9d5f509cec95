"""The public site links to the 七一表彰's 公示 (issue 19): /open/commendations/ lists the notices running now
and those of the last year — at least the latest year's, whatever its age — each linked to its page; none still taking nominations; the public nav links to
it. And the commendation page shows its decision history."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from assessments.models.commendation import Commendation, HonourKind
from assessments.selectors import commendation as selectors
from assessments.services import commendation as services
from branches.models import Role
from branches.services import role_assign
from tests.conftest import login
from tests.factories import UserFactory

YEAR = 2026
NOTICE_DAY = datetime.date(2026, 6, 1)  # a Monday: five working days end on Monday 8 June
DURING = datetime.datetime(2026, 6, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _head(cast):
    user = UserFactory(username="zzb")
    role_assign(user=user, organization=cast.university, kind=Role.Kind.OFFICER)
    return user


def _commendation(cast, head, year=YEAR, notice=True) -> Commendation:
    commendation = services.commendation_open(
        root=cast.university,
        year=year,
        nominations_open_on=datetime.date(year, 5, 6),
        nominations_close_on=datetime.date(year, 5, 29),
        by=head,
    )
    if notice:
        services.nominate(
            commendation=commendation,
            kind=HonourKind.MEMBER,
            committee=cast.c1,
            by=head,
            member=cast.alice_member,
            deeds="扎根一线，成绩突出。",
            endorsement="经支部委员会研究，同意推荐。",
            today=datetime.date(year, 5, 20),
        )
        commendation = services.notice_start(
            commendation=commendation, by=head, today=datetime.date(year, 6, 1)
        )
    return commendation


@time_machine.travel(DURING, tick=False)
def test_public_list_links_running_notice_and_nav(cast):
    head = _head(cast)
    running = _commendation(cast, head)
    page = Client().get(reverse("open_commendation:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("open_commendation:notice", args=[running.pk]) in html
    assert "公示中" in html and running.title in html
    # every public page links to the list
    index = Client().get(reverse("disclosure:open_index")).content.decode()
    assert reverse("open_commendation:list") in index


@time_machine.travel(DURING, tick=False)
def test_nominating_not_listed_and_ended_listed_within_a_year(cast):
    head = _head(cast)
    nominating = _commendation(cast, head, notice=False)
    today = DURING.date()
    assert selectors.public_notices(today=today) == []
    assert Client().get(reverse("open_commendation:list")).content.decode().count("data-commendation=") == 0
    last = _commendation(cast, head, year=YEAR - 1)  # its notice started on 2025-06-01
    start = last.notice_starts_on
    assert start == datetime.date(YEAR - 1, 6, 1)
    # exactly a year after its start it is listed, and later still: it is the latest year's (as on 2026-06-03)
    assert selectors.public_notices(today=start + datetime.timedelta(days=365)) == [last]
    assert selectors.public_notices(today=start + datetime.timedelta(days=366)) == [last]
    assert selectors.public_notices(today=today) == [last]
    with time_machine.travel(
        datetime.datetime(YEAR, 1, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        html = Client().get(reverse("open_commendation:list")).content.decode()
    assert reverse("open_commendation:notice", args=[last.pk]) in html and "公示已结束" in html
    assert reverse("open_commendation:notice", args=[nominating.pk]) not in html


@time_machine.travel(DURING, tick=False)
def test_public_list_query_count_pinned(cast, django_assert_num_queries):
    head = _head(cast)
    _commendation(cast, head)
    _commendation(cast, head, year=YEAR - 1)
    cache.clear()  # the public page cache would answer without a query
    # the notices with their university and results post (1); nothing per notice. The running one and last
    # year's (its notice is over: the latest that is), whose notice started 367 days ago
    with django_assert_num_queries(1):
        assert (
            Client().get(reverse("open_commendation:list")).content.decode().count("data-commendation=") == 2
        )


@time_machine.travel(DURING, tick=False)
def test_commendation_page_shows_its_history(cast):
    head = _head(cast)
    commendation = _commendation(cast, head)
    page = login(head).get(reverse("commendation:detail", args=[commendation.pk])).content.decode()
    statuses = [s.split('"')[1] for s in page.split("data-history-status=")[1:]]
    assert statuses == ["nominating", "notice"]


def test_last_years_notice_listed_in_december_after_running_ones(cast):
    """On 2026-12-03 the 2025 公示 (started 2025-06-01, 550 days before) is still the latest year's: listed; an
    older year's is not; a notice running now comes first."""
    head = _head(cast)
    older = _commendation(cast, head, year=YEAR - 2)
    last = _commendation(cast, head, year=YEAR - 1)
    december = datetime.datetime(YEAR, 12, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(december, tick=False):
        assert selectors.public_notices(today=december.date()) == [last]
        cache.clear()
        html = Client().get(reverse("open_commendation:list")).content.decode()
    assert reverse("open_commendation:notice", args=[last.pk]) in html
    assert reverse("open_commendation:notice", args=[older.pk]) not in html
    with time_machine.travel(DURING, tick=False):
        running = _commendation(cast, head)
        cache.clear()
        html = Client().get(reverse("open_commendation:list")).content.decode()
    running_at = html.index(reverse("open_commendation:notice", args=[running.pk]))
    assert running_at < html.index(reverse("open_commendation:notice", args=[last.pk]))
