"""Writes of the annual targets: indicator tables (edited by 组织部 in the UI, or as an xlsx that round-trips
exactly and is refused whole with row-level reasons) and each unit's annual plan of 自选动作."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from assessments.models import Indicator, IndicatorTable, ItemScore, PlanItem, Programme
from assessments.models.targets import programme_for
from branches.spreadsheets.export import Column, Sheet, workbook_bytes
from branches.models import Organization, Role
from branches.once import once_bind, once_claim
from branches.review import ReviewStep
from branches.selectors import MANAGE_UNITS, organization_permission_holds, organizations_with_permission
from branches.spreadsheets import (
    FileRefused,
    ImportError_,
    ImportReport,
    column_label,
    column_letters,
    data_rows,
    file_error,
    read_upload,
    sort_errors,
)

K, S = Indicator.Kind, Indicator.Source

# The branch programmes' standard tables (the source documents' shape): 6 first-level items; the basic items
# total 100; a veto item under 政治建设 and 作风建设; two bonus items. What a branch is for differs (issue 18):
# research and teaching for 山梯, students' growth and 推优 for 华章, service to staff and students for 砺效 —
# their own 工作内容 (group 6) and 工作举措 (group 5). Codes 1–4 are shared so the portal's measures meet them.
# Keyed by the choice values (str): callers pass the model field's value.
_BRANCH_OWN: dict[str, list[tuple[str, str, str, int, str, str, int]]] = {
    Programme.LADDER: [  # 山梯行动 「书山有径，我愿为梯」
        ("5", "", "工作举措：书山有径（自选动作）", 15, K.OPTIONAL, S.NONE, 0),
        ("5.1", "5", "支部建在学科、团队上，“双带头人”培育", 8, K.OPTIONAL, S.NONE, 0),
        ("5.2", "5", "师德师风主题活动品牌", 7, K.OPTIONAL, S.NONE, 0),
        ("6", "", "工作内容：我愿为梯——服务教学科研", 20, K.REQUIRED, S.NONE, 0),
        ("6.1", "6", "党建与教学科研、学科建设融合", 8, K.REQUIRED, S.NONE, 0),
        ("6.2", "6", "教师党员在教学科研中的先锋作用", 6, K.REQUIRED, S.NONE, 0),
        ("6.3", "6", "教师党员联系指导学生（课程思政、导学）", 6, K.REQUIRED, S.NONE, 0),
    ],
    Programme.CHAPTER: [  # 华章行动 「红色梦想，谱我华章」
        ("5", "", "工作举措：红色梦想（自选动作）", 15, K.OPTIONAL, S.NONE, 0),
        ("5.1", "5", "红色主题教育和实践活动", 8, K.OPTIONAL, S.NONE, 0),
        ("5.2", "5", "学生党员志愿服务品牌", 7, K.OPTIONAL, S.NONE, 0),
        ("6", "", "工作内容：谱我华章——服务学生成长成才", 20, K.REQUIRED, S.NONE, 0),
        ("6.1", "6", "推优入党和发展党员质量", 7, K.REQUIRED, S.NONE, 0),
        ("6.2", "6", "学风建设和学业帮扶", 7, K.REQUIRED, S.NONE, 0),
        ("6.3", "6", "学生党员在班级、宿舍的示范作用", 6, K.REQUIRED, S.NONE, 0),
    ],
    Programme.EFFICIENCY: [  # 砺效行动 「服务师生，砺质砺效」
        ("5", "", "工作举措：砺质砺效（自选动作）", 15, K.OPTIONAL, S.NONE, 0),
        ("5.1", "5", "党员示范岗、服务窗口创建", 8, K.OPTIONAL, S.NONE, 0),
        ("5.2", "5", "流程再造和“最多跑一次”改进", 7, K.OPTIONAL, S.NONE, 0),
        ("6", "", "工作内容：服务师生——管理服务效能", 20, K.REQUIRED, S.NONE, 0),
        ("6.1", "6", "办事效率和服务承诺落实", 8, K.REQUIRED, S.NONE, 0),
        ("6.2", "6", "师生满意度", 7, K.REQUIRED, S.NONE, 0),
        ("6.3", "6", "机关作风建设", 5, K.REQUIRED, S.NONE, 0),
    ],
}
# Groups 1–4 keep their codes and points (the portal's measures and the guides' evidence meet them by code),
# but what is asked differs with what the branch is for (issue 18): the teachers' classroom and research, the
# students' study, 推优 and dormitories, the offices' service windows.
_SHARED_TITLES: dict[str, dict[str, str]] = {
    Programme.LADDER: {
        "1.1": "教职工党员政治理论学习和集中学习",
        "1.3": "课堂、讲座、论坛等教学科研阵地意识形态管理",
        "2.4": "在优秀青年教师和高层次人才中发展党员",
        "4.1": "联系服务教职工和学生",
    },
    Programme.CHAPTER: {
        "1.1": "学生党员理论学习和“青马工程”培训",
        "1.3": "网络、社团等学生阵地意识形态管理",
        "2.4": "入党积极分子培养教育和考察",
        "4.1": "联系服务同学（班级、宿舍）",
    },
    Programme.EFFICIENCY: {
        "1.1": "机关党员政治理论学习和集中学习",
        "1.3": "意识形态工作责任制落实",
        "2.4": "发展党员工作",
        "4.1": "服务窗口联系服务师生",
    },
}
_BONUS = [
    ("6.4", "6", "获得上级表彰", 3, K.BONUS, S.NONE, 0),
    ("6.5", "6", "工作经验被上级推广", 2, K.BONUS, S.NONE, 0),
]

# 引航计划 (issue 18): eleven work tasks of a secondary committee, written from the duties the 2021
# 《中国共产党普通高等学校基层组织工作条例》 gives 院（系）级党组织 (the sources name the number, not the tasks).
# They score what the committee does — its own meetings and decisions, its oversight of its branches, the
# development approvals it owes, its own publication — not its branches' duties. 组织部 edits them as data.
GUIDE_SOURCE = "据《中国共产党普通高等学校基层组织工作条例》（2021）院（系）级党组织职责整理"
GUIDE_TASKS = [
    ("1", "", "把好政治方向，议事决策", 10, K.REQUIRED, S.NONE, 0),
    ("1.1", "1", "党委会、党政联席会议按规定召开", 6, K.REQUIRED, S.COMMITTEE_MEETINGS, 12),
    ("1.2", "1", "重大事项集体决策并登记", 4, K.REQUIRED, S.DECISIONS, 6),
    ("1.3", "1", "违反政治纪律和政治规矩", 0, K.VETO, S.NONE, 0),
    ("2", "", "理论武装：中心组学习", 8, K.REQUIRED, S.NONE, 0),
    ("2.1", "2", "理论学习中心组学习", 5, K.REQUIRED, S.CENTRAL_STUDY, 6),
    ("2.2", "2", "学习贯彻党的创新理论", 3, K.REQUIRED, S.NONE, 0),
    ("3", "", "领导班子建设：民主生活会", 6, K.REQUIRED, S.NONE, 0),
    ("3.1", "3", "年度民主生活会", 6, K.REQUIRED, S.DEMOCRATIC_LIFE, 1),
    ("4", "", "思想政治工作和意识形态工作", 8, K.REQUIRED, S.NONE, 0),
    ("4.1", "4", "意识形态工作责任制", 4, K.REQUIRED, S.NONE, 0),
    ("4.2", "4", "师生思想政治工作", 4, K.REQUIRED, S.NONE, 0),
    ("5", "", "党支部建设", 14, K.REQUIRED, S.NONE, 0),
    ("5.1", "5", "所属党支部“三会一课”达标", 6, K.REQUIRED, S.BRANCH_COMPLIANCE, 0),
    ("5.2", "5", "所属党支部上年度考核达标", 5, K.REQUIRED, S.BRANCH_GRADES, 0),
    ("5.3", "5", "党支部按期换届、书记培训", 3, K.REQUIRED, S.NONE, 0),
    ("6", "", "对党支部的审核监督", 10, K.REQUIRED, S.NONE, 0),
    ("6.1", "6", "党支部会议记录及时审核", 6, K.REQUIRED, S.REVIEW_TIMELINESS, 7),
    ("6.2", "6", "党支部考核复核和排名", 4, K.REQUIRED, S.NONE, 0),
    ("7", "", "发展党员", 10, K.REQUIRED, S.NONE, 0),
    ("7.1", "7", "发展党员按期审批", 6, K.REQUIRED, S.APPROVALS, 0),
    ("7.2", "7", "发展党员质量和结构", 4, K.REQUIRED, S.NONE, 0),
    ("8", "", "党员教育管理监督服务", 8, K.REQUIRED, S.NONE, 0),
    ("8.1", "8", "党员教育培训", 4, K.REQUIRED, S.NONE, 0),
    ("8.2", "8", "党费收缴使用管理", 2, K.REQUIRED, S.NONE, 0),
    ("8.3", "8", "“四必访一报告”", 2, K.REQUIRED, S.NONE, 0),
    ("9", "", "党务公开", 8, K.REQUIRED, S.NONE, 0),
    ("9.1", "9", "本单位党建动态发布", 5, K.REQUIRED, S.OWN_POSTS, 12),
    ("9.2", "9", "会议纪要和决策公开", 3, K.REQUIRED, S.NONE, 0),
    ("10", "", "全面从严治党和党风廉政建设", 8, K.REQUIRED, S.NONE, 0),
    ("10.1", "10", "主体责任落实", 4, K.REQUIRED, S.NONE, 0),
    ("10.2", "10", "作风建设", 4, K.REQUIRED, S.NONE, 0),
    ("10.3", "10", "发生严重违纪违法问题", 0, K.VETO, S.NONE, 0),
    ("11", "", "领导群团和统战工作，服务中心工作", 10, K.REQUIRED, S.NONE, 0),
    ("11.1", "11", "领导工会、共青团、学生会等群团组织", 5, K.REQUIRED, S.NONE, 0),
    ("11.2", "11", "党建工作与事业发展深度融合", 5, K.REQUIRED, S.NONE, 0),
    ("11.3", "11", "获得上级表彰", 3, K.BONUS, S.NONE, 0),
    ("11.4", "11", "工作经验被上级推广", 2, K.BONUS, S.NONE, 0),
]

# 离退休党支部 (issue 18): a light table — study, organisational life, care, publication.
RETIREE_ITEMS = [
    ("1", "", "政治学习", 20, K.REQUIRED, S.NONE, 0),
    ("1.1", "1", "集中学习和送学上门", 20, K.REQUIRED, S.NONE, 0),
    ("1.2", "1", "违反政治纪律和政治规矩", 0, K.VETO, S.NONE, 0),
    ("2", "", "组织生活", 40, K.REQUIRED, S.NONE, 0),
    ("2.1", "2", "“三会一课”制度落实", 20, K.REQUIRED, S.MEETINGS, 0),
    ("2.2", "2", "主题党日和年度工作指南落实", 10, K.REQUIRED, S.GUIDE_ACTIONS, 0),
    ("2.3", "2", "党费收缴", 10, K.REQUIRED, S.NONE, 0),
    ("3", "", "关心关爱和发挥作用", 30, K.REQUIRED, S.NONE, 0),
    ("3.1", "3", "走访慰问、“四必访一报告”", 15, K.REQUIRED, S.NONE, 0),
    ("3.2", "3", "老党员发挥余热", 15, K.REQUIRED, S.NONE, 0),
    ("4", "", "党务公开", 10, K.REQUIRED, S.NONE, 0),
    ("4.1", "4", "党建动态发布", 10, K.REQUIRED, S.POSTS, 4),
]


def standard_indicators(programme: str) -> list[tuple]:
    """(code, parent code, title, points, kind, source, count for full points) of the standard table."""
    if programme == Programme.GUIDE:
        return list(GUIDE_TASKS)
    if programme == Programme.RETIREE:
        return list(RETIREE_ITEMS)
    own = _SHARED_TITLES[programme]
    return [
        ("1", "", "政治建设", 15, K.REQUIRED, S.NONE, 0),
        ("1.1", "1", own["1.1"], 5, K.REQUIRED, S.NONE, 0),
        ("1.2", "1", "学习贯彻党的创新理论", 5, K.REQUIRED, S.NONE, 0),
        ("1.3", "1", own["1.3"], 5, K.REQUIRED, S.NONE, 0),
        ("1.4", "1", "违反政治纪律和政治规矩", 0, K.VETO, S.NONE, 0),
        ("2", "", "组织建设", 25, K.REQUIRED, S.NONE, 0),
        ("2.1", "2", "“三会一课”制度落实", 8, K.REQUIRED, S.MEETINGS, 0),
        ("2.2", "2", "主题党日活动（固定日）", 4, K.REQUIRED, S.NONE, 0),
        ("2.3", "2", "组织生活会和民主评议党员", 4, K.REQUIRED, S.NONE, 0),
        ("2.4", "2", own["2.4"], 4, K.REQUIRED, S.NONE, 0),
        ("2.5", "2", "党费收缴使用管理", 2, K.REQUIRED, S.NONE, 0),
        ("2.6", "2", "按期换届", 3, K.REQUIRED, S.NONE, 0),
        ("3", "", "党务公开", 15, K.REQUIRED, S.NONE, 0),
        ("3.1", "3", "会议记录及时归档", 5, K.REQUIRED, S.TIMELINESS, 0),
        ("3.2", "3", "党建动态发布", 5, K.REQUIRED, S.POSTS, 12),
        ("3.3", "3", "年度工作指南规定动作落实", 5, K.REQUIRED, S.GUIDE_ACTIONS, 0),
        ("4", "", "作风建设", 10, K.REQUIRED, S.NONE, 0),
        ("4.1", "4", own["4.1"], 5, K.REQUIRED, S.NONE, 0),
        ("4.2", "4", "“四必访一报告”", 5, K.REQUIRED, S.NONE, 0),
        ("4.3", "4", "发生严重违纪违法问题", 0, K.VETO, S.NONE, 0),
        *_BRANCH_OWN[programme],
        *_BONUS,
    ]


def require_officer(*, by: User | None) -> None:
    """Indicator tables belong to 组织部: manage_units on a university (or a province above it). One query."""
    if by is None:
        return
    if (
        not organizations_with_permission(user=by, codename=MANAGE_UNITS)
        .filter(kind__in=[Organization.Kind.UNIVERSITY, Organization.Kind.PROVINCE])
        .exists()
    ):
        raise PermissionDenied


@transaction.atomic
def indicator_table_create(
    *, year: int, programme: str, by: User | None, standard: bool = True
) -> IndicatorTable:
    """A table for ``year`` and ``programme``, filled with the standard items unless ``standard`` is False."""
    require_officer(by=by)
    if IndicatorTable.objects.filter(year=year, programme=programme).exists():
        raise ValidationError(_("This year's table for the programme already exists."))
    table = IndicatorTable.objects.create(
        year=year, programme=programme, title=f"{year}年度{Programme(programme).label}工作计划表"
    )
    if standard and programme == Programme.GUIDE:
        table.title = f"{year}年度引航计划工作任务表"
        table.save(update_fields=["title"])
    if standard:
        source = GUIDE_SOURCE if programme == Programme.GUIDE else ""
        _rows_write(
            table,
            [
                dict(
                    code=c,
                    parent=p,
                    title=t,
                    description="" if p else source,
                    max_points=Decimal(m),
                    kind=k,
                    source=s,
                    target_count=n,
                )
                for c, p, t, m, k, s, n in standard_indicators(programme)
            ],
        )
    return table


def _rows_write(table: IndicatorTable, rows: list[dict]) -> tuple[int, int]:
    """Create or update ``table``'s indicators from ``rows`` (keyed by code); first-level rows first."""
    existing = {i.code: i for i in table.indicators.all()}
    created = updated = 0
    saved: dict[str, Indicator] = {}
    for position, row in sorted(enumerate(rows), key=lambda pr: bool(pr[1]["parent"])):
        indicator = existing.get(row["code"]) or Indicator(table=table, code=row["code"])
        is_new = indicator.pk is None
        indicator.parent = (
            (saved.get(row["parent"]) or existing.get(row["parent"])) if row["parent"] else None
        )
        for name in ("title", "description", "max_points", "kind", "source", "target_count"):
            setattr(indicator, name, row[name])
        indicator.position = position
        indicator.save()
        saved[row["code"]] = indicator
        created += is_new
        updated += not is_new
    return created, updated


