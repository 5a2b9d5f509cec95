"""Reads of 双述双评: what a rater may rate, what a manager may see, participation and the results.

During a campaign only participation counts exist for anyone (the choices are sealed); results (per
secretary, per dimension and overall, the offline channel beside them) appear once its ballot box has been
opened and tallied, and no mean is given for a secretary rated by fewer than the campaign's minimum number
of raters. Only tallies are ever read.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User as AuthUser
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.lookups import StartsWith

from branches.models import Organization
from branches.selectors import MANAGE_UNITS, organizations_with_permission

from assessments.models import (
    Ballot,
    OfflineScore,
    RaterEligibility,
    RatingCampaign,
    RatingCode,
    RatingDimension,
    RatingTarget,
)
from assessments.models.ballots import BallotTally
from assessments.services.ratings import targets_for_rater

User = AuthUser | AnonymousUser


def campaigns_for_rater(*, user: User) -> QuerySet[RatingCampaign]:
    """Published campaigns with the user on a roster, annotated with how many secretaries the user may
    rate (``rateable``) and has rated (``rated``). One query."""
    if not user.is_authenticated:
        return RatingCampaign.objects.none()
    eligible = RaterEligibility.objects.filter(campaign=OuterRef("campaign"), user_id=user.pk).filter(
        StartsWith(F("unit__path"), OuterRef("organization__path"))
    )
    rateable = RatingTarget.objects.filter(Exists(eligible))
    return (
        RatingCampaign.objects.filter(status=RatingCampaign.Status.PUBLISHED, eligibilities__user_id=user.pk)
        .distinct()
        .annotate(
            rateable=_count(rateable.filter(campaign=OuterRef("pk"))),
            rated=_count(Ballot.objects.filter(campaign=OuterRef("pk"), rater_id=user.pk)),
        )
        .order_by("closes_at")
    )


def _count(queryset: QuerySet):
    from django.db.models import IntegerField, Subquery
    from django.db.models.functions import Coalesce

    counted = queryset.order_by().values("campaign").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def rater_targets(*, campaign: RatingCampaign, user: AuthUser) -> list[RatingTarget]:
    """The secretaries ``user`` may rate in ``campaign``, each with ``rated`` (already rated by this user),
    unit and report. One query."""
    return list(
        targets_for_rater(campaign=campaign, rater=user)
        .annotate(rated=Exists(Ballot.objects.filter(target=OuterRef("pk"), rater_id=user.pk)))
        .select_related("organization")
        .order_by("organization__path")
    )


def code_targets(*, code: RatingCode) -> list[RatingTarget]:
    """The secretaries a code rates (its unit's and those above it in the campaign), top level first."""
    return list(
        RatingTarget.objects.filter(
            campaign_id=code.campaign_id, organization__path__in=code.unit.ancestor_paths()
        )
        .select_related("organization")
        .order_by("organization__path")
    )


def campaigns_managed_by(*, user: User) -> QuerySet[RatingCampaign]:
    """Campaigns in which the user manages some unit (the scope itself, or units inside it). One query."""
    managed = organizations_with_permission(user=user, codename=MANAGE_UNITS)
    return RatingCampaign.objects.filter(
        Exists(managed.filter(path__startswith=OuterRef("scope__path")))
    ).select_related("scope", "box")


def campaign_may_manage(*, user: User, campaign: RatingCampaign) -> bool:
    """Whether the user runs the whole campaign (manages its scope): publish, close, offline scores."""
    from branches.selectors import organization_permission_holds

    return organization_permission_holds(user=user, organization=campaign.scope, codename=MANAGE_UNITS)


def managed_units(*, user: User, campaign: RatingCampaign) -> QuerySet[Organization]:
    """Units of the campaign whose rosters and codes the user handles: managed rated units in scope."""
    from assessments.services.ratings import RATED_KINDS

    return (
        organizations_with_permission(user=user, codename=MANAGE_UNITS)
        .filter(
            path__startswith=campaign.scope.path,
            kind__in=(*RATED_KINDS, Organization.Kind.UNIVERSITY),
            is_active=True,
        )
        .order_by("path")
    )


def visible_targets(*, user: User, campaign: RatingCampaign) -> QuerySet[RatingTarget]:
    """The campaign's secretaries whose participation and results the user may see: those of units the
    user manages (the 组织部 managing the scope sees all)."""
    managed = organizations_with_permission(user=user, codename=MANAGE_UNITS)
    return (
        RatingTarget.objects.filter(campaign=campaign)
        .filter(Exists(managed.filter(pk=OuterRef("organization_id"))))
        .select_related("organization")
        .order_by("organization__path")
    )


@dataclass
class UnitParticipation:
    unit: Organization
    eligible: int
    codes: int
    codes_used: int


def participation(
    *, campaign: RatingCampaign, targets: list[RatingTarget], units: list[Organization]
) -> tuple[dict[int, int], list[UnitParticipation]]:
    """Ballots per secretary, and per unit the raters on the roster and the codes issued and used.
    Three queries, whatever the number of units."""
    ballots = dict(
        Ballot.objects.filter(target__in=[t.pk for t in targets])
        .order_by()
        .values_list("target_id")
        .annotate(n=Count("pk"))
    )
    unit_ids = [u.pk for u in units]
    eligible = dict(
        RaterEligibility.objects.filter(campaign=campaign, unit_id__in=unit_ids)
        .order_by()
        .values_list("unit_id")
        .annotate(n=Count("user_id", distinct=True))
    )
    codes: dict[int, Any] = {
        row["unit_id"]: row
        for row in RatingCode.objects.filter(campaign=campaign, unit_id__in=unit_ids)
        .order_by()
        .values("unit_id")
        .annotate(n=Count("pk"), used_n=Count("pk", filter=Q(used=True)))
    }
    rows = [
        UnitParticipation(
            unit=u,
            eligible=eligible.get(u.pk, 0),
            codes=codes.get(u.pk, {}).get("n", 0),
            codes_used=codes.get(u.pk, {}).get("used_n", 0),
        )
        for u in units
    ]
    return ballots, rows


@dataclass
class TargetResult:
    target: RatingTarget
    raters: int
    shown: bool  # False below the minimum number of raters: no mean at all
    overall: float | None = None
    by_dimension: list[float | None] = field(default_factory=list)
    offline_count: int = 0
    offline: float | None = None
    difference: float | None = None  # online − offline
    flagged: bool = False
    online_rank: float | None = None
    offline_rank: float | None = None


@dataclass
class CampaignResults:
    campaign: RatingCampaign
    dimensions: list[RatingDimension]
    rows: list[TargetResult]
    spearman: float | None
    compared: int  # secretaries with both an online mean and offline scores
    threshold: int


def _ranks(values: list[float]) -> list[float]:
    """Ranks 1..n, highest value first, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=lambda i: -values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(xs: list[float], ys: list[float]) -> float | None:
    """Spearman's rank correlation (Pearson on the tie-averaged ranks); None below 3 pairs or with no spread."""
    if len(xs) < 3:
        return None
    rx, ry = _ranks(xs), _ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sx = math.sqrt(sum((a - mx) ** 2 for a in rx))
    sy = math.sqrt(sum((b - my) ** 2 for b in ry))
    if not sx or not sy:
        return None
    return cov / (sx * sy)


def _tallies(*, campaign: RatingCampaign, ids: list[int]) -> dict[int, dict[int, dict[int, int]]]:
    """``{target id: {dimension id: {points: count}}}`` from the campaign's opened ballot box. One query."""
    tallies: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    rows = (
        BallotTally.objects.filter(box_id=campaign.box_id, subject__in=ids)
        .order_by()
        .values_list("subject", "question", "value")
        .annotate(n=Sum("count"))
    )
    for subject, question, value, n in rows:
        tallies[subject][question][value] = n
    return tallies


def _means(
    counts: dict[int, dict[int, int]], dimensions: list[RatingDimension], min_raters: int
) -> tuple[int, list[float], float | None]:
    """From one secretary's tallies ``{dimension id: {points: count}}``: the raters (a dimension's total count,
    every ballot rating every dimension), the dimensions' means and the weighted overall mean — no mean at all
    below ``min_raters``."""
    n = max((sum(by_value.values()) for by_value in counts.values()), default=0)
    if n == 0 or n < min_raters:
        return n, [], None
    weight = sum(d.weight for d in dimensions) or 1
    means = [sum(v * c for v, c in counts.get(d.pk, {}).items()) / n for d in dimensions]
    return n, means, round(sum(m * d.weight for m, d in zip(means, dimensions)) / weight, 2)


@dataclass
class SecretaryRating:
    """A secretary's latest published 双述双评 result: the campaign, the raters and the overall mean (None
    below the campaign's minimum of raters)."""

    target: RatingTarget
    raters: int
    overall: float | None


def secretary_ratings(*, user_ids: list[int], years: tuple[int, ...]) -> dict[int, SecretaryRating]:
    """For each of ``user_ids`` rated in a closed (published) campaign of ``years``: the result of their latest
    such campaign, read from its tallies. Three queries whatever the number of people: the targets with their
    campaigns, the campaigns' dimensions, the tallies."""
    if not user_ids:
        return {}
    targets = list(
        RatingTarget.objects.filter(
            user_id__in=user_ids,
            campaign__status=RatingCampaign.Status.CLOSED,
            campaign__year__in=years,
        )
        .select_related("campaign")
        .order_by("user_id", "-campaign__year", "-campaign__closes_at", "-pk")
    )
    latest: dict[int, RatingTarget] = {}
    for target in targets:
        latest.setdefault(target.user_id, target)
    if not latest:
        return {}
    campaign_ids = {t.campaign_id for t in latest.values()}
    dimensions: dict[int, list[RatingDimension]] = defaultdict(list)
    for dimension in RatingDimension.objects.filter(campaign_id__in=campaign_ids):
        dimensions[dimension.campaign_id].append(dimension)
    tallies: dict[tuple[int, int], dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    rows = (
        BallotTally.objects.filter(
            box_id__in={t.campaign.box_id for t in latest.values()},
            subject__in=[t.pk for t in latest.values()],
        )
        .order_by()
        .values_list("box_id", "subject", "question", "value")
        .annotate(n=Sum("count"))
    )
    for box_id, subject, question, value, n in rows:
        tallies[(box_id, subject)][question][value] = n
    results = {}
    for user_id, target in latest.items():
        # A tally is the target's only if it lies in its own campaign's box (subjects are per box).
        counts = tallies.get((target.campaign.box_id, target.pk), {})
        n, _means_by_dimension, overall = _means(
            counts, dimensions[target.campaign_id], target.campaign.min_raters
        )
        results[user_id] = SecretaryRating(target=target, raters=n, overall=overall)
    return results


def campaign_results(*, campaign: RatingCampaign, targets: list[RatingTarget]) -> CampaignResults:
    """Per secretary: raters, overall and per-dimension means (hidden below the minimum), the offline mean,
    the difference and whether it is large; across secretaries Spearman's rank correlation of the two
    channels. All from the tallies (count per dimension and points), never from a single ballot: every
    ballot rates every dimension, so the raters are a dimension's total count and the overall mean is the
    weighted mean of the dimensions' means. Three queries: dimensions, tallies, offline aggregates. The
    caller checks that results are visible."""
    dimensions = list(campaign.dimensions.all())
    ids = [t.pk for t in targets]
    tallies = _tallies(campaign=campaign, ids=ids)
    offline = {
        row["target_id"]: row
        for row in OfflineScore.objects.filter(target_id__in=ids)
        .order_by()
        .values("target_id")
        .annotate(n=Count("pk"), mean=Avg("score"))
    }
    threshold = settings.RATING_DISAGREEMENT_POINTS
    rows = []
    for target in targets:
        counts = tallies.get(target.pk, {})
        n, means, overall = _means(counts, dimensions, campaign.min_raters)
        row = TargetResult(target=target, raters=n, shown=overall is not None)
        if overall is not None:
            row.by_dimension = [round(m, 2) for m in means]
            row.overall = overall
        off = offline.get(target.pk)
        if off and off["n"]:
            row.offline_count = off["n"]
            row.offline = round(float(Decimal(off["mean"])), 2)
        if row.overall is not None and row.offline is not None:
            row.difference = round(row.overall - row.offline, 2)
            row.flagged = abs(row.difference) >= threshold
        rows.append(row)
    both = [r for r in rows if r.difference is not None]
    # A row has a difference exactly when it has both scores: the casts only tell mypy so.
    online_scores = [cast(float, r.overall) for r in both]
    offline_scores = [cast(float, r.offline) for r in both]
    rho = spearman(online_scores, offline_scores)
    if len(both) >= 1:
        for r, a, b in zip(both, _ranks(online_scores), _ranks(offline_scores)):
            r.online_rank, r.offline_rank = a, b
    return CampaignResults(
        campaign=campaign,
        dimensions=dimensions,
        rows=rows,
        spearman=rho,
        compared=len(both),
        threshold=threshold,
    )
