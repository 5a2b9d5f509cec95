"""The 民主评议党员 block of the dashboard (issue 19; ``branches.figures``): per unit, the latest year's
grades counted over its branches, and the branches whose 优秀 exceed ⌊full members / divisor⌋ flagged."""

from __future__ import annotations

import datetime

from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _

from assessments.models.evaluation import EvaluationGrade, MemberEvaluation
from branches.figures import Block, Column, register_block
from branches.models import Organization


def collect_evaluation(root: Organization, today: datetime.date):
    """Two queries: the year shown, and its evaluations with their counts. The year is the latest with an
    approved evaluation in the subtree, else the latest with a graded member, else the latest at all: in
    December this year's evaluations are still running and last year's approved grades are the ones to show."""
    evaluations = MemberEvaluation.objects.filter(branch__path__startswith=root.path).order_by()
    years = evaluations.aggregate(
        approved=Max("year", filter=Q(status=MemberEvaluation.Status.APPROVED)),
        graded=Max("year", filter=Q(entries__grade__gt="")),
        any=Max("year"),
    )
    year = years["approved"] or years["graded"] or years["any"]
    if year is None:
        return
    rows = (
        evaluations.filter(year=year)
        .annotate(
            full=Count("entries", filter=Q(entries__graded=True)),
            **{f"n_{g}": Count("entries", filter=Q(entries__grade=g)) for g in EvaluationGrade.values},
        )
        .values(
            "branch_id", "status", "excellent_divisor", "full", *[f"n_{g}" for g in EvaluationGrade.values]
        )
    )
    for row in rows:
        over = row[f"n_{EvaluationGrade.EXCELLENT}"] > row["full"] // row["excellent_divisor"]
        yield (
            row["branch_id"],
            {
                "evaluations": 1,
                "approved": int(row["status"] == MemberEvaluation.Status.APPROVED),
                "full": row["full"],
                **{f"grade_{g}": row[f"n_{g}"] for g in EvaluationGrade.values},
                "over_quota": int(over),
                "evaluation_year": str(year),
            },
        )


register_block(
    Block(
        key="evaluation",
        title=_("Member evaluation: grades"),
        collect=collect_evaluation,
        columns=(
            Column("evaluations", _("Branches evaluating")),
            Column("approved", _("Approved")),
            Column("full", _("Full members")),
            *(Column(f"grade_{value}", label) for value, label in EvaluationGrade.choices),
            Column("over_quota", _("Branches over the excellent quota")),
            Column("evaluation_year", _("Year"), "text"),
        ),
        chart="bar",
        chart_keys=tuple(f"grade_{value}" for value in EvaluationGrade.values),
        order=45,
        note=_(
            "民主评议党员 of the year shown (the latest with approved grades, else the latest graded); Excellent "
            "may go to at most a third of a branch's full members."
        ),
    )
)
