"""The shared spreadsheet layer (issue 14, item 2): a corpus of crafted files against the guard and reader, the
typed cell checks, and the import bugs of the issue (500s for ordinary mistakes, values the member import
refuses stored by the others, NaN and 1e20 amounts) as regressions on every import.

The clock is pinned (15 June 2025, Beijing): the imports bound dates by today.
"""

from __future__ import annotations

import datetime
import io
import struct
import zipfile
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from branches import spreadsheets as layer
from branches.spreadsheets import guard
from branches.spreadsheets import (
    CellError,
    FileRefused,
    clean_date,
    clean_decimal,
    clean_id_number,
    clean_integer,
    clean_phone,
    clean_text,
    read_xlsx,
)
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
from assessments.models import RaterEligibility
from assessments.services.targets import COLUMNS as INDICATOR_COLUMNS
from tests.assessment_fixtures import cycle_cast  # noqa: F401
from tests.conftest import login
from tests.factories import MemberFactory
from tests.ratings_helpers import make_campaign
from tests.test_assessment_targets import snapshot
from tests.xlsx_craft import SHEET_TYPE, address_space_capped, package, sheet_xml, xlsx
from tests.xlsx_helpers import HEADERS, bad_checksum, build_xlsx, id_number, member_row

pytestmark = pytest.mark.calendar

TODAY = datetime.date(2025, 6, 15)
HEADER = ["姓名", "性别"]


