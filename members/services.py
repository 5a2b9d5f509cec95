"""Writes to members: the spreadsheet import and statistics snapshots."""

from __future__ import annotations

import datetime
import io
import zipfile
from dataclasses import dataclass, field

import tablib
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

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


def read_xlsx(data: bytes) -> tablib.Dataset:
    """The first sheet as a Dataset: header row first, short rows padded, trailing blank rows dropped.

    Raises ValueError with a Chinese-ready message when the bytes are not a readable workbook.
    """
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValueError(_("The file is not an Excel workbook (.xlsx)."))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise ValueError(_("The workbook cannot be read: it may be damaged.")) from exc
    try:
        rows = book.active.iter_rows(values_only=True)
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
                report.errors.append(ImportError_(row=number + 1, column="", message=str(error.error)))
        for error in result.base_errors:
            report.errors.append(ImportError_(row=None, column="", message=str(error.error)))
        if report.errors:
            transaction.set_rollback(True)
            return report
        report.created = result.totals.get("new", 0)
        report.updated = result.totals.get("update", 0)
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
