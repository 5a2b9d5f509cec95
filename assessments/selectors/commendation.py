"""Reads of the 七一表彰 (issue 19): the commendations, a committee's candidates from the year's data, the
board of nominations with each committee's quota use, the public 公示, the honours of a member and of a unit,
and ``honours_by_kind`` (counts for a unit's subtree and year — the 党内统计 table of commendations reads it)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from assessments.models.commendation import Commendation, CommendationQuota, HonourKind, Nomination
from assessments.models.cycle import Assessment, Grade
from assessments.models.evaluation import EvaluationEntry, EvaluationGrade, MemberEvaluation
from assessments.selectors.ratings import SecretaryRating, secretary_ratings
from branches.models import Organization, Role
from branches.selectors import MANAGE_MEMBERS, organizations_with_permission
from members.models import Member

COMMITTEE_KINDS = (Organization.Kind.COMMITTEE, Organization.Kind.GENERAL_BRANCH)
LIVE = (
    Nomination.Status.NOMINATED,
    Nomination.Status.ON_NOTICE,
    Nomination.Status.AWARDED,
    Nomination.Status.NOT_AWARDED,
)


def commendations_list(*, root: Organization | None = None) -> QuerySet[Commendation]:
    """Newest first, with the count of live nominations and of honours awarded. One query."""
    qs = Commendation.objects.select_related("root").annotate(
        n_nominations=Count("nominations", filter=Q(nominations__status__in=LIVE)),
        n_awarded=Count("nominations", filter=Q(nominations__status=Nomination.Status.AWARDED)),
    )
    return qs.filter(root=root) if root is not None else qs


def committees_nominating(*, user: User, commendation: Commendation) -> QuerySet[Organization]:
    """The secondary committees of the commendation's university the user nominates for. One query."""
    units = organizations_with_permission(user=user, codename=MANAGE_MEMBERS)
    return units.filter(
        kind__in=COMMITTEE_KINDS, path__startswith=commendation.root.path, is_active=True
    ).order_by("path")


@dataclass
class QuotaUse:
    committee: Organization
    kind: str
    label: str
    quota: int
    nominated: int = 0
    awarded: int = 0

    @property
    def full(self) -> bool:
        return self.awarded >= self.quota


@dataclass
class Board:
    nominations: list[Nomination]
    quotas: list[QuotaUse] = field(default_factory=list)


def board(*, commendation: Commendation, committees: list[Organization]) -> Board:
    """Nominations of ``committees`` with their objections, and each committee's quota use per kind. Three
    queries (nominations with their nominee, objections, quota rows)."""
    ids = [c.pk for c in committees]
    nominations = list(
        Nomination.objects.filter(commendation=commendation, committee_id__in=ids)
        .exclude(status=Nomination.Status.WITHDRAWN)
        .select_related("committee", "organization", "member__branch")
        .prefetch_related("objections")
        .order_by("kind", "committee__path", "pk")
    )
    overrides = {
        (q.committee_id, q.kind): q.quota
        for q in CommendationQuota.objects.filter(commendation=commendation, committee_id__in=ids)
    }
    quotas = []
    for committee in committees:
        for kind, label in HonourKind.choices:
            use = QuotaUse(
                committee,
                kind,
                str(label),
                overrides.get((committee.pk, kind), commendation.default_quota(kind)),
            )
            mine = [n for n in nominations if n.committee_id == committee.pk and n.kind == kind]
            use.nominated = len(mine)
            use.awarded = sum(1 for n in mine if n.status == Nomination.Status.AWARDED)
            quotas.append(use)
    return Board(nominations, quotas)


@dataclass
class WorkerCandidate:
    """A branch secretary the data proposes as 优秀党务工作者: their branch's grade of the year and their latest
    published 双述双评 result (raters and overall mean)."""

    member: Member
    unit: Organization
    grade: str
    rating: SecretaryRating

    @property
    def grade_label(self) -> str:
        return str(Grade(self.grade).label)


@dataclass
class Candidates:
    units: list[Assessment]
    members: list[EvaluationEntry]
    workers: list[WorkerCandidate]


def worker_min_rating() -> float:
    """The lowest 双述双评 mean (0–100; 80 is "fairly good") for a secretary to be proposed."""
    return float(settings.COMMENDATION_WORKER_MIN_RATING)


