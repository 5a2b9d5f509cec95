"""The one report every import gives: each problem with its row, column and reason; and how the layer says
that a file or a cell is refused."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import tablib
from django.utils.translation import gettext as _


@dataclass
class ImportError_:
    row: int | None  # the spreadsheet's row number (the header is row 1); None for whole-file errors
    column: str  # "C（出生日期）" or "" for whole-file and whole-row errors
    message: str


RowError = ImportError_


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[ImportError_] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def file_error(message: str) -> ImportReport:
    """A report refusing the whole file (no row, no column)."""
    return ImportReport(errors=[ImportError_(row=None, column="", message=message)])


def row_not_saved_message() -> str:
    """What a row says when the database refused it anyway (a last line of defence behind the checks)."""
    return _(
        "The database refused this row; nothing was imported. Check its values and upload the file again."
    )


class FileRefused(ValueError):
    """The upload as a whole cannot be imported; the message is for the user."""


class CellError(ValueError):
    """One cell does not fit its column; the message is for the user."""


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_label(header: str, letters: Mapping[str, str]) -> str:
    """How a report names a column: ``C（出生日期）``."""
    return f"{letters[header]}（{header}）" if header in letters else header


def column_letters(dataset: tablib.Dataset) -> dict[str, str]:
    return {header: column_letter(i) for i, header in enumerate(dataset.headers) if header}
