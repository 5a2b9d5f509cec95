"""The roster of raters: a spreadsheet of staff and students of a unit, imported all rows or none."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from branches.models import Organization
from branches.spreadsheets import FileRefused, data_rows, read_upload
from branches.spreadsheets import column_letters as letters_of

from assessments.models import (
    RaterEligibility,
    RatingCampaign,
)
from assessments.services.ratings._common import (
    _in_scope,
    _require_manage,
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


@dataclass
class RosterError:
    row: int | None
    column: str
    message: str


@dataclass
class RosterReport:
    added: int = 0
    kept: int = 0
    accounts_created: int = 0
    accounts_without_password: int = 0
    members_linked: int = 0
    errors: list[RosterError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a student number typed as a number arrives as 2023001.0
    return str(value).strip()


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
    _require_manage(by, unit)
    column_letters: dict[str, str] = {}

    def error(report: RosterReport, row: int | None, header: str, message: str) -> None:
        column = f"{column_letters[header]}（{header}）" if header in column_letters else header
        report.errors.append(RosterError(row=row, column=column, message=message))

    report = RosterReport()
    if not _in_scope(campaign, unit):
        error(report, None, "", _("The unit is not part of this campaign."))
        return report
    if campaign.is_over():
        error(report, None, "", _("The campaign has closed."))
        return report
    try:
        dataset = read_upload(
            data=data, filename=filename, max_bytes=settings.RATING_ROSTER_MAX_BYTES, required=ROSTER_REQUIRED
        )
    except FileRefused as exc:
        error(report, None, "", str(exc))
        return report
    column_letters.update(letters_of(dataset))

    User = get_user_model()
    username_length = User._meta.get_field("username").max_length
    name_length = User._meta.get_field("first_name").max_length
    units = {o.code: o for o in Organization.objects.subtree_of(unit).filter(is_active=True)}
    rows: list[tuple[int, str, str, RaterEligibility.Kind | None, Organization | None, str]] = []
    seen: dict[str, int] = {}
    for row in data_rows(dataset):
        number = row.text(COL_NUMBER, max_length=username_length)
        if number and not _NUMBER.match(number):
            row.error(COL_NUMBER, _("Give the student or staff number (letters, digits, . _ -)."))
        elif number:
            row.once(COL_NUMBER, number, seen)
        name = row.text(COL_NAME, max_length=name_length)
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
        report.errors.extend(RosterError(row=e.row, column=e.column, message=e.message) for e in row.errors)
        rows.append((row.number, number, name, kind, target_unit, password))
    if report.errors:
        return report

    existing = {u.username.lower(): u for u in User.objects.filter(username__in=[r[1] for r in rows])}
    for index, number, name, _kind, _unit, _password in rows:
        user = existing.get(number.lower())
        if user is not None and user.first_name and user.first_name != name:
            error(
                report,
                index,
                COL_NAME,
                _("The number %(number)s belongs to %(name)s, not to this name.")
                % {"number": number, "name": user.first_name},
            )
    if report.errors:
        return report

    try:
        with transaction.atomic():
            new_users = []
            for _index, number, name, _kind, _unit, password in rows:
                if number.lower() not in existing:
                    user = User(
                        username=number, first_name=name[:150], password=make_password(password or None)
                    )
                    new_users.append(user)
                    existing[number.lower()] = user
                    report.accounts_without_password += 0 if password else 1
            User.objects.bulk_create(new_users)
            report.accounts_created = len(new_users)
            if new_users and new_users[0].pk is None:  # backends without RETURNING
                fresh = {
                    u.username.lower(): u
                    for u in User.objects.filter(username__in=[u.username for u in new_users])
                }
                existing.update(fresh)
            present = set(
                RaterEligibility.objects.filter(campaign=campaign, unit__in=[r[4] for r in rows]).values_list(
                    "user_id", "unit_id"
                )
            )
            adding = []
            for _index, number, _name, kind, target_unit, _password in rows:
                assert kind is not None and target_unit is not None  # a row without them was reported above
                user = existing[number.lower()]
                if (user.pk, target_unit.pk) in present:
                    report.kept += 1
                    continue
                present.add((user.pk, target_unit.pk))
                adding.append(RaterEligibility(campaign=campaign, user=user, unit=target_unit, kind=kind))
            RaterEligibility.objects.bulk_create(adding)
            report.added = len(adding)
            report.members_linked = _roster_link_members(existing, [r[1] for r in rows])
    except IntegrityError:
        return RosterReport(
            errors=[
                RosterError(
                    row=None,
                    column="",
                    message=_(
                        "The accounts changed while the file was being imported. Nothing was imported; please "
                        "upload the file again."
                    ),
                )
            ]
        )
    return report
