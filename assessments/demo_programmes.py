"""Demo data of issue 18 (registered with load_demo after the July-1 cycle): this year's annual work guides of
the four branch programmes, published, with what the branches recorded as done in the months gone by (and so
this month's to-dos); a fixed theme party day for most branches; each committee's 民主生活会 of the January
in the demo's twelve months and a few registered major decisions, linked to its 党委会 minutes where there are some; a few 八个一 ticks."""

from __future__ import annotations

import datetime
import random
from zoneinfo import ZoneInfo

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from assessments.models import AnnualGuide, EightOnesItem, EightOnesTick, GuideAction, GuideActionDone
from assessments.models.targets import PROGRAMME_FOR_CATEGORY
from assessments.services import guides
from branches.models import Organization
from members.demo import DemoBuilder, DemoStep, register_demo_step

TOPICS = (
    ("学院年度党建工作要点", "校党委年度工作要点；学院党委议事规则"),
    ("教职工岗位聘任方案", "学校岗位设置管理办法；党政联席会议议事规则"),
    ("学生党员发展计划", "发展党员工作细则；学校年度发展党员计划"),
    ("学院“十五五”事业发展规划", "学校“十五五”规划编制通知"),
    ("人才引进和年度经费预算", "学校人才引进办法；学院财务管理规定"),
)


def _load(builder: DemoBuilder) -> str:
    from disclosure.models import Decision, Meeting

    rng = random.Random(f"{builder.seed}:programmes")
    today = builder.today
    tz = ZoneInfo("Asia/Shanghai")
    with transaction.atomic():
        made = []
        for programme in guides.BRANCH_PROGRAMMES:
            guide = AnnualGuide.objects.filter(
                year=today.year, programme=programme
            ).first() or guides.guide_create(year=today.year, programme=programme, by=None)
            guide.introduction = "结合本年度全校党建工作要点，按月列出规定动作和建议动作；完成后登记并附佐证，作为年度考核相应指标的依据。"
            guide.save(update_fields=["introduction"])
            made.append(guide)
        branches = list(
            Organization.objects.filter(kind=Organization.Kind.BRANCH, is_active=True).only("pk", "category")
        )
        for branch in branches:
            branch.theme_day = rng.choice((5, 10, 15, 20, 25, 28)) if rng.random() < 0.85 else None
        Organization.objects.bulk_update(branches, ["theme_day"], batch_size=1000)
        past = {g.programme: list(GuideAction.objects.filter(guide=g, month__lt=today.month)) for g in made}
        done = []
        for branch in branches:
            for action in past.get(PROGRAMME_FOR_CATEGORY.get(branch.category), []):
                if rng.random() < 0.7:
                    day = datetime.date(today.year, action.month, rng.randint(3, 26))
                    done.append(
                        GuideActionDone(
                            action=action,
                            organization=branch,
                            done_on=day,
                            evidence=f"见{action.month}月支部工作台账",
                        )
                    )
        bulk_create_with_history(done, GuideActionDone, batch_size=2000, default_change_reason="load_demo")
        ticked = list(EightOnesItem.objects.filter(measure="", is_active=True))
        ticks = [
            EightOnesTick(item=i, organization=b, year=today.year, evidence="支部党员活动室、台账已建立")
            for b in branches
            for i in ticked
            if rng.random() < 0.6
        ]
        bulk_create_with_history(ticks, EightOnesTick, batch_size=2000, default_change_reason="load_demo")
        for guide in made:
            guide.published_at = datetime.datetime.combine(
                datetime.date(today.year, 1, 5), datetime.time(9), tz
            )
        AnnualGuide.objects.bulk_update(made, ["published_at"])

        committees = list(Organization.objects.filter(kind__in=Organization.SECONDARY_KINDS, is_active=True))
        lives = _democratic_life_meetings(committees, today=today, rng=rng)
        minutes: dict[int, list] = {}
        for m in Meeting.objects.filter(
            organization__in=committees, kind__in=(Meeting.Kind.COMMITTEE_MEETING, Meeting.Kind.JOINT_MEETING)
        ).only("pk", "organization", "held_at"):
            minutes.setdefault(m.organization_id, []).append(m)
        decisions = []
        for c in committees:
            for topic, basis in rng.sample(TOPICS, 3):
                meeting = rng.choice(minutes[c.pk]) if minutes.get(c.pk) else None
                decided = (
                    meeting.held_on if meeting else datetime.date(today.year - 1, rng.randint(1, 12), 10)
                )
                decisions.append(
                    Decision(
                        organization=c,
                        meeting=meeting,
                        decided_on=min(decided, today),
                        topic=topic,
                        basis=basis,
                        votes_for=rng.randint(5, 9),
                        votes_against=0,
                        abstentions=rng.randint(0, 1),
                        decision="会议审议通过，按程序报学校党委备案。",
                        follow_up="学院办公室牵头落实，年底前报告进展。",
                        follow_up_done=rng.random() < 0.5,
                    )
                )
        bulk_create_with_history(decisions, Decision, batch_size=1000, default_change_reason="load_demo")
    todos = guides.guide_todos_advance(today=today)
    return (
        f"{len(made)} annual work guides published ({len(done)} actions recorded as done; {todos['created']} "
        f"to-dos this month); {len(lives)} 民主生活会 and {len(decisions)} major decisions registered"
    )


