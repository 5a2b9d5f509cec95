"""Member spreadsheets built in memory, for the import tests and the import benchmark.

Kept free of Django imports so ``bench/import_members.py`` can use it before ``django.setup()``.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Sequence

from openpyxl import Workbook, load_workbook

# The import template's columns, in its order (members:import_template writes the same list).
HEADERS = (
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "身份证号",
    "手机号",
    "人员类别",
    "发展阶段",
    "所在支部编码",
    "申请入党日期",
    "入党日期",
    "转正日期",
)
# Copied, not imported, from members.resources so this module needs no Django settings.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_number(birth: datetime.date, seq: int, *, region: str = "420102") -> str:
    """A valid 18-character resident ID number (GB 11643-1999 check character). ``seq`` is 0–999."""
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11]


def bad_checksum(number: str) -> str:
    """The same number with a wrong check character."""
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong


def member_row(n: int, *, branch_code: str, **overrides) -> dict[str, object]:
    """Row ``n`` (0-based) of a valid file: a full teacher member born on a distinct day, unique ID number.

    Up to 365,000 distinct rows (a distinct birth date every 1,000 rows × 1,000 sequence numbers).
    """
    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=n // 1000)
    row: dict[str, object] = {
        "姓名": f"党员{n:05d}",
        "性别": "女" if n % 2 else "男",
        "民族": "汉族",
        "出生日期": birth.isoformat(),
        "身份证号": id_number(birth, n % 1000),
        "手机号": f"138{n:08d}",
        "人员类别": "教师",
        "发展阶段": "正式党员",
        "所在支部编码": branch_code,
        "申请入党日期": "2000-03-01",
        "入党日期": "2001-07-01",
        "转正日期": "2002-07-01",
    }
    row.update(overrides)
    return row


def build_xlsx(
    rows: Iterable[dict[str, object] | Sequence[object]], headers: Sequence[str] = HEADERS
) -> bytes:
    """An xlsx whose first sheet has ``headers`` in row 1 and one row per item (dicts are keyed by header).

    A normal (not write-only) workbook, so the sheet carries its ``<dimension>`` as Excel's files do.
    """
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(h) for h in headers] if isinstance(row, dict) else list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_xlsx_rows(data: bytes) -> list[tuple]:
    """Every row of the first sheet (header included) as tuples of cell values."""
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return list(book.active.iter_rows(values_only=True))
    finally:
        book.close()


def with_dimension(data: bytes, ref: str) -> bytes:
    """The workbook with its first sheet's ``<dimension ref=…>`` replaced (some writers get it wrong)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), body, count=1)
            target.writestr(item, body)
    return out.getvalue()
