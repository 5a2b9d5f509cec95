"""Reads of 民主评议党员 (issue 19), filtered by what the user may see: the branch's committee and those above
see the evaluation; each member sees their own entry and grade."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith
from django.utils import timezone

from assessments.models import BallotTally
from assessments.models.evaluation import (
    VALUE_GRADES,
    VOTE_QUESTION,
    EvaluationBallot,
    EvaluationEntry,
    EvaluationGrade,
    MemberEvaluation,
)
from branches.models import Organization
from branches.selectors import MANAGE_MEMBERS, organizations_with_permission
from disclosure.models import Attendance, Meeting
from members.models import DevelopmentCase, DuesPayment, Member

GRADE_ORDER = [
    EvaluationGrade.EXCELLENT,
    EvaluationGrade.QUALIFIED,
    EvaluationGrade.BASIC,
    EvaluationGrade.UNQUALIFIED,
]


def evaluations_managed(*, user: User) -> QuerySet[MemberEvaluation]:
    """Evaluations of the branches the user runs or is above. One query."""
    units = organizations_with_permission(user=user, codename=MANAGE_MEMBERS)
    return (
        MemberEvaluation.objects.filter(branch__in=units)
        .select_related("branch")
        .annotate(
            n_entries=Count("entries", distinct=True),
            n_graded=Count("entries", filter=Q(entries__grade__gt=""), distinct=True),
        )
        .order_by("-year", "branch__path")
    )


def entries_of_user(*, user: User) -> QuerySet[EvaluationEntry]:
    """The user's own entries (as a member), newest first: their self-evaluation, vote and grade."""
    if not user.is_authenticated:
        return EvaluationEntry.objects.none()
    return (
        EvaluationEntry.objects.filter(member__user_id=user.pk)
        .select_related("evaluation__branch")
        .order_by("-evaluation__year")
    )


@dataclass
class EntryRow:
    entry: EvaluationEntry
    raters: int = 0
    distribution: dict[str, int] | None = None  # grade → count; None below the minimum of participants
    follow_ups: list = field(default_factory=list)
    record: YearRecord | None = None  # the year's record, on the grading page (``year_records``)


def evaluation_rows(*, evaluation: MemberEvaluation) -> list[EntryRow]:
    """The entries with how many colleagues graded each, and — after the count, when at least
    ``min_participants`` took part — the distribution of the vote (never one person's choice).

    Queries: the entries with their members and self-evaluation files and their follow-ups (2), the
    participation counts (1), the tallies (1)."""
    entries = list(evaluation.entries.select_related("member", "self_file").prefetch_related("follow_ups"))
    raters = dict(
        EvaluationBallot.objects.filter(evaluation_id=evaluation.pk)
        .values("subject_id")
        .annotate(n=Count("pk"))
        .values_list("subject_id", "n")
        .order_by()
    )
    tallies: dict[int, dict[str, int]] = {}
    if evaluation.box.opened:
        for subject, value, count in BallotTally.objects.filter(
            box_id=evaluation.box_id, question=VOTE_QUESTION
        ).values_list("subject", "value", "count"):
            tallies.setdefault(subject, {})[VALUE_GRADES[value]] = count
    rows = []
    for entry in entries:
        n = raters.get(entry.pk, 0)
        shown: dict[str, int] | None = None
        if entry.member_id in tallies or (evaluation.box.opened and entry.graded):
            counts = tallies.get(entry.member_id, {})
            if sum(counts.values()) >= evaluation.min_participants:
                shown = {g: counts.get(g, 0) for g in GRADE_ORDER}
        rows.append(
            EntryRow(entry=entry, raters=n, distribution=shown, follow_ups=list(entry.follow_ups.all()))
        )
    return rows


def participants(*, evaluation: MemberEvaluation) -> int:
    """How many members have taken part in the vote (graded at least one colleague)."""
    return EvaluationBallot.objects.filter(evaluation_id=evaluation.pk).values("rater_id").distinct().count()


def awaiting_decision(*, user: User) -> QuerySet[MemberEvaluation]:
    """Reported evaluations of branches below a unit the user runs above branch level (a branch's own
    committee does not approve its own report). One query."""
    above = (
        organizations_with_permission(user=user, codename=MANAGE_MEMBERS)
        .exclude(kind__in=[Organization.Kind.BRANCH, Organization.Kind.GROUP])
        .filter(StartsWith(OuterRef("branch__path"), F("path")))
    )
    return (
        MemberEvaluation.objects.filter(status=MemberEvaluation.Status.SUBMITTED)
        .filter(Exists(above))
        .select_related("branch")
        .order_by("branch__path")
    )