def candidates(*, commendation: Commendation, committee: Organization) -> Candidates:
    """What the data proposes for ``committee``: its branches graded five stars in the year's assessment, its
    members graded 优秀 in the last approved 民主评议 (the year's or the year before), and the secretaries of
    its branches graded four or five stars whose latest published 双述双评 (of the year or the year before)
    shows a mean of at least ``worker_min_rating`` — best rated first. Seven queries, capped at 200 rows each:
    units, members, the secretaries with their branch's grade, the ratings (targets, dimensions, tallies),
    the secretaries' member records."""
    year = commendation.year
    units = list(
        Assessment.objects.filter(
            cycle__year=year,
            grade=Grade.FIVE_STARS,
            veto_failed=False,
            organization__kind=Organization.Kind.BRANCH,
            organization__path__startswith=committee.path,
        )
        .select_related("organization")
        .order_by("-verified_total", "organization__path")[:200]
    )
    members = list(
        EvaluationEntry.objects.filter(
            grade=EvaluationGrade.EXCELLENT,
            evaluation__status=MemberEvaluation.Status.APPROVED,
            evaluation__year__in=(year - 1, year),
            evaluation__branch__path__startswith=committee.path,
            member__stage=Member.Stage.FULL,
        )
        .select_related("member__branch", "evaluation")
        .order_by("evaluation__branch__path", "member__name")[:200]
    )
    starred = Assessment.objects.filter(
        cycle__year=year,
        grade__in=(Grade.FIVE_STARS, Grade.FOUR_STARS),
        veto_failed=False,
        organization_id=OuterRef("organization_id"),
    )
    roles = list(
        Role.objects.current()
        .filter(
            kind=Role.Kind.SECRETARY,
            organization__path__startswith=committee.path,
            organization__kind=Organization.Kind.BRANCH,
            user_id__isnull=False,
        )
        .annotate(branch_grade=Subquery(starred.values("grade")[:1]))
        .filter(branch_grade__isnull=False)
        .select_related("organization")
        .order_by("organization__path")[:200]
    )
    by_user = {r.user_id: r for r in roles}
    ratings = secretary_ratings(user_ids=list(by_user), years=(year - 1, year))
    floor = worker_min_rating()
    rated = {
        user_id: rating
        for user_id, rating in ratings.items()
        if rating.overall is not None and rating.overall >= floor
    }
    workers: list[WorkerCandidate] = []
    if rated:
        for m in Member.objects.filter(user_id__in=list(rated), stage=Member.Stage.FULL).select_related(
            "branch"
        ):
            uid = cast(int, m.user_id)  # the filter is on the rated users' ids
            role = by_user[uid]
            workers.append(
                WorkerCandidate(member=m, unit=role.organization, grade=role.branch_grade, rating=rated[uid])
            )
    workers.sort(key=lambda w: (-(w.rating.overall or 0), w.grade != Grade.FIVE_STARS, w.member.name))
    return Candidates(units, members, workers)


def notice_nominations(*, commendation: Commendation) -> list[Nomination]:
    """The nominees on the public 公示 (no personal data beyond name, branch and deeds). One query."""
    return list(
        Nomination.objects.filter(commendation=commendation, status=Nomination.Status.ON_NOTICE)
        .select_related("committee", "organization", "member__branch")
        .order_by("kind", "committee__path", "pk")
    )


def awarded(*, commendation: Commendation) -> list[Nomination]:
    """The honours awarded, for the certificate list and the xlsx. One query."""
    return list(
        Nomination.objects.filter(commendation=commendation, status=Nomination.Status.AWARDED)
        .select_related("committee", "organization", "member__branch")
        .order_by("kind", "committee__path", "pk")
    )


def member_honours(*, member: Member) -> list[Nomination]:
    """The member's published honours, newest first. One query."""
    return list(
        Nomination.objects.filter(
            member=member,
            status=Nomination.Status.AWARDED,
            commendation__status=Commendation.Status.PUBLISHED,
        )
        .select_related("commendation")
        .order_by("-commendation__year")[:20]
    )


def unit_honours(*, unit: Organization) -> list[Nomination]:
    """The unit's own published honours (先进基层党组织), newest first. One query."""
    return list(
        Nomination.objects.filter(
            organization=unit,
            status=Nomination.Status.AWARDED,
            commendation__status=Commendation.Status.PUBLISHED,
        )
        .select_related("commendation")
        .order_by("-commendation__year")[:20]
    )


def honours_by_kind(*, unit: Organization, year: int) -> dict[str, int]:
    """Published honours of ``year`` whose nominee is in ``unit``'s subtree (the organisation itself, or the
    member's branch), counted by kind: ``{"unit": n, "member": n, "worker": n}`` (every kind present, 0 when
    none). One query."""
    counts = dict.fromkeys(HonourKind.values, 0)
    rows = (
        Nomination.objects.filter(
            commendation__year=year,
            commendation__status=Commendation.Status.PUBLISHED,
            status=Nomination.Status.AWARDED,
        )
        .filter(Q(organization__path__startswith=unit.path) | Q(member__branch__path__startswith=unit.path))
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    for kind, n in rows:
        counts[kind] = n
    return counts


PUBLIC_RECENT_DAYS = 365  # a 公示 stays listed on the public site for a year after it started
PUBLIC_LIST_MAX = 30


def public_notices(*, today: datetime.date) -> list[Commendation]:
    """The 公示 the public site lists: every commendation whose notice started within the last year (running,
    ended or decided) and, whatever their age, its university's latest year with a notice and latest year
    whose notice is over — in December 2026 the notice of June 2025 is still listed, and while 2026's runs,
    2025's too: the list is never empty between two 七一. Newest first, at most ``PUBLIC_LIST_MAX`` (the view
    puts the running ones first); never one still taking nominations. With its university and its results
    notice (a post) when published. One query."""
    shown = Commendation.objects.exclude(status=Commendation.Status.NOMINATING).filter(
        notice_starts_on__isnull=False, notice_starts_on__lte=today
    )
    same_root = shown.filter(root_id=OuterRef("root_id")).order_by("-year")
    over = same_root.filter(~Q(status=Commendation.Status.NOTICE) | Q(notice_ends_on__lt=today))
    return list(
        shown.filter(
            Q(notice_starts_on__gte=today - datetime.timedelta(days=PUBLIC_RECENT_DAYS))
            | Q(year=Subquery(same_root.values("year")[:1]))
            | Q(year=Subquery(over.values("year")[:1]))
        )
        .select_related("root", "post__organization")
        .order_by("-notice_starts_on", "-pk")[:PUBLIC_LIST_MAX]
    )
