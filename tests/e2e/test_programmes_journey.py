"""Issue 18 in a real browser, on a pinned clock (10 March 2027): 组织部 edits the 引航计划 table and publishes
the 山梯 guide; a committee secretary records the year's 民主生活会 and a major decision from it; the teacher
branch's secretary finds the guide's March actions on their to-do list, not April's, and records one as done.
axe-core runs on every page, under the real CSP."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from assessments.models import Indicator, Programme
from assessments.services.targets import indicator_table_create
from branches.models import Role
from branches.services import role_assign
from disclosure.models import Decision, Meeting, Todo
from tests.e2e.conftest import check_accessibility, log_in
from tests.factories import MemberFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MOMENT = datetime.datetime(2027, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


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


def test_guide_plan_guides_committee_records_and_the_months_to_dos(page, cast):
    with time_machine.travel(MOMENT, tick=True):
        zzb = UserFactory(username="zzb")
        role_assign(user=zzb, organization=cast.university, kind=Role.Kind.OFFICER)
        dw1 = UserFactory(username="dw1")
        role_assign(user=dw1, organization=cast.c1, kind=Role.Kind.SECRETARY)
        MemberFactory(
            branch=cast.branch_a, user=dw1, name="党委书记"
        )  # the committee's own meetings: its members
        table = indicator_table_create(year=2027, programme=Programme.GUIDE, by=None)

        # --- 组织部 edits the 引航计划 table: task 1.2 counts 8 decisions for full points ---------------
        log_in(page, "zzb")
        _go(page, f"/assessments/tables/{table.pk}/")
        assert page.locator("#indicators tr[data-code='11']").count() == 1  # the eleven tasks
        item = Indicator.objects.get(table=table, code="1.2")
        _go(page, f"/assessments/tables/{table.pk}/?edit={item.pk}")
        page.fill("#id_target_count", "8")
        _click_and_wait(page, "#indicator-form button[type=submit]")
        item.refresh_from_db()
        assert item.target_count == 8

        # --- and publishes this year's 山梯 guide with an extra March action ---------------------------
        _go(page, "/assessments/guides/")
        page.fill("#id_year", "2027")
        page.select_option("#id_programme", "ladder")
        _click_and_wait(page, "#guide-new-form button[type=submit]")
        page.select_option("#id_month", "3")
        page.fill("#id_title", "三月主题党日：学雷锋志愿服务")
        page.fill("#id_indicator_code", "2.2")
        _click_and_wait(page, "#guide-action-form button[type=submit]")
        _click_and_wait(page, "#guide-publish")
        assert page.locator("#guide-publish").count() == 0
        _sign_out(page)

        # --- the committee secretary records the 民主生活会 and a decision ----------------------------
        log_in(page, "dw1")
        _go(page, f"/org/{cast.c1.pk}/meetings/new/")
        page.select_option("#id_kind", "democratic_life")
        page.fill("#id_held_at", "2027-03-08T09:00")
        page.fill("#id_topics", "年度民主生活会：对照检查")
        page.fill("#id_observers", "校党委组织部 张部长")
        _click_and_wait(page, 'button[name="action"][value="submit"]')
        life = Meeting.objects.get(organization=cast.c1, kind=Meeting.Kind.DEMOCRATIC_LIFE)
        assert life.status == Meeting.Status.SUBMITTED
        _go(page, f"/org/{cast.c1.pk}/decisions/new/?meeting={life.pk}")
        page.fill("#id_decided_on", "2027-03-08")  # the meeting's day
        page.fill("#id_topic", "领导班子整改清单")
        page.fill("#id_basis", "民主生活会查摆的问题")
        page.fill("#id_votes_for", "5")
        page.fill("#id_decision", "通过整改清单，三个月内完成")
        _click_and_wait(page, "#decision-form button[type=submit]")
        assert Decision.objects.get(organization=cast.c1).meeting == life
        assert page.locator("#decisions [data-decision]").count() == 1
        _sign_out(page)

        # --- 组织部 finds it in the register across committees ----------------------------------------
        log_in(page, "zzb")
        _go(page, "/decisions/?q=整改")
        assert page.locator("#decisions [data-decision]").count() == 1
        _sign_out(page)

        # --- the teacher branch's secretary: March's actions on the to-do list, not April's -----------
        todos = Todo.objects.filter(user=cast.alice, kind=Todo.Kind.GUIDE).open()
        assert todos.count() >= 2 and {t.due_on for t in todos} == {datetime.date(2027, 3, 31)}
        log_in(page, "alice")
        _go(page, f"/org/{cast.branch_a.pk}/")
        guide_todos = page.locator('#todos [data-todo="guide"]')
        assert guide_todos.count() == todos.count()
        assert guide_todos.filter(has_text="学雷锋").count() == 1
        with page.expect_navigation():
            guide_todos.filter(has_text="学雷锋").locator("a").first.click()
        check_accessibility(page)
        row = page.locator("#branch-guide li[data-done='0']", has_text="学雷锋")
        row.locator("input[name=evidence]").fill("见3月主题党日记录")
        with page.expect_navigation():
            row.locator("button[type=submit]").click()
        assert page.locator("#branch-guide li[data-done='1']", has_text="学雷锋").count() == 1
        assert Todo.objects.filter(user=cast.alice, kind=Todo.Kind.GUIDE).open().count() == todos.count() - 1


def _fits(page) -> None:
    """Nothing wider than the 390 px phone: no sideways scrolling of the page itself."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, page.url


def test_programme_pages_on_a_phone(phone, cast):
    """The branch secretary on a 390 × 844 phone: the compliance table's theme-day link, the form that fixes
    the day, the branch's guide and 八个一; the committee secretary: the decision register and a new
    decision; 组织部: the guides and the indicator table. Each page fits the phone and passes axe."""
    with time_machine.travel(MOMENT, tick=True):
        table = indicator_table_create(year=2027, programme=Programme.LADDER, by=None)
        zzb = UserFactory(username="zzb")
        role_assign(user=zzb, organization=cast.university, kind=Role.Kind.OFFICER)
        dw1 = UserFactory(username="dw1")
        role_assign(user=dw1, organization=cast.c1, kind=Role.Kind.SECRETARY)

        log_in(phone, "alice")
        _go(phone, f"/org/{cast.branch_a.pk}/")
        _fits(phone)
        with phone.expect_navigation():
            phone.locator("#theme-day a").click()
        check_accessibility(phone)
        _fits(phone)
        phone.fill("#id_theme_day", "15")
        with phone.expect_navigation():
            phone.locator("#theme-day-form button[type=submit]").click()
        assert "每月15日" in phone.locator("#theme-day").inner_text()
        for url in (
            f"/assessments/guides/branch/{cast.branch_a.pk}/2027/",
            f"/assessments/eight-ones/{cast.branch_a.pk}/2027/",
        ):
            _go(phone, url)
            _fits(phone)
        phone.context.clear_cookies()  # signed out (the menu's 退出 sits behind the phone's toggle)

        log_in(phone, "dw1")
        for url in ("/decisions/", f"/org/{cast.c1.pk}/decisions/new/"):
            _go(phone, url)
            _fits(phone)
        phone.context.clear_cookies()  # signed out (the menu's 退出 sits behind the phone's toggle)

        log_in(phone, "zzb")
        for url in ("/assessments/guides/", f"/assessments/tables/{table.pk}/", "/decisions/"):
            _go(phone, url)
            _fits(phone)
