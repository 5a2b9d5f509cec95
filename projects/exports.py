"""The funding overview as xlsx (issue 22): the page's two tables on two sheets, the same numbers, amounts
as numbers in yuan with a thousands format (the spreadsheet formats them; no ¥ text)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from branches.models import Organization
from disclosure.exports import _header, _text


def _kind_label(kind: str) -> str:
    return _("Showcase project") if kind == "feature" else _("Research topic")


def funding_overview_xlsx(*, root: Organization, data: dict) -> bytes:
    """``data``: projects.selectors.funding_overview's result for ``root``."""
    book = Workbook()
    years = book.active
    years.title = _text(str(_("By year and grade")))[:31]
    _header(years, [_("Year"), _("Kind"), _("Applications"), _("Key"), _("General"), _("Rejected"), _("Pending"),
                    _("Granted (yuan)")], [8, 14, 12, 8, 8, 10, 10, 16])
    for index, row in enumerate(data["by_year"], start=2):
        years.append([row["call__year"], _text(str(_kind_label(row["kind"]))), row["applications"], row["key"],
                      row["general"], row["rejected"], row["pending"], float(row["granted"] or 0)])
        years.cell(row=index, column=8).number_format = "#,##0.00"
    units = book.create_sheet(_text(str(_("Funded grants by secondary committee")))[:31])
    _header(units, [_("Unit"), _("Funded"), _("Key"), _("Granted (yuan)")], [34, 10, 8, 16])
    for index, row in enumerate(data["by_unit"], start=2):
        units.append([_text(row["name"]), row["projects"], row["key"], float(row["granted"] or 0)])
        units.cell(row=index, column=4).number_format = "#,##0.00"
    note = years.cell(row=len(data["by_year"]) + 3, column=1)
    note.value = _text(f"{root.name} · {timezone.localdate().isoformat()}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
