"""The roster of raters: a spreadsheet of staff and students of a unit, imported all rows or none.

Read, checked and reported through the one spreadsheet layer (``branches.spreadsheets``: the guarded reader,
``Row``'s typed cells, ``ImportError_`` rows in the report), as the members' imports are; what is the roster's
own is below: its columns, the accounts it finds or creates, and the members it links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from branches.models import Organization
from branches.selectors import MANAGE_UNITS, require_organization_permission
from branches.spreadsheets import (
    FileRefused,
    ImportError_,
    ImportReport,
    Row,
    column_label,
    column_letters,
    data_rows,
    file_error,
    read_upload,
)

from assessments.models import (
    RaterEligibility,
    RatingCampaign,
)
from assessments.services.ratings._common import (
    _in_scope,
)


# --- the roster of raters -------------------------------------------------------------------------------

COL_NUMBER = "学号/工号"
COL_NAME = "姓名"
COL_KIND = "身份"
COL_UNIT = "所在单位编码"
COL_PASSWORD = "初始密码"
ROSTER_REQUIRED = (COL_NUMBER, COL_NAME, COL_KIND)
ROSTER_KIND_LABELS = {
    "教职工": RaterEligibility.Kind.STAFF,
    "教工": RaterEligibility.Kind.STAFF,
    "学生": RaterEligibility.Kind.STUDENT,
}
_PASSWORD_LENGTH = 128  # it is hashed, never stored; a bound still keeps the hasher's work small
_NUMBER = re.compile(r"^[A-Za-z0-9_.\-]{2,150}$")

# A roster problem is the layer's row error (row, "A（学号/工号）", message).
RosterError = ImportError_


@dataclass
class RosterReport(ImportReport):
    """The layer's report with what a roster adds: raters added and kept, accounts created (and how many
    without a usable password), members linked to their account."""

    added: int = 0
    kept: int = 0
    accounts_created: int = 0
    accounts_without_password: int = 0
    members_linked: int = 0


@dataclass
class _RosterRow:
    """One checked row: a row with a problem is in the report and never written."""

    number: int  # the spreadsheet's row
    login: str  # 学号/工号, the account's username
    name: str
    kind: RaterEligibility.Kind | None
    unit: Organization | None
    password: str


def _refusal(campaign: RatingCampaign, unit: Organization) -> str | None:
    """Why no roster of ``unit`` can be imported into ``campaign`` now, if it cannot."""
    if not _in_scope(campaign, unit):
        return _("The unit is not part of this campaign.")
    if campaign.is_over():
        return _("The campaign has closed.")
    return None


def _roster_row(
    row: Row, *, unit: Organization, units: dict[str, Organization], seen: dict[str, int]
) -> _RosterRow:
    """Check one row's cells against their columns; its problems go to ``row.errors``."""
    UserModel = get_user_model()
    number = row.text(COL_NUMBER, max_length=UserModel._meta.get_field("username").max_length)
    if number and not _NUMBER.match(number):
        row.error(COL_NUMBER, _("Give the student or staff number (letters, digits, . _ -)."))
    elif number:
        row.once(COL_NUMBER, number, seen)
    name = row.text(COL_NAME, max_length=UserModel._meta.get_field("first_name").max_length)
    kind = ROSTER_KIND_LABELS.get(row.raw(COL_KIND))
    if kind is None:
        row.error(
            COL_KIND,
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": row.raw(COL_KIND)[:40], "choices": "、".join(ROSTER_KIND_LABELS)},
        )
    unit_code = row.text(COL_UNIT, required=False, field=Organization._meta.get_field("code"))
    password = row.text(COL_PASSWORD, required=False, max_length=_PASSWORD_LENGTH)
    target_unit: Organization | None = unit
    if unit_code:
        target_unit = units.get(unit_code)
        if target_unit is None:
            row.error(
                COL_UNIT,
                _("No active unit with the code %(code)s inside %(unit)s.")
                % {"code": unit_code, "unit": unit.display_name},
            )
    if password and len(password) < 8:
        row.error(COL_PASSWORD, _("The initial password must have at least 8 characters."))
    return _RosterRow(row.number, number, name, kind, target_unit, password)


def _roster_rows(dataset, *, unit: Organization, report: RosterReport) -> list[_RosterRow]:
    """Every data row checked; each problem is added to ``report`` with its row and column."""
    units = {o.code: o for o in Organization.objects.subtree_of(unit).filter(is_active=True)}
    seen: dict[str, int] = {}
    rows = []
    for row in data_rows(dataset):
        rows.append(_roster_row(row, unit=unit, units=units, seen=seen))
        report.errors.extend(row.errors)
    return rows