@transaction.atomic
def indicator_save(
    *, table: IndicatorTable, by: User | None, indicator: Indicator | None = None, request_key=None, **values
) -> Indicator:
    """Add (``indicator`` None) or edit one indicator; a new one goes last in its table (once per form)."""
    require_officer(by=by)
    if indicator is None and (existing := once_claim(key=request_key, user=by, model=Indicator)) is not None:
        return existing
    indicator = indicator or Indicator(table=table)
    parent = values.pop("parent", None)
    if parent is not None and (parent.table_id != table.pk or parent.parent_id is not None):
        raise ValidationError(_("The first-level indicator must be a first-level item of the same table."))
    if parent is not None and indicator.pk and parent.pk == indicator.pk:
        raise ValidationError(_("An indicator cannot be its own first-level indicator."))
    if (
        Indicator.objects.filter(table=table, code=values.get("code", indicator.code))
        .exclude(pk=indicator.pk)
        .exists()
    ):
        raise ValidationError(
            _("Another indicator of this table has the code %(code)s.") % {"code": values.get("code")}
        )
    indicator.parent = parent
    for name, value in values.items():
        setattr(indicator, name, value)
    if indicator.pk is None:
        indicator.position = (table.indicators.aggregate(m=Max("position"))["m"] or 0) + 1
        indicator.save()
        once_bind(key=request_key, record=indicator)
        return indicator
    indicator.save()
    return indicator


