"""The 组织部 dashboard's reads: a unit, its children and their snapshot figures (``branches.figures``).

Whatever the size of the tree the page runs the same queries: the unit with its figures, the ancestors the
viewer may see (the permission check and the breadcrumb in one), and the unit's children with theirs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import cast
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from branches.figures import Block, Column, blocks
from branches.money import format_yuan
from branches.models import Organization, UnitFigures
from branches.selectors import VIEW, User, organization_visible_chain, organizations_with_permission


def dashboard_home_unit(*, user: User) -> Organization | None:
    """The highest unit the user may see (the university for its 组织部, the province for the province's
    officers, the committee for its secretary). One query."""
    return (
        organizations_with_permission(user=user, codename=VIEW)
        .exclude(kind=Organization.Kind.GROUP)
        .order_by("depth", "path")
        .first()
    )


def dashboard_unit(*, user: User, pk: int) -> tuple[Organization, list[Organization]]:
    """The unit, annotated with ``figures_at`` (its snapshot's time, without the figures), and the breadcrumb of
    ancestors the user may see; PermissionDenied unless the user may see the unit, 404 for an unknown or
    party-group unit. One query."""
    unit, chain = organization_visible_chain(user=user, pk=pk, exclude_kinds=(Organization.Kind.GROUP,))
    if unit is None:
        raise Http404
    if not chain:
        raise PermissionDenied
    return unit, chain[:-1]


def dashboard_rows(*, unit: Organization) -> tuple[Organization, list[Organization]]:
    """The unit and its active children (party groups aside), each with its figures, in tree order. One
    query."""
    rows = list(
        Organization.objects.filter(path__startswith=unit.path, depth__in=[unit.depth, unit.depth + 1])
        .exclude(kind=Organization.Kind.GROUP)
        .select_related("figures")
        .order_by("path")
    )
    own = next(row for row in rows if row.pk == unit.pk)
    return own, [row for row in rows if row.pk != unit.pk and row.is_active]


def unit_figures(unit: Organization) -> UnitFigures | None:
    try:
        return unit.figures
    except UnitFigures.DoesNotExist:
        return None


def _text(value, kind: str) -> str:
    if value is None or value == "":
        return "—"
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind == "money":
        return format_yuan(Decimal(value) / 100)
    if kind in ("date", "text"):
        return str(value)
    return f"{value:,}"


def _heat(value, kind: str) -> str:
    """A heat class for shares (tables colour them like the chart): h0 (under 60 %) … h4 (100 %)."""
    if kind != "percent" or value is None:
        return ""
    return (
        "h4"
        if value >= 0.999
        else "h3"
        if value >= 0.9
        else "h2"
        if value >= 0.8
        else "h1"
        if value >= 0.6
        else "h0"
    )


@dataclass
class Cell:
    """One figure, formatted once here so the template only prints (thousands of cells at a province)."""

    value: int | float | str | None
    column: Column
    text: str = ""
    heat: str = ""

    def __post_init__(self) -> None:
        self.text = _text(self.value, self.column.kind)
        self.heat = _heat(self.value, self.column.kind)


@dataclass
class Row:
    unit: Organization
    cells: list[Cell]


@dataclass
class BlockView:
    block: Block
    total: Row
    rows: list[Row]
    chart: dict = field(default_factory=dict)
    table: str = ""  # the table's HTML, set by the view


def _row(block: Block, unit: Organization, as_of: datetime.date) -> Row:
    figures = unit_figures(unit)
    values = block.values(figures.data.get(block.key) if figures else None, as_of)
    # A count absent from the stored figures is a zero; a share without a denominator stays "—".
    zero = 0 if figures is not None else None
    return Row(
        unit,
        [
            Cell(values.get(column.key, zero if column.kind in ("count", "money") else None), column)
            for column in block.columns
        ],
    )


def _chart_value(cell: Cell):
    if cell.value is None:
        return None
    if cell.column.kind == "money":  # money and percent figures are numbers (the casts tell mypy so)
        return round(cast(float, cell.value) / 100, 2)
    if cell.column.kind == "percent":
        return round(cast(float, cell.value) * 100, 1)
    return cell.value


def dashboard_blocks(*, unit: Organization, children: list[Organization]) -> list[BlockView]:
    """Every registered block for the unit (its total) and each child (its rows), with the chart's data.
    No query: the figures came with the units."""
    figures = unit_figures(unit)
    as_of = figures.as_of if figures else timezone.localdate()
    rows_units = children or [unit]
    views = []
    for block in blocks():
        total = _row(block, unit, as_of)
        rows = [_row(block, child, as_of) for child in rows_units] if children else [total]
        indexes = [i for i, column in enumerate(block.columns) if column.key in block.chart_keys]
        chart = {
            "type": block.chart,
            "stacked": block.stacked,
            "kind": block.columns[indexes[0]].kind if indexes else "count",
            "units": [row.unit.display_name for row in rows],
            "ids": [row.unit.pk for row in rows],
            "series": [
                {"name": str(block.columns[i].label), "data": [_chart_value(row.cells[i]) for row in rows]}
                for i in indexes
            ],
        }
        views.append(BlockView(block, total, rows, chart))
    return views
