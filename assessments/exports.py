"""The dashboard's xlsx exports: one block of one unit, a row per child unit plus the unit's total, the same
numbers as the page's table (shares as numbers formatted as percentages, money in yuan)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from branches.models import Organization, UnitFigures
from disclosure.exports import _header, _text


def _value(cell):
    if cell.value is None or cell.value == "":
        return None
    if cell.column.kind == "money":
        return round(cell.value / 100, 2)
    return cell.value


def dashboard_block_xlsx(*, unit: Organization, view, figures: UnitFigures | None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _text(str(view.block.title))[:31] or "dashboard"
    columns = view.block.columns
    _header(sheet, [_("Unit"), _("Code"), *[str(c.label) for c in columns]], [34, 16, *[12] * len(columns)])
    rows = list(view.rows)
    if rows and rows[0].unit.pk != unit.pk:
        rows.append(view.total)
    for index, row in enumerate(rows, start=2):
        label = row.unit.display_name if row.unit.pk != unit.pk or len(rows) == 1 else _("Total: %(unit)s") % {
            "unit": row.unit.display_name}
        sheet.append([_text(label), _text(row.unit.code), *[_value(cell) for cell in row.cells]])
        for offset, cell in enumerate(row.cells, start=3):
            if cell.column.kind == "percent":
                sheet.cell(row=index, column=offset).number_format = "0.0%"
            elif cell.column.kind == "money":
                sheet.cell(row=index, column=offset).number_format = "#,##0.00"
    note = sheet.cell(row=len(rows) + 3, column=1)
    computed = timezone.localtime(figures.computed_at).strftime("%Y-%m-%d %H:%M") if figures else "—"
    note.value = _("Figures as of %(time)s. %(note)s") % {"time": computed, "note": view.block.note}
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
