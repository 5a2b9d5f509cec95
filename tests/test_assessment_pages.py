"""Pages of the July-1 cycle: happy paths, wrong methods, permissions with the cast (another branch's draft
→ 404, a committee page of another committee → 403), and pinned query counts on the lists and results."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from assessments.services.assessment import assessment_cycles_advance, cycle_create
from assessments.services.targets import indicator_table_create
from assessments.models import Programme
from branches.models import Role
from branches.services import role_assign
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(cast):
    """The cast, zzb (组织部), this year's tables and a cycle whose self-assessment window is open today."""
    today = timezone.localdate()
    zzb = UserFactory(username="zzb")
    role_assign(user=zzb, organization=cast.university, kind=Role.Kind.OFFICER)
    for p in Programme.values:
        indicator_table_create(year=today.year, programme=p, by=None)
    d = datetime.timedelta
    cast.cycle = cycle_create(
        root=cast.university,
        year=today.year,
        plan_opens_on=today - d(days=60),
        half_year_check_on=today - d(days=20),
        self_opens_on=today - d(days=5),
        self_closes_on=today + d(days=5),
        review_closes_on=today + d(days=10),
        verification_closes_on=today + d(days=15),
        publish_on=today + d(days=16),
        summary_due_on=today + d(days=100),
    )
    assessment_cycles_advance(today=today)
    cast.zzb = zzb
    cast.a = Assessment.objects.get(organization=cast.branch_a)
    cast.b = Assessment.objects.get(organization=cast.branch_b)
    return cast


def _self_post(assessment, **extra):
    data = {}
    for item in assessment.items.select_related("indicator"):
        data[f"present-{item.pk}"] = "1"
        if item.kind != "veto":
            data[f"points-{item.pk}"] = str(item.max_points)
        data[f"evidence-{item.pk}"] = "见党建动态 https://example.org/p/1"
    data.update(extra)
    return data


def test_a_secretary_self_assesses_and_submits(live):
    c = live
    client = login(c.alice)
    url = reverse("cycle:assessment", args=[c.a.pk])
    page = client.get(url)
    assert page.status_code == 200 and b'id="submit-self"' in page.content
    assert (
        "measured".encode() in page.content
        or "已测".encode() in page.content
        or b"badge text-bg-info" in page.content
    )
    response = client.post(url, _self_post(c.a, submit="1"))
    assert response.status_code == 302
    c.a.refresh_from_db()
    assert c.a.status == Assessment.Status.SUBMITTED and c.a.self_total == D(105)
    again = client.post(url, _self_post(c.a, submit="1"))  # a double submit: no form any more, refused
    assert again.status_code == 403


def test_bad_points_are_refused_with_what_was_typed_kept(live):
    c = live
    item = c.a.items.get(indicator__code="1.1")
    data = _self_post(c.a)
    data[f"points-{item.pk}"] = "9"
    data[f"evidence-{item.pk}"] = "我写的证明材料"
    response = login(c.alice).post(reverse("cycle:assessment", args=[c.a.pk]), data)
    assert response.status_code == 422
    assert "我写的证明材料".encode() in response.content and b'value="9"' in response.content
    item.refresh_from_db()
    assert item.self_points is None and item.evidence == ""


def test_another_branchs_secretary_cannot_see_the_draft(live):
    c = live
    assert login(c.charlie).get(reverse("cycle:assessment", args=[c.a.pk])).status_code == 404
    assert (
        login(c.charlie).post(reverse("cycle:assessment", args=[c.a.pk]), _self_post(c.a)).status_code == 404
    )
    assert login(c.charlie).get(reverse("cycle:report", args=[c.a.pk])).status_code == 404
    assert login(c.bob).get(reverse("cycle:assessment", args=[c.a.pk])).status_code in (403, 404)
    assert login(c.charlie).get(reverse("cycle:committee", args=[c.cycle.year, c.c1.pk])).status_code == 403


def test_the_committee_reviews_with_reasons_and_zzb_verifies(live):
    c = live
    login(c.alice).post(reverse("cycle:assessment", args=[c.a.pk]), _self_post(c.a, submit="1"))
    url = reverse("cycle:assessment", args=[c.a.pk])
    officer = login(c.officer)
    assert b'id="save-review"' in officer.get(url).content
    item = c.a.items.get(indicator__code="1.1")
    data = {f"present-{i.pk}": "1" for i in c.a.items.all()}
    data[f"points-{item.pk}"] = "3"
    refused = officer.post(url, data)
    assert refused.status_code == 422
    data[f"reason-{item.pk}"] = "学习记录不全"
    assert officer.post(url, data).status_code == 302
    c.a.refresh_from_db()
    assert c.a.status == Assessment.Status.REVIEWED and c.a.review_total == D(103)
    zzb = login(c.zzb)
    assert b'id="save-verify"' in zzb.get(url).content
    assert zzb.post(url, {f"present-{i.pk}": "1" for i in c.a.items.all()}).status_code == 302
    c.a.refresh_from_db()
    assert c.a.status == Assessment.Status.VERIFIED and c.a.verified_total == D(103)


def test_progress_page_shows_only_what_the_user_may_see(live, django_assert_num_queries):
    c = live
    client = login(c.alice)
    client.get(reverse("cycle:progress", args=[c.cycle.year]))  # warm the session
    # session, user, cycles (visible paths + cycle), the visible units' assessments counted by status (issue
    # 17: the list is paged, so the counts are a grouped query, one more than when every row was loaded),
    # this page of them, is-officer check
    with django_assert_num_queries(7):
        page = client.get(reverse("cycle:progress", args=[c.cycle.year]))
    assert b'data-unit="A"' in page.content and b'data-unit="B"' not in page.content
    zzb_page = login(c.zzb).get(reverse("cycle:progress", args=[c.cycle.year]))
    assert b'data-unit="A"' in zzb_page.content and b'data-unit="B"' in zzb_page.content


