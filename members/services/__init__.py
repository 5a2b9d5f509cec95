"""Writes to members: the spreadsheet import and statistics snapshots."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

import tablib
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from branches.figures import figures_changed
from branches.models import Organization
from branches.selectors import MANAGE_MEMBERS, organization_permission_holds
from members.models import StatsSnapshot
from members.resources import REQUIRED_COLUMNS, MemberResource
from members.selectors import party_stats


@dataclass
class ImportError_:
    row: int | None  # the spreadsheet's row number (the header is row 1); None for whole-file errors
    column: str  # "C（出生日期）" or "" for whole-file errors
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[ImportError_] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _file_error(message: str) -> ImportReport:
    return ImportReport(errors=[ImportError_(row=None, column="", message=message)])


_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
_CELL_REF = re.compile(rb'<(?:\w+:)?c r="([A-Z]{1,3})(\d+)"')
_ROW_REF = re.compile(rb'<(?:\w+:)?row r="(\d+)"')
_MAX_COLUMN = 78  # column BZ: far wider than the member sheet's dozen columns


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


def _check_sheet_extent(data: bytes) -> None:
    """calamine reads a sheet into one dense grid from its top-left to its bottom-right cell: a 5 KB file
    with a cell at XFD1048576 would make it allocate hundreds of gigabytes. So before calamine sees a file:
    the parts may not unpack to more than 20 × the upload limit (zip bombs, in the sheet or in the shared
    strings), every cell must carry its reference, and no cell or row may lie beyond column BZ or beyond
    row MEMBER_IMPORT_MAX_ROWS + 1 (about 0.1 s for 10,000 rows)."""
    damaged = ValueError(_("The workbook cannot be read: it may be damaged."))
    too_long = ValueError(
        _("The file has more than %(n)d rows; split it into smaller files.") % {"n": settings.MEMBER_IMPORT_MAX_ROWS}
    )
    max_row = settings.MEMBER_IMPORT_MAX_ROWS + 1
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.infolist()
        if sum(info.file_size for info in parts) > 20 * settings.MEMBER_IMPORT_MAX_BYTES:
            raise damaged
        for info in parts:
            if not _SHEET_PART.fullmatch(info.filename):
                continue
            xml = archive.read(info)
            refs = _CELL_REF.findall(xml)
            if len(_CELL.findall(xml)) != len(refs):
                raise damaged
            if any(_column_number(col) > _MAX_COLUMN for col, _row in refs):
                raise damaged
            if any(int(row) > max_row for _col, row in refs) or any(
                int(row) > max_row for row in _ROW_REF.findall(xml)
            ):
                raise too_long


def read_xlsx(data: bytes) -> tablib.Dataset:
    """The first sheet as a Dataset: header row first, short rows padded, trailing blank rows dropped.

    Raises ValueError with a Chinese-ready message when the bytes are not a readable workbook.
    """
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValueError(_("The file is not an Excel workbook (.xlsx)."))
    _check_sheet_extent(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        # skip_empty_area=False: a sheet whose data starts below row 1 keeps its true row numbers.
        grid = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several types for damaged files
        raise ValueError(_("The workbook cannot be read: it may be damaged.")) from exc
    try:
        rows = iter([[None if v == "" else v for v in r] for r in grid])
        header = next(rows, None)
        if header is None:
            raise ValueError(_("The workbook is empty."))
        headers = [("" if h is None else str(h).strip()) for h in header]
        while headers and headers[-1] == "":
            headers.pop()
        width = len(headers)
        dataset = tablib.Dataset(headers=headers)
        pending_blank = 0
        for values in rows:
            values = list(values[:width]) + [None] * (width - len(values))
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                pending_blank += 1  # kept only if a non-blank row follows (its row number must stay true)
                continue
            for _blank in range(pending_blank):
                dataset.append([None] * width)
            pending_blank = 0
            dataset.append(values)
            if len(dataset) > settings.MEMBER_IMPORT_MAX_ROWS:
                raise ValueError(
                    _("The file has more than %(n)d rows; split it into smaller files.")
                    % {"n": settings.MEMBER_IMPORT_MAX_ROWS}
                )
    finally:
        book.close()
    return dataset


def _explain(error: Exception) -> str:
    """A database refusal (another import or an edit in the admin got there first) in the user's words."""
    if isinstance(error, IntegrityError):
        return _("The members changed while the file was being imported (for example, an ID number was "
                 "added meanwhile). Nothing was imported; please upload the file again.")
    return str(error)


