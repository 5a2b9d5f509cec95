"""The dashboard's xlsx exports: one block of one unit, a row per child unit plus the unit's total, the same
numbers as the page's table (shares as numbers formatted as percentages, money in yuan)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization, UnitFigures
from branches.spreadsheets.export import MONEY_FORMAT, PERCENT_FORMAT, Sheet, columns, workbook_bytes


def _value(cell):
    if cell.value is None or cell.value == "":
        return None
    if cell.column.kind == "money":
        return round(cell.value / 100, 2)
    return cell.value


def dashboard_block_xlsx(*, unit: Organization, view, figures: UnitFigures | None) -> bytes:
    formats = {"percent": PERCENT_FORMAT, "money": MONEY_FORMAT}
    spec = columns(
        (_("Unit"), 34), (_("Code"), 16), *[(c.label, 12, formats.get(c.kind)) for c in view.block.columns]
    )
    rows = list(view.rows)
    if rows and rows[0].unit.pk != unit.pk:
        rows.append(view.total)
    lines = []
    for row in rows:
        label = (
            row.unit.display_name
            if row.unit.pk != unit.pk or len(rows) == 1
            else _("Total: %(unit)s") % {"unit": row.unit.display_name}
        )
        lines.append([label, row.unit.code, *[_value(cell) for cell in row.cells]])
    computed = timezone.localtime(figures.computed_at).strftime("%Y-%m-%d %H:%M") if figures else "—"
    note = _("Figures as of %(time)s. %(note)s") % {"time": computed, "note": view.block.note}
    return workbook_bytes([Sheet(view.block.title, spec, lines, notes=[note])])
