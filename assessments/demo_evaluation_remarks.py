"""Demo data of the 民主评议党员's written parts (issue 19), a load_demo step after ``member_evaluation``.

* Last year's approved evaluation of a few branches (zb001's first) with 党员互评 comments on every member
  and 群众意见 given with codes, as they are after a real count: remarks in the box with no writer, the
  participation rows, the spent codes.
* This year's open evaluations: in zb001's branch a third of the members have commented on colleagues
  (sealed through the service, as on the page), opinion codes issued and a few used; a large branch with
  party groups holds its self- and mutual evaluation per group.
"""

from __future__ import annotations

import random

from assessments.models import BallotRemark, RatingCode
from assessments.models.evaluation import (
    COMMENT_QUESTION,
    OPINION_QUESTION,
    GROUP_EVALUATION_MIN_MEMBERS,
    OVERALL_SUBJECT,
    EvaluationCommentBallot,
    MemberEvaluation,
)
from assessments.models.ratings import code_digest
from assessments.services.ratings.ballots import _new_code
from django.db.models import Count

from branches.models import Organization, Role
from members.demo import DemoBuilder, DemoStep, register_demo_step
from members.models import Member

COMMENTS = [
    "理论学习扎实，能结合工作谈体会。",
    "工作认真负责，乐于帮助同事。",
    "带头参加志愿服务，先锋模范作用明显。",
    "组织生活参加积极，发言有深度。",
    "建议今后多参与支部集体活动。",
    "业务能力强，在教学科研中起到带头作用。",
    "批评与自我批评开展得不够充分，希望改进。",
    "联系群众密切，关心困难同志。",
]
OPINIONS = [
    "这位老师对学生很耐心，答疑及时。",
    "工作热情高，服务态度好。",
    "希望多听听群众的意见。",
    "办事公道，群众信服。",
]
OVERALL = [
    "支部活动丰富，学习氛围浓。",
    "希望支部多开展面向群众的服务活动。",
    "党务公开做得及时，群众看得到。",
]
LAST_YEAR_BRANCHES = 3


def remarks_demo_clear() -> None:
    """Plain DELETEs, before the evaluations' own step clears evaluations and boxes."""
    boxes = list(MemberEvaluation.objects.values_list("box_id", flat=True))
    for qs in (
        BallotRemark.objects.filter(box_id__in=boxes),
        EvaluationCommentBallot.objects.all(),
        RatingCode.objects.filter(evaluation__isnull=False),
    ):
        qs._raw_delete(qs.db)


def _zb001_branch() -> int | None:
    return (
        Role.objects.current()
        .filter(user__username="zb001", kind=Role.Kind.SECRETARY)
        .values_list("organization_id", flat=True)
        .first()
    )


def _last_year(rng: random.Random, year: int, first: int | None) -> tuple[int, int, int]:
    """Comments and opinions as a count leaves them, in a few of last year's approved branches."""
    evaluations = list(
        MemberEvaluation.objects.filter(year=year, status=MemberEvaluation.Status.APPROVED)
        .select_related("branch")
        .order_by("branch__path")
    )
    evaluations.sort(key=lambda e: e.branch_id != first)  # zb001's first
    remarks, ballots, codes = [], [], []
    chosen = [e for e in evaluations if e.entries.count() >= 4][:LAST_YEAR_BRANCHES]
    for evaluation in chosen:
        entries = list(evaluation.entries.values_list("pk", "member_id"))
        for subject, member in entries:
            writers = rng.sample(
                [e for e in entries if e[0] != subject], k=min(len(entries) - 1, 3 + rng.randrange(3))
            )
            for rater, _member in writers:
                ballots.append(
                    EvaluationCommentBallot(evaluation=evaluation, rater_id=rater, subject_id=subject)
                )
                remarks.append(
                    BallotRemark(
                        box_id=evaluation.box_id,
                        subject=member,
                        question=COMMENT_QUESTION,
                        text=rng.choice(COMMENTS),
                    )
                )
        holders = 4 + rng.randrange(4)
        codes += [
            RatingCode(
                evaluation=evaluation,
                unit_id=evaluation.branch_id,
                digest=code_digest(_new_code()),
                used=i < holders,
            )
            for i in range(holders + 2)  # two handed out and never used
        ]
        for _ in range(holders):
            remarks.append(
                BallotRemark(
                    box_id=evaluation.box_id,
                    subject=OVERALL_SUBJECT,
                    question=OPINION_QUESTION,
                    text=rng.choice(OVERALL),
                )
            )
            for _subject, member in rng.sample(entries, k=min(len(entries), 3)):
                remarks.append(
                    BallotRemark(
                        box_id=evaluation.box_id,
                        subject=member,
                        question=OPINION_QUESTION,
                        text=rng.choice(OPINIONS),
                    )
                )
    rng.shuffle(remarks)  # as the count writes them: no order that follows the writing
    EvaluationCommentBallot.objects.bulk_create(ballots, batch_size=2000)
    BallotRemark.objects.bulk_create(remarks, batch_size=2000)
    RatingCode.objects.bulk_create(codes)
    return len(chosen), len(ballots), sum(1 for c in codes if c.used)