@pytest.fixture(autouse=True)
def pinned(time_machine):
    time_machine.move_to(datetime.datetime(2025, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def memory_cap():
    with address_space_capped():
        yield


def _rezip(data: bytes, change) -> bytes:
    """The package with ``change(name, body)`` applied to each part (returning None drops the part)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = change(info.filename, source.read(info))
            if body is not None:
                target.writestr(info.filename, body)
    return out.getvalue()


# --- the guard and the reader: a corpus of crafted files -------------------------------------------------------


def test_a_sheet_stored_elsewhere_is_read_where_the_workbook_declares_it():
    rows = [HEADER, ["林一", "男"], ["𠀀𠀁", "女"]]
    for path in ("xl/sheets/sheet1.xml", "xl/a/b/c.xml", "data.xml"):
        dataset = read_xlsx(xlsx(rows, sheet_path=path))
        assert dataset.headers == HEADER and [list(r) for r in dataset] == rows[1:], path


FAR = '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'
HOSTILE_PACKAGES = {
    # the file: the sheet at xl/sheets/sheet1.xml, declaring the whole grid
    "misplaced-sheet-huge-dimension": lambda: xlsx(
        [HEADER, ["a", "b"]], sheet_path="xl/sheets/sheet1.xml", dimension="A1:XFD1048576"
    ),
    "misplaced-sheet-far-cell-no-dimension": lambda: xlsx(
        [HEADER, ["a", ("raw", FAR)]], sheet_path="xl/sheets/sheet1.xml", dimension=None
    ),
    "far-cell-no-dimension": lambda: xlsx([HEADER, ["a", ("raw", FAR)]], dimension=None),
    "absolute-target-huge-dimension": lambda: xlsx(
        [HEADER], sheet_path="xl/x/s.xml", target="/xl/x/s.xml", dimension="A1:XFD1048576"
    ),
    "dimension-rows-only": lambda: xlsx([HEADER], dimension="A1:B1048576"),
    "dimension-columns-only": lambda: xlsx([HEADER], dimension="A1:XFD1"),
    "far-row-reference": lambda: xlsx([HEADER], extra='<row r="1048576"><c r="A1048576"><v>1</v></c></row>'),
    "reference-not-first-attribute": lambda: xlsx(
        [HEADER, ["a", ("raw", '<c t="inlineStr" s="0" r="XFD2"><is><t>x</t></is></c>')]], dimension=None
    ),
    "single-quoted-reference": lambda: xlsx(
        [HEADER, ["a", ("raw", "<c r='XFD2'><v>1</v></c>")]], dimension=None
    ),
    "cell-without-reference": lambda: xlsx([HEADER, ["a", ("raw", "<c><v>1</v></c>")]], dimension=None),
    "merged-range-to-the-corner": lambda: xlsx(
        [HEADER, ["a", "b"]], after='<mergeCells count="1"><mergeCell ref="A2:XFD1048576"/></mergeCells>'
    ),
    "namespaced-sheet": lambda: package(
        f'<x:worksheet xmlns:x="{"http://schemas.openxmlformats.org/spreadsheetml/2006/main"}"><x:dimension '
        'ref="A1:XFD1048576"/><x:sheetData/></x:worksheet>'
    ),
    # a second sheet part the workbook does not list, found by its content type, or by its body alone
    "undeclared-typed-sheet": lambda: xlsx(
        [HEADER],
        extra_parts={"xl/worksheets/sheet2.xml": sheet_xml([HEADER], dimension="A1:XFD1048576")},
        extra_types={"/xl/worksheets/sheet2.xml": SHEET_TYPE},
    ),
    "undeclared-untyped-sheet-body": lambda: xlsx(
        [HEADER], extra_parts={"xl/media/image1.xml": sheet_xml([HEADER], dimension="A1:XFD1048576")}
    ),
    "utf16-sheet": lambda: package(
        sheet_xml([HEADER], dimension="A1:XFD1048576")
        .replace('encoding="UTF-8"', 'encoding="UTF-16"')
        .encode("utf-16")
    ),
    "utf16-undeclared-sheet-body": lambda: xlsx(
        [HEADER],
        extra_parts={
            "xl/media/image1.xml": "\ufeff".encode("utf-16-be")
            + sheet_xml([HEADER], dimension="A1:XFD1048576").encode("utf-16-be")
        },
    ),
    "huge-shared-strings-count": lambda: xlsx(
        [HEADER],
        extra_parts={
            "xl/sharedStrings.xml": '<sst xmlns="x" count="4000000000" '
            'uniqueCount="4000000000"><si><t>a</t></si></sst>'
        },
    ),
}


@pytest.mark.parametrize("name", HOSTILE_PACKAGES)
def test_a_hostile_extent_is_refused_before_the_reader_sees_it(name, memory_cap):
    with pytest.raises(FileRefused) as refused:
        read_xlsx(HOSTILE_PACKAGES[name](), max_rows=1000)
    assert str(refused.value)  # a sentence for the user (Chinese through the catalogue)


def test_rows_without_numbers_count_against_the_limit():
    rows = [HEADER] + [["a", "b"]] * 12
    sheet = sheet_xml(rows).replace('<row r="', '<row data-r="')
    with pytest.raises(FileRefused, match="10"):
        read_xlsx(package(sheet), max_rows=10)
    assert len(read_xlsx(package(sheet), max_rows=20)) == 12


DAMAGED_PACKAGES = {
    "target-leaves-the-package": lambda: xlsx(
        [HEADER], sheet_path="xl/worksheets/sheet1.xml", target="../../etc/sheet1.xml"
    ),
    "target-missing": lambda: _rezip(
        xlsx([HEADER]), lambda n, b: None if n.startswith("xl/worksheets/") else b
    ),
    "no-workbook-relationships": lambda: _rezip(
        xlsx([HEADER]), lambda n, b: None if "_rels/workbook" in n else b
    ),
    "entity-expansion": lambda: xlsx(
        [HEADER],
        workbook_xml=(
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>&lol2;</sheets>'
            "</workbook>"
        ),
    ),
    "broken-xml": lambda: xlsx([HEADER], workbook_xml="<workbook><sheets>"),
    "truncated-zip": lambda: xlsx([HEADER, ["a", "b"]])[:-40],
}


@pytest.mark.parametrize("name", DAMAGED_PACKAGES)
def test_a_damaged_package_is_refused(name, memory_cap):
    with pytest.raises(FileRefused):
        read_xlsx(DAMAGED_PACKAGES[name](), max_rows=1000)


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


NOT_WORKBOOKS = {
    "empty": b"",
    "random": bytes(range(256)) * 4,
    "old-excel-ole2": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
    "html-table-named-xlsx": "<table><tr><td>姓名</td></tr></table>".encode(),
    "csv": "姓名,性别\n林一,男\n".encode(),
    "word-document-renamed": _docx(),
    "macro-workbook": xlsx([HEADER], workbook_type="application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
    "zip-of-text": _rezip(_docx(), lambda n, b: None if n.startswith("[") else b),
}


@pytest.mark.parametrize("name", NOT_WORKBOOKS)
def test_a_file_that_is_not_an_xlsx_workbook_says_so(name):
    with pytest.raises(FileRefused) as refused:
        read_xlsx(NOT_WORKBOOKS[name], max_rows=1000)
    assert str(refused.value) == guard._not_a_workbook().args[0]


def test_a_zip_bomb_is_refused_by_its_unpacked_size(monkeypatch):
    monkeypatch.setattr(guard, "MAX_UNPACKED_BYTES", 1024 * 1024)
    bomb = xlsx([HEADER], extra_parts={"xl/media/zeros.bin": b"\0" * (2 * 1024 * 1024)})
    assert len(bomb) < 10_000
    with pytest.raises(FileRefused, match="1"):
        read_xlsx(bomb, max_rows=1000)
    # Many parts each under the limit, together over it.
    parts = {f"xl/media/z{i}.bin": b"\0" * (300 * 1024) for i in range(4)}
    with pytest.raises(FileRefused):
        read_xlsx(xlsx([HEADER], extra_parts=parts), max_rows=1000)
    assert len(read_xlsx(xlsx([HEADER, ["a", "b"]]), max_rows=1000)) == 1  # and a normal file still reads


def _patch_sizes(data: bytes, name: str, size: int) -> bytes:
    """The package with ``name``'s declared uncompressed size replaced in its local and central headers (the
    compressed stream is left as it is: the size is a lie)."""
    raw = bytearray(data)
    encoded = name.encode()
    local = raw.find(b"PK\x03\x04" + raw[4:4])  # first local header
    while local != -1:
        length = struct.unpack_from("<H", raw, local + 26)[0]
        if bytes(raw[local + 30 : local + 30 + length]) == encoded:
            struct.pack_into("<I", raw, local + 22, size)
        local = raw.find(b"PK\x03\x04", local + 4)
    central = raw.find(b"PK\x01\x02")
    while central != -1:
        length = struct.unpack_from("<H", raw, central + 28)[0]
        if bytes(raw[central + 46 : central + 46 + length]) == encoded:
            struct.pack_into("<I", raw, central + 24, size)
        central = raw.find(b"PK\x01\x02", central + 4)
    return bytes(raw)


def test_a_part_that_lies_about_its_size_is_refused(monkeypatch, memory_cap):
    """The central directory says the sheet unpacks to 200 bytes; its stream holds a far-reaching sheet. The
    guard reads what the directory says and the CRC then fails; the reader never gets the stream."""
    big = sheet_xml([HEADER] + [["a", "b"]] * 300, dimension="A1:XFD1048576")
    data = _patch_sizes(package(big), "xl/worksheets/sheet1.xml", 200)
    with pytest.raises(FileRefused):
        read_xlsx(data, max_rows=1000)


def test_a_duplicated_part_name_is_refused():
    data = xlsx([HEADER, ["a", "b"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        with pytest.warns(UserWarning):  # zipfile warns about the duplicate name
            target.writestr("xl/worksheets/sheet1.xml", sheet_xml([HEADER], dimension="A1:XFD1048576"))
    with pytest.raises(FileRefused):
        read_xlsx(out.getvalue(), max_rows=1000)


def test_formulas_merged_cells_and_special_numbers_arrive_as_values():
    rows = [
        ["a", "b", "c", "d", "e"],
        [
            ("raw", '<c r="A2"><f>1+1</f><v>2</v></c>'),
            ("raw", '<c r="B2"><v>NaN</v></c>'),
            ("raw", '<c r="C2"><v>inf</v></c>'),
            ("raw", '<c r="D2"><v>1e400</v></c>'),
            "𠀀",
        ],
        ["merged", None, None, None, None],
    ]
    dataset = read_xlsx(xlsx(rows, after='<mergeCells count="1"><mergeCell ref="A3:C3"/></mergeCells>'))
    first, second = list(dataset[0]), list(dataset[1])
    assert first[0] == 2 and first[1] != first[1] and first[2] == float("inf") and first[4] == "𠀀"
    assert second == ["merged", None, None, None, None]


def test_a_formula_error_is_refused_in_its_cell_not_read_as_blank(cast):
    """calamine reads a cell holding #DIV/0! as empty: a dues amount computed as #DIV/0! would pass for "use
    the declared amount". The guard notes those cells and every check refuses them where they are."""
    error = ("raw", '<c r="E2" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    dataset = read_xlsx(xlsx([list(DUES_COLUMNS), ["鲍勃", "", "2025-03", "已交", error]]))
    assert str(dataset[0][4]) == "#DIV/0!"
    report = dues_import(
        data=xlsx([list(DUES_COLUMNS), ["鲍勃", "", "2025-03", "已交", error]]),
        filename="d.xlsx",
        scope=cast.branch_a,
        by=cast.alice,
    )
    assert _where(report) == {(2, "E（金额）")} and "#DIV/0!" in report.errors[0].message
    assert not DuesPayment.objects.exists()
    row = [("raw", '<c r="A2" t="e"><v>#REF!</v></c>')] + [
        member_row(0, branch_code="A")[h] for h in HEADERS[1:]
    ]
    report = member_import(data=xlsx([list(HEADERS), row]), filename="m.xlsx", scope=cast.c1, by=cast.officer)
    assert _where(report) == {(2, "A（姓名）")} and "#REF!" in report.errors[0].message


# --- the typed cell checks -------------------------------------------------------------------------------------

AMOUNT = {"max_digits": 8, "decimal_places": 2}


@pytest.mark.parametrize(
    "value",
    [
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-Infinity",
        "inf",
        "1e20",
        "1E+7",
        "-1",
        "0.001",
        "1000000",
        "十元",
        float("nan"),
        float("inf"),
        float("-inf"),
        1e20,
        1e300,
        -0.5,
        True,
        datetime.date(2025, 1, 1),
    ],
)
def test_an_amount_outside_its_column_is_refused(value):
    with pytest.raises(CellError):
        clean_decimal(value, **AMOUNT)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.5", Decimal("12.50")),
        (12.5, Decimal("12.50")),
        (0.1, Decimal("0.10")),
        ("999999.99", Decimal("999999.99")),
        ("１２.５", Decimal("12.50")),
        ("¥1,234.00", Decimal("1234.00")),
        ("1e2", Decimal("100.00")),
        (0, Decimal("0.00")),
    ],
)
def test_an_amount_within_its_column_is_read_exactly(value, expected):
    assert clean_decimal(value, **AMOUNT) == expected


