"""xlsx imports and exports of the lifecycle: applicants (development cases), a branch's dues ledger, transfers.

Same rule as ``member_import``, through the same layer (``branches.spreadsheets``: the guard, the reader, the
typed cell checks and the report): a file with any problem writes nothing and every problem is listed by row,
column and reason. Every cell is checked against its model field (length, digits, date bounds) before a
service sees it, so no database refusal is left to become a server error. Each row goes through the same service as the page, so the time rules hold for imports too.
Column headers are fixed Chinese strings: they are the file format secretaries fill in.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence

import tablib
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from branches.dates import add_years
from branches.models import Organization
from branches.selectors import MANAGE_MEMBERS, organization_permission_holds
from branches.spreadsheets.export import Column, Sheet, inert, workbook_bytes
from branches.spreadsheets import (
    FileRefused,
    ImportError_,
    ImportReport,
    Row,
    data_rows,
    file_error,
    id_number_key,
    read_upload,
    row_not_saved_message,
)
from members.models import STEP_BY_NUMBER, DuesPayment, Member, Transfer
from members.resources import CATEGORY_LABELS, GENDER_LABELS, STAGE_LABELS
from members.services.development import applicant_register, development_step_record
from members.services.dues import dues_record, require_record_dues
from members.services.transfers import transfer_start

DUES_STATUS_LABELS = {"paid": "已交", "paid_by_other": "代交", "exempt": "免交"}
DIRECTION_LABELS = {"out": "转出", "within": "校内转接", "in": "转入"}

APPLICANT_COLUMNS = (
    "姓名",
    "性别",
    "出生日期",
    "人员类别",
    "所在支部编码",
    "申请入党日期",
    "身份证号",
    "手机号",
    "谈话日期",
)
APPLICANT_REQUIRED = APPLICANT_COLUMNS[:6]
DUES_COLUMNS = ("姓名", "身份证号", "月份", "状态", "金额", "代交人", "免交批准")
DUES_REQUIRED = ("姓名", "月份", "状态")
TRANSFER_COLUMNS = ("姓名", "身份证号", "类型", "介绍信编号", "开具日期", "去向", "有效期至", "党费交至")
TRANSFER_REQUIRED = ("姓名", "类型", "介绍信编号", "开具日期", "去向")


def _table_import(
    *,
    data: bytes,
    filename: str,
    scope: Organization,
    by: User | None,
    required: Sequence[str],
    apply: Callable[[Row], None],
    load: Callable[[tablib.Dataset], None] | None = None,
) -> ImportReport:
    """Read the file through the spreadsheet layer, then call ``apply`` on each row inside one transaction;
    roll everything back if any row has a problem (a cell's, a service's refusal, or the database's)."""
    if by is not None and not organization_permission_holds(
        user=by, organization=scope, codename=MANAGE_MEMBERS
    ):
        raise PermissionDenied
    try:
        dataset = read_upload(
            data=data, filename=filename, max_bytes=settings.MEMBER_IMPORT_MAX_BYTES, required=required
        )
    except FileRefused as exc:
        return file_error(str(exc))
    if load is not None:
        load(dataset)  # what the rows are checked against, loaded once for the file
    report = ImportReport()
    with transaction.atomic():
        for row in data_rows(dataset):
            try:
                with transaction.atomic():
                    apply(row)
                    if row.errors:
                        raise ValidationError("")
            except ValidationError as exc:
                if not row.errors:
                    for message in exc.messages:
                        row.errors.append(ImportError_(row=row.number, column="", message=message))
            except PermissionDenied:
                row.errors.append(
                    ImportError_(
                        row=row.number, column="", message=_("You may not change records of this branch.")
                    )
                )
            except DatabaseError:  # behind the cell checks, a last line of defence: never a 500
                row.errors.append(ImportError_(row=row.number, column="", message=row_not_saved_message()))
            if row.errors:
                report.errors.extend(row.errors)
            else:
                report.created += 1
        if report.errors:
            transaction.set_rollback(True)
            report.created = 0
    return report


def _field(model, name: str):
    return model._meta.get_field(name)


def _branches_by_code(scope: Organization) -> dict[str, Organization]:
    return {
        o.code: o
        for o in Organization.objects.filter(
            path__startswith=scope.path, kind=Organization.Kind.BRANCH, is_active=True
        )
    }


def _member_finder(scope: Organization) -> Callable[[Row], Member | None]:
    """Find a member of the scope's subtree by ID number (if given) or by a name unique in the subtree."""
    people = list(
        Member.objects.active()
        .in_subtree(scope)
        .only("pk", "name", "id_number", "branch_id", "stage", "joined_on")
    )
    by_id = {m.id_number: m for m in people if m.id_number}
    by_name: dict[str, list[Member]] = {}
    for member in people:
        by_name.setdefault(member.name, []).append(member)

    def find(row: Row) -> Member | None:
        # Only looked up, so matched as stored (records entered before the checksum rule keep working).
        number = id_number_key(row.text("身份证号", required=False, field=_field(Member, "id_number")))
        name = row.text("姓名", field=NAME)
        if number:
            member = by_id.get(number)
            if member is None and not row.failed("身份证号"):
                row.error("身份证号", _("No member with this ID number here."))
            return member
        if row.failed("姓名"):
            return None
        matches = by_name.get(name, [])
        if len(matches) != 1 and name:
            row.error(
                "姓名",
                _("No member of that name here.")
                if not matches
                else _("Several members have this name; add the ID number."),
            )
            return None
        return matches[0] if matches else None

    return find


NAME = Member._meta.get_field("name")
# A transfer letter may run for a while; a date decades ahead is a typing mistake, not a letter.
_LETTER_YEARS_AHEAD = 2


def applicants_import(
    *, data: bytes, filename: str, scope: Organization, by: User | None, today: datetime.date | None = None
) -> ImportReport:
    """New applicants with their development case (step 1, and step 2 if a talk date is given). An ID number
    already on file, or twice in the file, is the row's problem (the member import updates; this one adds)."""
    today = today or timezone.localdate()
    branches = _branches_by_code(scope)
    on_file: set[str] = set()
    seen: dict[str, int] = {}

    def apply(row: Row) -> None:
        name = row.text("姓名", field=NAME)
        gender = row.choice("性别", GENDER_LABELS)
        birth = row.date("出生日期", today=today, birth=True)
        category = row.choice("人员类别", CATEGORY_LABELS)
        code = row.text("所在支部编码", field=_field(Organization, "code"))
        branch = branches.get(code)
        if code and branch is None:
            row.error(
                "所在支部编码",
                _("No active branch with code %(code)s in %(scope)s.") % {"code": code, "scope": scope.name},
            )
        applied = row.date("申请入党日期", today=today)
        talk = row.date("谈话日期", required=False, today=today)
        id_number = row.id_number("身份证号")
        if id_number and row.once("身份证号", id_number, seen) and id_number in on_file:
            row.error("身份证号", _("A person with this ID number is already on file."))
        phone = row.phone("手机号")
        if row.errors:
            return
        # Required cells: an empty or unknown one is in row.errors, so none is None here.
        assert branch is not None and birth is not None and applied is not None
        case = applicant_register(
            branch=branch,
            name=name,
            gender=gender,
            birth_date=birth,
            category=category,
            applied_on=applied,
            id_number=id_number,
            phone=phone,
            by=by,
        )
        if talk:
            development_step_record(case=case, number=2, done_on=talk, by=by)

    def load(dataset) -> None:
        numbers = (
            {id_number_key(v) for v in dataset["身份证号"]} - {""} if "身份证号" in dataset.headers else set()
        )
        on_file.update(Member.objects.filter(id_number__in=numbers).values_list("id_number", flat=True))

    return _table_import(
        data=data, filename=filename, scope=scope, by=by, required=APPLICANT_REQUIRED, apply=apply, load=load
    )


def dues_import(
    *, data: bytes, filename: str, scope: Organization, by: User | None, today: datetime.date | None = None
) -> ImportReport:
    """Lines of the dues ledger (paid / paid on behalf / exempt) for members of ``scope``'s subtree. Amounts
    fit the ledger's column (up to ¥999,999.99, two decimals, never NaN or Infinity). Only the branch's own
    recorders import its lines (issue 22): anyone else is refused before the file is read (PermissionDenied)."""
    require_record_dues(by=by, branch=scope)
    today = today or timezone.localdate()
    find = _member_finder(scope)
    names = {m.name: m for m in Member.objects.active().party_members().in_subtree(scope)}
    amount_field = _field(DuesPayment, "amount")

    def apply(row: Row) -> None:
        member = find(row)
        month = row.date("月份", month=True, today=today)
        status = row.choice("状态", DUES_STATUS_LABELS)
        amount = row.decimal("金额", field=amount_field, minimum=0)
        payer_name = row.text("代交人", required=False, field=NAME)
        payer = names.get(payer_name) if payer_name else None
        if payer_name and payer is None:
            row.error("代交人", _("No member of that name here."))
        approval = row.text("免交批准", required=False, field=_field(DuesPayment, "approval"))
        if row.errors:
            return
        assert member is not None and month is not None  # required cells (as above)
        dues_record(
            member=member,
            month=month,
            status=status,
            amount=amount,
            paid_by=payer,
            approval=approval,
            by=by,
            today=today,
        )

    return _table_import(
        data=data, filename=filename, scope=scope, by=by, required=DUES_REQUIRED, apply=apply
    )


def transfers_import(
    *, data: bytes, filename: str, scope: Organization, by: User | None, today: datetime.date | None = None
) -> ImportReport:
    """Transfer letters out of the university or within it (``去向``: an organisation, or a branch code)."""
    today = today or timezone.localdate()
    find = _member_finder(scope)
    all_branches = {
        o.code: o for o in Organization.objects.filter(kind=Organization.Kind.BRANCH, is_active=True)
    }
    labels = {k: v for k, v in DIRECTION_LABELS.items() if k != "in"}
    letters_seen: dict[str, int] = {}
    ahead = add_years(today, _LETTER_YEARS_AHEAD)

    def apply(row: Row) -> None:
        member = find(row)
        direction = row.choice("类型", labels)
        letter = row.text("介绍信编号", field=_field(Transfer, "letter_number"))
        row.once("介绍信编号", letter, letters_seen)
        issued = row.date("开具日期", today=today)
        where = row.text("去向", field=_field(Transfer, "outside_unit"))
        valid_until = row.date("有效期至", required=False, today=today, latest=ahead)
        dues_to = row.date("党费交至", required=False, month=True, today=today)
        if issued and valid_until and valid_until < issued:
            row.error("有效期至", _("The letter cannot expire before it is issued."))
        to_branch = None
        if direction == Transfer.Direction.WITHIN and where:
            to_branch = all_branches.get(where)
            if to_branch is None:
                row.error("去向", _("No active branch with this code."))
        if row.errors:
            return
        assert member is not None and issued is not None  # required cells (as above)
        transfer_start(
            member=member,
            direction=direction,
            letter_number=letter,
            issued_on=issued,
            by=by,
            to_branch=to_branch,
            outside_unit=where if direction == Transfer.Direction.OUT else "",
            valid_until=valid_until,
            dues_paid_to=dues_to,
        )

    return _table_import(
        data=data, filename=filename, scope=scope, by=by, required=TRANSFER_REQUIRED, apply=apply
    )


IMPORTERS = {
    "development": (applicants_import, APPLICANT_COLUMNS),
    "dues": (dues_import, DUES_COLUMNS),
    "transfers": (transfers_import, TRANSFER_COLUMNS),
}


# --- exports ----------------------------------------------------------------------------------------------------

# Kept for the callers that clean one cell themselves: the export helper's sanitiser (the full prefix list).
_cell = inert


def xlsx_bytes(headers: Sequence[str], rows: Sequence[Sequence[object]], *, title: str = "") -> bytes:
    """One sheet through the export helper (branches.spreadsheets.export): widths from the content, the header
    frozen, ISO dates, every text inert."""
    return workbook_bytes(
        [Sheet(title or _("Sheet"), [Column(header, width=None) for header in headers], rows)]
    )


def development_export_rows(cases) -> tuple[list[str], list[list]]:
    headers = [
        pgettext("person", "Name"),
        _("Branch"),
        _("Development stage"),
        _("Steps done"),
        _("Current step"),
        _("Applied on"),
        _("Activist since"),
        _("Development target since"),
        _("Joined on"),
        _("Probation extended (months)"),
    ]
    rows = []
    for case in cases:
        m = case.member
        step = STEP_BY_NUMBER.get(case.last_step)
        rows.append(
            [
                m.name,
                m.branch.name,
                STAGE_LABELS[m.stage],
                case.last_step,
                str(step.name) if step else "",
                m.applied_on,
                m.activist_on,
                m.candidate_on,
                m.joined_on,
                case.extension_months,
            ]
        )
    return headers, rows


def transfers_export_rows(transfers) -> tuple[list[str], list[list]]:
    headers = [
        pgettext("person", "Name"),
        _("Transfer type"),
        _("Letter number"),
        _("Issued on"),
        _("Valid until"),
        _("From branch"),
        _("Destination"),
        _("Dues paid to"),
        _("Receipt returned on"),
        _("Status"),
        _("Completed on"),
    ]
    rows = [
        [
            t.member.name,
            DIRECTION_LABELS[t.direction],
            t.letter_number,
            t.issued_on,
            t.valid_until,
            t.from_branch.name if t.from_branch else "",
            t.to_branch.name if t.to_branch else t.outside_unit,
            t.dues_paid_to.strftime("%Y-%m") if t.dues_paid_to else "",
            t.receipt_returned_on,
            str(t.get_status_display()),
            t.completed_on,
        ]
        for t in transfers
    ]
    return headers, rows


def dues_year_export_rows(data: dict) -> tuple[list[str], list[list]]:
    headers = [
        pgettext("person", "Name"),
        *[_("Month %(month)d") % {"month": m.month} for m in data["months"]],
        _("Total"),
        _("Months in arrears"),
    ]
    rows = []
    for row in data["rows"]:
        cells = []
        for cell in row["cells"]:
            payment = cell["payment"]
            cells.append(
                _("Exempt") if payment and payment.status == "exempt" else (payment.amount if payment else "")
            )
        rows.append([row["member"].name, *cells, row["paid"], len(row["arrears"])])
    return headers, rows