def test_results_are_hidden_until_published_then_pinned(live, django_assert_num_queries):
    from assessments.services.assessment import cycle_publish

    c = live
    url = reverse("cycle:results", args=[c.cycle.year])
    assert login(c.alice).get(url).status_code == 403
    assert login(c.zzb).get(url).status_code == 200
    assessment_cycles_advance(today=c.cycle.verification_closes_on + datetime.timedelta(days=1))
    c.cycle.refresh_from_db()
    cycle_publish(cycle=c.cycle, by=c.zzb)
    client = login(c.alice)
    client.get(url)
    # session, user, visible paths, cycle, is-officer check, the assessments
    with django_assert_num_queries(6):
        page = client.get(url)
    assert page.status_code == 200 and b'id="ranking-branches"' in page.content
    assert b"assessment-chart-data" in page.content and b"<script>" not in page.content
    export = client.get(reverse("cycle:results_xlsx", args=[c.cycle.year]))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    assert client.get(reverse("cycle:report", args=[c.b.pk])).status_code == 200  # published: readable


def test_committee_page_ranks_and_takes_the_summary(live, django_assert_num_queries):
    c = live
    url = reverse("cycle:committee", args=[c.cycle.year, c.c1.pk])
    officer = login(c.officer)
    officer.get(url)
    # session, user, cycles (paths + cycle), committee, view permission, own assessment, manage permission,
    # the branches' assessments
    with django_assert_num_queries(9):
        page = officer.get(url)
    assert b'id="committee-ranking"' in page.content
    assert officer.post(url, {"text": "<p>总结</p><script>x</script>"}).status_code == 302
    own = Assessment.objects.get(organization=c.c1)
    assert "总结" in own.summary and "<script>" not in own.summary
    assert login(c.alice).post(url, {"text": "x"}).status_code == 403


def test_home_lists_my_unit_and_reminders(live, django_assert_num_queries):
    client = login(live.alice)
    client.get(reverse("cycle:home"))
    # session, user, visible paths, cycles, own units, my assessments; reminders: own units, managed + own
    # assessments, is-officer; is-officer for the buttons; plans awaiting: own units, count
    with django_assert_num_queries(12):
        page = client.get(reverse("cycle:home"))
    assert (
        page.status_code == 200
        and b'id="my-assessments"' in page.content
        and b'id="cycle-reminders"' in page.content
    )


def test_plan_page_queries_are_pinned(live, django_assert_num_queries):
    client = login(live.officer)
    url = reverse("cycle:plan", args=[live.branch_a.pk, live.cycle.year])
    client.get(url)
    # session, user, unit, view permission, own-role check, parent, manage permission on the parent, the items
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


def test_wrong_methods(live):
    client = login(live.zzb)
    assert client.get(reverse("cycle:publish", args=[live.cycle.year])).status_code == 405
    assert client.put(reverse("cycle:assessment", args=[live.a.pk])).status_code == 405


def test_anonymous_is_sent_to_log_in(live):
    from django.test import Client

    assert Client().get(reverse("cycle:home")).status_code == 302
    assert Client().get(reverse("cycle:assessment", args=[live.a.pk])).status_code == 302


def test_only_zzb_edits_the_cycle(live):
    url = reverse("cycle:cycle_edit", args=[live.cycle.year])
    assert login(live.officer).get(url).status_code == 403
    assert login(live.zzb).get(url).status_code == 200


def test_evidence_files_are_checked_and_served_only_to_the_unit_and_above(live, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    c = live
    item = c.a.items.get(indicator__code="1.1")
    url = reverse("cycle:assessment", args=[c.a.pk])
    exe = SimpleUploadedFile("x.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    refused = login(c.alice).post(
        url, {f"present-{item.pk}": "1", f"points-{item.pk}": "5", f"file-{item.pk}": exe}
    )
    assert refused.status_code == 422
    pdf = SimpleUploadedFile("台账.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    assert (
        login(c.alice)
        .post(url, {f"present-{item.pk}": "1", f"points-{item.pk}": "5", f"file-{item.pk}": pdf})
        .status_code
        == 302
    )
    file_url = reverse("cycle:evidence_file", args=[item.pk])
    assert login(c.officer).get(file_url).status_code == 200
    assert login(c.charlie).get(file_url).status_code == 404


def test_progress_page_is_paged_and_counts_every_assessment(live, monkeypatch):
    """Issue 17: a university lists hundreds of assessments, a province tens of thousands: a page at a time,
    the counts by status over all of them."""
    c = live
    monkeypatch.setattr("assessments.views.assessment.PROGRESS_PAGE_SIZE", 1)
    client = login(c.zzb)
    url = reverse("cycle:progress", args=[c.cycle.year])
    first = client.get(url)
    total = Assessment.objects.filter(cycle=c.cycle).count()
    assert total > 1 and first.content.count(b"<tr data-unit=") == 1
    assert sum(n for _label, n in first.context["counts"]) == total
    assert f"1 / {total}".encode() in first.content and b"?page=2" in first.content
    assert client.get(url + "?page=x").status_code == 200  # a bad page number is the first page