def _democratic_life_meetings(committees, *, today: datetime.date, rng: random.Random) -> list:
    """Each committee's 民主生活会, held in the January of the demo's twelve months (any twelve months hold
    one January) two days after one of its approved 党委会 and filed, reviewed and recorded as that
    meeting was (the same reviewer, filing lag and review delay, a history row dated at the review and
    attributed to the reviewer), so the year of minutes stays consistent whatever the day of the load."""
    from django.contrib.auth import get_user_model

    from disclosure.models import Meeting

    index = today.year * 12 + today.month - 1 - 11
    start = datetime.date(index // 12, index % 12 + 1, 1)
    january = start if start.month == 1 else datetime.date(start.year + 1, 1, 1)
    models = {
        m.organization_id: m
        for m in Meeting.objects.filter(
            organization__in=committees,
            kind=Meeting.Kind.COMMITTEE_MEETING,
            status=Meeting.Status.APPROVED,
            held_at__date__gte=january,
            held_at__date__lte=datetime.date(january.year, 1, 29),
        ).order_by("held_at")
    }
    users = get_user_model().objects.in_bulk({m.reviewed_by_id for m in models.values()} - {None})
    lives = []
    shift = datetime.timedelta(days=2)
    for committee in committees:
        model = models.get(committee.pk)
        if model is None or model.held_at + shift >= datetime.datetime.combine(
            today, datetime.time(), model.held_at.tzinfo
        ):
            continue
        size = model.expected_count
        meeting = Meeting(
            organization=committee,
            kind=Meeting.Kind.DEMOCRATIC_LIFE,
            status=Meeting.Status.APPROVED,
            held_at=model.held_at + shift,
            place=model.place,
            chair=model.chair,
            recorder=model.recorder,
            topics="年度民主生活会：对照检查、开展批评和自我批评",
            observers="校党委组织部",
            minutes=f"<p>{model.chair}主持会议，学院党委领导班子成员逐一对照检查，开展批评和自我批评；校党委组织部同志到会指导。</p>",
            expected_count=size,
            present_count=size - min(size, rng.randint(0, 1)),
            leave_count=0,
            absent_count=0,
            created_by_id=model.created_by_id,
            reviewer_id=model.reviewer_id,
            reviewed_by_id=model.reviewed_by_id,
            first_submitted_at=model.first_submitted_at + shift,
            submitted_at=model.submitted_at + shift,
            reviewed_at=model.reviewed_at + shift,
            filing_lag_days=model.filing_lag_days,
            is_late=model.is_late,
        )
        meeting.leave_count = size - meeting.present_count
        meeting._history_user = users.get(model.reviewed_by_id)
        meeting._history_date = meeting.reviewed_at
        lives.append(meeting)
    bulk_create_with_history(lives, Meeting, batch_size=500, default_change_reason="load_demo")
    return lives


def _clear() -> None:
    from disclosure.models import Decision, Todo

    # Plain DELETEs, children first: the ORM's delete wrote a "deleted" history row for each of the thousands
    # of rows (after their history had been deleted, so those rows stayed).
    models = (GuideActionDone, EightOnesTick, Decision, GuideAction, AnnualGuide)
    for qs in (
        Todo.objects.filter(kind=Todo.Kind.GUIDE),
        *(model.history.all() for model in models),
        *(model.objects.all() for model in models),
    ):
        qs._raw_delete(qs.db)


register_demo_step(DemoStep(name="programmes", load=_load, clear=_clear))
import assessments.demo_commendation  # noqa: E402, F401  (issue 19: the 七一表彰 demo step, after the cycle and programmes)