def _open_per_group(year: int, today) -> int:
    """This year's evaluation per party group in the first large branch with groups not yet evaluating."""
    from assessments.services import evaluation as evaluation_services

    taken = set(MemberEvaluation.objects.filter(year=year).values_list("branch_id", flat=True))
    branch_id = (
        Member.objects.filter(is_active=True, stage__in=Member.PARTY_STAGES, branch__is_active=True)
        .exclude(branch_id__in=taken)
        .values("branch_id")
        .annotate(n=Count("pk"), groups=Count("party_group", distinct=True))
        .filter(n__gte=GROUP_EVALUATION_MIN_MEMBERS, groups__gte=2)
        .order_by("branch__path")
        .values_list("branch_id", flat=True)
        .first()
    )
    if branch_id is None:
        return 0
    branch = Organization.objects.get(pk=branch_id)
    evaluation_services.evaluation_open(branch=branch, year=year, by=None, today=today, by_group=True)
    return 1


def _this_year(rng: random.Random, year: int, first: int | None) -> tuple[int, int]:
    """Comments and opinions through the services in this year's open evaluations."""
    from assessments.services import evaluation_remarks as services

    comments = opinions = 0
    for evaluation in MemberEvaluation.objects.filter(
        year=year, status=MemberEvaluation.Status.OPEN
    ).select_related("branch"):
        entries = list(evaluation.entries.select_related("member").order_by("pk"))
        for rater in entries[: max(1, len(entries) // 3)]:
            subjects = list(services.comment_subjects(evaluation=evaluation, rater=rater))
            texts = {s.pk: rng.choice(COMMENTS) for s in subjects if rng.random() < 0.8}
            if texts:
                comments += services.comments_cast(
                    evaluation=evaluation, rater=rater, comments=texts, by=None
                )
        if evaluation.branch_id == first:
            codes = services.opinion_codes_generate(evaluation=evaluation, count=10, by=None)
            for code in codes[:4]:
                subject = rng.choice(entries)
                opinions += services.opinions_cast(
                    code=code, opinions={subject.pk: rng.choice(OPINIONS)}, overall=rng.choice(OVERALL)
                )
    return comments, opinions


def _load(builder: DemoBuilder) -> str:
    rng = random.Random(builder.seed + 1919)
    first = _zb001_branch()
    branches, ballots, used = _last_year(rng, builder.today.year - 1, first)
    _open_per_group(builder.today.year, builder.today)
    comments, opinions = _this_year(rng, builder.today.year, first)
    grouped = MemberEvaluation.objects.filter(year=builder.today.year, by_group=True).count()
    return (
        f"last year's 党员互评 and 群众意见 in {branches} branches ({ballots} comments, {used} codes used); this "
        f"year's: {comments} comments sealed, {opinions} opinions with codes, {grouped} evaluation(s) per party group"
    )


register_demo_step(DemoStep(name="member_evaluation_remarks", load=_load, clear=remarks_demo_clear))
