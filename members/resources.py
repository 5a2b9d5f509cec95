"""The member spreadsheet (xlsx): one column layout for import and export, shared by the admin and the web.

Column headers are part of the file format secretaries fill in, so they are fixed Chinese strings, not
translated UI text. Lookups that would cost a query per row (branch, existing member) are loaded once per
file in ``before_import``.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.conf import settings
from import_export import fields, resources, widgets
from import_export.formats.base_formats import XLSX

from branches.dates import add_years
from branches.models import Organization
from branches.spreadsheets import (  # noqa: F401  (the format constants stay importable from here)
    DATE_FORMATS,
    FORMULA_STARTS,
    ID_CHECK,
    ID_RE,
    ID_WEIGHTS,
    PHONE_RE,
    cell_text,
    clean_choice,
    clean_date,
    clean_id_number,
    clean_phone,
    clean_text,
    id_number_is_valid,
    id_number_key,
    read_xlsx,
)
from members.models import Member

COL_NAME = "姓名"
COL_GENDER = "性别"
COL_ETHNICITY = "民族"
COL_BIRTH = "出生日期"
COL_ID = "身份证号"
COL_PHONE = "手机号"
COL_CATEGORY = "人员类别"
COL_STAGE = "发展阶段"
COL_BRANCH = "所在支部编码"
COL_BRANCH_NAME = "所在支部"
COL_APPLIED = "申请入党日期"
COL_JOINED = "入党日期"
COL_FULL = "转正日期"
# The campus number (issue 20), headed as on the rating roster: the university's sign-on matches it.
COL_CAMPUS = "学号/工号"
# Its shape, the same the rating roster accepts (assessments.services.ratings); members.services.accounts too.
CAMPUS_NUMBER = re.compile(r"^[A-Za-z0-9_.\-]{2,150}$")
REQUIRED_COLUMNS = (COL_NAME, COL_GENDER, COL_BIRTH, COL_ID, COL_CATEGORY, COL_STAGE, COL_BRANCH)

# Labels accepted in the spreadsheet (and written on export), per stored value.
GENDER_LABELS = {"M": "男", "F": "女"}
CATEGORY_LABELS = {
    "teacher": "教师",
    "admin_staff": "管理服务人员",
    "student": "学生",
    "retiree": "离退休人员",
}
# The 党内统计 fields (issue 21): optional columns, labelled as the national sheet prints them.
COL_EDUCATION = "学历"
COL_OCCUPATION = "工作岗位"
COL_STUDENT_LEVEL = "在读层次"
EDUCATION_LABELS = {
    "doctorate": "研究生（博士）",
    "master": "研究生（硕士）",
    "bachelor": "大学本科",
    "college": "大学专科",
    "secondary": "中专及以下",
}
OCCUPATION_LABELS = {
    "professional": "专业技术人员",
    "management": "管理人员",
    "worker": "工勤技能人员",
    "student": "学生",
    "retired": "离退休人员",
    "other": "其他职业",
}
STUDENT_LEVEL_LABELS = {
    "doctoral": "博士研究生",
    "master": "硕士研究生",
    "undergraduate": "本科生",
    "junior": "专科生",
}
STAGE_LABELS = {
    "applicant": "入党申请人",
    "activist": "入党积极分子",
    "candidate": "发展对象",
    "probationary": "预备党员",
    "full": "正式党员",
}
_text = cell_text  # the spreadsheet layer's cell-as-text, under the name the lifecycle imports use


class GuardedXLSX(XLSX):
    """The admin's xlsx format through the spreadsheet layer: the extent guard and calamine instead of openpyxl,
    whose read-only mode walks the sheet's declared dimension cell by cell (A1:XFD1048576 is 17 billion)."""

    def create_dataset(self, in_stream):
        if len(in_stream) > settings.MEMBER_IMPORT_MAX_BYTES:
            raise ValueError(
                _("The file is larger than %(mb)d MB.")
                % {"mb": settings.MEMBER_IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return read_xlsx(in_stream)


class LabelWidget(widgets.Widget):
    """Maps the Chinese label (or the stored value itself) to the stored value."""

    def __init__(self, labels: dict[str, str], what: str, **kwargs):
        super().__init__(**kwargs)
        self.labels = labels
        self.what = what
        self.by_label = {label: value for value, label in labels.items()} | {v: v for v in labels}

    def clean(self, value, row=None, **kwargs):
        return clean_choice(value, self.labels, required=True)

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value)


class OptionalLabelWidget(LabelWidget):
    """A label column that may be left empty (stored as "")."""

    def clean(self, value, row=None, **kwargs):
        return clean_choice(value, self.labels, required=False)


class TextWidget(widgets.Widget):
    """A text column through the spreadsheet layer's checks: its length, no control characters, no formula
    start, and ``kind`` ``"id_number"`` or ``"phone"`` for the checks (and full-width normalisation) every
    import shares."""

    def __init__(self, *, required: bool = False, max_length: int = 50, kind: str = "", **kwargs):
        super().__init__(**kwargs)
        self.required = required
        self.max_length = max_length
        self.kind = kind

    def clean(self, value, row=None, **kwargs):
        if self.kind == "id_number":
            return clean_id_number(value, required=self.required)
        if self.kind == "phone":
            return clean_phone(value, required=self.required)
        if self.kind == "campus_number":
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # 2023001 typed as a number arrives as 2023001.0
            number = clean_text(value, max_length=self.max_length, required=self.required)
            if number and not CAMPUS_NUMBER.match(number):
                raise ValueError(_("Give the student or staff number (letters, digits, . _ -)."))
            return number
        return clean_text(value, max_length=self.max_length, required=self.required)

    def render(self, value, obj=None, **kwargs):
        return value or ""


class ChineseDateWidget(widgets.Widget):
    """Excel dates arrive as datetimes; typed dates as text in one of DATE_FORMATS. Between the Party's
    founding and today (fixed once per import: timezone.localdate() per cell was 15% of the row work)."""

    def __init__(
        self, *, required: bool = False, today: datetime.date | None = None, birth: bool = False, **kwargs
    ):
        super().__init__(**kwargs)
        self.required = required
        self.today = today
        self.birth = birth  # a birth date may lie before the Party's founding

    def clean(self, value, row=None, **kwargs):
        return clean_date(
            value, required=self.required, today=self.today or timezone.localdate(), birth=self.birth
        )

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class BranchWidget(widgets.Widget):
    """Looks the branch code up in a dict the resource loads once per file (no query per row)."""

    def __init__(self, resource: MemberResource, **kwargs):
        super().__init__(**kwargs)
        self.resource = resource

    def clean(self, value, row=None, **kwargs):
        code = _text(value)
        if not code:
            raise ValueError(_("This cell is required."))
        branch = self.resource.branches_by_code.get(code)
        if branch is None:
            raise ValueError(
                _("No active branch with code %(code)s in %(scope)s.")
                % {"code": code, "scope": self.resource.scope.name}
            )
        return branch

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


def _history_insert(members: list[Member], *, history_type: str, user, reason: str) -> None:
    """History rows for saved members, copied by the database itself (INSERT … SELECT, 500 ids a
    statement). simple_history's bulk_history_create builds a model instance per row and compiles
    multi-row INSERTs through the ORM: 1.0–1.3 s for 10,000 rows against a few hundredths here."""
    history = Member.history.model
    quote = connection.ops.quote_name
    tracked = list(Member._meta.concrete_fields)
    extra = {
        "history_date": timezone.now(),
        "history_change_reason": reason,
        "history_type": history_type,
        "history_user": getattr(user, "pk", None),
    }
    columns = [history._meta.get_field(f.name).column for f in tracked]
    columns += [history._meta.get_field(name).column for name in extra]
    extra_params = [
        history._meta.get_field(name).get_db_prep_save(v, connection) for name, v in extra.items()
    ]
    head = "INSERT INTO {} ({}) SELECT {}, {} FROM {} WHERE {} IN ".format(
        quote(history._meta.db_table),
        ", ".join(map(quote, columns)),
        ", ".join(quote(f.column) for f in tracked),
        ", ".join(["%s"] * len(extra)),
        quote(Member._meta.db_table),
        quote(Member._meta.pk.column),
    )
    pks = [m.pk for m in members]
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 500):
            chunk = pks[start : start + 500]
            cursor.execute(head + "({})".format(", ".join(["%s"] * len(chunk))), extra_params + chunk)


