"""Property-based tests of every spreadsheet import (issue 14, item 2): hypothesis builds sheets of valid rows
and plants hostile cells in them (over-long and rare-CJK text, formula starts, control characters, dates
before the founding or in the future, NaN / Infinity / 1e20 as text and as number cells, bad ID checksums and
phones, unknown choices). Whatever it plants, the import writes nothing and names the row and column of each
planted cell; with nothing planted, every row is imported (so the checks are not simply refusing everything).

Settings: ``max_examples=60`` per import (six imports; ``IMPORT_PROPERTY_EXAMPLES`` raises it for a soak run), ``deadline=None`` (a first example pays for imports and
caches), no example database (the checkout is shared), the function-scoped fixtures health check suppressed:
every example runs inside a savepoint that is rolled back, so the cast and the pinned clock are shared safely.
The clock is pinned to 15 June 2025 (Beijing): the bounds of dates follow today.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from assessments.models import Indicator, RaterEligibility
from assessments.services import ratings as rating_services
from assessments.services.targets import COLUMNS as INDICATOR_COLUMNS
from assessments.services.targets import indicator_table_export, indicator_table_import
from branches import spreadsheets as layer
from branches.spreadsheets import PHONE_RE, column_label, id_number_is_valid, id_number_key
from members.models import DevelopmentCase, DuesPayment, Member, Transfer
from members.services import member_import
from members.services.tabular import (
    APPLICANT_COLUMNS,
    DUES_COLUMNS,
    TRANSFER_COLUMNS,
    applicants_import,
    dues_import,
    transfers_import,
)
from tests.assessment_fixtures import cycle_cast  # noqa: F401
from tests.factories import MemberFactory
from tests.ratings_helpers import make_campaign
from tests.xlsx_craft import address_space_capped, package, sheet_xml, table
from tests.xlsx_helpers import HEADERS, bad_checksum, id_number, member_row, read_xlsx_rows

pytestmark = pytest.mark.calendar

TODAY = datetime.date(2025, 6, 15)
# IMPORT_PROPERTY_EXAMPLES=1000 for a longer search (a soak run); the suite's budget is 60 per import.
PROPERTY = settings(
    max_examples=int(os.environ.get("IMPORT_PROPERTY_EXAMPLES", "60")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def pinned(time_machine):
    time_machine.move_to(datetime.datetime(2025, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


# --- hostile cells ---------------------------------------------------------------------------------------------

ALPHABET = "党员林一张三王小明龘𠀀𠀁𪚥abcXYZ09"
FORMULA_ERRORS = st.sampled_from(["#DIV/0!", "#REF!", "#VALUE!", "#N/A"]).map(lambda code: ("err", code))
_word = st.text(alphabet=ALPHABET, min_size=1, max_size=4)


def over_long(limit: int) -> st.SearchStrategy:
    return st.text(alphabet=ALPHABET, min_size=limit + 1, max_size=limit + 6)


def hostile_text(limit: int) -> st.SearchStrategy:
    """Longer than the column, starting like a formula, or holding a control character (NUL breaks PostgreSQL)."""
    return st.one_of(
        over_long(limit),
        st.tuples(st.sampled_from("=+-@"), st.text(alphabet=ALPHABET, max_size=4)).map("".join),
        st.tuples(_word, st.sampled_from(["\x00", "\x07", "\x1b", "\x0b"]), _word).map("".join),
        FORMULA_ERRORS,
    )


def _iso(day: datetime.date) -> str:
    return day.isoformat()


def hostile_date(
    *, latest: datetime.date = TODAY, month: bool = False, birth: bool = False
) -> st.SearchStrategy:
    """Before the window (the founding; 1900 for a birth date), after it, or not a date at all."""
    before = datetime.date(1899, 12, 31) if birth else datetime.date(1921, 6, 30)
    first_bad = (
        (latest.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        if month
        else latest + datetime.timedelta(days=1)
    )
    return st.one_of(
        st.dates(max_value=before).map(_iso),
        st.dates(min_value=first_bad, max_value=datetime.date(9999, 12, 31)).map(_iso),
        st.sampled_from(
            [
                "昨天",
                "2024-13-01",
                "2024-02-30",
                "NaN",
                "Infinity",
                "0000-00-00",
                "2024-7-1-1",
                ("num", "NaN"),
                ("num", "inf"),
                ("num", "1e20"),
            ]
        ),
        FORMULA_ERRORS,
    )


def hostile_amount(*, max_digits: int, places: int, maximum: Decimal | None = None) -> st.SearchStrategy:
    top = (
        maximum if maximum is not None else Decimal(10) ** (max_digits - places) - Decimal(1).scaleb(-places)
    )
    finer = Decimal(1).scaleb(-(places + 1))
    return st.one_of(
        st.sampled_from(
            [
                "NaN",
                "nan",
                "sNaN",
                "Infinity",
                "-Infinity",
                "inf",
                "1e20",
                "-1",
                "1E+400",
                "十元",
                ("num", "NaN"),
                ("num", "inf"),
                ("num", "-inf"),
                ("num", "1e20"),
                ("num", "1e400"),
            ]
        ),
        st.decimals(min_value=top + finer, allow_nan=False, allow_infinity=False, places=places).map(str),
        st.decimals(max_value=-finer, allow_nan=False, allow_infinity=False, places=places + 1).map(str),
        st.integers(1, 9).map(lambda d: str(Decimal(1) + d * finer)),  # one decimal place too many
        st.floats(min_value=float(top) + 1, allow_infinity=True, allow_nan=False).map(
            lambda f: ("num", repr(f))
        ),
        FORMULA_ERRORS,
    )


def hostile_id() -> st.SearchStrategy:
    valid = st.builds(
        id_number, st.dates(datetime.date(1950, 1, 1), datetime.date(2005, 1, 1)), st.integers(0, 999)
    )
    return st.one_of(
        valid.map(bad_checksum),
        st.text(alphabet="0123456789", min_size=1, max_size=25).filter(lambda s: len(s) != 18),
        st.text(alphabet="0123456789Xx", min_size=18, max_size=18).filter(
            lambda s: not id_number_is_valid(id_number_key(s))
        ),
    )


def hostile_phone() -> st.SearchStrategy:
    return st.one_of(
        st.from_regex(r"[02-9][0-9]{10}", fullmatch=True),
        st.text(alphabet="0123456789", min_size=1, max_size=15).filter(lambda s: not PHONE_RE.fullmatch(s)),
        st.sampled_from(["phone", "１３８", "٠١٢٣٤٥٦٧٨٩٠"]),
        FORMULA_ERRORS,
    )


def hostile_choice(labels) -> st.SearchStrategy:
    known = set(labels) | set(getattr(labels, "values", lambda: [])())
    return st.text(alphabet=ALPHABET, min_size=1, max_size=5).filter(lambda s: s not in known)


# --- the property ----------------------------------------------------------------------------------------------


@dataclass
class Spec:
    headers: tuple[str, ...]
    row: Callable[[int], dict]  # valid row ``n``
    hostile: dict[str, st.SearchStrategy]
    run: Callable[[bytes], object]  # the import, on the file's bytes
    written: Callable[[], tuple]  # what the import would change
    max_rows: int = 4
    min_rows: int = 1
    runs: list[bool] = field(default_factory=list)  # per example: was anything planted

    def ran_both_ways(self) -> bool:
        """The property saw clean files and hostile ones, as many as the settings ask for."""
        return len(self.runs) >= PROPERTY.max_examples and all(v in self.runs for v in (True, False))


@st.composite
def planted(draw, spec: Spec):
    """Valid rows with 0–4 hostile cells planted; the (row, column) of each as the report must name it."""
    n = draw(st.integers(spec.min_rows, spec.max_rows))
    rows = [spec.row(i) for i in range(n)]
    where: set[tuple[int, str]] = set()
    letters = {h: c for h, c in zip(spec.headers, "ABCDEFGHIJKLMNOP", strict=False)}
    for _ in range(draw(st.integers(0, 4))):
        index = draw(st.integers(0, n - 1))
        header = draw(st.sampled_from(sorted(spec.hostile)))
        rows[index][header] = draw(spec.hostile[header])
        where.add((index + 2, column_label(header, letters)))
    return rows, where


def check(spec: Spec, rows: list[dict], where: set[tuple[int, str]]) -> None:
    spec.runs.append(bool(where))
    with transaction.atomic():
        before = spec.written()
        report = spec.run(table(spec.headers, rows))
        reported = {(e.row, e.column) for e in report.errors}
        after = spec.written()
        transaction.set_rollback(True)  # the next example starts from the same database
    if where:
        assert not report.ok
        assert after == before, "a file with a problem wrote something"
        assert where <= reported, f"not reported: {sorted(where - reported)}"
        assert all(e.row is not None and e.message for e in report.errors), report.errors
    else:
        assert report.ok, report.errors
        assert after != before


# --- one spec per import ---------------------------------------------------------------------------------------


def _applicant(n: int) -> dict:
    return {
        "姓名": f"林{n}",
        "性别": "男",
        "出生日期": "2003-05-01",
        "人员类别": "学生",
        "所在支部编码": "A",
        "申请入党日期": "2025-05-26",
        "身份证号": id_number(datetime.date(2003, 5, 1), n),
        "手机号": f"1380013{n:04d}",
        "谈话日期": "2025-06-15",
    }


def test_applicants_import_property(cast):
    spec = Spec(
        headers=APPLICANT_COLUMNS,
        row=_applicant,
        hostile={
            "姓名": hostile_text(50),
            "性别": hostile_choice({"M": "男", "F": "女"}),
            "出生日期": hostile_date(birth=True),
            "人员类别": hostile_choice(
                {"student": "学生", "teacher": "教师", "admin_staff": "管理服务人员", "retiree": "离退休人员"}
            ),
            "所在支部编码": hostile_text(32),
            "申请入党日期": hostile_date(),
            "身份证号": hostile_id(),
            "手机号": hostile_phone(),
            "谈话日期": hostile_date(),
        },
        run=lambda data: applicants_import(data=data, filename="a.xlsx", scope=cast.c1, by=cast.officer),
        written=lambda: (Member.objects.count(), DevelopmentCase.objects.count()),
    )

    @PROPERTY
    @given(planted(spec))
    def prop(sheet):
        check(spec, *sheet)

    prop()
    assert spec.ran_both_ways()


def test_dues_import_property(cast):
    def row(n: int) -> dict:
        return {
            "姓名": "鲍勃",
            "身份证号": cast.bob_member.id_number,
            "月份": f"2024-{n + 1:02d}",
            "状态": "已交",
            "金额": "12.50",
        }

    spec = Spec(
        headers=DUES_COLUMNS,
        row=row,
        hostile={
            "姓名": hostile_text(50),
            "身份证号": hostile_id(),
            "月份": hostile_date(month=True),
            "状态": hostile_choice({"paid": "已交", "paid_by_other": "代交", "exempt": "免交"}),
            "金额": hostile_amount(max_digits=8, places=2),
            "代交人": hostile_text(50),
            "免交批准": hostile_text(120),
        },
        run=lambda data: dues_import(data=data, filename="d.xlsx", scope=cast.branch_a, by=cast.alice),
        written=lambda: (DuesPayment.objects.count(),),
    )

    @PROPERTY
    @given(planted(spec))
    def prop(sheet):
        check(spec, *sheet)

    prop()
    assert spec.ran_both_ways()


def test_transfers_import_property(cast):
    people = [MemberFactory(branch=cast.branch_a, name=f"成员{i}", id_number="") for i in range(4)]

    def row(n: int) -> dict:
        return {
            "姓名": people[n].name,
            "类型": "转出",
            "介绍信编号": f"T-{n}",
            "开具日期": "2025-06-01",
            "去向": "某市委组织部",
            "有效期至": "2025-09-01",
            "党费交至": "2025-05",
        }

    spec = Spec(
        headers=TRANSFER_COLUMNS,
        row=row,
        hostile={
            "姓名": hostile_text(50),
            "类型": hostile_choice({"out": "转出", "within": "校内转接"}),
            "介绍信编号": hostile_text(40),
            "开具日期": hostile_date(),
            "去向": hostile_text(120),
            "有效期至": hostile_date(latest=datetime.date(2027, 6, 15)),
            "党费交至": hostile_date(month=True),
        },
        run=lambda data: transfers_import(data=data, filename="t.xlsx", scope=cast.branch_a, by=cast.alice),
        written=lambda: (Transfer.objects.count(),),
    )

    @PROPERTY
    @given(planted(spec))
    def prop(sheet):
        check(spec, *sheet)

    prop()
    assert spec.ran_both_ways()


def test_member_import_property(cast):
    spec = Spec(
        headers=HEADERS,
        row=lambda n: member_row(n, branch_code="A"),
        hostile={
            "姓名": hostile_text(50),
            "民族": hostile_text(20),
            "出生日期": hostile_date(birth=True),
            "身份证号": hostile_id(),
            "手机号": hostile_phone(),
            "人员类别": hostile_choice(
                {"teacher": "教师", "student": "学生", "admin_staff": "管理服务人员", "retiree": "离退休人员"}
            ),
            "发展阶段": hostile_choice(
                {
                    "full": "正式党员",
                    "probationary": "预备党员",
                    "applicant": "入党申请人",
                    "activist": "入党积极分子",
                    "candidate": "发展对象",
                }
            ),
            "入党日期": hostile_date(),
            "转正日期": hostile_date(),
        },
        run=lambda data: member_import(data=data, filename="m.xlsx", scope=cast.c1, by=cast.officer),
        written=lambda: (Member.objects.count(), Member.history.count()),
    )

    @PROPERTY
    @given(planted(spec))
    def prop(sheet):
        check(spec, *sheet)

    prop()
    assert spec.ran_both_ways()


def test_indicator_table_import_property(cycle_cast):  # noqa: F811
    source = cycle_cast.tables["ladder"]
    exported = read_xlsx_rows(indicator_table_export(table=source))
    assert tuple(exported[0]) == INDICATOR_COLUMNS
    items = [dict(zip(INDICATOR_COLUMNS, r, strict=True)) for r in exported[1:]]
    target = cycle_cast.tables["chapter"]

    def written():
        return tuple(
            target.indicators.order_by("code").values_list("code", "title", "max_points", "target_count")
        )

    spec = Spec(
        headers=INDICATOR_COLUMNS,
        row=lambda n: dict(items[n]),
        min_rows=len(items),
        max_rows=len(items),
        hostile={
            "编码": hostile_text(12),
            "指标": hostile_text(200),
            "分值": hostile_amount(max_digits=5, places=1, maximum=Decimal(100)),
            "类型": hostile_choice(
                {"required": "规定动作", "optional": "自选动作", "veto": "一项否决", "bonus": "加分项目"}
            ),
            "满分数量": st.one_of(
                hostile_amount(max_digits=5, places=0, maximum=Decimal(32767)),
                st.sampled_from(["1.5", "0.1"]),
            ),
        },
        run=lambda data: indicator_table_import(
            table=target, data=data, filename="t.xlsx", by=cycle_cast.zzb
        ),
        written=written,
    )

    @PROPERTY
    @given(planted(spec))
    def prop(sheet):  # always the whole table: a partial one would not total 100 points
        check(spec, *sheet)

    prop()
    assert spec.ran_both_ways()
    assert Indicator.objects.filter(table=target).count() > 0  # the chapter table is still there, unchanged


def test_rater_roster_import_property(cast):
    campaign = make_campaign(cast)
    users = get_user_model().objects

    spec = Spec(
        headers=("学号/工号", "姓名", "身份", "所在单位编码", "初始密码"),
        row=lambda n: {
            "学号/工号": f"2023{n:03d}",
            "姓名": f"学生{n}",
            "身份": "学生",
            "所在单位编码": "",
            "初始密码": "",
        },
        hostile={
            "学号/工号": st.one_of(
                over_long(150).map(lambda s: "a" * len(s)),
                st.just("学号!"),
                st.sampled_from(["=1", "a b", "x"]),
            ),
            "姓名": hostile_text(150),
            "身份": hostile_choice({"教职工": 1, "教工": 1, "学生": 1}),
            "所在单位编码": hostile_text(32),
            "初始密码": st.one_of(
                st.text(alphabet="abc123", min_size=1, max_size=7),
                st.text(alphabet="abc123", min_size=129, max_size=140),
            ),
        },
        run=lambda data: rating_services.rater_roster_import(
            campaign=campaign, unit=cast.c1, data=data, filename="名单.xlsx", by=cast.officer
        ),
        written=lambda: (users.count(), RaterEligibility.objects.count()),
    )

    @PROPERTY
    @given(planted(spec))
    def prop(sheet):
        check(spec, *sheet)

    prop()
    assert spec.ran_both_ways()


# --- the cell checks alone -------------------------------------------------------------------------------------

ANY_CELL = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet=ALPHABET + "０１２３４５６７８９Ｘ-.,¥ eE+"),
    st.floats(),
    st.integers(),
    st.integers(min_value=10**17),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
    st.decimals().map(str),
    st.sampled_from(["#DIV/0!", "#REF!"]).map(layer.FormulaError),
    st.from_regex(r"[0-9]{17}[0-9Xx]", fullmatch=True),
    st.from_regex(r"1[0-9]{10}"),
)


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ANY_CELL)
def test_a_cell_check_accepts_a_value_of_its_column_or_refuses_it_with_a_message(value):
    """Whatever a cell holds, each check returns a value that fits its column or raises CellError (whose
    message the report shows): never another exception, which would be a server error."""
    checks = {
        "text": lambda v: layer.clean_text(v, max_length=50),
        "date": lambda v: layer.clean_date(v),
        "month": lambda v: layer.clean_date(v, month=True),
        "amount": lambda v: layer.clean_decimal(v, max_digits=8, decimal_places=2),
        "points": lambda v: layer.clean_decimal(v, max_digits=5, decimal_places=1, maximum=100),
        "count": lambda v: layer.clean_integer(v, maximum=32767),
        "choice": lambda v: layer.clean_choice(v, {"M": "男", "F": "女"}),
        "id": layer.clean_id_number,
        "phone": layer.clean_phone,
    }
    for name, clean in checks.items():
        try:
            result = clean(value)
        except layer.CellError as refused:
            assert str(refused), name
            continue
        if name == "text":
            assert len(result) <= 50 and result[:1] not in ("=", "+", "-", "@")
        elif name in ("date", "month") and result is not None:
            assert layer.EARLIEST_DATE <= result <= TODAY
        elif name == "amount" and result is not None:
            assert result.is_finite() and 0 <= result < 10**6 and result == result.quantize(Decimal("0.01"))
        elif name == "points" and result is not None:
            assert 0 <= result <= 100 and result == result.quantize(Decimal("0.1"))
        elif name == "count" and result is not None:
            assert isinstance(result, int) and 0 <= result <= 32767
        elif name == "id" and result:
            assert id_number_is_valid(result)
        elif name == "phone" and result:
            assert PHONE_RE.fullmatch(result)


# --- hostile structure -----------------------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        '<c r="XFD1048576"><v>1</v></c>',
        '<c r="BZ2"><v>1</v></c>',
        '<c r="CA2"><v>1</v></c>',
        "<c><v>1</v></c>",
        '<c t="n" r="ZZZ9"><v>1</v></c>',
        "<c r='XFD1'/>",
        '<x:c r="XFD1"/>',
        '<c r="A0"/>',
        '<c r="A99999999"/>',
        '<row r="1048576">',
        "<row>",
        "</row>",
        '<row r="0">',
        '<dimension ref="A1:XFD1048576"/>',
        '<dimension ref="XFD1"/>',
        '<mergeCell ref="A1:XFD1"/>',
        '<mergeCells><mergeCell ref="A1:B1048576"/>',
        '<c r="A2" t="s"><v>999999</v></c>',
        '<c r="A2" t="inlineStr"><is><t>_x0000_</t></is></c>',
        "&#0;",
        "<!DOCTYPE x>",
        '<c r="A2"><v>NaN</v></c>',
        '<c r="B2" s="9"><v>1e300</v></c>',
        "<sheetData>",
        "</sheetData>",
        "\ufeff",
        "<",
        '"',
        "𠀀",
    ]
)
SHEET_PATHS = st.sampled_from(["xl/worksheets/sheet1.xml", "xl/sheets/sheet1.xml", "xl/a.xml", "sheet.xml"])


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.tuples(st.integers(0, 2000), FRAGMENTS), min_size=1, max_size=6), SHEET_PATHS)
def test_a_sheet_with_hostile_fragments_is_read_within_bounds_or_refused(insertions, path):
    """Fragments spliced anywhere into a sheet part (far cells, rows and ranges, cells without references,
    entities, broken markup), stored at any path: the reader returns a sheet within the bounds (78 columns,
    the row limit) or refuses the file with a message; nothing else, and never a grid past the bounds."""
    from branches.spreadsheets import FileRefused, read_xlsx

    sheet = sheet_xml([["a", "b"], ["x", 1], ["y", 2]])
    for position, fragment in sorted(insertions, reverse=True):
        at = min(position, len(sheet))
        sheet = sheet[:at] + fragment + sheet[at:]
    with address_space_capped():
        try:
            dataset = read_xlsx(
                package(sheet.encode("utf-8", "surrogatepass"), sheet_path=path), max_rows=100
            )
        except FileRefused as refused:
            assert str(refused)
            event(f"refused: {refused}")
            return
    event("read")
    assert dataset.width <= 78 and len(dataset) <= 100