def member_import(*, data: bytes, filename: str, scope: Organization, by: AbstractBaseUser | None) -> ImportReport:
    """Import a member spreadsheet into ``scope``'s subtree: all rows or none.

    Every problem is reported with its row, column and reason; a file with any problem writes nothing.
    New ID numbers create members, known ones (inside the scope) update them; history rows are written.
    """
    if by is not None and not organization_permission_holds(user=by, organization=scope, codename=MANAGE_MEMBERS):
        raise PermissionDenied
    if not filename.lower().endswith(".xlsx"):
        return _file_error(_("Only Excel .xlsx files can be imported."))
    if len(data) > settings.MEMBER_IMPORT_MAX_BYTES:
        return _file_error(
            _("The file is larger than %(mb)d MB.") % {"mb": settings.MEMBER_IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    try:
        dataset = read_xlsx(data)
    except ValueError as exc:
        return _file_error(str(exc))
    missing = [c for c in REQUIRED_COLUMNS if c not in dataset.headers]
    if missing:
        return _file_error(_("Missing columns: %(columns)s.") % {"columns": "、".join(missing)})
    if not len(dataset):
        return _file_error(_("The file has no data rows."))

    resource = MemberResource(scope=scope, user=by)
    column_of = {header: i for i, header in enumerate(dataset.headers)}
    field_column = {name: f.column_name for name, f in resource.fields.items()}
    with transaction.atomic():
        result = resource.import_data(
            dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True, raise_errors=False
        )
        report = ImportReport()
        for invalid in result.invalid_rows:
            for field_name, messages in sorted(invalid.error_dict.items(), key=lambda kv: column_of.get(
                    field_column.get(kv[0], ""), 999)):
                header = field_column.get(field_name, "")
                letter = get_column_letter(column_of[header] + 1) if header in column_of else ""
                column = f"{letter}（{header}）" if letter else header
                for message in messages:
                    report.errors.append(ImportError_(row=invalid.number + 1, column=column, message=str(message)))
        for number, row_errors in result.row_errors():
            for error in row_errors:
                report.errors.append(ImportError_(row=number + 1, column="", message=_explain(error.error)))
        for error in result.base_errors:
            report.errors.append(ImportError_(row=None, column="", message=_explain(error.error)))
        if report.errors:
            transaction.set_rollback(True)
            return report
        report.created = result.totals.get("new", 0)
        report.updated = result.totals.get("update", 0)
        figures_changed(scope)  # bulk rows send no signals; the dashboard refreshes after the commit
    return report


@transaction.atomic
def stats_snapshot_take(*, organization_id: int, taken_on: datetime.date | None = None) -> StatsSnapshot:
    """Record ``party_stats`` of one unit for one day; a second call the same day replaces the figures."""
    organization = Organization.objects.get(pk=organization_id)
    day = taken_on or timezone.localdate()
    snapshot, _created = StatsSnapshot.objects.update_or_create(
        organization=organization, taken_on=day, defaults={"data": party_stats(organization=organization, as_of=day)}
    )
    return snapshot


def stats_snapshot_take_all(*, taken_on: datetime.date | None = None) -> int:
    """Snapshot every active root, university and secondary committee. Returns how many were taken."""
    kinds = (Organization.Kind.PROVINCE, Organization.Kind.UNIVERSITY, *Organization.SECONDARY_KINDS)
    ids = list(Organization.objects.filter(kind__in=kinds, is_active=True).values_list("pk", flat=True))
    for pk in ids:
        stats_snapshot_take(organization_id=pk, taken_on=taken_on)
    return len(ids)