def test_whole_numbers():
    assert clean_integer("12", maximum=100) == 12 and clean_integer(12.0, maximum=100) == 12
    for bad in ("1.5", "-1", "101", "NaN", "1e20", 1.5):
        with pytest.raises(CellError):
            clean_integer(bad, maximum=100)


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01",
        "1900-01-01",
        "1921-06-30",
        "9999-12-31",
        "2025-06-16",
        datetime.date(1, 1, 1),
        datetime.datetime(9999, 12, 31),
        "昨天",
        "2024-13-01",
        "2024-02-30",
        45292.5,
        float("nan"),
        datetime.time(10, 0),
        True,
    ],
)
def test_a_date_outside_the_window_is_refused(value):
    with pytest.raises(CellError):
        clean_date(value)


def test_dates_within_the_window_in_the_usual_forms():
    day = datetime.date(2024, 7, 1)
    for value in (
        "2024-07-01",
        "2024/7/1",
        "2024.07.01",
        "20240701",
        20240701.0,
        "２０２４-０７-０１",
        day,
        datetime.datetime(2024, 7, 1, 9, 30),
    ):
        assert clean_date(value) == day, value
    assert clean_date("1921-07-01") == layer.EARLIEST_DATE and clean_date("2025-06-15") == TODAY
    assert clean_date("2025-06", month=True) == datetime.date(2025, 6, 1)
    with pytest.raises(CellError):
        clean_date("2025-07", month=True)
    assert clean_date("2027-01-01", latest=datetime.date(2027, 6, 15)) == datetime.date(2027, 1, 1)


