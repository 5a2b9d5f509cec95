"""xlsx imports and exports of the lifecycle: applicants (development cases), a branch's dues ledger, transfers.

Same rule as ``member_import``, with its reader (``read_xlsx``: calamine behind the sheet-extent guard) and its
report (``ImportReport``): a file with any problem writes nothing and every problem is listed by row, column
and reason. Each row goes through the same service as the page, so the time rules hold for imports too.
Column headers are fixed Chinese strings: they are the file format secretaries fill in.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation

import tablib
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.formats.base_formats import XLSX
from openpyxl.utils import get_column_letter

from branches.models import Organization
from branches.selectors import MANAGE_MEMBERS, organization_permission_holds
from members.models import STEP_BY_NUMBER, Member, Transfer
from members.resources import (
    CATEGORY_LABELS,
    DATE_FORMATS,
    FORMULA_STARTS,
    GENDER_LABELS,
    STAGE_LABELS,
    _text,
)
from members.services import ImportError_, ImportReport, _file_error, read_xlsx
from members.services.development import applicant_register, development_step_record
from members.services.dues import dues_record
from members.services.transfers import transfer_start

DUES_STATUS_LABELS = {"paid": "已交", "paid_by_other": "代交", "exempt": "免交"}
DIRECTION_LABELS = {"out": "转出", "within": "校内转接", "in": "转入"}

APPLICANT_COLUMNS = ("姓名", "性别", "出生日期", "人员类别", "所在支部编码", "申请入党日期", "身份证号", "手机号", "谈话日期")
APPLICANT_REQUIRED = APPLICANT_COLUMNS[:6]
DUES_COLUMNS = ("姓名", "身份证号", "月份", "状态", "金额", "代交人", "免交批准")
DUES_REQUIRED = ("姓名", "月份", "状态")
TRANSFER_COLUMNS = ("姓名", "身份证号", "类型", "介绍信编号", "开具日期", "去向", "有效期至", "党费交至")
TRANSFER_REQUIRED = ("姓名", "类型", "介绍信编号", "开具日期", "去向")


class Row:
    """One spreadsheet row: typed cells, and the problems found, each with its column."""

    def __init__(self, number: int, values: dict[str, object], letters: dict[str, str]):
        self.number, self.values, self.letters = number, values, letters
        self.errors: list[ImportError_] = []

    def error(self, header: str, message: str) -> None:
        column = f"{self.letters[header]}（{header}）" if header in self.letters else header
        self.errors.append(ImportError_(row=self.number, column=column, message=message))

    def text(self, header: str, *, required: bool = True) -> str:
        value = _text(self.values.get(header))
        if required and not value:
            self.error(header, _("This cell is required."))
        elif value and value[0] in FORMULA_STARTS:
            self.error(header, _("Text may not start with = + - or @."))
            return ""
        return value

    def date(self, header: str, *, required: bool = True) -> datetime.date | None:
        value = self.values.get(header)
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = _text(value)
        if not text:
            if required:
                self.error(header, _("This cell is required."))
            return None
        for fmt in DATE_FORMATS + ("%Y-%m", "%Y/%m", "%Y.%m"):
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        self.error(header, _("“%(value)s” is not a date (write 2024-09-01).") % {"value": text})
        return None

    def choice(self, header: str, labels: dict[str, str], *, required: bool = True) -> str:
        text = self.text(header, required=required)
        if not text:
            return ""
        reverse = {label: value for value, label in labels.items()}
        if text in reverse:
            return reverse[text]
        if text in labels:
            return text
        self.error(header, _("“%(value)s” is not one of: %(choices)s.") % {"value": text,
                                                                         "choices": "、".join(labels.values())})
        return ""

    def decimal(self, header: str) -> Decimal | None:
        text = _text(self.values.get(header))
        if not text:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            self.error(header, _("“%(value)s” is not an amount.") % {"value": text})
            return None


def _table_import(
    *,
    data: bytes,
    filename: str,
    scope: Organization,
    by: AbstractBaseUser | None,
    required: Sequence[str],
    apply: Callable[[Row], None],
) -> ImportReport:
    """Read the file, then call ``apply`` on each row inside one transaction; roll everything back if any
    row has a problem (a parse problem or a service's refusal)."""
    if by is not None and not organization_permission_holds(user=by, organization=scope, codename=MANAGE_MEMBERS):
        raise PermissionDenied
    if not filename.lower().endswith(".xlsx"):
        return _file_error(_("Only Excel .xlsx files can be imported."))
    if len(data) > settings.MEMBER_IMPORT_MAX_BYTES:
        return _file_error(_("The file is larger than %(mb)d MB.")
                           % {"mb": settings.MEMBER_IMPORT_MAX_BYTES // (1024 * 1024)})
    try:
        dataset = read_xlsx(data)
    except ValueError as exc:
        return _file_error(str(exc))
    missing = [c for c in required if c not in dataset.headers]
    if missing:
        return _file_error(_("Missing columns: %(columns)s.") % {"columns": "、".join(missing)})
    if not len(dataset):
        return _file_error(_("The file has no data rows."))
    letters = {header: get_column_letter(i + 1) for i, header in enumerate(dataset.headers)}
    report = ImportReport()
    with transaction.atomic():
        for index, values in enumerate(dataset.dict):
            row = Row(index + 2, values, letters)
            if all(v is None or _text(v) == "" for v in values.values()):
                continue
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
                row.errors.append(ImportError_(row=row.number, column="",
                                               message=_("You may not change records of this branch.")))
            if row.errors:
                report.errors.extend(row.errors)
            else:
                report.created += 1
        if report.errors:
            transaction.set_rollback(True)
            report.created = 0
    return report


def _branches_by_code(scope: Organization) -> dict[str, Organization]:
    return {o.code: o for o in Organization.objects.filter(path__startswith=scope.path,
                                                           kind=Organization.Kind.BRANCH, is_active=True)}


def _member_finder(scope: Organization) -> Callable[[Row], Member | None]:
    """Find a member of the scope's subtree by ID number (if given) or by a name unique in the subtree."""
    people = list(Member.objects.active().in_subtree(scope).only("pk", "name", "id_number", "branch_id",
                                                                  "stage", "joined_on"))
    by_id = {m.id_number: m for m in people if m.id_number}
    by_name: dict[str, list[Member]] = {}
    for member in people:
        by_name.setdefault(member.name, []).append(member)

    def find(row: Row) -> Member | None:
        number = row.text("身份证号", required=False).upper()
        name = row.text("姓名")
        if number:
            member = by_id.get(number)
            if member is None:
                row.error("身份证号", _("No member with this ID number here."))
            return member
        matches = by_name.get(name, [])
        if len(matches) != 1 and name:
            row.error("姓名", _("No member of that name here.") if not matches
                      else _("Several members have this name; add the ID number."))
            return None
        return matches[0] if matches else None

    return find


def applicants_import(*, data: bytes, filename: str, scope: Organization, by: AbstractBaseUser | None
                      ) -> ImportReport:
    """New applicants with their development case (step 1, and step 2 if a talk date is given)."""
    branches = _branches_by_code(scope)

    def apply(row: Row) -> None:
        name = row.text("姓名")
        gender = row.choice("性别", GENDER_LABELS)
        birth = row.date("出生日期")
        category = row.choice("人员类别", CATEGORY_LABELS)
        code = row.text("所在支部编码")
        branch = branches.get(code)
        if code and branch is None:
            row.error("所在支部编码", _("No active branch with this code here."))
        applied = row.date("申请入党日期")
        talk = row.date("谈话日期", required=False)
        id_number = row.text("身份证号", required=False).upper()
        phone = row.text("手机号", required=False)
        if row.errors:
            return
        case = applicant_register(branch=branch, name=name, gender=gender, birth_date=birth, category=category,
                                  applied_on=applied, id_number=id_number, phone=phone, by=by)
        if talk:
            development_step_record(case=case, number=2, done_on=talk, by=by)

    return _table_import(data=data, filename=filename, scope=scope, by=by, required=APPLICANT_REQUIRED, apply=apply)


def dues_import(*, data: bytes, filename: str, scope: Organization, by: AbstractBaseUser | None) -> ImportReport:
    """Lines of the dues ledger (paid / paid on behalf / exempt) for members of ``scope``'s subtree."""
    find = _member_finder(scope)
    names = {m.name: m for m in Member.objects.active().party_members().in_subtree(scope)}

    def apply(row: Row) -> None:
        member = find(row)
        month = row.date("月份")
        status = row.choice("状态", DUES_STATUS_LABELS)
        amount = row.decimal("金额")
        payer_name = row.text("代交人", required=False)
        payer = names.get(payer_name) if payer_name else None
        if payer_name and payer is None:
            row.error("代交人", _("No member of that name here."))
        approval = row.text("免交批准", required=False)
        if row.errors:
            return
        dues_record(member=member, month=month, status=status, amount=amount, paid_by=payer, approval=approval, by=by)

    return _table_import(data=data, filename=filename, scope=scope, by=by, required=DUES_REQUIRED, apply=apply)


def transfers_import(*, data: bytes, filename: str, scope: Organization, by: AbstractBaseUser | None
                     ) -> ImportReport:
    """Transfer letters out of the university or within it (``去向``: an organisation, or a branch code)."""
    find = _member_finder(scope)
    all_branches = {o.code: o for o in Organization.objects.filter(kind=Organization.Kind.BRANCH, is_active=True)}
    labels = {k: v for k, v in DIRECTION_LABELS.items() if k != "in"}

    def apply(row: Row) -> None:
        member = find(row)
        direction = row.choice("类型", labels)
        letter = row.text("介绍信编号")
        issued = row.date("开具日期")
        where = row.text("去向")
        valid_until = row.date("有效期至", required=False)
        dues_to = row.date("党费交至", required=False)
        to_branch = None
        if direction == Transfer.Direction.WITHIN and where:
            to_branch = all_branches.get(where)
            if to_branch is None:
                row.error("去向", _("No active branch with this code."))
        if row.errors:
            return
        transfer_start(member=member, direction=direction, letter_number=letter, issued_on=issued, by=by,
                       to_branch=to_branch, outside_unit=where if direction == Transfer.Direction.OUT else "",
                       valid_until=valid_until, dues_paid_to=dues_to)

    return _table_import(data=data, filename=filename, scope=scope, by=by, required=TRANSFER_REQUIRED, apply=apply)


IMPORTERS = {"development": (applicants_import, APPLICANT_COLUMNS), "dues": (dues_import, DUES_COLUMNS),
             "transfers": (transfers_import, TRANSFER_COLUMNS)}


# --- exports ----------------------------------------------------------------------------------------------------

def _cell(value):
    """Dates as text, and text that Excel would run as a formula made inert."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def xlsx_bytes(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    dataset = tablib.Dataset(headers=list(headers))
    for row in rows:
        dataset.append([_cell(v) for v in row])
    return XLSX().export_data(dataset)


def development_export_rows(cases) -> tuple[list[str], list[list]]:
    headers = ["姓名", "所在支部", "发展阶段", "已完成步骤", "当前步骤名称", "申请入党日期", "确定积极分子日期",
               "确定发展对象日期", "入党日期", "延长预备期（月）"]
    rows = []
    for case in cases:
        m = case.member
        step = STEP_BY_NUMBER.get(case.last_step)
        rows.append([m.name, m.branch.name, STAGE_LABELS[m.stage], case.last_step, str(step.name) if step else "",
                     m.applied_on, m.activist_on, m.candidate_on, m.joined_on, case.extension_months])
    return headers, rows


def transfers_export_rows(transfers) -> tuple[list[str], list[list]]:
    headers = ["姓名", "类型", "介绍信编号", "开具日期", "有效期至", "转出支部", "去向", "党费交至", "回执日期", "状态",
               "完成日期"]
    rows = [[t.member.name, DIRECTION_LABELS[t.direction], t.letter_number, t.issued_on, t.valid_until,
             t.from_branch.name if t.from_branch else "", t.to_branch.name if t.to_branch else t.outside_unit,
             t.dues_paid_to.strftime("%Y-%m") if t.dues_paid_to else "", t.receipt_returned_on,
             str(t.get_status_display()), t.completed_on] for t in transfers]
    return headers, rows


def dues_year_export_rows(data: dict) -> tuple[list[str], list[list]]:
    headers = ["姓名", *[f"{m.month}月" for m in data["months"]], "合计", "欠缴月数"]
    rows = []
    for row in data["rows"]:
        cells = []
        for cell in row["cells"]:
            payment = cell["payment"]
            cells.append("免交" if payment and payment.status == "exempt" else (payment.amount if payment else ""))
        rows.append([row["member"].name, *cells, row["paid"], len(row["arrears"])])
    return headers, rows
