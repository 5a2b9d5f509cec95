"""The 党内统计 layouts edited by the 组织部 in the portal (issue 21), not only by Django staff in the admin: a
table's title, rows, columns (their order and labels), counting rules, order and whether it is reported,
and the national sheet's columns; each can be put back to its default (``members.stat_defaults``). Every
layout is checked against the keys the code knows (``members.statistics``) before it is saved, and the
history keeps each version with who saved it.

Who edits: the 组织部 — whoever holds manage_units on a university (or a province above it), as for the
indicator tables (assessments ``require_officer``). A branch's or a committee's people read the tables but
never change them."""

from __future__ import annotations

import copy

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from branches.models import Organization
from branches.selectors import MANAGE_UNITS, organizations_with_permission, refuse_unless
from members import statistics
from members.models import SheetLayout, StatTable
from members.stat_defaults import SHEETS, TABLES

TITLE_MAX = 120
RULES_MAX = 2000
ORDER_MAX = 999


def may_edit_layouts(*, user) -> bool:
    """The 组织部: manage_units on a university or a province. One query."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        organizations_with_permission(user=user, codename=MANAGE_UNITS)
        .filter(kind__in=[Organization.Kind.UNIVERSITY, Organization.Kind.PROVINCE])
        .exists()
    )


def table_default(table: StatTable) -> dict | None:
    return next((t for t in TABLES if t["code"] == table.code), None)


def sheet_default(layout: SheetLayout) -> dict | None:
    return next((s for s in SHEETS if s["kind"] == layout.kind), None)


def _save(record, by: User | None, reason: str, fields: list[str]) -> None:
    record._history_user = by if getattr(by, "pk", None) else None
    record._change_reason = reason
    record.save(update_fields=fields)


def _title(title: str) -> str:
    title = title.strip()
    if not title or len(title) > TITLE_MAX:
        raise ValidationError({"title": [_("A title of 1 to %(n)d characters.") % {"n": TITLE_MAX}]})
    return title


@transaction.atomic
def stat_table_update(
    *,
    table: StatTable,
    by: User | None,
    title: str,
    rows: list,
    columns: list,
    rules: str,
    order: int,
    is_active: bool,
) -> StatTable:
    """Save a table's layout after checking every key against its subject's."""
    refuse_unless(by is None or may_edit_layouts(user=by))
    table = StatTable.objects.select_for_update().get(pk=table.pk)
    title = _title(title)
    if len(rules) > RULES_MAX:
        raise ValidationError({"rules": [_("At most %(n)d characters.") % {"n": RULES_MAX}]})
    if not 0 <= order <= ORDER_MAX:
        raise ValidationError({"order": [_("An order from 0 to %(n)d.") % {"n": ORDER_MAX}]})
    # Its errors are the rows' and the columns', each naming its line.
    statistics.validate_layout(subject=table.subject, rows=rows, columns=columns)
    table.title, table.rows, table.columns = title, rows, columns
    table.rules, table.order, table.is_active = rules.strip(), order, is_active
    _save(table, by, "layout edited", ["title", "rows", "columns", "rules", "order", "is_active"])
    return table


@transaction.atomic
def stat_table_reset(*, table: StatTable, by: User | None) -> StatTable:
    """Put the table back to its default layout (a table the 组织部 added has none: refused)."""
    refuse_unless(by is None or may_edit_layouts(user=by))
    default = table_default(table)
    if default is None:
        raise ValidationError(_("This table has no default layout."))
    table = StatTable.objects.select_for_update().get(pk=table.pk)
    for field in ("title", "rows", "columns", "rules", "order"):
        setattr(table, field, copy.deepcopy(default[field]))
    table.is_active = True
    _save(table, by, "reset to default", ["title", "rows", "columns", "rules", "order", "is_active"])
    return table


@transaction.atomic
def sheet_layout_update(*, layout: SheetLayout, by: User | None, title: str, columns: list) -> SheetLayout:
    """Save a national sheet's columns after checking every field against those the code can fill."""
    refuse_unless(by is None or may_edit_layouts(user=by))
    layout = SheetLayout.objects.select_for_update().get(pk=layout.pk)
    title = _title(title)
    try:
        statistics.validate_sheet_columns(columns)
    except ValidationError as exc:
        raise ValidationError({"columns": exc.error_list}) from None
    layout.title, layout.columns = title, columns
    _save(layout, by, "layout edited", ["title", "columns"])
    return layout


@transaction.atomic
def sheet_layout_reset(*, layout: SheetLayout, by: User | None) -> SheetLayout:
    """Put the sheet's columns and title back to the default."""
    refuse_unless(by is None or may_edit_layouts(user=by))
    default = sheet_default(layout)
    if default is None:
        raise ValidationError(_("This sheet has no default layout."))
    layout = SheetLayout.objects.select_for_update().get(pk=layout.pk)
    layout.title, layout.columns = default["title"], copy.deepcopy(default["columns"])
    _save(layout, by, "reset to default", ["title", "columns"])
    return layout