def test_id_numbers_and_phones_read_full_width_digits_as_ascii():
    number = id_number(datetime.date(1990, 5, 17), 12)
    wide = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert clean_id_number(wide) == number and clean_id_number(number.lower()) == number
    for bad in (bad_checksum(number), number[:-1], number + "1", "X" * 18, "٤٢٠١٠٢١٩٩٠٠٥١٧٠٠١٢"):
        with pytest.raises(CellError):
            clean_id_number(bad)
    assert clean_phone("１３８００１３８０００") == "13800138000" == clean_phone("138-0013-8000")
    assert clean_phone(13800138000.0) == "13800138000"
    for bad in ("12345", "23800138000", "138001380001", "١٣٨٠٠١٣٨٠٠٠", "phone"):
        with pytest.raises(CellError):
            clean_phone(bad)


def test_text_is_bounded_in_characters_and_refuses_control_characters_and_formulas():
    assert clean_text("𠀀" * 50, max_length=50) == "𠀀" * 50  # counted in characters, as both databases do
    for bad in ("𠀀" * 51, "a" * 51, "=1+1", "+86", "-x", "@SUM(A1)", "a\x00b", "a\x1bb", "\ud800"):
        with pytest.raises(CellError):
            clean_text(bad, max_length=50)
    with pytest.raises(TypeError):
        clean_text("a")  # a column without a length is a programming error, not a silent pass


