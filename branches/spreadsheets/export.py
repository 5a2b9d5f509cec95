"""The export helper every xlsx download uses (DESIGN §10, issue 15): sheets described as columns and rows, the
workbook built once here.

* Headers are whatever the caller passes through gettext (English source, Chinese in the .po), never literals.
* Every text cell goes through ``inert``: characters XML cannot hold are dropped, and a text that a spreadsheet
  would run as a formula gets a leading apostrophe. The prefixes are OWASP's list ("CSV Injection": ``=``,
  ``+``, ``-``, ``@``, tab, carriage return), with a line feed and NUL (ASVS 1.2.10), and the full-width forms
  ``＝ ＋ － ＠``, which a Chinese input method types and Excel in a Chinese locale reads as their ASCII
  forms when a cell is edited. openpyxl itself stores any string starting with ``=`` as a formula, so this is
  what keeps a member's name "=HYPERLINK(…)" a name.
* Dates are date cells shown ISO (2026-12-01), datetimes local and to the minute; Decimal becomes a number, so
  a sheet sums it; a column may give a number format (``#,##0.00`` for yuan, ``0.0%`` for shares).
* The header row is bold, filled, frozen; each column has its width.
"""

from __future__ import annotations

import datetime
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import pgettext

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A text starting with one of these is made inert (see the module's docstring for the sources).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0%"
HEADER_FILL = "FBF3DC"  # the site's pale gold, as the printable pages' table heads


def inert(value: object) -> object:
    """One cell's value as the workbook stores it: text cleaned and never a formula, dates as dates, Decimal
    and lazy translations turned into what a spreadsheet holds."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        text: str = ILLEGAL_CHARACTERS_RE.sub(
            "", value
        )  # first: "\x01=…" must not hide the "=" from the check
        return "'" + text if text.startswith(FORMULA_PREFIXES) else text
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    return value


@dataclass(frozen=True)
class Column:
    title: str | Promise  # through gettext: the caller's _("…")
    width: int | None = 12  # None: from the content (a Chinese character counts two), at most 50
    number_format: str | None = None  # for numbers: MONEY_FORMAT, PERCENT_FORMAT, "0.0" …
    wrap: bool = False  # long text (topics, reasons) wrapped at the column's width


@dataclass
class Sheet:
    title: str | Promise
    columns: Sequence[Column]
    rows: Iterable[Sequence[object]]
    notes: Sequence[str | Promise] = field(default_factory=tuple)  # lines under the table after a blank row


def flag(value: bool) -> str:
    """A yes-column's cell: 是 or empty (an empty cell reads as "no" at a glance and filters well)."""
    return pgettext("spreadsheet flag", "Yes") if value else ""


def columns(*specs: tuple) -> list[Column]:
    """Shorthand: ``columns((_("Name"), 16), (_("Granted (yuan)"), 14, MONEY_FORMAT))``."""
    return [Column(*spec) for spec in specs]


def _sheet_title(title: object) -> str:
    # Excel refuses a sheet name over 31 characters or with any of []:*?/\ in it.
    text = str(title)
    for char in "[]:*?/\\":
        text = text.replace(char, " ")
    return text.strip()[:31] or "Sheet"


def _display_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _fill(sheet, spec: Sheet) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=inert(column.title))
        cell.font, cell.fill = bold, fill
        if column.width is not None:
            sheet.column_dimensions[cell.column_letter].width = column.width
    sheet.freeze_panes = "A2"
    auto = {
        index: _display_width(column.title)
        for index, column in enumerate(spec.columns, start=1)
        if column.width is None
    }
    row_number = 1
    for row_number, row in enumerate(spec.rows, start=2):
        for index, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=index, value=inert(value))
            if index in auto:
                auto[index] = max(auto[index], _display_width(cell.value))
            if isinstance(cell.value, str):
                cell.data_type = (
                    "s"  # openpyxl would take a stored "=…" for a formula; inert() prefixed it anyway
                )
            spec_column = spec.columns[index - 1] if index <= len(spec.columns) else None
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(cell.value, datetime.date):
                cell.number_format = DATE_FORMAT
            elif (
                spec_column is not None and spec_column.number_format and isinstance(cell.value, (int, float))
            ):
                cell.number_format = spec_column.number_format
            if spec_column is not None and spec_column.wrap:
                cell.alignment = wrap
    for index, width in auto.items():
        sheet.column_dimensions[get_column_letter(index)].width = min(50, max(8, width + 2))
    for offset, note in enumerate(spec.notes, start=2):
        sheet.cell(row=row_number + offset, column=1, value=inert(note))


def workbook_bytes(sheets: Sequence[Sheet], *, title: str = "") -> bytes:
    """The .xlsx of ``sheets`` in order (the first is the one that opens)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for spec in sheets:
        _fill(book.create_sheet(_sheet_title(spec.title)), spec)
    if title:
        book.properties.title = str(inert(title))
    book.properties.creator = "Party Building Portal"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A download of ``content`` named ``filename`` (Chinese names too: RFC 5987's ``filename*``, with an ASCII
    fallback for old clients); private, as every export holds names."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