@transaction.atomic
def indicator_move(*, indicator: Indicator, by: User | None, up: bool) -> None:
    """Swap the indicator with its neighbour among its siblings (reordering in the editor)."""
    require_officer(by=by)
    siblings = list(
        Indicator.objects.select_for_update()
        .filter(table_id=indicator.table_id, parent_id=indicator.parent_id)
        .order_by("position", "pk")
    )
    index = next(i for i, s in enumerate(siblings) if s.pk == indicator.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    a, b = siblings[index], siblings[other]
    a.position, b.position = b.position, a.position
    if a.position == b.position:
        a.position, b.position = (b.position - 1, b.position) if up else (b.position + 1, b.position)
    a.save(update_fields=["position"])
    b.save(update_fields=["position"])


@transaction.atomic
def indicator_delete(*, indicator: Indicator, by: User | None) -> None:
    require_officer(by=by)
    if (
        ItemScore.objects.filter(indicator__in=[indicator, *indicator.children.all()]).exists()
        or PlanItem.objects.filter(indicator__in=[indicator, *indicator.children.all()]).exists()
    ):
        raise ValidationError(_("This indicator is already used by assessments or plans; edit it instead."))
    indicator.delete()


# --- xlsx ------------------------------------------------------------------------------------------------

_DESCRIPTION_LENGTH = 2000  # a TextField: the editor's own bound for one item's explanation
COLUMNS = ("编码", "上级编码", "指标", "说明", "分值", "类型", "数据来源", "满分数量")
KIND_LABELS: dict[str, str] = {
    K.REQUIRED: "规定动作",
    K.OPTIONAL: "自选动作",
    K.VETO: "一项否决",
    K.BONUS: "加分项目",
}
SOURCE_LABELS: dict[str, str] = {
    S.NONE: "",
    S.MEETINGS: "三会一课",
    S.TIMELINESS: "记录及时性",
    S.POSTS: "党建动态",
    S.GUIDE_ACTIONS: "工作指南",
    S.COMMITTEE_MEETINGS: "党委会议",
    S.CENTRAL_STUDY: "中心组学习",
    S.DEMOCRATIC_LIFE: "民主生活会",
    S.DECISIONS: "重大决策",
    S.REVIEW_TIMELINESS: "审核及时性",
    S.BRANCH_COMPLIANCE: "支部达标",
    S.BRANCH_GRADES: "支部考核",
    S.APPROVALS: "审批按期",
    S.OWN_POSTS: "本级动态",
    S.MEMBER_EVALUATION: "民主评议",
}


def indicators_in_order(table: IndicatorTable) -> list[Indicator]:
    """First-level items in order, each followed by its second-level items in order. One query."""
    rows = list(table.indicators.order_by("position", "pk"))
    children: dict[int, list[Indicator]] = {}
    for i in rows:
        if i.parent_id:
            children.setdefault(i.parent_id, []).append(i)
    ordered = []
    for i in rows:
        if not i.parent_id:
            ordered.append(i)
            ordered.extend(children.get(i.pk, []))
    return ordered


def indicator_table_export(*, table: IndicatorTable) -> bytes:
    """The table as an xlsx whose import gives back exactly the same table."""
    # The headers are the import's column names (COLUMNS), not translated labels: the file goes back in as is.
    # Codes are text cells (a code like 1.10 must not become the number 1.1): the helper keeps a str a str.
    codes: dict[int | None, str] = {i.pk: i.code for i in table.indicators.all()}
    rows = [
        [
            i.code,
            codes.get(i.parent_id, ""),
            i.title,
            i.description,
            i.max_points,
            KIND_LABELS[i.kind],
            SOURCE_LABELS[i.source],
            i.target_count,
        ]
        for i in indicators_in_order(table)
    ]
    widths = (8, 10, 36, 30, 8, 10, 12, 10)
    return workbook_bytes(
        [Sheet("指标", [Column(title, width) for title, width in zip(COLUMNS, widths, strict=True)], rows)]
    )


@transaction.atomic
def indicator_table_import(
    *, table: IndicatorTable, data: bytes, filename: str, by: User | None
) -> ImportReport:
    """Replace ``table``'s items with the file's: all rows or none, each problem with its row and column.
    Items are matched by code; items missing from the file are deleted unless assessments or plans use them.
    Read and checked through the spreadsheet layer (each cell against its field: length, digits, range)."""
    require_officer(by=by)
    try:
        dataset = read_upload(
            data=data, filename=filename, max_bytes=settings.MEMBER_IMPORT_MAX_BYTES, required=COLUMNS
        )
    except FileRefused as exc:
        return file_error(str(exc))
    report = ImportReport()
    letters = column_letters(dataset)

    def fail(row, header, message):
        report.errors.append(
            ImportError_(row=row, column=column_label(header, letters) if header else "", message=message)
        )

    sources = {v: k for k, v in SOURCE_LABELS.items()}
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    codes: set[str] = set()

    def field(name: str) -> models.Field:
        return cast(models.Field, Indicator._meta.get_field(name))  # every name here is a concrete field

    for row in data_rows(dataset):
        code = row.text("编码", field=field("code"))
        parent = row.text("上级编码", required=False, field=field("code"))
        if code and not row.once("编码", code, seen):
            report.errors.extend(row.errors)
            continue
        title = row.text("指标", field=field("title"))
        points = row.decimal("分值", field=field("max_points"), minimum=0, maximum=100)
        kind = row.choice("类型", KIND_LABELS)
        source = sources.get(row.raw("数据来源"))
        if source is None:
            row.error(
                "数据来源",
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": row.raw("数据来源")[:40], "choices": "、".join(s for s in sources if s)},
            )
        count = row.integer("满分数量", minimum=0, maximum=32767)
        description = row.text("说明", required=False, max_length=_DESCRIPTION_LENGTH)
        report.errors.extend(row.errors)
        if code:
            codes.add(code)
            rows.append(
                dict(
                    number=row.number,
                    code=code,
                    parent=parent,
                    title=title,
                    description=description,
                    max_points=points if points is not None else Decimal(0),
                    kind=kind,
                    source=source,
                    target_count=count or 0,
                )
            )
    if not rows and not report.errors:
        fail(None, "", _("The file has no data rows."))
    first_level = {r["code"] for r in rows if not r["parent"]}
    for r in rows:
        if r["parent"] and r["parent"] not in first_level:
            fail(
                r["number"],
                "上级编码",
                _("No first-level indicator has the code %(code)s.") % {"code": r["parent"]},
            )
    if not report.errors:
        leaves = [r for r in rows if r["code"] not in {x["parent"] for x in rows}]
        basic = sum(r["max_points"] for r in leaves if r["kind"] in (K.REQUIRED, K.OPTIONAL))
        if basic != 100:
            fail(
                None,
                "",
                _("The basic items must total 100 points; the file's total %(total)s.") % {"total": basic},
            )
    used = set(
        ItemScore.objects.filter(indicator__table=table).values_list("indicator__code", flat=True)
    ) | set(PlanItem.objects.filter(indicator__table=table).values_list("indicator__code", flat=True))
    for code in sorted(used - codes):
        fail(
            None,
            "",
            _("The indicator %(code)s is used by assessments or plans and cannot be left out.")
            % {"code": code},
        )
    if report.errors:
        report.errors = sort_errors(report.errors)
        return report
    table.indicators.exclude(code__in=list(codes)).filter(parent__isnull=False).delete()
    table.indicators.exclude(code__in=list(codes)).delete()
    report.created, report.updated = _rows_write(table, rows)
    return report


# --- annual plans ----------------------------------------------------------------------------------------


def _own_unit(by: User | None, organization: Organization) -> None:
    if (
        by is not None
        and not Role.objects.current()
        .filter(
            user=by,
            organization=organization,
            kind__in=(Role.Kind.SECRETARY, Role.Kind.DEPUTY, Role.Kind.ORGANIZER),
        )
        .exists()
    ):
        raise PermissionDenied


@transaction.atomic
def plan_item_save(
    *,
    organization: Organization,
    by: User | None,
    indicator: Indicator,
    title: str,
    target: str,
    max_points: Decimal,
    item: PlanItem | None = None,
    request_key=None,
) -> PlanItem:
    """Add or edit one of the unit's own 自选动作 (a draft or a returned item) under an item of its table;
    a new item's form sent twice adds it once."""
    _own_unit(by, organization)
    if item is None and (existing := once_claim(key=request_key, user=by, model=PlanItem)) is not None:
        return existing
    if indicator.table.programme != programme_for(organization):
        raise ValidationError(_("The indicator is not in the unit's table."))
    if item is not None and item.status not in (PlanItem.Status.DRAFT, PlanItem.Status.RETURNED):
        raise ValidationError(_("An item awaiting approval or approved cannot be changed."))
    if not title.strip() or not target.strip():
        raise ValidationError(_("Give the action and its measurable target."))
    item = item or PlanItem(organization=organization)
    item.indicator, item.title, item.target, item.max_points = (
        indicator,
        title.strip(),
        target.strip(),
        max_points,
    )
    item.status = PlanItem.Status.DRAFT
    new = item.pk is None
    item.save()
    if new:
        once_bind(key=request_key, record=item)
    return item


@transaction.atomic
def plan_submit(*, organization: Organization, by: User | None, year: int) -> int:
    """Send the unit's draft and returned items of ``year`` to the unit above."""
    _own_unit(by, organization)
    return PlanItem.objects.filter(
        organization=organization,
        indicator__table__year=year,
        status__in=[PlanItem.Status.DRAFT, PlanItem.Status.RETURNED],
    ).update(status=PlanItem.Status.SUBMITTED)


# An annual plan's review step: the unit above returns a submitted item with a reason (branches.review), the
# decider kept on the item; approving stays here.
PLAN_REVIEW = ReviewStep(
    awaiting=PlanItem.Status.SUBMITTED, returned=PlanItem.Status.RETURNED, reviewer_field="decided_by"
)


@transaction.atomic
def plan_item_decide(*, item: PlanItem, by: User | None, approve: bool, reason: str = "") -> PlanItem:
    """The parent unit approves an item or returns it with a reason."""
    parent = Organization.objects.get_parent(item.organization)
    if by is not None and (
        parent is None
        or not organization_permission_holds(user=by, organization=parent, codename=MANAGE_UNITS)
    ):
        raise PermissionDenied
    not_awaiting = _("Only an item awaiting approval can be approved or returned.")
    if not approve:
        PLAN_REVIEW.send_back(
            item,
            by=by,
            reason=reason,
            not_awaiting=not_awaiting,
            no_reason=_("Give a reason for returning the item."),
        )
        return item
    if item.status != PlanItem.Status.SUBMITTED:
        raise ValidationError(not_awaiting)
    item.status = PlanItem.Status.APPROVED
    item.return_reason = ""
    item.decided_by = by
    item.save()
    return item
