"""The export helper (branches/spreadsheets/export.py, issue 15): every text inert, ISO dates, translated headers,
widths and a frozen header; and the exports built on it read back. The other exports' read-back tests sit beside
their features (work record: test_meeting_views, dashboard: test_dashboard, funding: test_first_screens, ratings:
test_ratings_views, indicators: test_assessment_targets, statistics: test_statistics)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from branches.spreadsheets.export import (
    FORMULA_PREFIXES,
    MONEY_FORMAT,
    Column,
    Sheet,
    columns,
    inert,
    workbook_bytes,
    xlsx_response,
)
from tests.factories import MemberFactory

HOSTILE = [
    '=HYPERLINK("http://evil.example","点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "＝１＋１",
    "＋1",
    "－1",
    "＠SUM(A1)",
    "\x01=1+1",
]


def _read(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def test_the_prefix_list_is_owasps_with_the_full_width_forms():
    for prefix in ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"):
        assert prefix in FORMULA_PREFIXES


@pytest.mark.parametrize("text", HOSTILE)
def test_a_hostile_cell_is_inert_text(text):
    book = _read(workbook_bytes([Sheet("t", [Column("x")], [[text]])]))
    cell = book.active.cell(2, 1)
    assert cell.data_type == "s"  # never a formula
    assert cell.value.startswith("'") and cell.value.lstrip("'").lstrip("\x01") in (text, text.lstrip("\x01"))
    assert "\x01" not in cell.value  # control characters XML cannot hold are dropped first


def test_plain_text_numbers_and_dates_are_kept_as_they_are():
    assert inert("王小明") == "王小明" and inert("1.10") == "1.10" and inert(3) == 3
    assert inert(Decimal("1234.50")) == 1234.5
    when = datetime.datetime(2026, 12, 1, 1, 30, 15, tzinfo=datetime.UTC)  # 09:30 in Beijing
    assert inert(when) == datetime.datetime(2026, 12, 1, 9, 30, 15)


def test_headers_widths_freeze_dates_and_notes():
    with translation.override("zh-hans"):
        from django.utils.translation import gettext as _

        content = workbook_bytes(
            [
                Sheet(
                    _("Summary"),
                    columns((_("Unit"), 30), (_("Granted (yuan)"), 14, MONEY_FORMAT), (_("Filed on"), 12)),
                    [["计算机学院党委", Decimal("1800"), datetime.date(2026, 12, 1)]],
                    notes=["备注"],
                ),
                Sheet("a/b:c*d?" + "长" * 40, [Column("名称", None)], [["很长的一个党支部名称" * 2]]),
            ]
        )
    book = _read(content)
    sheet = book.worksheets[0]
    assert sheet.title == "汇总"  # through gettext
    assert [c.value for c in sheet[1]] == ["单位", "资助金额（元）", "报送日期"]
    assert sheet.cell(1, 1).font.b and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 30 and sheet.column_dimensions["B"].width == 14
    assert sheet.cell(2, 2).value == 1800 and sheet.cell(2, 2).number_format == MONEY_FORMAT
    assert (
        sheet.cell(2, 3).value == datetime.datetime(2026, 12, 1)
        and sheet.cell(2, 3).number_format == "yyyy-mm-dd"
    )
    assert sheet.cell(4, 1).value == "备注"  # after a blank row
    other = book.worksheets[1]
    assert len(other.title) <= 31 and not set("/:*?") & set(other.title)
    assert other.column_dimensions["A"].width == 42  # 20 Chinese characters, two columns each, plus 2


def test_the_response_is_a_private_download_with_a_chinese_name():
    response = xlsx_response(b"PK", "党内统计-U1.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert "filename*=UTF-8''%E5%85%9A" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


# --- the exports on the helper -----------------------------------------------------------------------------


def test_member_export_reads_back_with_a_hostile_name_inert(cast, as_alice):
    MemberFactory(branch=cast.branch_a, name='=HYPERLINK("http://x")')
    response = as_alice.get(reverse("members:export", args=[cast.branch_a.pk]))
    assert response.status_code == 200
    sheet = _read(response.content).active
    assert sheet.freeze_panes == "A2"
    hostile = [
        c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value
    ]
    assert hostile and all(c.data_type == "s" and not c.value.startswith("=") for c in hostile)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_lifecycle_exports_read_back_with_translated_headers(cast, as_alice):
    MemberFactory(
        branch=cast.branch_a, name="@SUM(A1)", stage="applicant", applied_on=datetime.date(2026, 3, 1)
    )
    for name, args, first in (
        ("development_export", [cast.branch_a.pk], "姓名"),
        ("transfers_export", [cast.branch_a.pk], "姓名"),
        ("dues_export", [cast.branch_a.pk, 2025], "姓名"),
    ):
        response = as_alice.get(reverse(f"members:{name}", args=args))
        assert response.status_code == 200, name
        sheet = _read(response.content).active
        assert sheet.cell(1, 1).value == first and sheet.freeze_panes == "A2", name
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row), name