def _check_names(
    rows: list[_RosterRow], existing: dict[str, User], letters: dict[str, str]
) -> list[ImportError_]:
    """A number that is already someone's account must come with that person's name: a wrong number
    would put someone else's account on the roster."""
    errors = []
    for row in rows:
        user = existing.get(row.login.lower())
        if user is not None and user.first_name and user.first_name != row.name:
            errors.append(
                ImportError_(
                    row=row.number,
                    column=column_label(COL_NAME, letters),
                    message=_("The number %(number)s belongs to %(name)s, not to this name.")
                    % {"number": row.login, "name": user.first_name},
                )
            )
    return errors


def _accounts_create(rows: list[_RosterRow], existing: dict[str, User], report: RosterReport) -> None:
    """An account for each number without one (its initial password, or none usable); ``existing`` then
    holds every row's account."""
    UserModel = get_user_model()
    new_users = []
    for row in rows:
        if row.login.lower() not in existing:
            user = UserModel(
                username=row.login, first_name=row.name[:150], password=make_password(row.password or None)
            )
            new_users.append(user)
            existing[row.login.lower()] = user
            report.accounts_without_password += 0 if row.password else 1
    UserModel.objects.bulk_create(new_users)
    report.accounts_created = len(new_users)
    if new_users and new_users[0].pk is None:  # backends without RETURNING
        fresh = {
            u.username.lower(): u
            for u in UserModel.objects.filter(username__in=[u.username for u in new_users])
        }
        existing.update(fresh)


def _eligibility_add(
    rows: list[_RosterRow], existing: dict[str, User], campaign: RatingCampaign, report: RosterReport
) -> None:
    """Each row's account on the campaign's roster for its unit; a pair already there is kept as it is."""
    present = set(
        RaterEligibility.objects.filter(campaign=campaign, unit__in=[r.unit for r in rows]).values_list(
            "user_id", "unit_id"
        )
    )
    adding = []
    for row in rows:
        assert row.kind is not None and row.unit is not None  # a row without them was reported above
        user = existing[row.login.lower()]
        if (user.pk, row.unit.pk) in present:
            report.kept += 1
            continue
        present.add((user.pk, row.unit.pk))
        adding.append(RaterEligibility(campaign=campaign, user=user, unit=row.unit, kind=row.kind))
    RaterEligibility.objects.bulk_create(adding)
    report.added = len(adding)


def _roster_link_members(accounts: dict, numbers: list[str]) -> int:
    """Members whose campus number (学号/工号) is on the roster and who have no login yet get the roster's
    account (issue 20): the rater and the member are one person, whichever way they first sign on."""
    from members.models import Member

    holders = set(
        Member.objects.filter(user__in=[u.pk for u in accounts.values()]).values_list("user_id", flat=True)
    )
    linking = []
    for member in Member.objects.filter(campus_number__in=numbers, user__isnull=True):
        user = accounts.get(member.campus_number.lower())
        if user is not None and user.pk not in holders:
            member.user = user
            holders.add(user.pk)
            linking.append(member)
    Member.objects.bulk_update(linking, ["user"])
    return len(linking)


def rater_roster_import(
    *, campaign: RatingCampaign, unit: Organization, data: bytes, filename: str, by: User | None
) -> RosterReport:
    """Import the staff and students of ``unit`` who may rate: all rows or none.

    Columns 学号/工号, 姓名, 身份 (教职工/学生), optional 所在单位编码 (a unit inside ``unit``; default
    ``unit`` itself) and 初始密码. The number is the login: an existing account with that username is
    linked, otherwise one is created (with the given initial password, or none usable — then the
    university's sign-on or an administrator sets it). Rows already on the roster are kept as they are.
    """
    if by is not None:
        require_organization_permission(user=by, organization=unit, codename=MANAGE_UNITS)
    if (refusal := _refusal(campaign, unit)) is not None:
        return RosterReport(errors=file_error(refusal).errors)
    try:
        dataset = read_upload(
            data=data, filename=filename, max_bytes=settings.RATING_ROSTER_MAX_BYTES, required=ROSTER_REQUIRED
        )
    except FileRefused as exc:
        return RosterReport(errors=file_error(str(exc)).errors)
    report = RosterReport()
    rows = _roster_rows(dataset, unit=unit, report=report)
    if report.errors:
        return report
    UserModel = get_user_model()
    existing = {u.username.lower(): u for u in UserModel.objects.filter(username__in=[r.login for r in rows])}
    report.errors = _check_names(rows, existing, column_letters(dataset))
    if report.errors:
        return report
    try:
        with transaction.atomic():
            _accounts_create(rows, existing, report)
            _eligibility_add(rows, existing, campaign, report)
            report.members_linked = _roster_link_members(existing, [r.login for r in rows])
    except IntegrityError:
        return RosterReport(
            errors=file_error(
                _(
                    "The accounts changed while the file was being imported. Nothing was imported; please "
                    "upload the file again."
                )
            ).errors
        )
    return report
