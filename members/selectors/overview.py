"""The unit overview's figures (``/org/<pk>/``): the unit's statistics and its subunits' counts.

Above a branch they come from the dashboard's snapshot (``branches.UnitFigures``, the ``counts`` block, which
equals ``party_stats`` for every unit): one query for the unit's and its children's rows, whatever the size of
the subtree (DESIGN §7). A branch is small, so its page counts live (two grouped queries over one branch) and
shows what was just recorded; so does a unit whose snapshot has not been computed yet.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from branches.models import Organization, UnitFigures
from branches.selectors import organization_children
from members.models import Member


@dataclass
class Overview:
    stats: dict
    children: list[Organization]  # annotated with party_member_count and branch_count
    figures_at: datetime.datetime | None  # the snapshot's time; None when counted live


def _stats_from_snapshot(unit: Organization, figures: UnitFigures) -> dict:
    """``party_stats``'s shape from the stored ``counts`` block (the dashboard's tests pin them equal)."""
    from members.figures import counts_as_party_stats

    values = figures.data.get("counts", {})
    stats = counts_as_party_stats(values)
    by_kind, branches, category = (
        stats["organizations_by_kind"],
        stats["branches_by_category"],
        stats["party_members_by_category"],
    )
    stage = stats["people_by_stage"]
    return {
        "organization": {"id": unit.pk, "code": unit.code, "name": unit.name},
        "as_of": figures.as_of.isoformat(),
        **stats,
        "secondary_committees": sum(by_kind[k] for k in Organization.SECONDARY_KINDS),
        "staff_branches": sum(branches[c] for c in Organization.STAFF_CATEGORIES),
        "party_members": stage[Member.Stage.PROBATIONARY] + stage[Member.Stage.FULL],
        "staff_party_members": sum(category[c] for c in Organization.STAFF_CATEGORIES),
    }


def _live_child_counts(children):
    """Each child with party members and branches in its subtree (two correlated subqueries)."""
    members = (
        Member.objects.active()
        .party_members()
        .filter(branch__path__startswith=OuterRef("path"))
        .order_by()
        .values("is_active")
        .annotate(n=Count("pk"))
        .values("n")
    )
    branches = (
        Organization.objects.filter(
            path__startswith=OuterRef("path"), kind=Organization.Kind.BRANCH, is_active=True
        )
        .order_by()
        .values("is_active")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        children.annotate(
            party_member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0),
            branch_count=Coalesce(Subquery(branches, output_field=IntegerField()), 0),
        )
    )


def unit_overview(*, unit: Organization) -> Overview:
    """The overview's statistics and subunits. Above a branch with a snapshot: one query (the unit's and its
    children's snapshot rows). Otherwise live: ``party_stats``'s two queries and the children with their
    counts (one)."""
    from members.selectors import party_stats

    if unit.kind != Organization.Kind.BRANCH:
        rows = list(
            Organization.objects.filter(path__startswith=unit.path, depth__in=[unit.depth, unit.depth + 1])
            .select_related("figures")
            .order_by("path")
        )
        own = next((row for row in rows if row.pk == unit.pk), None)
        figures = getattr(own, "figures", None) if own is not None else None
        if figures is not None:
            children = [row for row in rows if row.pk != unit.pk]
            for child in children:
                stored = getattr(child, "figures", None)
                counts = stored.data.get("counts", {}) if stored is not None else {}
                child.party_member_count = counts.get(f"stage_{Member.Stage.PROBATIONARY}", 0) + counts.get(
                    f"stage_{Member.Stage.FULL}", 0
                )
                child.branch_count = counts.get(f"org_{Organization.Kind.BRANCH}", 0)
            return Overview(_stats_from_snapshot(unit, figures), children, figures.computed_at)
    return Overview(
        party_stats(organization=unit), _live_child_counts(organization_children(organization=unit)), None
    )


# Units whose lifecycle panel shows its subunits' counts from the snapshot instead of every item: a
# university's list runs to hundreds of items and costs a scan of its whole membership.
DUE_SNAPSHOT_KINDS = (Organization.Kind.PROVINCE, Organization.Kind.UNIVERSITY)


@dataclass
class DueRow:
    unit: Organization
    cells: list[tuple[int, int]]  # per topic of members.figures.DUE_TOPICS: (items, of which overdue)
    total: int
    overdue: int


def due_by_subunit(*, unit: Organization) -> tuple[datetime.datetime | None, DueRow | None, list[DueRow]]:
    """The snapshot's ``due`` block for the unit and each of its subunits (party groups aside), those with
    the most overdue first: ``(computed_at, the unit's row, the subunits' rows)``; ``(None, None, [])``
    before the first refresh. One query."""
    from members.figures import DUE_TOPICS

    rows = list(
        Organization.objects.filter(path__startswith=unit.path, depth__in=[unit.depth, unit.depth + 1])
        .exclude(kind=Organization.Kind.GROUP)
        .select_related("figures")
        .order_by("path")
    )

    def row(org: Organization) -> DueRow:
        stored = getattr(org, "figures", None)
        values = stored.data.get("due", {}) if stored is not None else {}
        cells = [(values.get(key, 0), values.get(f"{key}_overdue", 0)) for key, _label in DUE_TOPICS]
        return DueRow(org, cells, values.get("all", 0), values.get("overdue", 0))

    own = next((org for org in rows if org.pk == unit.pk), None)
    figures = getattr(own, "figures", None) if own is not None else None
    if own is None or figures is None:  # (no figures without the unit's own row)
        return None, None, []
    children = [row(org) for org in rows if org.pk != unit.pk and org.is_active]
    children.sort(key=lambda r: (-r.overdue, -r.total, r.unit.path))
    return figures.computed_at, row(own), children