def _member_update_many(members: list[Member], field_names: list[str]) -> None:
    """One prepared UPDATE … WHERE id = %s run for every member (executemany). QuerySet.bulk_update
    builds and resolves a CASE WHEN per field per row: 15 s for 10,000 rows on SQLite, 0.3 s here."""
    fields = [Member._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(Member._meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(Member._meta.pk.column),
    )
    params = [
        [f.get_db_prep_save(getattr(m, f.attname), connection) for f in fields] + [m.pk] for m in members
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


class MemberResource(resources.ModelResource):
    """Import and export of members inside one unit's subtree (``scope``)."""

    def __init__(self, *, scope: Organization | None = None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.scope = scope
        self.user = user
        self.branches_by_code: dict[str, Organization] = {}
        self.existing_by_id: dict[str, Member] = {}
        self.seen_ids: dict[str, int] = {}  # ID number → the sheet row it was first on
        self._sheet_row = 0
        self._id_problem: str | None = None
        # Field widgets that need the resource (branch lookup) are bound per instance.
        self.fields["branch"].widget = BranchWidget(self)
        self.today = timezone.localdate()
        for name in ("birth_date", "applied_on", "joined_on", "full_on"):
            self.fields[name].widget = ChineseDateWidget(
                required=name == "birth_date", today=self.today, birth=name == "birth_date"
            )
        # (attribute, column, widget) of every imported field, for import_instance below.
        self._import_plan = [
            (f.attribute, f.column_name, f.widget) for f in self.get_import_fields() if not f.readonly
        ]

    name = fields.Field(
        attribute="name",
        column_name=COL_NAME,
        widget=TextWidget(required=True, max_length=Member._meta.get_field("name").max_length),
    )
    gender = fields.Field(
        attribute="gender", column_name=COL_GENDER, widget=LabelWidget(GENDER_LABELS, "性别")
    )
    ethnicity = fields.Field(
        attribute="ethnicity",
        column_name=COL_ETHNICITY,
        widget=TextWidget(max_length=Member._meta.get_field("ethnicity").max_length),
    )
    birth_date = fields.Field(
        attribute="birth_date", column_name=COL_BIRTH, widget=ChineseDateWidget(required=True)
    )
    id_number = fields.Field(
        attribute="id_number",
        column_name=COL_ID,
        widget=TextWidget(kind="id_number"),
    )
    phone = fields.Field(
        attribute="phone",
        column_name=COL_PHONE,
        widget=TextWidget(kind="phone"),
    )
    category = fields.Field(
        attribute="category", column_name=COL_CATEGORY, widget=LabelWidget(CATEGORY_LABELS, "人员类别")
    )
    stage = fields.Field(
        attribute="stage", column_name=COL_STAGE, widget=LabelWidget(STAGE_LABELS, "发展阶段")
    )
    branch = fields.Field(attribute="branch", column_name=COL_BRANCH, widget=widgets.Widget())
    branch_name = fields.Field(attribute="branch__name", column_name=COL_BRANCH_NAME, readonly=True)
    applied_on = fields.Field(attribute="applied_on", column_name=COL_APPLIED, widget=ChineseDateWidget())
    joined_on = fields.Field(attribute="joined_on", column_name=COL_JOINED, widget=ChineseDateWidget())
    full_on = fields.Field(attribute="full_on", column_name=COL_FULL, widget=ChineseDateWidget())
    education = fields.Field(
        attribute="education",
        column_name=COL_EDUCATION,
        widget=OptionalLabelWidget(EDUCATION_LABELS, COL_EDUCATION),
    )
    occupation = fields.Field(
        attribute="occupation",
        column_name=COL_OCCUPATION,
        widget=OptionalLabelWidget(OCCUPATION_LABELS, COL_OCCUPATION),
    )
    student_level = fields.Field(
        attribute="student_level",
        column_name=COL_STUDENT_LEVEL,
        widget=OptionalLabelWidget(STUDENT_LEVEL_LABELS, COL_STUDENT_LEVEL),
    )
    campus_number = fields.Field(
        attribute="campus_number",
        column_name=COL_CAMPUS,
        widget=TextWidget(
            kind="campus_number", max_length=Member._meta.get_field("campus_number").max_length
        ),
    )

    class Meta:
        model = Member
        fields = (
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "id_number",
            "phone",
            "category",
            "stage",
            "branch",
            "branch_name",
            "applied_on",
            "joined_on",
            "full_on",
            "education",
            "occupation",
            "student_level",
            "campus_number",
        )
        export_order = fields
        import_id_fields = ("id_number",)
        use_bulk = True
        batch_size = 2000
        skip_diff = True
        skip_html_diff = True
        clean_model_instances = False  # rules are checked in validate_instance, without a query per row
        use_transactions = True

    # --- import ---------------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        """Load the scope's branches and the members the file's ID numbers already name: two queries."""
        if self.scope is None:
            self.scope = Organization.objects.get_first_root_node()
        self.branches_by_code = {
            b.code: b
            for b in Organization.objects.subtree_of(self.scope).filter(
                kind=Organization.Kind.BRANCH, is_active=True
            )
        }
        ids = set()
        if COL_ID in (dataset.headers or []):
            ids = {id_number_key(v) for v in dataset[COL_ID]} - {""}
        self.existing_by_id = (
            {m.id_number: m for m in Member.objects.filter(id_number__in=ids).select_related("branch")}
            if ids
            else {}
        )
        self.seen_ids = {}
        # Campus numbers the file names, and whose ID number already holds each (one query).
        numbers = set()
        if COL_CAMPUS in (dataset.headers or []):
            numbers = {cell_text(v) for v in dataset[COL_CAMPUS]} - {""}
        self.campus_holders = (
            dict(Member.objects.filter(campus_number__in=numbers).values_list("campus_number", "id_number"))
            if numbers
            else {}
        )
        self.seen_campus: dict[str, int] = {}

    def import_row(self, row, instance_loader, **kwargs):
        """A blank line between data rows is skipped, not reported as a row missing every column."""
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in row.values()):
            row_result = self.get_row_result_class()()
            row_result.import_type = row_result.IMPORT_TYPE_SKIP
            return row_result
        self._sheet_row = kwargs.get("row_number", 0) + 1  # the dataset's 1-based row, below the header
        return super().import_row(row, instance_loader, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        """import-export's loop without its per-cell Field.save → Field.clean → get_import_fields()
        indirection: every imported field here is a plain attribute without a default, so the widget's
        value is set directly. Same errors, keyed by attribute, as the parent raises."""
        errors = {}
        if self._id_problem:
            errors["id_number"] = [self._id_problem]
        for attribute, column, widget in self._import_plan:
            if column not in row:
                continue
            try:
                setattr(instance, attribute, widget.clean(row[column], row=row))
            except ValueError as exc:
                errors.setdefault(attribute, []).append(ValidationError(str(exc), code="invalid"))
        if errors:
            raise ValidationError(errors)

    def get_instance(self, instance_loader, row):
        """The member the row's ID number names. An ID number twice in the file, or a member outside the
        scope, is the row's problem, reported by ``import_instance`` together with its cells' problems (a
        ValidationError raised here would hide those); such a row gets a fresh instance it can never save."""
        self._id_problem = None
        id_number = id_number_key(row.get(COL_ID))
        if not id_number:
            return None
        if id_number in self.seen_ids:
            self._id_problem = _("“%(value)s” is also on row %(row)d of the file.") % {
                "value": id_number,
                "row": self.seen_ids[id_number],
            }
            return None
        self.seen_ids[id_number] = self._sheet_row
        member = self.existing_by_id.get(id_number)
        if member is not None and not member.branch.path.startswith(self.scope.path):
            self._id_problem = _("This ID number belongs to a member outside your units.")
            return None
        if member is not None:
            member._branch_before_import = member.branch_id
        return member

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if getattr(instance, "_branch_before_import", instance.branch_id) != instance.branch_id:
            instance.party_group = None  # the old branch's party group does not travel with the member
        today = self.today
        if "birth_date" not in errors and instance.birth_date:
            if add_years(instance.birth_date, 18) > today:
                errors["birth_date"] = [_("Applicants must be at least 18 years old.")]
        if instance.campus_number and "campus_number" not in errors:
            holder = self.campus_holders.get(instance.campus_number)
            if instance.campus_number in self.seen_campus:
                errors["campus_number"] = [
                    _("“%(value)s” is also on row %(row)d of the file.")
                    % {"value": instance.campus_number, "row": self.seen_campus[instance.campus_number]}
                ]
            elif holder is not None and holder != instance.id_number:
                errors["campus_number"] = [_("This staff or student number belongs to another member.")]
            self.seen_campus.setdefault(instance.campus_number, self._sheet_row)
        if instance.stage in Member.PARTY_STAGES and "joined_on" not in errors and not instance.joined_on:
            errors["joined_on"] = [_("Probationary and full members need the date they joined.")]
        if (
            instance.stage == Member.Stage.FULL
            and "full_on" not in errors
            and instance.joined_on
            and instance.full_on
            and instance.full_on < instance.joined_on
        ):
            errors["full_on"] = [_("The full-membership date is before the joining date.")]
        if errors:
            raise ValidationError(errors)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Like the parent, but writes the history rows too (bulk_create skips save() and its signals)."""
        if self.create_instances and (using_transactions or not dry_run):
            try:
                with transaction.atomic(savepoint=False):
                    Member.objects.bulk_create(self.create_instances, batch_size=batch_size)
                    _history_insert(self.create_instances, history_type="+", user=self.user, reason="import")
            except Exception as exc:
                self.handle_import_error(result, exc, raise_errors)
            finally:
                self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.update_instances and (using_transactions or not dry_run):
            try:
                with transaction.atomic(savepoint=False):
                    _member_update_many(self.update_instances, self.get_bulk_update_fields())
                    _history_insert(self.update_instances, history_type="~", user=self.user, reason="import")
            except Exception as exc:
                self.handle_import_error(result, exc, raise_errors)
            finally:
                self.update_instances.clear()

    def get_bulk_update_fields(self):
        return [f for f in self._meta.fields if f not in ("branch_name", "id_number")] + ["party_group"]

    # --- export ---------------------------------------------------------------------------------

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("branch")
