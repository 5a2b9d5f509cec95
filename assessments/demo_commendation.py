"""Demo data of the 七一表彰 (issue 19): last year's commendation complete — each secondary committee's
nominations of the three kinds (some above the quota), a 公示 with a couple of objections, the decisions within
the quotas and the results published as the university's 通知公告 — and this year's open, with about half of
the committees' nominations in. Two of last year's nominees received a 党纪处分 during the 公示 (recorded by their
committee on their record): each is not awarded, with the reason the eligibility rule gives. Everything goes
through the services, so the rules and the history hold."""

from __future__ import annotations

import datetime
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from assessments.models.commendation import Commendation, HonourKind, Nomination
from assessments.services import commendation as services
from branches.models import Organization, Role
from members.demo import DemoBuilder, DemoStep, register_demo_step
from members.models import Member

DEEDS = {
    HonourKind.UNIT: [
        "支部坚持“三会一课”，组织生活规范，年度考核五星；建设“样板支部”，带动学科建设。",
        "支部把党建与教学科研深度融合，党员带头承担重大课题，服务地方成效显著。",
        "学生党支部开展“一对一”帮扶，支部党员学业和志愿服务表现突出。",
    ],
    HonourKind.MEMBER: [
        "扎根教学一线，主讲课程获评省级一流课程，民主评议优秀。",
        "带领团队攻关关键技术，成果转化服务企业，发挥党员先锋模范作用。",
        "学习刻苦、服务同学，担任志愿服务队队长，累计志愿服务时长二百余小时。",
    ],
    HonourKind.WORKER: [
        "担任支部书记以来，健全支部制度，双述双评满意度居学院前列。",
        "长期从事党务工作，认真细致，发展党员工作规范，档案材料齐全。",
    ],
}
ENDORSEMENT = "经党委会研究，同意推荐。"
SANCTIONS = [
    ("warning", "违反工作纪律，未按规定履行请假手续，擅自离岗多日。"),
    ("serious_warning", "违反廉洁纪律，违规收受学生家长礼品礼金。"),
]


def _sanction_nominees(
    nominations: list[Nomination], rng: random.Random, day: datetime.date
) -> list[Nomination]:
    """Two member nominees of different committees sanctioned by their committee on ``day`` (during the 公示)."""
    from members.services.discipline import discipline_record

    chosen: list[Nomination] = []
    members = [n for n in nominations if n.kind == HonourKind.MEMBER]
    for nomination in rng.sample(members, len(members)):
        if len(chosen) == len(SANCTIONS) or any(c.committee_id == nomination.committee_id for c in chosen):
            continue
        kind, reason = SANCTIONS[len(chosen)]
        discipline_record(
            member=nomination.member,
            kind=kind,
            decided_on=day,
            decided_by_unit=nomination.committee.display_name,
            reason=reason,
            by=None,
            today=day,
        )
        chosen.append(nomination)
    return chosen


def _nominees(committee: Organization, kind: str, rng: random.Random, n: int) -> list:
    if kind == HonourKind.UNIT:
        units = list(
            Organization.objects.filter(
                path__startswith=committee.path, kind=Organization.Kind.BRANCH, is_active=True
            ).order_by("path")[:40]
        )
        return rng.sample(units, min(n, len(units)))
    members = Member.objects.filter(branch__path__startswith=committee.path, stage=Member.Stage.FULL)
    if kind == HonourKind.WORKER:
        users = Role.objects.current().filter(organization__path__startswith=committee.path).values("user_id")
        members = members.filter(user_id__in=users)
    pool = list(members.order_by("pk")[:200])
    return rng.sample(pool, min(n, len(pool)))


