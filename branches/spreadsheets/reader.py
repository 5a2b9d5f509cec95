"""The reader: calamine behind the guard, the first sheet as a ``tablib.Dataset``."""

from __future__ import annotations

import io
from collections.abc import Sequence

import tablib
from django.utils.translation import gettext as _

from branches.spreadsheets.cells import FormulaError, _plain
from branches.spreadsheets.guard import _damaged, _too_many_rows, guarded_package
from branches.spreadsheets.report import FileRefused


def read_xlsx(data: bytes, *, max_rows: int | None = None) -> tablib.Dataset:
    """The first sheet as a Dataset: header row first, short rows padded, trailing blank rows dropped, a blank
    row between data rows kept (row numbers stay true). Raises ``FileRefused`` (a ValueError) with the
    user's message when the bytes are not a readable workbook of at most ``max_rows`` data rows."""
    from django.conf import settings
    from python_calamine import CalamineWorkbook

    max_rows = max_rows if max_rows is not None else settings.MEMBER_IMPORT_MAX_ROWS
    checked, formula_errors = guarded_package(data, max_rows=max_rows)
    book = None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(checked))
        # skip_empty_area=False: a sheet whose data starts below row 1 keeps its true row numbers.
        grid = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several types for damaged files
        raise _damaged() from exc
    finally:
        if book is not None:
            book.close()
    for (row, column), code in formula_errors.items():
        if row <= len(grid) and column <= len(grid[row - 1]):
            grid[row - 1][column - 1] = FormulaError(code)  # refused by every cell check, with its place
    rows = iter(grid)
    header = next(rows, None)
    if header is None:
        raise FileRefused(_("The workbook is empty."))
    headers = [("" if h is None else _plain(h)) for h in header]
    while headers and headers[-1] == "":
        headers.pop()
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    pending_blank = 0
    for raw in rows:
        values = [None if v == "" else v for v in raw[:width]] + [None] * (width - len(raw))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            pending_blank += 1  # kept only if a non-blank row follows (its row number must stay true)
            continue
        for _blank in range(pending_blank):
            dataset.append([None] * width)
        pending_blank = 0
        dataset.append(values)
        if len(dataset) > max_rows:
            raise _too_many_rows(max_rows)
    return dataset


def read_upload(
    *, data: bytes, filename: str, max_bytes: int, required: Sequence[str], max_rows: int | None = None
) -> tablib.Dataset:
    """The checks every import page makes before its rows: the name, the size, the guard and reader, the
    required columns (each once) and at least one data row. Raises ``FileRefused``."""
    if not filename.lower().endswith(".xlsx"):
        raise FileRefused(_("Only Excel .xlsx files can be imported."))
    if len(data) > max_bytes:
        raise FileRefused(
            _("The file is larger than %(mb)d MB.") % {"mb": max(1, max_bytes // (1024 * 1024))}
        )
    dataset = read_xlsx(data, max_rows=max_rows)
    missing = [c for c in required if c not in dataset.headers]
    if missing:
        raise FileRefused(_("Missing columns: %(columns)s.") % {"columns": "、".join(missing)})
    twice = sorted({h for h in dataset.headers if h and dataset.headers.count(h) > 1})
    if twice:
        raise FileRefused(
            _("These columns appear more than once: %(columns)s.") % {"columns": "、".join(twice)}
        )
    if not any(any(v is not None and _plain(v) for v in values) for values in dataset):
        raise FileRefused(_("The file has no data rows."))
    return dataset
