"""projects' block of the 组织部 dashboard (``branches.figures``): this year's 特色阵地 and research funding by
lead unit."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from branches.figures import Block, Column, register_block
from branches.models import Organization
from projects.models import Grant, GrantExpense, GrantKind


def _fen(amount) -> int:
    return int((amount or 0) * 100)


def collect_funding(root: Organization, today: datetime.date):
    """Two queries: this year's calls' applications by lead unit (funded, granted, pending), and what the
    funded grants have spent."""
    grants = (
        Grant.objects.filter(organization__path__startswith=root.path, call__year=today.year)
        .exclude(status=Grant.Status.DRAFT)
        .order_by()
    )
    funded = Q(grade__in=[Grant.Grade.KEY, Grant.Grade.GENERAL])
    for row in grants.values("organization_id", "kind").annotate(
        applications=Count("pk"),
        funded=Count("pk", filter=funded),
        key=Count("pk", filter=Q(grade=Grant.Grade.KEY)),
        granted=Sum("granted_amount", filter=funded),
    ):
        yield (
            row["organization_id"],
            {
                "applications": row["applications"],
                f"funded_{row['kind']}": row["funded"],
                "funded": row["funded"],
                "key": row["key"],
                f"granted_{row['kind']}_fen": _fen(row["granted"]),
                "granted_fen": _fen(row["granted"]),
            },
        )
    for row in (
        GrantExpense.objects.filter(grant__in=grants.filter(funded))
        .values("grant__organization_id")
        .annotate(spent=Sum("amount"))
        .order_by()
    ):
        yield row["grant__organization_id"], {"spent_fen": _fen(row["spent"])}


register_block(
    Block(
        key="funding",
        title=_("Showcase projects and research funding"),
        collect=collect_funding,
        columns=(
            Column("applications", _("Applications")),
            *(Column(f"funded_{value}", label) for value, label in GrantKind.choices),
            Column("key", _("Key grade")),
            Column("granted_fen", _("Granted"), "money"),
            Column("spent_fen", _("Spent"), "money"),
        ),
        chart="bar",
        chart_keys=("granted_fen", "spent_fen"),
        stacked=False,
        order=60,
        note=_("This year's calls, by lead unit; amounts in yuan."),
    )
)


def watch_writes() -> None:
    from branches.figures import watch

    watch(Grant, lambda grant: grant.organization_id)
    watch(GrantExpense, lambda expense: expense.grant.organization_id)