def _nominate_all(commendation, committees, rng, *, today, share=1.0) -> list[Nomination]:
    made = []
    for committee in committees:
        if rng.random() > share:
            continue
        for kind in HonourKind.values:
            quota = commendation.default_quota(kind)
            for nominee in _nominees(committee, kind, rng, quota + (1 if rng.random() < 0.4 else 0)):
                try:
                    made.append(
                        services.nominate(
                            commendation=commendation,
                            kind=kind,
                            committee=committee,
                            by=None,
                            today=today,
                            deeds=rng.choice(DEEDS[kind]),
                            endorsement=ENDORSEMENT,
                            organization=nominee if kind == HonourKind.UNIT else None,
                            member=None if kind == HonourKind.UNIT else nominee,
                        )
                    )
                except ValidationError:
                    continue  # an ineligible nominee (a probationary member, a sanction …) is refused, as on the page
    return made


def _load(builder: DemoBuilder) -> str:
    rng = random.Random(f"{builder.seed}:commendation")
    today = builder.today
    root = Organization.objects.filter(kind=Organization.Kind.UNIVERSITY).order_by("path").first()
    if root is None:
        return "no university"
    committees = list(
        Organization.objects.filter(
            kind__in=services.COMMITTEE_KINDS, is_active=True, path__startswith=root.path
        ).order_by("path")
    )
    officer = (
        Role.objects.current()
        .filter(kind=Role.Kind.OFFICER, organization=root)
        .select_related("user")
        .first()
    )
    with transaction.atomic():
        last = today.year - 1
        past = services.commendation_open(
            root=root,
            year=last,
            by=None,
            nominations_open_on=datetime.date(last, 5, 6),
            nominations_close_on=datetime.date(last, 5, 29),
        )
        nominations = _nominate_all(past, committees, rng, today=datetime.date(last, 5, 20))
        past = services.notice_start(commendation=past, by=None, today=datetime.date(last, 6, 1))
        sanctioned = _sanction_nominees(nominations, rng, datetime.date(last, 6, 2))
        for nomination in rng.sample(nominations, min(2, len(nominations))):
            objection = services.objection_record(
                nomination=nomination,
                by=None,
                received_on=past.notice_starts_on,
                text="反映该同志事迹材料中部分成果时间有误。",
                raised_by="",
            )
            services.objection_resolve(
                objection=objection, upheld=False, by=None, resolution="经核实，成果时间已更正，不影响推荐。"
            )
        decide_on = past.notice_ends_on + datetime.timedelta(days=2)
        for nomination in nominations:
            try:
                services.nomination_decide(nomination=nomination, award=True, by=None, today=decide_on)
            except ValidationError:
                # ineligible now (a sanction during the 公示): not awarded with the rule's reason; else the
                # committee's quota is used and the one above it is not awarded
                with translation.override("zh-hans"):
                    problems = services.decision_problems(nomination=nomination, commendation=past)
                services.nomination_decide(
                    nomination=nomination,
                    award=False,
                    by=None,
                    today=decide_on,
                    note=" ".join(problems) if problems else "超出本单位名额，未予表彰。",
                )
        published = False
        if officer is not None:
            services.commendation_publish(commendation=past, by=officer.user, today=decide_on)
            published = True
        current = services.commendation_open(
            root=root,
            year=today.year,
            by=None,
            nominations_open_on=today - datetime.timedelta(days=10),
            nominations_close_on=today + datetime.timedelta(days=14),
        )
        ongoing = _nominate_all(current, committees, rng, today=today, share=0.5)
    awarded = Nomination.objects.filter(commendation=past, status=Nomination.Status.AWARDED).count()
    return (
        f"{last} with {len(nominations)} nominations, {awarded} awarded, {len(sanctioned)} refused for a sanction"
        f"{', published' if published else ''}; {today.year} open with {len(ongoing)} nominations"
    )


def _clear() -> None:
    from assessments.models.commendation import CommendationQuota, NominationObjection

    from members.models import DisciplinaryRecord

    # the sanctions are this step's (no other demo step records one), so they go with it
    models = (NominationObjection, Nomination, CommendationQuota, Commendation, DisciplinaryRecord)
    for model in models:
        model.objects.all().delete()
    for model in models:  # after the rows: their delete writes a "deleted" history row each
        model.history.all().delete()


register_demo_step(DemoStep(name="commendations", load=_load, clear=_clear))
