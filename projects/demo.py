"""Demo grants for load_demo, from the source figures (per university):

* this year's 特色阵地 call: 58 applications — 9 key and 39 general grants (¥5,000 and ¥2,000: ¥123,000 in
  all), the other 10 still under review or rejected; the funded ones run with mid-term reports and expenses,
  a few have filed their final report and a few are already accepted;
* this year's research-topic call: 23 topics — 2 key and 21 general (¥52,000 in all);
* next year's 特色阵地 call, open now, so a branch secretary can apply at once.

Reviewers are six expert logins ``pw01``–``pw06`` (the ``grant_reviewers`` group). Rows are bulk-written with
their history rows (``bulk_create_with_history``). Importing this module registers the step.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from branches.models import Organization, Role
from members.demo import DemoBuilder, DemoStep, register_demo_step
from projects.forms import REVIEWER_GROUP
from projects.models import (
    CallTopic,
    Grant,
    GrantCall,
    GrantExpense,
    GrantKind,
    GrantReport,
    GrantReview,
    GrantUnit,
)

KEY, GENERAL = Decimal("5000"), Decimal("2000")
FEATURE = {"key": 9, "general": 39, "review": 4, "rejected": 6}  # 58 applications, ¥123,000
RESEARCH = {"key": 2, "general": 21}  # 23 topics, ¥52,000
REVIEWERS = 6

FEATURE_TOPICS = ("学习教育新载体", "基层组织建设质量提升", "服务师生与社会", "党建与业务深度融合")
RESEARCH_TOPICS = (
    "高校基层党组织组织力提升路径研究",
    "新时代大学生党员教育管理研究",
    "教师党支部“双带头人”培育机制研究",
    "“三全育人”格局下的思想政治工作研究",
)
FEATURE_TITLES = (
    "“红色领航”学习工作室",
    "党员先锋岗建设",
    "“一支部一品牌”创建",
    "师生党员结对帮扶行动",
    "红色经典诵读会",
    "“党建+专业”实践育人基地",
    "社区共建志愿服务站",
    "“学习强国”线上学习小组",
    "党史宣讲团",
    "实验室安全党员责任区",
    "毕业生党员“最后一课”",
    "乡村振兴调研实践队",
)
OUTPUTS = "1. 活动 4 次以上；2. 案例报告 1 篇；3. 在支部生活栏目发布纪实 3 篇。"


def _random(seed: int) -> random.Random:
    return random.Random(f"{seed}:projects")


def _reviewers(builder: DemoBuilder) -> list:
    User = get_user_model()
    users = [
        User(
            username=f"pw{i:02d}",
            first_name=f"评审专家{i:02d}",
            password=builder.password_hash,
            is_active=True,
        )
        for i in range(1, REVIEWERS + 1)
    ]
    User.objects.bulk_create(users)
    group, _ = Group.objects.get_or_create(name=REVIEWER_GROUP)
    group.user_set.add(*users)
    return users


def _load(builder: DemoBuilder) -> str:
    rng = _random(builder.seed)
    today = builder.today
    year = today.year
    reviewers = _reviewers(builder)
    now = timezone.now()
    totals = {"grants": 0, "granted": Decimal("0")}
    for university in Organization.objects.filter(kind=Organization.Kind.UNIVERSITY).order_by("path"):
        _university(university, rng=rng, today=today, year=year, reviewers=reviewers, now=now, totals=totals)
    return f"{totals['grants']} grant applications, ¥{totals['granted']:,.0f} granted"


def _university(university, *, rng, today, year, reviewers, now, totals) -> None:
    officer = Role.objects.filter(organization=university).select_related("user").first()
    decider = officer.user if officer else reviewers[0]
    units = list(
        Organization.objects.filter(
            path__startswith=university.path,
            is_active=True,
            kind__in=[Organization.Kind.BRANCH, *Organization.SECONDARY_KINDS],
        ).order_by("path")
    )
    secretaries = {
        role.organization_id: role.user
        for role in Role.objects.current()
        .filter(organization__in=units, kind=Role.Kind.SECRETARY)
        .select_related("user")
    }
    units = [unit for unit in units if unit.pk in secretaries]
    committees = {unit.path: unit for unit in units if unit.kind in Organization.SECONDARY_KINDS}

    def endorser(unit):
        committee = next(
            (c for path, c in committees.items() if unit.path.startswith(path) and c.pk != unit.pk), None
        )
        return secretaries.get(committee.pk) if committee else None

    start = datetime.date(year, 3, 1)
    calls = [
        GrantCall(
            organization=university,
            kind=GrantKind.FEATURE,
            year=year,
            title=f"{year}年度特色阵地建设项目",
            description="围绕学习教育、组织建设和服务师生，每个单位可申报 1 项，可多个支部联合申报。",
            opens_on=start,
            deadline=datetime.date(year, 4, 15),
            completes_on=datetime.date(year, 12, 31),
            budget=Decimal("130000"),
            key_quota=10,
            general_quota=40,
            key_funding=KEY,
            general_funding=GENERAL,
        ),
        GrantCall(
            organization=university,
            kind=GrantKind.RESEARCH,
            year=year,
            title=f"{year}年度党建和思想政治工作研究课题",
            description="个人申报，所在单位党委推荐。",
            opens_on=start,
            deadline=datetime.date(year, 4, 30),
            completes_on=datetime.date(year + 1, 6, 30),
            budget=Decimal("60000"),
            key_quota=2,
            general_quota=25,
            key_funding=KEY,
            general_funding=GENERAL,
        ),
        GrantCall(
            organization=university,
            kind=GrantKind.FEATURE,
            year=year + 1,
            title=f"{year + 1}年度特色阵地建设项目",
            description="申报现已开始，截止前可保存草稿。",
            opens_on=today - datetime.timedelta(days=10),
            deadline=today + datetime.timedelta(days=40),
            completes_on=datetime.date(year + 1, 12, 31),
            budget=Decimal("130000"),
            key_quota=10,
            general_quota=40,
            key_funding=KEY,
            general_funding=GENERAL,
        ),
    ]
    calls = bulk_create_with_history(calls, GrantCall, default_change_reason="load_demo")
    calls = list(GrantCall.objects.filter(organization=university).order_by("pk"))
    topics = {}
    for call in calls:
        titles = RESEARCH_TOPICS if call.kind == GrantKind.RESEARCH else FEATURE_TOPICS
        topics[call.pk] = CallTopic.objects.bulk_create(
            [CallTopic(call=call, title=title, position=i) for i, title in enumerate(titles)]
        )

    plan = [("key", n) for n in range(FEATURE["key"])] + [("general", n) for n in range(FEATURE["general"])]
    plan += [("review", n) for n in range(FEATURE["review"])] + [
        ("rejected", n) for n in range(FEATURE["rejected"])
    ]
    research = [("key", n) for n in range(RESEARCH["key"])] + [
        ("general", n) for n in range(RESEARCH["general"])
    ]
    leads = rng.sample(units, len(plan) + len(research))
    grants, partner_rows = [], []
    decided_at = timezone.make_aware(datetime.datetime(year, 5, 20, 10, 0))
    for call, outcomes, kind in (
        (calls[0], plan, GrantKind.FEATURE),
        (calls[1], research, GrantKind.RESEARCH),
    ):
        for outcome, _n in outcomes:
            unit = leads.pop()
            applicant = secretaries[unit.pk]
            grade = outcome if outcome in ("key", "general") else ""
            amount = {"key": KEY, "general": GENERAL}.get(outcome, Decimal("0"))
            status = {"review": Grant.Status.REVIEW, "rejected": Grant.Status.REJECTED}.get(
                outcome, Grant.Status.RUNNING
            )
            if status == Grant.Status.RUNNING and kind == GrantKind.FEATURE:
                status = rng.choices(
                    [Grant.Status.RUNNING, Grant.Status.FINAL_SUBMITTED, Grant.Status.PASSED],
                    weights=[8, 1, 1],
                )[0]
            title = (
                rng.choice(FEATURE_TITLES) if kind == GrantKind.FEATURE else rng.choice(topics[call.pk]).title
            )
            endorsed_by = endorser(unit)
            grant = Grant(
                call=call,
                kind=kind,
                topic=rng.choice(topics[call.pk]),
                title=f"{unit.short_name or unit.name}{title}"[:200],
                organization=unit,
                applicant=applicant,
                applicant_name=applicant.first_name or applicant.username,
                plan="一、目标：……\n二、主要举措：……\n三、进度安排：4 月启动，9 月中期检查，12 月总结。",
                expected_outputs=OUTPUTS,
                budget_requested=amount or GENERAL,
                status=status,
                submitted_at=timezone.make_aware(datetime.datetime(year, 4, rng.randint(1, 14), 16, 0)),
                endorsed_by=endorsed_by,
                endorsed_at=decided_at - datetime.timedelta(days=20) if endorsed_by else None,
                endorsement_note="同意推荐。" if endorsed_by else "",
                grade=grade,
                granted_amount=amount,
                decision_reason={
                    "key": "立意新、示范性强，评为重点项目。",
                    "general": "方案可行，予以立项。",
                    "rejected": "方案与往年重复，创新不足，不予立项。",
                }.get(outcome, ""),
                decided_by=decider if outcome != "review" else None,
                decided_at=decided_at if outcome != "review" else None,
                due_on=call.completes_on if grade else None,
                accepted_by=decider if status == Grant.Status.PASSED else None,
                accepted_at=now if status == Grant.Status.PASSED else None,
                acceptance_reason="成果扎实，同意结项。" if status == Grant.Status.PASSED else "",
            )
            grants.append(grant)
            totals["grants"] += 1
            totals["granted"] += amount
    grants = bulk_create_with_history(grants, Grant, default_change_reason="load_demo")
    grants = list(Grant.objects.filter(call__in=calls[:2]).select_related("organization").order_by("pk"))
    siblings: dict[str, list] = {}
    for unit in units:
        if unit.kind == Organization.Kind.BRANCH:
            siblings.setdefault(unit.path[: -Organization.steplen], []).append(unit)
    reviews, reports, expenses = [], [], []
    for grant in grants:
        partner_rows.append(GrantUnit(grant=grant, organization=grant.organization, is_lead=True))
        if (
            grant.kind == GrantKind.FEATURE
            and grant.organization.kind == Organization.Kind.BRANCH
            and rng.random() < 0.2
        ):
            mates = [
                u
                for u in siblings.get(grant.organization.path[: -Organization.steplen], [])
                if u.pk != grant.organization_id
            ]
            for mate in rng.sample(mates, min(len(mates), rng.randint(1, 2))):
                partner_rows.append(GrantUnit(grant=grant, organization=mate, is_lead=False))
        for i, reviewer in enumerate(rng.sample(reviewers, 3)):
            done = grant.status != Grant.Status.REVIEW or i < 2
            score = {"key": (90, 98), "general": (75, 89)}.get(grant.grade, (55, 72))
            reviews.append(
                GrantReview(
                    grant=grant,
                    reviewer=reviewer,
                    assigned_by=grant.decided_by,
                    score=rng.randint(*score) if done else None,
                    opinion=rng.choice(
                        (
                            "选题有特色，建议立项。",
                            "方案较完整，经费测算合理。",
                            "特色不够鲜明，建议进一步凝练。",
                        )
                    )
                    if done
                    else "",
                    submitted_at=decided_at - datetime.timedelta(days=3) if done else None,
                )
            )
        if grant.grade:
            midterm_at = timezone.make_aware(datetime.datetime(year, 9, rng.randint(1, 28), 15, 0))
            if rng.random() < 0.7 or grant.status != Grant.Status.RUNNING:
                reports.append(
                    GrantReport(
                        grant=grant,
                        kind=GrantReport.Kind.MIDTERM,
                        text="项目按计划推进，已开展活动 2 次。",
                        outputs="活动纪实 2 篇",
                        submitted_by=grant.applicant,
                        submitted_at=midterm_at,
                    )
                )
            if grant.status in (Grant.Status.FINAL_SUBMITTED, Grant.Status.PASSED):
                reports.append(
                    GrantReport(
                        grant=grant,
                        kind=GrantReport.Kind.FINAL,
                        text="项目全部完成，形成案例报告 1 篇。",
                        outputs=OUTPUTS,
                        submitted_by=grant.applicant,
                        submitted_at=midterm_at + datetime.timedelta(days=40),
                    )
                )
            left = grant.granted_amount
            for _ in range(rng.randint(0, 3)):
                amount = Decimal(rng.randint(2, 8) * 100)
                if amount > left:
                    break
                left -= amount
                expenses.append(
                    GrantExpense(
                        grant=grant,
                        spent_on=datetime.date(year, rng.randint(5, 10), rng.randint(1, 28)),
                        amount=amount,
                        purpose=rng.choice(("活动资料印制", "场地与交通", "专家讲座", "展板制作")),
                        recorded_by=grant.applicant,
                    )
                )
    GrantUnit.objects.bulk_create(partner_rows)
    bulk_create_with_history(reviews, GrantReview, default_change_reason="load_demo")
    bulk_create_with_history(reports, GrantReport, default_change_reason="load_demo")
    bulk_create_with_history(expenses, GrantExpense, default_change_reason="load_demo")


def _clear() -> None:
    GrantExpense.objects.all().delete()
    GrantReview.objects.all().delete()
    GrantReport.objects.all().delete()
    GrantUnit.objects.all().delete()
    Grant.objects.all().delete()
    CallTopic.objects.all().delete()
    GrantCall.objects.all().delete()
    for model in (GrantExpense, GrantReview, GrantReport, Grant, GrantCall):  # after the rows: their delete
        model.history.all().delete()  # writes a "deleted" history row each
    get_user_model().objects.filter(Q(username__startswith="pw") & Q(groups__name=REVIEWER_GROUP)).delete()


register_demo_step(DemoStep(name="projects", load=_load, clear=_clear))
