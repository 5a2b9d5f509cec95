"""The crawl's world: a small university with one object of every kind a URL pattern names, inside and
outside each persona's unit, built with the project's factories and services (the demo is too slow to load
per test run).

    university U ← zzb: 组织部 officer
    ├── committee C1 ← dw1: secretary; officer: organisation commissioner (组织委员)
    │   └── branch A ← alice: secretary; bob: a member with a login
    └── committee C2
        └── branch B ← charlie: secretary
    reviewer: a grant reviewer (the reviewers' group), assigned to A's grant; no role in the tree

Every object exists for A's side ("in") and for B's side ("out"), so each persona is crawled on a unit of
its own and on one of someone else's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from branches.models import Role
from branches.services import role_assign
from tests.factories import MemberFactory, UserFactory

# Mid-June: the July-1 self-assessment window is open, a grant call is open, the year has months behind it.
NOW = datetime.datetime(2026, 6, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
YEAR = TODAY.year
NAMES = {"in": "甲", "out": "乙"}  # what tells the two sides apart in Chinese text
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass
class World:
    cast: object
    users: dict = field(default_factory=dict)
    # Objects by name, each a pair: "in" (A's side: branch A, committee C1) and "out" (B's side).
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def build(cast) -> World:
    """The world on top of the fixed cast (tests/conftest.py)."""
    world = World(cast=cast)
    o = world.objects
    zzb = UserFactory(username="zzb", first_name="张正邦")
    role_assign(user=zzb, organization=cast.university, kind=Role.Kind.OFFICER)
    dw1 = UserFactory(username="dw1", first_name="邓伟")
    role_assign(user=dw1, organization=cast.c1, kind=Role.Kind.SECRETARY)
    reviewer = UserFactory(username="expert", first_name="严可")
    from projects.forms import REVIEWER_GROUP

    Group.objects.get_or_create(name=REVIEWER_GROUP)[0].user_set.add(reviewer)
    world.users = {
        "anonymous": None,
        "member": cast.bob,
        "secretary_a": cast.alice,
        "secretary_b": cast.charlie,
        "committee_secretary": dw1,
        "commissioner": cast.officer,
        "reviewer": reviewer,
        "zzb": zzb,
    }
    for n in range(3):  # enough full members that the branch-shape warnings stay quiet
        MemberFactory(branch=cast.branch_a)
        MemberFactory(branch=cast.branch_b)
    sides = {
        "in": (cast.branch_a, cast.c1, cast.alice, cast.alice_member),
        "out": (cast.branch_b, cast.c2, cast.charlie, cast.charlie_member),
    }
    for name in (
        "meeting",
        "attachment",
        "post",
        "post_attachment",
        "case",
        "document",
        "transfer",
        "target",
        "code",
        "assessment",
        "item",
        "grant",
        "grant_file",
        "applicant",
        "draft_meeting",
        "pending_post",
        "draft_grant",
        "exemption",
    ):
        o[name] = {}
    from django.test import TestCase

    # Attachments' files are written when their record commits (branches/attachments.py): run those commits'
    # callbacks, as a request's end would, so the downloads find their files.
    with TestCase.captureOnCommitCallbacks(execute=True):
        _meetings(world, sides)
        _posts(world, sides)
        _lifecycle(world, sides)
    _ratings(world, sides, zzb)
    _cycle(world, sides, zzb)
    with TestCase.captureOnCommitCallbacks(execute=True):
        _grants(world, sides, zzb, reviewer)
    # The dashboard's snapshot, as the beat keeps it: its pages then show figures, not "no data yet".
    from branches.figures import figures_refresh

    figures_refresh(today=TODAY)
    return world


def _meetings(world, sides) -> None:
    from disclosure.models import Meeting
    from disclosure.services import AttendanceEntry, meeting_save

    for side, (branch, _committee, secretary, _member) in sides.items():
        entries = [
            AttendanceEntry(m.pk, "present", "") for m in branch.members.party_members().order_by("pk")
        ]
        meeting = meeting_save(
            by=secretary,
            organization=branch,
            submit=True,
            attendance=entries,
            attachments=(pdf("纪要.pdf"),),
            data={
                "kind": "general_assembly",
                "held_at": NOW - datetime.timedelta(days=3),
                "place": "第一会议室",
                "topics": "学习党章",
                "minutes": "<p>讨论了学习计划。</p>",
                "takes_vote": False,
            },
        )
        Meeting.history.filter(id=meeting.pk).update(history_user=None)  # as a bulk write leaves it
        world.objects["meeting"][side] = meeting
        world.objects["attachment"][side] = meeting.attachments.get()
        world.objects["draft_meeting"][side] = meeting_save(
            by=secretary,
            organization=branch,
            attendance=entries,
            data={
                "kind": "branch_committee",
                "held_at": NOW - datetime.timedelta(days=1),
                "place": "党员活动室",
                "topics": "研究发展党员工作",
                "minutes": "",
                "takes_vote": False,
            },
        )


def _posts(world, sides) -> None:
    from disclosure.models import Post, PostCategory, PublishingRule
    from disclosure.services import post_save

    category = PostCategory.objects.get(code="work")
    for side, (branch, _committee, secretary, _member) in sides.items():
        # A post of a unit whose posts need the confidentiality check (保密审查) waits for the unit above.
        PublishingRule.objects.update_or_create(organization=branch, defaults={"check_required": True})
        world.objects["pending_post"][side] = post_save(
            by=secretary,
            organization=branch,
            publish=True,
            data={
                "section": "notices",
                "category": category,
                "title": "关于召开专题组织生活会的通知",
                "body": "<p>待审</p>",
                "visibility": "public",
            },
        )
        PublishingRule.objects.filter(organization=branch).update(check_required=False)
        post = post_save(
            by=secretary,
            organization=branch,
            publish=True,
            attachments=(pdf("通知.pdf"),),
            data={
                "section": "news",
                "category": category,
                "title": "支部开展主题党日活动",
                "body": "<p>正文</p>",
                "visibility": "public",
            },
        )
        # The history row a bulk write or a shell leaves: no user (issue 14: the post page was a 500).
        Post.history.filter(id=post.pk).update(history_user=None)
        world.objects["post"][side] = post
        world.objects["post_attachment"][side] = post.attachments.get()


def _lifecycle(world, sides) -> None:
    from members.models import CareOccasionKind
    from members.services.care import care_occasion_note, care_visit_record
    from members.services.development import applicant_register, development_step_record
    from members.services.dues import dues_declare, dues_record
    from members.services.dues_exemptions import dues_exemption_request
    from members.services.transfers import transfer_start

    for side, (branch, _committee, secretary, member) in sides.items():
        case = applicant_register(
            branch=branch,
            name="申请人" + NAMES[side],
            gender="F",
            birth_date=datetime.date(2004, 3, 1),
            category=branch.category,
            applied_on=TODAY - datetime.timedelta(days=20),
            by=secretary,
            today=TODAY,
        )
        step, _warnings = development_step_record(
            case=case,
            number=2,
            done_on=TODAY - datetime.timedelta(days=10),
            by=secretary,
            people=[member],
            files=(pdf("谈话记录.pdf"),),
            today=TODAY,
        )
        world.objects["case"][side] = case
        world.objects["applicant"][side] = case.member
        world.objects["document"][side] = step.files.get()
        leaver = MemberFactory(branch=branch, name="转出" + NAMES[side])
        world.objects["transfer"][side] = transfer_start(
            member=leaver,
            direction="out",
            letter_number=f"转字{NAMES[side]}001号",
            issued_on=TODAY - datetime.timedelta(days=5),
            outside_unit="某市委组织部",
            by=secretary,
        )
        dues_declare(
            member=member,
            kind="employee",
            base=Decimal("4000"),
            valid_from=datetime.date(YEAR, 1, 1),
            by=secretary,
        )
        dues_record(member=member, month=datetime.date(YEAR, 5, 1), status="paid", by=secretary, today=TODAY)
        world.objects["exemption"][side] = dues_exemption_request(
            member=member, first_month=TODAY, months=3, reason="病休", by=secretary, today=TODAY
        )
        occasion = care_occasion_note(
            member=member,
            kind=CareOccasionKind.objects.get(code="illness"),
            noted_on=TODAY - datetime.timedelta(days=8),
            by=secretary,
        )
        care_visit_record(
            occasion=occasion,
            visited_on=TODAY - datetime.timedelta(days=6),
            visitors="支部书记",
            by=secretary,
            help_given="慰问",
            amount=Decimal("500"),
        )


def _ratings(world, sides, zzb) -> None:
    from assessments.models import RaterEligibility, RatingTarget
    from assessments.services import ratings as services

    campaign = services.campaign_create(
        scope=world.cast.university,
        name=f"{YEAR}年度书记述职测评",
        year=YEAR,
        by=zzb,
        opens_at=NOW - datetime.timedelta(hours=1),
        closes_at=NOW + datetime.timedelta(days=3),
    )
    services.campaign_publish(campaign=campaign, by=zzb)
    world.objects["campaign"] = {"in": campaign, "out": campaign}
    # Last year's campaign, closed: its results are shown.
    closed = services.campaign_create(
        scope=world.cast.university,
        name=f"{YEAR - 1}年度书记述职测评",
        year=YEAR - 1,
        by=zzb,
        opens_at=NOW - datetime.timedelta(days=200),
        closes_at=NOW - datetime.timedelta(days=190),
        custody="server",
    )  # closing opens its results at once
    services.campaign_publish(campaign=closed, by=zzb)
    services.campaign_close(campaign=closed, by=zzb, now=NOW - datetime.timedelta(days=190))
    world.objects["closed_campaign"] = {"in": closed, "out": closed}
    for side, (branch, _committee, secretary, _member) in sides.items():
        target = RatingTarget.objects.get(campaign=campaign, organization=branch)
        services.target_report_update(
            target=target, text="一年来，支部……", upload=pdf("述职.pdf"), by=secretary
        )
        world.objects["target"][side] = target
        world.objects["code"][side] = services.codes_generate(
            campaign=campaign, unit=branch, count=1, by=zzb
        )[0]
    # Bob (the member persona) is on A's roster of raters: the rating page is his.
    RaterEligibility.objects.create(
        campaign=campaign, user=world.cast.bob, unit=world.cast.branch_a, kind=RaterEligibility.Kind.STAFF
    )


def _cycle(world, sides, zzb) -> None:
    from assessments.models import Assessment, Programme
    from assessments.services.assessment import (
        ItemInput,
        assessment_cycles_advance,
        assessment_self_save,
        cycle_create,
    )
    from assessments.services.targets import indicator_table_create

    tables = {p: indicator_table_create(year=YEAR, programme=p, by=None) for p in Programme.values}
    cycle_create(root=world.cast.university, year=YEAR)
    assessment_cycles_advance(today=TODAY)
    teacher = tables["teacher"] if "teacher" in tables else next(iter(tables.values()))
    student = tables.get("student", teacher)
    world.objects["table"] = {"in": teacher, "out": student}
    world.objects["indicator"] = {
        "in": teacher.indicators.order_by("pk").last(),
        "out": student.indicators.order_by("pk").last(),
    }
    for side, (branch, _committee, secretary, _member) in sides.items():
        assessment = Assessment.objects.get(organization=branch, cycle__year=YEAR)
        item = assessment.items.exclude(indicator__kind="veto").order_by("pk").first()
        assessment_self_save(
            assessment=assessment,
            by=secretary,
            today=TODAY,
            inputs={item.pk: ItemInput(points=item.max_points, evidence="见台账", file=pdf("台账.pdf"))},
        )
        world.objects["assessment"][side] = assessment
        world.objects["item"][side] = item


def _grants(world, sides, zzb, reviewer) -> None:
    from projects import services
    from projects.models import GrantCall, GrantKind

    call = GrantCall.objects.create(
        organization=world.cast.university,
        kind=GrantKind.FEATURE,
        year=YEAR,
        title=f"{YEAR}年度特色阵地建设项目",
        opens_on=datetime.date(YEAR, 3, 1),
        deadline=datetime.date(YEAR, 7, 15),
        completes_on=datetime.date(YEAR, 12, 31),
        budget=Decimal("9000"),
        key_quota=1,
        general_quota=3,
        key_funding=Decimal("5000"),
        general_funding=Decimal("2000"),
    )
    topic = call.topics.create(title="学习教育新载体")
    world.objects["call"] = {"in": call, "out": call}
    endorsers = {"in": world.cast.officer, "out": None}
    for side, (branch, _committee, secretary, _member) in sides.items():
        grant = services.grant_apply(
            call=call,
            organization=branch,
            applicant=secretary,
            topic=topic,
            title="红色领航工作室" + NAMES[side],
            plan="计划",
            expected_outputs="成果",
            budget_requested=Decimal("2000"),
            files=(pdf("申报书.pdf"),),
            today=TODAY,
        )
        if endorsers[side] is not None:
            grant = services.grant_endorse(grant=grant, by=endorsers[side], note="同意")
            services.reviewers_assign(grant=grant, reviewers=[reviewer], by=zzb)
        world.objects["grant"][side] = grant
        world.objects["grant_file"][side] = grant.files.first()
        world.objects["draft_grant"][side] = services.grant_apply(
            call=call,
            organization=branch,
            applicant=secretary,
            topic=topic,
            title="支部书记工作室" + NAMES[side],
            plan="计划",
            expected_outputs="成果",
            budget_requested=Decimal("1500"),
            submit=False,
            today=TODAY,
        )
    assert timezone.localdate() == TODAY, "the crawl runs with the clock pinned (tests/test_crawl.py)"
