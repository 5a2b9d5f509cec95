"""Workbooks written byte by byte, for the import layer's corpus of hostile files: every part of the package
is spelled out, so a test can misplace the sheet, lie about its extent, or break the zip itself.

Free of Django imports, like tests/xlsx_helpers.py.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import resource
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def cell_xml(ref: str, value: object) -> str:
    """One cell: text inline (control characters in OOXML's _xHHHH_ form, which readers decode), numbers as
    numbers; ("num", "NaN") is a number cell holding that text; ("err", "#DIV/0!") a formula cell holding an
    error; ("raw", xml) is written as it is."""
    if isinstance(value, tuple) and value[0] == "raw":
        return value[1]
    if isinstance(value, tuple) and value[0] == "num":
        return f'<c r="{ref}"><v>{escape(value[1])}</v></c>'
    if isinstance(value, tuple) and value[0] == "err":  # a formula whose result is an error
        return f'<c r="{ref}" t="e"><f>1/0</f><v>{escape(value[1])}</v></c>'
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = _CONTROL.sub(lambda m: f"_x{ord(m[0]):04X}_", escape(str(value)))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def sheet_xml(
    rows: Sequence[Sequence[object]], *, dimension: str | None = "auto", extra: str = "", after: str = ""
) -> str:
    """A worksheet part; ``dimension`` "auto" spans the rows given, None leaves the element out."""
    body = []
    for r, values in enumerate(rows, start=1):
        cells = "".join(cell_xml(f"{column(c)}{r}", v) for c, v in enumerate(values))
        body.append(f'<row r="{r}">{cells}</row>')
    if dimension == "auto":
        width = max((len(r) for r in rows), default=1)
        dimension = f"A1:{column(width - 1)}{max(len(rows), 1)}"
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" '
        f'xmlns:r="{REL}">{dim}<sheetData>{extra}{"".join(body)}</sheetData>{after}</worksheet>'
    )


def package(
    sheet: str,
    *,
    sheet_path: str = "xl/worksheets/sheet1.xml",
    target: str | None = None,
    declare_type: bool = True,
    extra_parts: Mapping[str, bytes | str] | None = None,
    extra_types: Mapping[str, str] | None = None,
    workbook_type: str = WORKBOOK_TYPE,
    workbook_xml: str | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """An xlsx package around one sheet stored at ``sheet_path`` (relationship target ``target``, by default
    the path relative to xl/), with its content type declared unless ``declare_type`` is False."""
    if target is None:
        target = sheet_path[3:] if sheet_path.startswith("xl/") else "/" + sheet_path
    overrides = {"/xl/workbook.xml": workbook_type}
    if declare_type:
        overrides["/" + sheet_path] = SHEET_TYPE
    overrides.update(extra_types or {})
    types = "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides.items())
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            + types
            + "</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}"><Relationship '
            f'Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": workbook_xml
        or (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
            f'Type="{REL}/worksheet" Target="{target}"/></Relationships>'
        ),
        sheet_path: sheet,
    }
    parts.update(extra_parts or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, body in parts.items():
            archive.writestr(name, body.encode() if isinstance(body, str) else body)
    return out.getvalue()


def table(headers: Sequence[str], rows: Sequence[Mapping[str, object]], **options) -> bytes:
    """A workbook with ``headers`` and one row per mapping (keyed by header)."""
    return xlsx([list(headers), *[[row.get(h) for h in headers] for row in rows]], **options)


def xlsx(rows: Sequence[Sequence[object]], **options) -> bytes:
    """A plain workbook of ``rows`` (the first is the header)."""
    sheet_options = {k: options.pop(k) for k in ("dimension", "extra", "after") if k in options}
    return package(sheet_xml(rows, **sheet_options), **options)


@contextlib.contextmanager
def address_space_capped(extra: int = 2 * 1024**3) -> Iterator[None]:
    """A file the guard let through would make the reader ask for ~100 GB: with this process's address space
    capped at what it uses now plus ``extra``, such a miss fails (the allocation is refused) instead of taking
    the machine's memory."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    cap = used + extra if hard == resource.RLIM_INFINITY else min(used + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
