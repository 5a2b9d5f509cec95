"""assessments' blocks of the 组织部 dashboard (``branches.figures``): the July-1 cycle's progress and grade
distribution, and 双述双评 participation. Counts only: no score, no rater."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment, Ballot, RaterEligibility, RatingCampaign, RatingCode
from assessments.models.cycle import Grade
from branches.figures import Block, Column, Figures, register_block
from branches.models import Organization


def collect_assessment(root: Organization, today: datetime.date):
    """Three queries: the latest cycle year in the subtree, its assessments by unit and status, and the grades
    of the latest published cycle by unit."""
    assessments = Assessment.objects.filter(organization__path__startswith=root.path).order_by()
    year = assessments.aggregate(year=Max("cycle__year"))["year"]
    if year is not None:
        for row in (
            assessments.filter(cycle__year=year).values("organization_id", "status").annotate(n=Count("pk"))
        ):
            yield row["organization_id"], {"units": row["n"], f"status_{row['status']}": row["n"]}
    published = assessments.filter(cycle__published_on__isnull=False).exclude(grade="")
    last = published.aggregate(year=Max("cycle__year"))["year"]
    if last is not None:
        for row in (
            published.filter(cycle__year=last)
            .values("organization_id", "grade", "cycle__year")
            .annotate(n=Count("pk"))
        ):
            yield (
                row["organization_id"],
                {
                    f"grade_{row['grade']}": row["n"],
                    "graded": row["n"],
                    "graded_year": str(row["cycle__year"]),
                },
            )


def derive_assessment(values: Figures, as_of: datetime.date) -> Figures:
    units = values.get("units", 0)
    submitted = units - values.get(f"status_{Assessment.Status.DRAFT}", 0)
    return {"submitted_share": submitted / units if units else None}


register_block(
    Block(
        key="assessment",
        title=_("Assessment: progress and grades"),
        collect=collect_assessment,
        derive=derive_assessment,
        columns=(
            Column("units", _("Units assessed")),
            *(Column(f"status_{value}", label) for value, label in Assessment.Status.choices),
            Column("submitted_share", _("Submitted"), "percent"),
            *(Column(f"grade_{value}", label) for value, label in reversed(Grade.choices)),
            Column("graded_year", _("Grades of"), "text"),
        ),
        chart="bar",
        chart_keys=tuple(f"grade_{value}" for value in reversed(Grade.values)),
        order=40,
        note=_("Progress of this year's cycle; grades of the latest published cycle."),
    )
)


def collect_ratings(root: Organization, today: datetime.date):
    """Three queries over the campaigns of the latest year (published or closed) in the subtree: raters on the
    roster by unit and whether each has voted, codes issued and used by unit, ballots by the secretary's unit."""
    campaigns = RatingCampaign.objects.filter(scope__path__startswith=root.path).exclude(
        status=RatingCampaign.Status.DRAFT
    )
    year = campaigns.aggregate(year=Max("year"))["year"]
    if year is None:
        return
    ids = list(campaigns.filter(year=year).values_list("pk", flat=True))
    voted = Ballot.objects.filter(campaign=OuterRef("campaign"), rater=OuterRef("user"))
    for row in (
        RaterEligibility.objects.filter(campaign__in=ids)
        .annotate(voted=Exists(voted))
        .values("unit_id")
        .annotate(n=Count("pk"), voted_n=Count("pk", filter=Q(voted=True)))
        .order_by()
    ):
        yield row["unit_id"], {"eligible": row["n"], "voted": row["voted_n"]}
    for row in (
        RatingCode.objects.filter(campaign__in=ids)
        .values("unit_id")
        .annotate(n=Count("pk"), used_n=Count("pk", filter=Q(used=True)))
        .order_by()
    ):
        yield row["unit_id"], {"codes": row["n"], "codes_used": row["used_n"]}
    for row in (
        Ballot.objects.filter(campaign__in=ids)
        .values("target__organization_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        yield row["target__organization_id"], {"ballots": row["n"]}


def derive_ratings(values: Figures, as_of: datetime.date) -> Figures:
    invited = values.get("eligible", 0) + values.get("codes", 0)
    took_part = values.get("voted", 0) + values.get("codes_used", 0)
    return {
        "invited": invited,
        "took_part": took_part,
        "participation": took_part / invited if invited else None,
    }


register_block(
    Block(
        key="ratings",
        title=_("双述双评 participation"),
        collect=collect_ratings,
        derive=derive_ratings,
        columns=(
            Column("eligible", _("Raters on the roster")),
            Column("voted", _("Roster raters who rated")),
            Column("codes", _("Codes issued")),
            Column("codes_used", _("Codes used")),
            Column("participation", _("Participation"), "percent"),
            Column("ballots", _("Ratings received")),
        ),
        chart="bar",
        chart_keys=("participation",),
        order=50,
        note=_("Campaigns of the latest year; counts only, never who rated whom."),
    )
)


def watch_writes() -> None:
    # Ballots are not watched: the rating path is the portal's hottest write (bench/ratings.py); participation
    # is refreshed by the periodic task, and the dashboard shows the figures' age.
    from branches.figures import watch

    watch(Assessment, lambda assessment: assessment.organization_id)
    watch(RatingCampaign, lambda campaign: campaign.scope_id)
    from assessments.models.evaluation import MemberEvaluation

    watch(MemberEvaluation, lambda evaluation: evaluation.branch_id)  # 民主评议 (issue 19)


import assessments.figures_evaluation  # noqa: E402, F401  (issue 19: the 民主评议 block)