# --- the imports: the bugs -----------------------------------------------------------------------------


def _applicant(n: int = 0, **overrides) -> dict:
    row = {
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
    return row | overrides


def _where(report) -> set[tuple[int | None, str]]:
    return {(e.row, e.column) for e in report.errors}


def test_applicants_an_id_on_file_or_twice_in_the_file_is_a_row_message(cast):
    on_file = _applicant(1, 身份证号=cast.alice_member.id_number)
    twice = [_applicant(2), _applicant(3, 身份证号=_applicant(2)["身份证号"])]
    report = applicants_import(
        data=build_xlsx([_applicant(0), on_file, *twice], APPLICANT_COLUMNS),
        filename="a.xlsx",
        scope=cast.c1,
        by=cast.officer,
    )
    assert _where(report) == {(3, "G（身份证号）"), (5, "G（身份证号）")}
    assert "第 4 行" in {e.row: e.message for e in report.errors}[5]  # the row it repeats
    assert not DevelopmentCase.objects.exists() and Member.objects.count() == 3


def test_applicants_refuse_what_the_member_import_refuses_and_normalise_as_it_does(cast):
    bad = [
        _applicant(0, 身份证号=bad_checksum(_applicant(0)["身份证号"])),
        _applicant(1, 手机号="12345"),
        _applicant(2, 姓名="林" * 51),
        _applicant(3, 所在支部编码="A" * 33),
        _applicant(4, 姓名="=HYPERLINK(1)"),
        _applicant(5, 出生日期="0001-01-01"),
        _applicant(6, 申请入党日期="9999-12-31"),
    ]
    report = applicants_import(
        data=build_xlsx(bad, APPLICANT_COLUMNS), filename="a.xlsx", scope=cast.c1, by=cast.officer
    )
    assert _where(report) == {
        (2, "G（身份证号）"),
        (3, "H（手机号）"),
        (4, "A（姓名）"),
        (5, "E（所在支部编码）"),
        (6, "A（姓名）"),
        (7, "C（出生日期）"),
        (8, "F（申请入党日期）"),
    }
    assert Member.objects.count() == 3
    wide = _applicant(7, 手机号="１３８００１３８０００", 姓名="𠀀" * 50)
    report = applicants_import(
        data=build_xlsx([wide], APPLICANT_COLUMNS), filename="a.xlsx", scope=cast.c1, by=cast.officer
    )
    assert report.ok, report.errors
    stored = Member.objects.get(id_number=wide["身份证号"])
    assert (stored.phone, stored.name) == ("13800138000", "𠀀" * 50)
    # The member import reads the same cell the same way.
    row = member_row(1, branch_code="A", 手机号="１３８００１３８００１")
    assert member_import(data=build_xlsx([row]), filename="m.xlsx", scope=cast.c1, by=cast.officer).ok
    assert Member.objects.get(id_number=row["身份证号"]).phone == "13800138001"


@pytest.mark.parametrize(
    "amount",
    [
        "NaN",
        "Infinity",
        "-Infinity",
        "1e20",
        "sNaN",
        "-1",
        "0.001",
        ("raw", '<c r="E2"><v>NaN</v></c>'),
        ("raw", '<c r="E2"><v>inf</v></c>'),
        ("raw", '<c r="E2"><v>1e20</v></c>'),
    ],
)
def test_dues_amounts_that_do_not_fit_the_ledger_are_row_messages(cast, amount):
    row = ["鲍勃", "", "2025-03", "已交", amount, "", ""]
    report = dues_import(
        data=xlsx([list(DUES_COLUMNS), row]), filename="d.xlsx", scope=cast.branch_a, by=cast.alice
    )
    assert _where(report) == {(2, "E（金额）")}
    assert not DuesPayment.objects.exists()


def test_dues_a_month_twice_and_over_long_text_are_row_messages(cast):
    good = {"姓名": "鲍勃", "月份": "2025-03", "状态": "已交", "金额": "12.50"}
    rows = [
        good,
        good,
        good | {"月份": "2025-04", "状态": "免交", "免交批准": "批" * 121},
        good | {"月份": "2025-05", "代交人": "艾" * 51, "状态": "代交"},
        good | {"月份": "2025-07"},
    ]
    report = dues_import(
        data=build_xlsx(rows, DUES_COLUMNS), filename="d.xlsx", scope=cast.branch_a, by=cast.alice
    )
    assert {(3, ""), (4, "G（免交批准）"), (5, "F（代交人）"), (6, "C（月份）")} <= _where(report)
    assert not DuesPayment.objects.exists()
    assert dues_import(
        data=build_xlsx([good], DUES_COLUMNS), filename="d.xlsx", scope=cast.branch_a, by=cast.alice
    ).ok
    assert DuesPayment.objects.get().amount == Decimal("12.50")


def test_transfers_over_long_text_and_bad_dates_are_row_messages(cast):
    people = [MemberFactory(branch=cast.branch_a, name=f"成员{i}", id_number="") for i in range(5)]
    base = {"类型": "转出", "开具日期": "2025-06-01", "去向": "某市委组织部"}
    rows = [
        base | {"姓名": people[0].name, "介绍信编号": "T" * 41},
        base | {"姓名": people[1].name, "介绍信编号": "T-2", "去向": "某" * 121},
        base | {"姓名": people[2].name, "介绍信编号": "T-3", "有效期至": "2025-05-01"},
        base | {"姓名": people[3].name, "介绍信编号": "T-3", "有效期至": "2099-01-01"},
        base | {"姓名": people[4].name, "介绍信编号": "T-5", "开具日期": "0001-01-01"},
    ]
    report = transfers_import(
        data=build_xlsx(rows, TRANSFER_COLUMNS), filename="t.xlsx", scope=cast.branch_a, by=cast.alice
    )
    assert _where(report) == {
        (2, "D（介绍信编号）"),
        (3, "F（去向）"),
        (4, "G（有效期至）"),
        (5, "D（介绍信编号）"),
        (5, "G（有效期至）"),
        (6, "E（开具日期）"),
    }
    assert not Transfer.objects.exists()


@pytest.mark.parametrize("what", ["development", "dues", "transfers"])
def test_the_import_page_answers_a_hostile_file_with_its_rows_not_a_500(cast, as_alice, what, memory_cap):
    url = reverse("members:lifecycle_import", args=[cast.branch_a.pk])
    columns = {"development": APPLICANT_COLUMNS, "dues": DUES_COLUMNS, "transfers": TRANSFER_COLUMNS}[what]
    hostile = [
        "=cmd|' /C calc'!A0",
        "男",
        "0001-01-01",
        "NaN",
        "A" * 200,
        "9999-12-31",
        "1e20",
        "１２３",
        "\x00",
    ]
    upload = SimpleUploadedFile("x.xlsx", xlsx([list(columns), hostile[: len(columns)]]))
    response = as_alice.post(url, {"what": what, "file": upload})
    assert response.status_code == 400
    assert "A（姓名）" in response.content.decode()
    bomb = SimpleUploadedFile(
        "x.xlsx", xlsx([list(columns)], sheet_path="xl/sheets/sheet1.xml", dimension="A1:XFD1048576")
    )
    assert as_alice.post(url, {"what": what, "file": bomb}).status_code == 400


def test_a_birth_date_may_lie_before_the_founding_other_dates_may_not(cast):
    assert clean_date("1919-03-01", birth=True) == datetime.date(1919, 3, 1)
    with pytest.raises(CellError):
        clean_date("1919-03-01")
    with pytest.raises(CellError):
        clean_date("1899-12-31", birth=True)
    old = member_row(
        0,
        branch_code="A",
        出生日期="1919-03-01",
        身份证号=id_number(datetime.date(1919, 3, 1), 7),
        人员类别="离退休人员",
        入党日期="1945-07-01",
        转正日期="1946-07-01",
        申请入党日期="1944-03-01",
    )
    report = member_import(data=build_xlsx([old]), filename="m.xlsx", scope=cast.c1, by=cast.officer)
    assert report.ok, report.errors
    assert Member.objects.get(id_number=old["身份证号"]).birth_date == datetime.date(1919, 3, 1)


def test_member_import_names_the_row_an_id_number_repeats_in_the_same_words(cast):
    rows = [member_row(0, branch_code="A"), member_row(1, branch_code="A"), member_row(0, branch_code="A")]
    report = member_import(data=build_xlsx(rows), filename="m.xlsx", scope=cast.c1, by=cast.officer)
    assert _where(report) == {(4, "E（身份证号）")}
    assert report.errors[0].message == f"“{rows[0]['身份证号']}”与文件第 2 行重复。"


def test_member_import_reports_a_repeated_id_number_and_the_rest_of_its_row(cast):
    """Found by the property tests: the repeated ID number hid the row's other problems."""
    first = member_row(0, branch_code="A")
    rows = [
        first,
        member_row(1, branch_code="A", 身份证号=first["身份证号"], 人员类别="工人", 民族="族" * 21),
    ]
    report = member_import(data=build_xlsx(rows), filename="m.xlsx", scope=cast.c1, by=cast.officer)
    assert _where(report) == {(3, "C（民族）"), (3, "E（身份证号）"), (3, "G（人员类别）")}


def test_member_import_refuses_a_founding_era_date_and_a_misplaced_huge_sheet(cast, memory_cap):
    row = member_row(0, branch_code="A", 入党日期="1900-07-01")
    report = member_import(data=build_xlsx([row]), filename="m.xlsx", scope=cast.c1, by=cast.officer)
    assert _where(report) == {(2, "K（入党日期）")}
    bomb = xlsx([list(HEADERS)], sheet_path="xl/sheets/sheet1.xml", dimension="A1:XFD1048576")
    report = member_import(data=bomb, filename="m.xlsx", scope=cast.c1, by=cast.officer)
    assert _where(report) == {(None, "")}


def test_the_admin_import_reads_through_the_guard_too(cast, admin_client, memory_cap):
    url = reverse("admin:members_member_import")
    bomb = xlsx([list(HEADERS)], sheet_path="xl/sheets/sheet1.xml", dimension="A1:XFD1048576")
    before = Member.objects.count()
    response = admin_client.post(url, {"format": "0", "import_file": SimpleUploadedFile("m.xlsx", bomb)})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert Member.objects.count() == before
    good = build_xlsx([member_row(0, branch_code="A")])
    response = admin_client.post(url, {"format": "0", "import_file": SimpleUploadedFile("m.xlsx", good)})
    assert response.status_code == 200 and "errorlist" not in response.content.decode()
    assert "confirm" in response.content.decode()  # the dry run read the file and offers to confirm


def test_every_import_page_answers_hostile_files_with_a_report_not_a_500(cycle_cast, memory_cap):  # noqa: F811
    """The member, roster and indicator-table pages (the lifecycle page is above), each with a huge misplaced
    sheet, a workbook in disguise and a sheet of hostile cells: a page with the report, nothing written."""
    c = cycle_cast
    campaign = make_campaign(c)
    table = c.tables["ladder"]
    pages = [
        (c.officer, reverse("members:import"), {"scope": c.c1.pk}, HEADERS),
        (
            c.officer,
            reverse("assessments:roster_import", args=[campaign.pk]),
            {"unit": c.branch_a.pk},
            ("学号/工号", "姓名", "身份", "所在单位编码", "初始密码"),
        ),
        (c.zzb, reverse("cycle:table_import", args=[table.pk]), {}, INDICATOR_COLUMNS),
    ]
    hostile = [
        "=cmd|' /C calc'!A0",
        "𠀀" * 300,
        "0001-01-01",
        ("num", "NaN"),
        "A" * 200,
        "9999-12-31",
        ("num", "1e20"),
        "１２３",
        "\x00",
        "-1",
        "",
        "",
    ]
    before = (Member.objects.count(), RaterEligibility.objects.count(), snapshot(table))
    for user, url, fields, columns in pages:
        client = login(user)
        files = [
            xlsx([list(columns)], sheet_path="xl/sheets/sheet1.xml", dimension="A1:XFD1048576"),
            NOT_WORKBOOKS["word-document-renamed"],
            xlsx([list(columns), hostile[: len(columns)]]),
        ]
        for data in files:
            try:
                read_xlsx(data)
                expected = "A（"  # cells refused: the report names the first column
            except FileRefused as refused:
                expected = str(refused)  # the whole file refused: the page says why
            response = client.post(url, fields | {"file": SimpleUploadedFile("x.xlsx", data)})
            assert response.status_code in (200, 400, 422), (url, response.status_code)
            assert expected in response.content.decode(), (url, expected)
    assert (Member.objects.count(), RaterEligibility.objects.count(), snapshot(table)) == before
