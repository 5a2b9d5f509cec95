"""Reads of the 民主评议党员's written parts (issue 19): what a member has commented on (participation only),
and for the branch committee the 党员互评 comments and 群众意见 per member — after the count, and only where
at least ``min_participants`` wrote (the 测评's rule: never what one or two people said)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from assessments.models import BallotRemark, RatingCode
from assessments.models.evaluation import (
    COMMENT_QUESTION,
    OPINION_QUESTION,
    OVERALL_SUBJECT,
    EvaluationCommentBallot,
    EvaluationEntry,
    MemberEvaluation,
)


def commented_by(*, rater: EvaluationEntry) -> set[int]:
    """The entries ``rater`` has already commented on (that they did, never what). One query."""
    return set(EvaluationCommentBallot.objects.filter(rater_id=rater.pk).values_list("subject_id", flat=True))


@dataclass
class RemarkRow:
    entry: EvaluationEntry
    writers: int = 0  # colleagues who commented (participation rows: known while the vote runs)
    comments: list[str] | None = None  # None: not counted yet, or fewer than the minimum wrote
    opinions: list[str] | None = None
    opinion_count: int = 0


@dataclass
class Remarks:
    rows: list[RemarkRow]
    counted: bool
    minimum: int
    overall: list[str] | None = None
    overall_count: int = 0
    codes: int = 0
    codes_used: int = 0
    groups: list[tuple[str, list[RemarkRow]]] = field(default_factory=list)


def _shown(texts: list[str], minimum: int) -> list[str] | None:
    return sorted(texts) if len(texts) >= minimum else None


def evaluation_remarks(*, evaluation: MemberEvaluation) -> Remarks:
    """Per member of the evaluation: how many colleagues commented, and after the count the comments and
    the 群众意见 where at least ``min_participants`` wrote each (sorted, so even their order says nothing);
    the opinions on the branch as a whole under the same rule; the opinion codes issued and used. In an
    evaluation held per party group, the rows grouped by party group.

    Queries: the entries with their members and groups (1), the comment participation counts (1), the
    codes issued and used (1), and after the count the remarks (1): the same for 8 members as for 80."""
    entries = list(
        EvaluationEntry.objects.filter(evaluation_id=evaluation.pk)
        .select_related("member", "party_group")
        .order_by(*(["party_group__path"] if evaluation.by_group else []), "member__name", "pk")
    )
    writers = dict(
        EvaluationCommentBallot.objects.filter(evaluation_id=evaluation.pk)
        .values("subject_id")
        .annotate(n=Count("pk"))
        .values_list("subject_id", "n")
        .order_by()
    )
    codes = RatingCode.objects.filter(evaluation_id=evaluation.pk).aggregate(
        n=Count("pk"), used=Count("pk", filter=Q(used=True))
    )
    minimum = evaluation.min_participants
    counted = evaluation.status != MemberEvaluation.Status.OPEN
    texts: dict[tuple[int, int], list[str]] = {}
    if counted:
        for question, subject, text in BallotRemark.objects.filter(box_id=evaluation.box_id).values_list(
            "question", "subject", "text"
        ):
            texts.setdefault((question, subject), []).append(text)
    rows = []
    for entry in entries:
        comments = texts.get((COMMENT_QUESTION, entry.member_id), [])
        opinions = texts.get((OPINION_QUESTION, entry.member_id), [])
        rows.append(
            RemarkRow(
                entry=entry,
                writers=writers.get(entry.pk, 0),
                comments=_shown(comments, minimum) if counted else None,
                opinions=_shown(opinions, minimum) if counted else None,
                opinion_count=len(opinions),
            )
        )
    overall = texts.get((OPINION_QUESTION, OVERALL_SUBJECT), [])
    result = Remarks(
        rows=rows,
        counted=counted,
        minimum=minimum,
        overall=_shown(overall, minimum) if counted else None,
        overall_count=len(overall),
        codes=codes["n"],
        codes_used=codes["used"],
    )
    if evaluation.by_group:
        for row in rows:
            name = row.entry.party_group.name if row.entry.party_group else ""
            if not result.groups or result.groups[-1][0] != name:
                result.groups.append((name, []))
            result.groups[-1][1].append(row)
    return result
