"""Server errors the crawl found (issue 14), one test each: bad query parameters are a 404 or a form message,
and a page with a history row (or a creator) without a user still shows."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import IndicatorTable, Programme
from assessments.services.targets import indicator_table_create
from branches.models import Role
from branches.services import role_assign
from disclosure.models import Meeting, Post, PostCategory
from disclosure.services import AttendanceEntry, meeting_save, post_save
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]  # the dues months are counted from today


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _post(cast) -> Post:
    return post_save(
        by=cast.alice,
        organization=cast.branch_a,
        publish=True,
        data={
            "section": "news",
            "category": PostCategory.objects.get(code="work"),
            "title": "消息",
            "body": "正文",
            "visibility": "public",
        },
    )


def test_a_post_whose_history_has_no_user_shows_to_its_managers(cast, as_alice, as_officer):
    post = _post(cast)
    Post.history.filter(id=post.pk).update(history_user=None)  # a bulk write, a shell, the demo
    for client in (as_alice, as_officer):
        response = client.get(reverse("disclosure:post_detail", args=[post.pk]))
        assert response.status_code == 200
        assert "—" in response.content.decode()


def test_a_meeting_whose_history_and_creator_have_no_user_shows(cast, as_alice, as_officer):
    held = timezone.now() - datetime.timedelta(days=2)
    meeting = meeting_save(
        by=cast.alice,
        organization=cast.branch_a,
        submit=True,
        attendance=[AttendanceEntry(m.pk, "present", "") for m in cast.branch_a.members.party_members()],
        data={
            "kind": "general_assembly",
            "held_at": held,
            "place": "会议室",
            "topics": "学习",
            "minutes": "<p>讨论</p>",
            "takes_vote": False,
        },
    )
    Meeting.history.filter(id=meeting.pk).update(history_user=None)
    Meeting.objects.filter(pk=meeting.pk).update(created_by=None)
    for client in (as_alice, as_officer):
        assert client.get(reverse("disclosure:detail", args=[meeting.pk])).status_code == 200


def test_a_post_is_returned_only_by_its_checker_whatever_the_form(cast, as_charlie, as_bob):
    post = _post(cast)
    for client in (as_charlie, as_bob):  # they may read the public post, not check it
        assert client.post(reverse("disclosure:post_return", args=[post.pk]), {}).status_code == 403


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "1900-01", "x", "2026-13"])
def test_a_dues_month_outside_the_ledger_is_a_404(cast, as_alice, month):
    url = reverse("members:dues", args=[cast.branch_a.pk])
    assert as_alice.get(url, {"month": month}).status_code == 404
    assert as_alice.get(url).status_code == 200
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    assert as_alice.get(url, {"month": f"{last_month:%Y-%m}"}).status_code == 200


@pytest.mark.parametrize("year", [1, 1900, 9999])
def test_a_dues_year_outside_the_ledger_is_a_404(cast, as_alice, year):
    assert as_alice.get(reverse("members:dues_year", args=[cast.branch_a.pk, year])).status_code == 404
    assert as_alice.get(reverse("members:dues_export", args=[cast.branch_a.pk, year])).status_code == 404


@pytest.mark.parametrize("year", ["x", "0", "-1", "99999", "1900"])
def test_a_meeting_list_year_that_is_no_year_of_records_is_a_404(cast, as_alice, year):
    url = reverse("disclosure:list", args=[cast.branch_a.pk])
    assert as_alice.get(url, {"year": year}).status_code == 404
    assert as_alice.get(url, {"year": str(timezone.localdate().year - 1)}).status_code == 200


@pytest.mark.parametrize("edit", ["x", "1.5", "-1", "999999"])
def test_an_indicator_table_edit_that_names_no_indicator_is_a_404(cast, edit):
    zzb = UserFactory(username="zzb")
    role_assign(user=zzb, organization=cast.university, kind=Role.Kind.OFFICER)
    table: IndicatorTable = indicator_table_create(year=2026, programme=Programme.values[0], by=None)
    url = reverse("cycle:table", args=[table.pk])
    assert login(zzb).get(url, {"edit": edit}).status_code == 404
    indicator = table.indicators.first()
    assert login(zzb).get(url, {"edit": indicator.pk}).status_code == 200


@pytest.mark.parametrize("code", ["'", "--", "·", " "])
def test_a_rating_code_with_nothing_of_a_code_is_a_form_message(client, code):
    # Posted, as the entry form sends it (issue 16: a code is never read from a URL).
    response = client.post(reverse("assessments:code_entry"), {"code": code})
    assert response.status_code == 200
    page = response.content.decode()
    assert "测评码无效" in page or "这个字段是必填项" in page


@pytest.mark.parametrize("pk", [0, 2**63, 10**30])
def test_a_dashboard_of_an_id_beyond_the_column_is_a_404(cast, as_officer, pk):
    # The dashboard's one-query chain is raw SQL: an id past the 64-bit column was an OverflowError (a 500).
    assert as_officer.get(reverse("dashboard:unit", args=[pk])).status_code == 404
    assert as_officer.get(reverse("dashboard:export", args=[pk, "meetings"])).status_code == 404


@pytest.mark.parametrize("year", [0, 1, 1999, 9999])
def test_a_plan_of_no_year_of_the_portal_is_a_404(cast, as_alice, year):
    assert as_alice.get(reverse("cycle:plan", args=[cast.branch_a.pk, year])).status_code == 404
    assert (
        as_alice.get(reverse("cycle:plan", args=[cast.branch_a.pk, timezone.localdate().year])).status_code
        == 200
    )
