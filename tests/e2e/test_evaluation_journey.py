"""Issue 19 in a real browser: a branch secretary runs the 民主评议党员 end to end on a phone — opens it, a
member writes a self-evaluation and grades colleagues (sealed) and comments on two of them (党员互评, sealed),
the secretary ends the vote, sees the distribution where three took part and the comments where three
wrote (never one person's comment), proposes grades (a 基本合格 without a reason is refused, with one
accepted), reports it; the committee's organiser returns it with a reason, the secretary reports again and
it is approved; the member sees their own grade.

Selectors use ids, names and data attributes; Chinese text is matched for the messages the issue asks for.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.models import SealedBallot
from assessments.models.evaluation import MemberEvaluation
from assessments.services import evaluation as services
from assessments.services import evaluation_remarks as remark_services
from tests.e2e.conftest import check_accessibility, log_in
from tests.factories import MemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fits(page) -> None:
    """Nothing wider than the phone's screen (no sideways scrolling)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_secretary_runs_an_evaluation_on_a_phone(browser, live_server, page, phone, cast):
    others = [MemberFactory(branch=cast.branch_a, name=n) for n in ("陈一", "刘二", "张三")]

    # --- the secretary opens the year's evaluation on her phone ----------------------------------------
    log_in(phone, "alice")
    phone.goto(reverse("evaluation:home"))
    _fits(phone)
    check_accessibility(phone)
    with phone.expect_navigation():
        phone.click('a[href="%s"]' % reverse("evaluation:new"))
    phone.select_option("#id_branch", str(cast.branch_a.pk))
    with phone.expect_navigation():
        phone.click("#evaluation-open")
    assert "民主评议已开始" in phone.locator(".portal-messages").inner_text()
    evaluation = MemberEvaluation.objects.get(branch=cast.branch_a)
    _fits(phone)
    check_accessibility(phone)

    # --- a member writes the self-evaluation and grades colleagues: sealed ---------------------------------
    log_in(page, "bob")
    page.goto(reverse("evaluation:mine"))
    with page.expect_navigation():
        page.click('a[href="%s"]' % reverse("evaluation:vote", args=[evaluation.pk]))
    check_accessibility(page)
    page.fill("#self_text", "按时参加三会一课，完成党员发展联系工作。")
    entries = {e.member.name: e for e in evaluation.entries.select_related("member")}
    for name in ("陈一", "刘二", "张三", "艾丽"):
        page.check(f'input[name="g-{entries[name].pk}"][value="qualified"]')
    page.check(f'input[name="g-{entries["陈一"].pk}"][value="excellent"]')
    with page.expect_navigation():
        page.click("#vote-submit")
    assert "已密封" in page.locator(".portal-messages").inner_text()
    assert SealedBallot.objects.filter(box_id=evaluation.box_id).count() == 4

    # --- the member comments on colleagues (党员互评): sealed, each once ------------------------------------
    with page.expect_navigation():
        page.click("#comments-link")
    check_accessibility(page)
    page.fill(f"#c-{entries['陈一'].pk}", "带头完成教学任务，乐于帮助青年教师。")
    page.fill(f"#c-{entries['艾丽'].pk}", "支部工作抓得实。")
    with page.expect_navigation():
        page.click("#comments-submit")
    assert "已密封 2 条评议" in page.locator(".portal-messages").inner_text()
    assert "已评议" in page.locator('[data-colleague="陈一"]').inner_text()
    assert SealedBallot.objects.filter(box_id=evaluation.box_id).count() == 6
    for voter in others[1:]:  # two more colleagues comment on 陈一: three wrote
        remark_services.comments_cast(
            evaluation=evaluation,
            rater=entries[voter.name],
            comments={entries["陈一"].pk: f"{voter.name}：工作扎实。"},
            by=None,
        )
    # Two more colleagues vote (sealed the same way); 陈一 is then graded by three.
    for voter in others[1:]:
        rater = entries[voter.name]
        services.vote_cast(
            evaluation=evaluation,
            rater=rater,
            choices={entries["陈一"].pk: "excellent", entries["鲍勃"].pk: "qualified"},
        )

    # --- the secretary ends the vote and proposes the grades ----------------------------------------------
    phone.reload()
    with phone.expect_navigation():
        phone.click("button[name=close]")
    assert "测评已统计" in phone.locator(".portal-messages").inner_text()
    card = phone.locator('[data-entry="陈一"]')
    assert "优秀 3" in card.inner_text()  # three took part: the distribution shows
    assert "参评人数不足" in phone.locator('[data-entry="艾丽"]').inner_text()  # one did: hidden
    _fits(phone)
    check_accessibility(phone)
    # The comments, without their writers: 陈一's three are shown, 艾丽's one is not.
    with phone.expect_navigation():
        phone.click("#remarks-link")
    assert "乐于帮助青年教师" in phone.locator('[data-remarks="陈一"]').inner_text()
    assert "人数不足" in phone.locator('[data-remarks="艾丽"]').inner_text()
    assert "支部工作抓得实" not in phone.locator("main").inner_text()
    _fits(phone)
    check_accessibility(phone)
    phone.go_back()
    for name, entry in entries.items():
        phone.select_option(f"#grade-{entry.pk}", "qualified")
    phone.select_option(f"#grade-{entries['陈一'].pk}", "excellent")
    phone.select_option(f"#grade-{entries['张三'].pk}", "basic")
    with phone.expect_navigation():
        phone.click("button[value=submit]")
    assert "须写明理由" in phone.locator(".portal-messages").inner_text()
    assert (
        phone.input_value(f"#grade-{entries['张三'].pk}") == "basic"
    )  # the refused proposal is kept on screen
    phone.fill(f"#reason-{entries['张三'].pk}", "党费未按时交纳")
    with phone.expect_navigation():
        phone.click("button[value=submit]")
    assert "已报上级党组织" in phone.locator(".portal-messages").inner_text()

    # --- the committee's organiser returns it with a reason, then approves the corrected report -----------
    log_in(page, "officer")
    page.goto(reverse("evaluation:home"))
    with page.expect_navigation():
        page.click('a[href="%s"]' % reverse("evaluation:detail", args=[evaluation.pk]))
    page.fill("#decide-reason", "请补充张三同志的谈话记录")
    with page.expect_navigation():
        page.click("button[value=return]")
    assert "已退回支部" in page.locator(".portal-messages").inner_text()
    phone.reload()
    assert "请补充张三同志的谈话记录" in phone.locator(".alert-warning").inner_text()
    phone.fill(f"#reason-{entries['张三'].pk}", "党费未按时交纳，已谈话提醒")
    with phone.expect_navigation():
        phone.click("button[value=submit]")
    page.reload()
    with page.expect_navigation():
        page.click("button[value=approve]")
    assert "已审批通过" in page.locator(".portal-messages").inner_text()

    # --- the member sees their own grade; the summary prints ------------------------------------------------
    log_in(page, "bob")
    page.goto(reverse("evaluation:mine"))
    assert "合格" in page.locator("main").inner_text()
    phone.goto(reverse("evaluation:summary", args=[evaluation.pk]))
    assert "民主评议党员情况汇总表" in phone.locator("h1").inner_text()
    check_accessibility(phone)
    assert not page.console_errors
