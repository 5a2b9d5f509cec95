"""Issue 5 in a real browser: a branch secretary self-assesses and submits, the committee reviews (a change
with its reason) and ranks, 组织部 verifies and publishes, and the branch's published grade shows; another
branch's secretary cannot open the draft. axe-core runs on every page, under the real CSP.

Selectors use ids, names and data attributes (the UI strings are translated English sources)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from assessments.models import Assessment, Programme
from assessments.services.assessment import assessment_cycles_advance, cycle_create
from assessments.services.targets import indicator_table_create
from branches.models import Role
from branches.services import role_assign
from tests.e2e.conftest import check_accessibility, log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _go(page, url: str) -> None:
    page.goto(url)
    check_accessibility(page)


def _click_and_wait(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)
    check_accessibility(page)


def _sign_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()


def test_self_assessment_review_verification_publication(page, cast):
    today = timezone.localdate()
    d = datetime.timedelta
    zzb = UserFactory(username="zzb")
    role_assign(user=zzb, organization=cast.university, kind=Role.Kind.OFFICER)
    indicator_table_create(year=today.year, programme=Programme.LADDER, by=None)  # only branch A is assessed
    cycle_create(
        root=cast.university,
        year=today.year,
        plan_opens_on=today - d(days=60),
        half_year_check_on=today - d(days=20),
        self_opens_on=today - d(days=3),
        self_closes_on=today + d(days=5),
        review_closes_on=today + d(days=10),
        verification_closes_on=today + d(days=15),
        publish_on=today + d(days=16),
        summary_due_on=today + d(days=100),
    )
    assessment_cycles_advance(today=today)
    a = Assessment.objects.get(organization=cast.branch_a)
    url = f"/assessments/a/{a.pk}/"

    # --- alice self-assesses ---------------------------------------------------------------------------
    log_in(page, "alice")
    _go(page, "/assessments/")
    assert page.locator("#cycle-reminders").count() == 1
    _click_and_wait(page, "#my-assessments a.btn-primary")
    for box in page.locator("input.points-input").all():
        box.fill(box.get_attribute("max"))
    page.locator("textarea").first.fill("见党建动态 https://example.org/news/1")
    _click_and_wait(page, "#submit-self")
    assert page.locator("#assessment-status").get_attribute("data-status") == "submitted"
    assert page.locator("#submit-self").count() == 0
    _sign_out(page)

    # --- charlie (branch B) cannot see A's assessment ---------------------------------------------------
    log_in(page, "charlie")
    response = page.goto(url)
    assert response.status == 404
    _sign_out(page)

    # --- the committee (officer, organizer of C1) reviews: a change needs its reason ---------------------
    log_in(page, "officer")
    _go(page, url)
    row = page.locator("tr[data-code='1.1']")
    row.locator("input.points-input").fill("3")
    _click_and_wait(page, "#save-review")
    assert page.locator("#form-errors").count() == 1  # refused: no reason
    row = page.locator("tr[data-code='1.1']")
    assert row.locator("input.points-input").input_value() == "3"  # what was typed is kept
    row.locator("input[name^='reason-']").fill("学习记录不全")
    _click_and_wait(page, "#save-review")
    assert page.locator("#form-errors").count() == 0
    _go(page, f"/assessments/{today.year}/committee/{cast.c1.pk}/")
    assert page.locator("#committee-ranking tr[data-unit='A'] td").first.inner_text() == "1"
    _sign_out(page)

    # --- 组织部 verifies and publishes -------------------------------------------------------------------
    log_in(page, "zzb")
    _go(page, "/assessments/tables/")
    _click_and_wait(page, "#indicator-tables a")  # the editor (axe-checked like every page here)
    _go(page, url)
    _click_and_wait(page, "#save-verify")
    _go(page, f"/assessments/{today.year}/")
    _click_and_wait(page, "form[action$='/publish/'] button")
    assert page.locator("#ranking-branches tr[data-unit='A']").count() == 1
    # the chart drew under the CSP (the console's other errors are the deliberate 404 and 422 above)
    assert not [e for e in page.console_errors if "Refused" in e or "Security Policy" in e], (
        page.console_errors
    )
    assert page.locator("#assessment-chart canvas").count() == 1
    _sign_out(page)

    # --- alice sees the published grade -----------------------------------------------------------------
    log_in(page, "alice")
    _go(page, url)
    a.refresh_from_db()
    assert a.status == Assessment.Status.PUBLISHED and str(a.verified_total) == "103.0"
    assert page.locator("#published-grade").inner_text() == "五星"
    _go(page, f"/assessments/a/{a.pk}/report/")
    _go(page, f"/assessments/plan/{cast.branch_a.pk}/{today.year}/")
