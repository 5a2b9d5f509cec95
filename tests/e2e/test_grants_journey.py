"""Issue 7 in a real browser: a branch secretary applies jointly with another branch; the committee endorses;
an assigned reviewer scores (another expert cannot open it); the 组织部 grants it as 一般 with an amount;
the project shows on both branches' 特色阵地 sections; an expense above what is left is refused with a
message; the final report is filed and accepted."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from projects.models import Grant
from tests.e2e.conftest import check_accessibility, log_in
from tests.test_projects import grants_cast  # noqa: F401 — the fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _go(page, url: str) -> None:
    page.goto(url)
    check_accessibility(page)


def _submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)
    check_accessibility(page)


def _sign_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()


def test_joint_showcase_project_from_application_to_acceptance(page, grants_cast):  # noqa: F811
    c = grants_cast
    today = timezone.localdate()
    c.call.opens_on, c.call.deadline = today - datetime.timedelta(days=3), today + datetime.timedelta(days=10)
    c.call.save()

    # --- the branch secretary applies with branch A2 as partner -----------------------------------
    log_in(page, "alice")
    _go(page, "/projects/")
    _submit(page, "#open-calls [data-action=apply]")
    page.select_option("#id_organization", str(c.branch_a.pk))
    page.select_option("#id_partners", [str(c.branch_a2.pk)])
    page.select_option("#id_topic", str(c.topic.pk))
    page.fill("#id_title", "师生党员结对帮扶行动")
    page.fill("#id_plan", "每月开展一次结对活动。")
    page.fill("#id_expected_outputs", "活动纪实 3 篇")
    page.fill("#id_budget_requested", "2000")
    _submit(page, "[data-action=submit]")
    grant = Grant.objects.get()
    assert grant.status == Grant.Status.SUBMITTED
    assert "计算机学院教工第二党支部" in page.inner_text("#grant-units")
    _sign_out(page)

    # --- the committee (C1's organizer) endorses ----------------------------------------------------
    log_in(page, "officer")
    _go(page, "/projects/")
    _submit(page, f"#endorse-table [data-grant='{grant.pk}'] a")
    _submit(page, "[data-action=endorse-form]")
    grant.refresh_from_db()
    assert grant.status == Grant.Status.REVIEW
    _sign_out(page)

    # --- the 组织部 assigns one expert ------------------------------------------------------------
    log_in(page, "zzb")
    _go(page, f"/projects/{grant.pk}/")
    page.check(f"#assign-form input[value='{c.reviewer.pk}']")
    _submit(page, "[data-action=assign-form]")
    _sign_out(page)

    # --- another expert cannot open it; the assigned one scores ----------------------------------------
    log_in(page, "expert2")
    response = page.goto(f"/projects/{grant.pk}/")
    assert response.status == 403
    _sign_out(page)
    log_in(page, "expert")
    _go(page, "/projects/")
    _submit(page, "#review-table a")
    page.fill("#review-form [name=score]", "86")
    page.fill("#review-form [name=opinion]", "结对形式新颖，建议立项。")
    _submit(page, "[data-action=review-form]")
    assert grant.reviews.get().score == 86
    _sign_out(page)
    # A visitor reads the partner branch's public page before the decision: a cached copy now exists.
    _go(page, f"/open/{c.branch_a2.code}/")
    assert page.locator("#showcase-projects").count() == 0

    # --- the 组织部 grants it as general, ¥1,800 ------------------------------------------------------
    log_in(page, "zzb")
    _go(page, f"/projects/{grant.pk}/")
    assert "86" in page.inner_text("#review-list")
    page.select_option("#decide-form [name=grade]", "general")
    page.fill("#decide-form [name=amount]", "1800")
    page.fill("#decide-form [name=reason]", "方案可行，予以一般项目立项。")
    _submit(page, "[data-action=decide-form]")
    grant.refresh_from_db()
    assert (grant.status, grant.grade, str(grant.granted_amount)) == ("running", "general", "1800.00")
    _sign_out(page)

    # --- both branches' public 特色阵地 sections show it at once (cached pages are invalidated) ---------
    for unit in (c.branch_a, c.branch_a2):
        _go(page, f"/open/{unit.code}/")
        assert "师生党员结对帮扶行动" in page.inner_text("#showcase-projects")

    # --- the lead branch's page lists it for its secretary ---------------------------------------------
    log_in(page, "alice")
    _go(page, f"/org/{c.branch_a.pk}/")
    assert "师生党员结对帮扶行动" in page.inner_text("#unit-grants")

    # --- an expense above what is left is refused with a message ---------------------------------------
    _go(page, f"/projects/{grant.pk}/")
    page.fill("#expense-form [name=spent_on]", today.isoformat())
    page.fill("#expense-form [name=amount]", "1900")
    page.fill("#expense-form [name=purpose]", "活动展板")
    _submit(page, "[data-action=expense-form]")
    assert "1,800.00" in page.inner_text(".alert-danger, .alert-error, [role=alert]")
    assert grant.expenses.count() == 0
    page.fill("#expense-form [name=spent_on]", today.isoformat())
    page.fill("#expense-form [name=amount]", "1200")
    page.fill("#expense-form [name=purpose]", "活动展板")
    _submit(page, "[data-action=expense-form]")
    assert page.inner_text("#grant-left").strip() == "¥600.00"

    # --- final report, then acceptance by the 组织部 --------------------------------------------------
    page.select_option("#report-form [name=kind]", "final")
    page.fill("#report-form [name=text]", "全年开展结对活动 10 次。")
    _submit(page, "[data-action=report-form]")
    grant.refresh_from_db()
    assert grant.status == Grant.Status.FINAL_SUBMITTED
    _sign_out(page)
    log_in(page, "zzb")
    _go(page, f"/projects/{grant.pk}/")
    page.select_option("#accept-form [name=result]", "passed")
    page.fill("#accept-form [name=reason]", "成果扎实，同意结项。")
    _submit(page, "[data-action=accept-form]")
    grant.refresh_from_db()
    assert grant.status == Grant.Status.PASSED
    assert "成果扎实" in page.inner_text("#grant-acceptance")
    _sign_out(page)
    _go(page, f"/open/{c.branch_a2.code}/")
    assert page.locator("#showcase-projects progress").get_attribute("value") == "100"
