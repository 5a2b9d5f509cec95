"""Writes to members: the spreadsheet import and statistics snapshots."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.figures import figures_changed
from branches.models import Organization
from branches.selectors import MANAGE_MEMBERS, organization_permission_holds
from branches.spreadsheets import (
    FileRefused,
    ImportError_,
    ImportReport,
    column_label,
    column_letters,
    file_error,
    read_upload,
    read_xlsx,
    row_not_saved_message,
)
from members.models import StatsSnapshot
from members.resources import REQUIRED_COLUMNS, MemberResource
from members.selectors import party_stats

# The report and the reader live in the shared spreadsheet layer; these names stay importable from here.
_file_error = file_error
__all__ = [
    "ImportError_",
    "ImportReport",
    "read_xlsx",
    "member_import",
    "stats_snapshot_take",
    "stats_snapshot_take_all",
]


def _explain(error: Exception) -> str:
    """A database refusal (another import or an edit in the admin got there first) in the user's words."""
    if isinstance(error, IntegrityError):
        return _(
            "The members changed while the file was being imported (for example, an ID number was "
            "added meanwhile). Nothing was imported; please upload the file again."
        )
    if isinstance(error, DatabaseError):  # never the database's own (English, technical) words
        return row_not_saved_message()
    return str(error)


def member_import(*, data: bytes, filename: str, scope: Organization, by: User | None) -> ImportReport:
    """Import a member spreadsheet into ``scope``'s subtree: all rows or none.

    Every problem is reported with its row, column and reason; a file with any problem writes nothing.
    New ID numbers create members, known ones (inside the scope) update them; history rows are written.
    """
    if by is not None and not organization_permission_holds(
        user=by, organization=scope, codename=MANAGE_MEMBERS
    ):
        raise PermissionDenied
    try:
        dataset = read_upload(
            data=data,
            filename=filename,
            max_bytes=settings.MEMBER_IMPORT_MAX_BYTES,
            required=REQUIRED_COLUMNS,
        )
    except FileRefused as exc:
        return file_error(str(exc))

    resource = MemberResource(scope=scope, user=by)
    column_of = {header: i for i, header in enumerate(dataset.headers)}
    letters = column_letters(dataset)
    field_column = {name: f.column_name for name, f in resource.fields.items()}
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
            raise_errors=False,
        )
        report = ImportReport()
        for invalid in result.invalid_rows:
            for field_name, messages in sorted(
                invalid.error_dict.items(), key=lambda kv: column_of.get(field_column.get(kv[0], ""), 999)
            ):
                column = column_label(field_column.get(field_name, ""), letters)
                for message in messages:
                    report.errors.append(
                        ImportError_(row=invalid.number + 1, column=column, message=str(message))
                    )
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
        organization=organization,
        taken_on=day,
        defaults={"data": party_stats(organization=organization, as_of=day)},
    )
    return snapshot


def stats_snapshot_take_all(*, taken_on: datetime.date | None = None) -> int:
    """Snapshot every active root, university and secondary committee. Returns how many were taken."""
    kinds = (Organization.Kind.PROVINCE, Organization.Kind.UNIVERSITY, *Organization.SECONDARY_KINDS)
    ids = list(Organization.objects.filter(kind__in=kinds, is_active=True).values_list("pk", flat=True))
    for pk in ids:
        stats_snapshot_take(organization_id=pk, taken_on=taken_on)
    return len(ids)
