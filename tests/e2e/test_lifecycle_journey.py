"""Issue 8 in a real browser, on a phone-sized screen: a branch secretary moves an activist to development
target (refused before a year, accepted after), walks the steps to the branch vote, and the member shows as
probationary with the probation ending one year after the vote. Every page is checked with axe-core.

Selectors use ids, names and data attributes (the UI strings are translated)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.dates import add_years, prose_date
from members.models import DevelopmentStep, Member
from members.services.development import applicant_register, development_step_record
from tests.e2e.conftest import check_accessibility, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

D = datetime.timedelta


def _record(page, day: datetime.date, *, names: str = "", hours: str = "") -> None:
    page.fill("#id_done_on", day.isoformat())
    if names:
        page.fill("#id_people_names", names)
    if hours:
        page.fill("#id_training_hours", hours)
    with page.expect_navigation():
        page.click("#record-step")


def test_activist_to_probationary_member(page, cast):
    today = timezone.localdate()
    activist_on = today - D(days=500)
    case = applicant_register(
        branch=cast.branch_a,
        name="周晓",
        gender="F",
        birth_date=datetime.date(2003, 4, 2),
        category="teacher",
        applied_on=activist_on - D(days=40),
        by=None,
    )
    for number in range(2, 7):
        development_step_record(
            case=case,
            number=number,
            done_on=activist_on if number >= 3 else activist_on - D(days=30),
            by=None,
            people_names="艾丽" if number == 5 else "",
        )

    log_in(page, "alice")
    page.goto(reverse("members:development", args=[cast.branch_a.pk]))
    check_accessibility(page)
    with page.expect_navigation():
        page.click('[data-case="周晓"]')
    check_accessibility(page)

    # Step 7 a day before the year is up: refused, with the earliest date named.
    _record(page, activist_on + D(days=364))
    earliest = add_years(activist_on, 1)  # LifecycleRule activist_min_months = 12
    assert prose_date(earliest) in page.locator("#step-errors").inner_text()
    check_accessibility(page)
    assert Member.objects.get(pk=case.member_id).stage == Member.Stage.ACTIVIST

    # On the day the year is up: accepted.
    _record(page, earliest)
    assert Member.objects.get(pk=case.member_id).stage == Member.Stage.CANDIDATE
    assert page.locator("#member-stage").inner_text() == "发展对象"

    # Steps 8–14: introducers, training, the branch committee's review with its public notice, the form.
    day = earliest
    _record(page, day)  # 8
    _record(page, day, names="艾丽,鲍勃")  # 9
    _record(page, day)  # 10
    _record(page, day, hours="24")  # 11
    notice_start = day + D(days=1)
    _record(page, notice_start)  # 12
    _record(page, notice_start)  # 13
    notice_until = DevelopmentStep.objects.get(case=case, number=12).notice_until
    _record(page, notice_until + D(days=1))  # 14
    vote = notice_until + D(days=2)
    assert vote <= today
    _record(page, vote)  # 15: the branch general meeting's vote
    check_accessibility(page)

    member = Member.objects.get(pk=case.member_id)
    assert member.stage == Member.Stage.PROBATIONARY and member.joined_on == vote
    assert page.locator("#probation-ends").inner_text().startswith(prose_date(add_years(vote, 1)))
    assert page.locator('[data-step="15"][data-done]').count() == 1

    # The member's own record shows the new stage too.
    page.goto(reverse("members:detail", args=[member.pk]))
    check_accessibility(page)
    assert prose_date(vote) in page.content()
    # The refused step answered 400 (the console logs that); nothing else may have failed, CSP included.
    assert [e for e in page.console_errors if "400" not in e] == []


def test_phone_layout_and_other_pages_pass_axe(phone, cast):
    log_in(phone, "alice")
    for name in ("transfers", "dues", "care", "terms", "development"):
        phone.goto(reverse(f"members:{name}", args=[cast.branch_a.pk]))
        check_accessibility(phone)
    phone.goto(reverse("members:dues_year", args=[cast.branch_a.pk, timezone.localdate().year]))
    check_accessibility(phone)
    phone.goto(reverse("members:unit", args=[cast.branch_a.pk]))
    phone.wait_for_selector("#lifecycle-due .lifecycle-due, #lifecycle-due p")
    check_accessibility(phone)
