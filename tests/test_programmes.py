"""Issue 18: 引航计划 scoring what committees do, the branch programmes' annual work guides (to-dos in their
month, evidence for their indicator), 八个一, 民主生活会, the register of major decisions, the branch-shape rule
and the fixed theme party day — each at its edges. Dates are fixed (2026) or pinned; nothing drifts."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessments.models import Assessment, EightOnesItem, GuideAction, Programme
from assessments.selectors.guides import eight_ones
from assessments.services import guides
from assessments.services.assessment import assessment_cycles_advance
from branches.models import Role
from branches.services import role_assign
from disclosure.models import Decision, Meeting, MeetingRule, Todo
from disclosure.services import AttendanceEntry
from disclosure.services.decisions import decision_save
from disclosure.services.meetings import meeting_save, reminders_advance
from members.models import Member
from members.selectors.shape import branch_shape, shape_warnings
from tests.assessment_fixtures import YEAR, cycle_cast, day  # noqa: F401  (fixture)
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory

AWARE = ZoneInfo("Asia/Shanghai")


# --- branch shape -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "full, committee, warned",
    [
        (6, 0, False),  # below 7: no committee required
        (7, 2, True),  # 7 full members and a committee of 2
        (7, 3, False),
        (7, 5, False),
        (7, 6, True),  # more than 5
        (30, 0, True),
    ],
)
def test_from_seven_full_members_a_branch_committee_of_three_to_five(settings, full, committee, warned):
    warnings = shape_warnings(full=full, committee=committee)
    assert any("committee" in w or "支委会" in w for w in warnings) is warned


def test_fewer_than_three_full_members_is_warned(settings):
    assert len(shape_warnings(full=2, committee=0)) == 1 and not shape_warnings(full=3, committee=0)


def test_the_committee_counts_people_with_committee_roles_once(cast):
    branch = cast.branch_a
    MemberFactory.create_batch(7, branch=branch, stage=Member.Stage.FULL)
    Member.objects.filter(branch=branch).exclude(stage=Member.Stage.FULL).update(
        stage=Member.Stage.PROBATIONARY
    )
    role_assign(user=cast.alice, organization=branch, kind=Role.Kind.ORGANIZER)  # alice twice: one person
    role_assign(user=cast.bob, organization=branch, kind=Role.Kind.PUBLICITY)
    shape = branch_shape(branch=branch)
    full = Member.objects.filter(branch=branch, stage=Member.Stage.FULL).count()
    assert full >= 7 and (shape.full, shape.committee) == (full, 2)
    assert shape.warnings  # a committee of 2
    page = login(cast.alice).get(reverse("members:unit", args=[branch.pk]))
    assert page.status_code == 200 and "应设立由" in page.content.decode()  # the warning on the branch page
    role_assign(user=UserFactory(), organization=branch, kind=Role.Kind.DISCIPLINE)
    assert not branch_shape(branch=branch).warnings
    assert "应设立由" not in login(cast.alice).get(reverse("members:unit", args=[branch.pk])).content.decode()


# --- theme party day --------------------------------------------------------------------------------------


def test_the_fixed_theme_day_is_clamped_to_the_month_end(cast):
    branch = cast.branch_a
    branch.theme_day = 31
    assert branch.theme_day_in(2026, 2) == datetime.date(2026, 2, 28)
    assert branch.theme_day_in(2028, 2) == datetime.date(2028, 2, 29)
    assert branch.theme_day_in(2026, 4) == datetime.date(2026, 4, 30)
    branch.theme_day = None
    assert branch.theme_day_in(2026, 4) is None


def test_the_theme_day_to_do_is_due_on_the_branchs_fixed_day(cast):
    cast.branch_a.theme_day = 15
    cast.branch_a.save(update_fields=["theme_day"])
    reminders_advance(today=datetime.date(2026, 3, 27))
    todo = Todo.objects.get(user=cast.alice, kind=Todo.Kind.MEETING_MISSING, key__contains=":theme_day:")
    assert todo.due_on == datetime.date(2026, 3, 15)
    other = Todo.objects.filter(
        user=cast.charlie, kind=Todo.Kind.MEETING_MISSING, key__contains=":theme_day:"
    ).get()
    assert other.due_on == datetime.date(2026, 3, 31)  # no fixed day: the month's end


# --- 民主生活会 ------------------------------------------------------------------------------------------


def _committee_secretary(cast):
    user = UserFactory(username="dw1")
    role_assign(user=user, organization=cast.c1, kind=Role.Kind.SECRETARY)
    return user


def test_democratic_life_is_a_yearly_committee_meeting_with_its_observers(cast):
    assert MeetingRule.objects.filter(kind="democratic_life", period="year", times=1).exists()
    dw1 = _committee_secretary(cast)
    data = {
        "kind": Meeting.Kind.DEMOCRATIC_LIFE,
        "held_at": datetime.datetime(2026, 1, 8, 9, tzinfo=AWARE),
        "topics": "年度民主生活会：对照检查",
        "visibility": Meeting.Visibility.INTERNAL,
    }
    present = [AttendanceEntry(member_id=cast.alice_member.pk, status="present")]
    with pytest.raises(ValidationError) as refused:
        meeting_save(by=dw1, organization=cast.c1, data=data, attendance=present, submit=True)
    assert "observers" in str(refused.value) or "列席" in str(refused.value)
    meeting = meeting_save(
        by=dw1,
        organization=cast.c1,
        data={**data, "observers": "校党委组织部 张三"},
        attendance=present,
        submit=True,
    )
    assert meeting.status == Meeting.Status.SUBMITTED
    with pytest.raises(ValidationError):  # a branch does not hold one
        meeting_save(
            by=cast.alice, organization=cast.branch_a, data={**data, "observers": "x"}, attendance=present
        )


# --- register of major decisions --------------------------------------------------------------------------


def _values(**over):
    return {
        "decided_on": datetime.date(2026, 3, 5),
        "meeting": None,
        "topic": "学院年度预算",
        "basis": "学院议事规则第5条",
        "votes_for": 5,
        "votes_against": 1,
        "abstentions": 1,
        "decision": "通过预算方案",
        "follow_up": "办公室落实",
        "follow_up_done": False,
        **over,
    }


def test_a_committee_registers_its_decisions_once_per_form(cast):
    dw1 = _committee_secretary(cast)
    key = uuid.uuid4()
    first = decision_save(by=dw1, organization=cast.c1, values=_values(), request_key=key)
    again = decision_save(by=dw1, organization=cast.c1, values=_values(), request_key=key)
    assert first.pk == again.pk and Decision.objects.count() == 1
    assert first.history.count() == 1


@pytest.mark.parametrize(
    "over, message",
    [
        ({"votes_for": 3, "votes_against": 3}, "votes"),  # a tie does not carry
        ({"basis": "  "}, "basis"),
    ],
)
def test_a_decision_needs_a_majority_and_its_basis(cast, over, message):
    with pytest.raises(ValidationError):
        decision_save(by=_committee_secretary(cast), organization=cast.c1, values=_values(**over))


def test_a_decision_links_only_its_committees_own_minutes_of_that_day(cast):
    dw1 = _committee_secretary(cast)
    own = Meeting.objects.create(
        organization=cast.c1,
        kind=Meeting.Kind.COMMITTEE_MEETING,
        held_at=datetime.datetime(2026, 3, 5, 15, tzinfo=AWARE),
    )
    branch = Meeting.objects.create(
        organization=cast.branch_a,
        kind=Meeting.Kind.BRANCH_COMMITTEE,
        held_at=datetime.datetime(2026, 3, 5, 15, tzinfo=AWARE),
    )
    with pytest.raises(ValidationError):
        decision_save(by=dw1, organization=cast.c1, values=_values(meeting=branch))
    with pytest.raises(ValidationError):
        decision_save(
            by=dw1, organization=cast.c1, values=_values(meeting=own, decided_on=datetime.date(2026, 3, 6))
        )
    assert decision_save(by=dw1, organization=cast.c1, values=_values(meeting=own)).meeting == own


def test_only_the_committees_secretaries_register_and_not_for_a_branch(cast):
    with pytest.raises(PermissionDenied):
        decision_save(by=cast.alice, organization=cast.c1, values=_values())
    with pytest.raises(ValidationError):
        decision_save(by=cast.alice, organization=cast.branch_a, values=_values())


def test_the_organisation_department_searches_the_register_across_committees(
    cycle_cast, django_assert_num_queries
):
    c = cycle_cast
    dw1 = _committee_secretary(c)
    dw2 = UserFactory(username="dw2")
    role_assign(user=dw2, organization=c.c2, kind=Role.Kind.SECRETARY)
    for i in range(3):
        decision_save(by=dw1, organization=c.c1, values=_values(topic=f"计算机学院预算{i}"))
        decision_save(
            by=dw2, organization=c.c2, values=_values(topic=f"文学院人才引进{i}", basis="人才工作办法")
        )
    zzb = login(c.zzb)
    url = reverse("disclosure:decisions")
    # session, user, the committees for the filter (the grants as a subquery), the page's count and its rows
    # (committee and minutes joined): the same for 6 decisions as for 50
    with django_assert_num_queries(5):
        page = zzb.get(url)
    assert page.status_code == 200 and page.content.decode().count("data-decision=") == 6
    assert zzb.get(url, {"q": "人才"}).content.decode().count("data-decision=") == 3
    assert zzb.get(url, {"c": c.c1.pk}).content.decode().count("data-decision=") == 3
    assert zzb.get(url, {"c": "x"}).status_code == 404
    # a committee's secretary sees only their own committee's register
    assert login(dw1).get(url).content.decode().count("data-decision=") == 3
    assert login(dw1).get(url, {"c": c.c2.pk}).status_code == 404


def test_the_decision_form_records_one_and_refuses_a_branch_secretary(cast):
    dw1 = _committee_secretary(cast)
    url = reverse("disclosure:decision_new", args=[cast.c1.pk])
    assert login(cast.alice).get(url).status_code == 403
    client = login(dw1)
    form = client.get(url)
    assert form.status_code == 200 and 'name="request_key"' in form.content.decode()
    key = str(uuid.uuid4())
    post = {
        "decided_on": "2026-03-05",
        "topic": "学院年度预算",
        "basis": "议事规则",
        "votes_for": 5,
        "votes_against": 0,
        "abstentions": 0,
        "decision": "通过",
        "follow_up": "",
        "request_key": key,
    }
    assert client.post(url, post).status_code == 302
    assert client.post(url, post).status_code == 302  # sent twice: one decision
    assert Decision.objects.filter(organization=cast.c1).count() == 1


# --- annual work guides -----------------------------------------------------------------------------------


def test_a_guide_starts_with_its_programmes_months_and_they_differ(cycle_cast):
    ladder = guides.guide_create(year=YEAR, programme=Programme.LADDER, by=cycle_cast.zzb)
    chapter = guides.guide_create(year=YEAR, programme=Programme.CHAPTER, by=cycle_cast.zzb)
    titles = lambda g: set(g.actions.values_list("title", flat=True))  # noqa: E731
    assert titles(ladder) != titles(chapter) and {a.month for a in ladder.actions.all()} <= set(range(1, 13))
    assert ladder.actions.filter(required=False).exists()
    with pytest.raises(ValidationError):
        guides.guide_create(year=YEAR, programme=Programme.LADDER, by=cycle_cast.zzb)
    with pytest.raises(ValidationError):
        guides.guide_create(
            year=YEAR, programme=Programme.GUIDE, by=cycle_cast.zzb
        )  # committees have 引航计划
    with pytest.raises(PermissionDenied):
        guides.guide_create(year=YEAR, programme=Programme.EFFICIENCY, by=cycle_cast.alice)


def test_a_published_guides_actions_are_to_dos_in_their_month_only(cycle_cast):
    c = cycle_cast
    guide = guides.guide_create(year=YEAR, programme=Programme.LADDER, by=c.zzb)
    march = set(guide.actions.filter(month=3).values_list("pk", flat=True))
    assert guides.guide_todos_advance(today=day(3, 10))["created"] == 0  # a draft: nothing yet
    opened = guides.guide_publish(guide=guide, by=c.zzb, today=day(3, 10))
    mine = Todo.objects.filter(user=c.alice, kind=Todo.Kind.GUIDE).open()
    assert opened == len(march) == mine.count() and {t.due_on for t in mine} == {day(3, 31)}
    assert not Todo.objects.filter(user=c.charlie, kind=Todo.Kind.GUIDE).exists()  # B is a student branch
    guides.guide_publish(guide=guide, by=c.zzb, today=day(3, 10))  # twice: nothing new
    assert Todo.objects.filter(kind=Todo.Kind.GUIDE).count() == len(march)
    # Done: its to-do closes; the next month's run closes March's and opens April's
    action = GuideAction.objects.get(pk=min(march))
    guides.guide_action_done(
        action=action, branch=c.branch_a, by=c.alice, done_on=day(3, 12), evidence="见会议记录"
    )
    assert Todo.objects.filter(user=c.alice, kind=Todo.Kind.GUIDE).open().count() == len(march) - 1
    guides.guide_todos_advance(today=day(4, 1))
    open_now = Todo.objects.filter(user=c.alice, kind=Todo.Kind.GUIDE).open()
    assert {t.due_on for t in open_now} == {day(4, 30)}
    assert open_now.count() == guide.actions.filter(month=4).count()


def test_recording_an_action_is_the_branches_own_and_once(cycle_cast):
    c = cycle_cast
    guide = guides.guide_create(year=YEAR, programme=Programme.LADDER, by=c.zzb)
    action = guide.actions.first()
    with pytest.raises(ValidationError):  # not published yet
        guides.guide_action_done(action=action, branch=c.branch_a, by=c.alice, done_on=day(1, 5))
    guides.guide_publish(guide=guide, by=c.zzb, today=day(1, 5))
    with pytest.raises(PermissionDenied):
        guides.guide_action_done(action=action, branch=c.branch_a, by=c.charlie, done_on=day(1, 5))
    with pytest.raises(ValidationError):  # B's programme is 华章, not 山梯
        guides.guide_action_done(action=action, branch=c.branch_b, by=c.charlie, done_on=day(1, 5))
    with pytest.raises(ValidationError):  # a day of another year
        guides.guide_action_done(
            action=action, branch=c.branch_a, by=c.alice, done_on=datetime.date(YEAR + 1, 1, 5)
        )
    first = guides.guide_action_done(action=action, branch=c.branch_a, by=c.alice, done_on=day(1, 5))
    assert (
        guides.guide_action_done(action=action, branch=c.branch_a, by=c.alice, done_on=day(1, 9)).pk
        == first.pk
    )


def test_guide_actions_done_are_evidence_and_points_for_their_indicator(cycle_cast):
    c = cycle_cast
    guide = guides.guide_create(year=YEAR, programme=Programme.LADDER, by=c.zzb)
    guides.guide_publish(guide=guide, by=c.zzb, today=day(1, 5))
    required = list(guide.actions.filter(required=True, month__lt=6).order_by("month", "pk"))
    for action in required[:2]:
        guides.guide_action_done(
            action=action,
            branch=c.branch_a,
            by=c.alice,
            done_on=day(action.month, 20),
            evidence=f"第{action.month}月台账",
        )
    assessment_cycles_advance(today=day(6, 10))
    a = Assessment.objects.get(organization=c.branch_a)
    item = a.items.get(indicator__code="3.3")  # 年度工作指南规定动作落实, 5 points
    assert item.prefilled and f"2 / {len(required)}" not in item.prefill_note
    assert item.self_points == (D(5) * D(2) / D(len(required))).quantize(D("0.1"))
    matched = a.items.get(indicator__code=required[0].indicator_code)
    assert required[0].title in matched.evidence and "第1月台账" in matched.evidence


# --- 引航计划 ----------------------------------------------------------------------------------------------


def test_the_guide_plan_measures_the_committees_own_work(cycle_cast):
    c = cycle_cast
    dw1 = _committee_secretary(c)
    for month in (1, 3, 5):  # three 党委会 of the twelve months before 10 June, and one 中心组学习
        Meeting.objects.create(
            organization=c.c1,
            kind=Meeting.Kind.COMMITTEE_MEETING,
            status=Meeting.Status.APPROVED,
            held_at=datetime.datetime(YEAR, month, 10, 15, tzinfo=AWARE),
        )
    Meeting.objects.create(
        organization=c.c1,
        kind=Meeting.Kind.DEMOCRATIC_LIFE,
        status=Meeting.Status.SUBMITTED,
        held_at=datetime.datetime(YEAR - 1, 12, 20, 9, tzinfo=AWARE),
    )  # last December counts
    Meeting.objects.create(
        organization=c.c1,
        kind=Meeting.Kind.COMMITTEE_MEETING,
        status=Meeting.Status.APPROVED,
        held_at=datetime.datetime(YEAR - 1, 6, 9, 15, tzinfo=AWARE),
    )  # before the window
    # a branch's minutes reviewed by C1: one within 7 days, one after 9
    submitted = datetime.datetime(YEAR, 2, 1, 9, tzinfo=AWARE)
    for late in (0, 9):
        Meeting.objects.create(
            organization=c.branch_a,
            kind=Meeting.Kind.THEME_DAY,
            status=Meeting.Status.APPROVED,
            held_at=submitted,
            reviewer=c.c1,
            submitted_at=submitted,
            reviewed_at=submitted + datetime.timedelta(days=late, hours=1),
        )
    decision_save(by=dw1, organization=c.c1, values=_values())
    assessment_cycles_advance(today=day(6, 10))
    items = {
        i.indicator.code: i
        for i in Assessment.objects.get(organization=c.c1).items.select_related("indicator")
    }
    assert items["1.1"].self_points == D("1.5")  # 3 of 12 × 6
    assert items["3.1"].self_points == D(6)  # the 民主生活会 of last December
    assert items["1.2"].self_points == D("0.7")  # 1 of 6 decisions × 4
    assert items["6.1"].self_points == D(3)  # 1 of 2 reviews within 7 days × 6
    assert items["9.1"].self_points == D(0)  # no post of its own
    assert "1.1" not in {
        i.indicator.code
        for i in Assessment.objects.get(organization=c.branch_a).items.filter(
            indicator__source="committee_meetings"
        )
    }


# --- 八个一 -----------------------------------------------------------------------------------------------


def test_the_eight_ones_default_set_names_its_source_and_mixes_computed_and_ticked(cast):
    items = list(EightOnesItem.objects.all())
    assert len(items) == 8 and all(i.source for i in items)
    checks = {
        c.item.code: c for c in eight_ones(branch=cast.branch_a, year=2026, today=datetime.date(2026, 5, 1))
    }
    assert not checks["2"].ok  # no fixed theme day
    cast.branch_a.theme_day = 10
    cast.branch_a.save(update_fields=["theme_day"])
    ticked = EightOnesItem.objects.get(code="6")
    guides.eight_ones_tick(
        item=ticked, branch=cast.branch_a, year=2026, by=cast.alice, evidence="党员活动室 301"
    )
    with pytest.raises(ValidationError):
        guides.eight_ones_tick(
            item=EightOnesItem.objects.get(code="2"),
            branch=cast.branch_a,
            year=2026,
            by=cast.alice,
            evidence="x",
        )
    with pytest.raises(PermissionDenied):
        guides.eight_ones_tick(item=ticked, branch=cast.branch_a, year=2026, by=cast.charlie, evidence="x")
    checks = {
        c.item.code: c for c in eight_ones(branch=cast.branch_a, year=2026, today=datetime.date(2026, 5, 1))
    }
    assert checks["2"].ok and checks["2"].computed and checks["6"].ok and not checks["6"].computed
    assert not checks["7"].ok


def test_the_guide_pages_for_the_office_and_the_branch(cycle_cast, django_assert_num_queries):
    c = cycle_cast
    zzb = login(c.zzb)
    assert login(c.alice).get(reverse("cycle:guides")).status_code == 403
    for p in (Programme.LADDER, Programme.CHAPTER, Programme.EFFICIENCY):
        guides.guide_create(year=YEAR, programme=p, by=c.zzb)
    # session, user, the officer check (one query over the grants), the guides with their action counts
    with django_assert_num_queries(4):
        page = zzb.get(reverse("cycle:guides"))
    assert page.status_code == 200 and page.content.decode().count('class="list-group-item d-flex') == 3
    guide = guides.guide_create(year=YEAR, programme=Programme.RETIREE, by=c.zzb)
    assert zzb.get(reverse("cycle:guide", args=[guide.pk])).status_code == 200
    assert zzb.post(reverse("cycle:guide_publish", args=[guide.pk])).status_code == 302
    ladder = guide.__class__.objects.get(year=YEAR, programme=Programme.LADDER)
    guides.guide_publish(guide=ladder, by=c.zzb, today=day(3, 1))
    url = reverse("cycle:branch_guide", args=[c.branch_a.pk, YEAR])
    page = login(c.alice).get(url)
    assert page.status_code == 200 and 'data-done="0"' in page.content.decode()
    assert login(c.charlie).get(url).status_code == 403
    assert login(c.alice).get(reverse("cycle:eight_ones", args=[c.branch_a.pk, YEAR])).status_code == 200