def grade_summary(*, unit: Organization, year: int) -> list[dict]:
    """Per branch of ``unit``'s subtree with an evaluation of ``year``: the counts per grade, the full
    members, the 优秀 cap and whether it is exceeded (the dashboard block). One query."""
    rows = (
        MemberEvaluation.objects.filter(branch__path__startswith=unit.path, year=year)
        .select_related("branch")
        .order_by("branch__path")
        .annotate(
            full=Count("entries", filter=Q(entries__graded=True)),
            **{g.value: Count("entries", filter=Q(entries__grade=g.value)) for g in GRADE_ORDER},
        )
    )
    out = []
    for ev in rows:
        cap = ev.excellent_cap(ev.full)
        out.append(
            {
                "evaluation": ev,
                "branch": ev.branch,
                "full": ev.full,
                "cap": cap,
                "counts": [getattr(ev, g.value) for g in GRADE_ORDER],
                "violation": getattr(ev, EvaluationGrade.EXCELLENT.value) > cap,
            }
        )
    return out


def rated_by(*, rater: EvaluationEntry) -> list[int]:
    """The entries ``rater`` has already graded (participation, never the choice)."""
    return list(EvaluationBallot.objects.filter(rater_id=rater.pk).values_list("subject_id", flat=True))


# 三会一课: the meetings a member's attendance is counted at (支部党员大会, 支委会, 党小组会, 党课).
THREE_MEETINGS_ONE_LESSON = (
    Meeting.Kind.GENERAL_ASSEMBLY,
    Meeting.Kind.BRANCH_COMMITTEE,
    Meeting.Kind.GROUP_MEETING,
    Meeting.Kind.PARTY_LECTURE,
)
# The 发展党员 steps whose people hold a duty while the case is open: contacts (step 5), introducers (step 9).
DEVELOPMENT_DUTY_STEPS = (5, 9)


@dataclass(frozen=True)
class YearRecord:
    """A member's year beside the grade the branch proposes (the issue's "the year's record")."""

    attended: int = 0  # 三会一课 they were present at
    held: int = 0  # 三会一课 they were expected at (filed minutes: submitted or approved)
    dues_paid: int = 0  # months of the year paid (by them or on their behalf)
    dues_exempt: int = 0  # months of the year exempt (approved)
    duties: int = 0  # open development cases where they are a contact or an introducer


def year_records(*, evaluation: MemberEvaluation, member_ids: list[int]) -> dict[int, YearRecord]:
    """Per member (``member_ids``, the graded ones): the evaluation year's 三会一课 attended / held (from the
    filed minutes' attendance), dues months paid and exempt, and open development duties. Three queries,
    whatever the branch's size: attendance, dues, duties, each counted per member by the database."""
    if not member_ids:
        return {}
    zone = timezone.get_current_timezone()
    start = datetime.datetime(evaluation.year, 1, 1, tzinfo=zone)
    end = datetime.datetime(evaluation.year + 1, 1, 1, tzinfo=zone)
    counts: dict[int, dict[str, int]] = {m: {} for m in member_ids}
    for member_id, held, attended in (
        Attendance.objects.filter(
            member_id__in=member_ids,
            meeting__kind__in=THREE_MEETINGS_ONE_LESSON,
            meeting__status__in=(Meeting.Status.SUBMITTED, Meeting.Status.APPROVED),
            meeting__held_at__gte=start,
            meeting__held_at__lt=end,
        )
        .values("member_id")
        .annotate(held=Count("pk"), attended=Count("pk", filter=Q(status=Attendance.Status.PRESENT)))
        .values_list("member_id", "held", "attended")
        .order_by()
    ):
        counts[member_id].update(held=held, attended=attended)
    paid = (DuesPayment.Status.PAID, DuesPayment.Status.PAID_BY_OTHER)
    for member_id, dues_paid, dues_exempt in (
        DuesPayment.objects.filter(
            member_id__in=member_ids,
            month__gte=datetime.date(evaluation.year, 1, 1),
            month__lte=datetime.date(evaluation.year, 12, 1),
        )
        .values("member_id")
        .annotate(
            dues_paid=Count("pk", filter=Q(status__in=paid)),
            dues_exempt=Count("pk", filter=Q(status=DuesPayment.Status.EXEMPT)),
        )
        .values_list("member_id", "dues_paid", "dues_exempt")
        .order_by()
    ):
        counts[member_id].update(dues_paid=dues_paid, dues_exempt=dues_exempt)
    duty = Q(
        development_roles__number__in=DEVELOPMENT_DUTY_STEPS,
        development_roles__case__status=DevelopmentCase.Status.OPEN,
    )
    for member_id, duties in (
        Member.objects.filter(pk__in=member_ids)
        .annotate(duties=Count("development_roles__case", filter=duty, distinct=True))
        .values_list("pk", "duties")
        .order_by()
    ):
        counts[member_id]["duties"] = duties
    return {m: YearRecord(**c) for m, c in counts.items()}
