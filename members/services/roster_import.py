"""The member spreadsheet import: all rows or none, every problem reported by row, column and reason."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, transaction
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
    row_not_saved_message,
)
from members.resources import REQUIRED_COLUMNS, MemberResource


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
