"""The extent guard: what calamine may be given (see the package's docstring)."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Mapping
from xml.etree import ElementTree

from django.utils.translation import gettext as _

from branches.spreadsheets.report import FileRefused, column_letter

MAX_COLUMNS = (
    78  # column BZ: far wider than any of the portal's sheets (the member sheet has a dozen columns)
)
MAX_UNPACKED_BYTES = (
    200 * 1024 * 1024
)  # 20 × the 10 MB upload limit; a real 50,000-row sheet unpacks to ~30 MB
MAX_PARTS = 2000
MAX_SHARED_STRINGS = 10_000_000

_WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
}
_SHEET_TYPE = re.compile(
    r"application/vnd\.(openxmlformats-officedocument\.spreadsheetml|ms-excel)\."
    r"(worksheet|chartsheet|dialogsheet|macrosheet)\+xml"
)
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_CELL_TAG = re.compile(rb"<" + _PREFIX + rb"c(?=[\s/>])([^>]*)>")
_CELL_START = re.compile(rb"<" + _PREFIX + rb"c[\s/>]")
_CELL_REF_FIRST = re.compile(rb"<" + _PREFIX + rb'c\s+r="\$?([A-Z]{1,3})\$?([0-9]{1,7})"')
_ROW_TAG = re.compile(rb"<" + _PREFIX + rb"row(?=[\s/>])([^>]*)>")
_RANGE_TAG = re.compile(rb"<" + _PREFIX + rb"(?:dimension|mergeCell)(?=[\s/>])([^>]*)>")
_ERROR_TAG = re.compile(rb"<" + _PREFIX + rb"""c(?=[\s/>])([^>]*\st\s*=\s*["']e["'][^>]*)>""")
_ERROR_VALUE = re.compile(rb"(?:(?!</?" + _PREFIX + rb"c[\s/>]).){0,2000}?<" + _PREFIX + rb"v>([^<]*)<", re.S)
_SST_TAG = re.compile(rb"<" + _PREFIX + rb"sst(?=[\s/>])([^>]*)>")
_ATTR_R = re.compile(rb"""(?:^|\s)r\s*=\s*["']([^"']*)["']""")
_ATTR_REF = re.compile(rb"""(?:^|\s)ref\s*=\s*["']([^"']*)["']""")
_ATTR_COUNT = re.compile(rb"""(?:^|\s)(?:count|uniqueCount)\s*=\s*["']([^"']*)["']""")
_REF = re.compile(rb"\$?([A-Z]{1,3})\$?([0-9]{1,7})")
_WIDE_MARKERS = tuple(
    word.encode(codec)
    for word in ("sheetData", "dimension", "worksheet")
    for codec in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)


def _not_a_workbook() -> FileRefused:
    return FileRefused(_("The file is not an Excel workbook (.xlsx)."))


def _damaged() -> FileRefused:
    return FileRefused(_("The workbook cannot be read: it may be damaged."))


def _too_many_rows(max_rows: int) -> FileRefused:
    return FileRefused(_("The file has more than %(n)d rows; split it into smaller files.") % {"n": max_rows})


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


def _xml(body: bytes) -> ElementTree.Element:
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:  # no entity expansion, however the parser is configured
        raise _damaged()
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise _damaged() from exc


def _unpack(data: bytes, max_unpacked: int) -> dict[str, bytes]:
    """Every part of the package, read by Python within a budget of unpacked bytes. zipfile stops each
    part at its declared size and checks its CRC, so the bytes returned are all the reader will ever see."""
    if not data or not zipfile.is_zipfile(io.BytesIO(data)):
        raise _not_a_workbook()
    parts: dict[str, bytes] = {}
    budget = max_unpacked
    too_big = FileRefused(
        _("The workbook unpacks to more than %(mb)d MB; it cannot be imported.")
        % {"mb": max_unpacked // (1024 * 1024)}
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_PARTS:
                raise _damaged()
            for info in infos:
                if info.is_dir():
                    continue
                if info.filename in parts or info.file_size > budget:
                    raise too_big if info.file_size > budget else _damaged()
                chunks = []
                with archive.open(info) as stream:
                    while chunk := stream.read(1 << 20):
                        budget -= len(chunk)
                        if budget < 0:
                            raise too_big
                        chunks.append(chunk)
                parts[info.filename] = b"".join(chunks)
    except FileRefused:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
        KeyError,
    ) as exc:  # damaged, encrypted or oddly compressed parts
        raise _damaged() from exc
    return parts


def _content_types(parts: Mapping[str, bytes]) -> dict[str, str]:
    """Part name (without the leading slash) → its declared content type."""
    body = parts.get("[Content_Types].xml")
    if body is None:
        raise _not_a_workbook()
    root = _xml(body)
    defaults, overrides = {}, {}
    for element in root:
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "Default":
            defaults[element.get("Extension", "").lower()] = element.get("ContentType", "")
        elif tag == "Override":
            overrides[element.get("PartName", "").lstrip("/")] = element.get("ContentType", "")
    types = {}
    for name in parts:
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        types[name] = overrides.get(name, defaults.get(extension, ""))
    return types


def _declared_sheets(parts: Mapping[str, bytes]) -> list[list[str]]:
    """The parts each of the workbook's ``<sheet>`` elements points to, through its relationships, in order.
    Each target is resolved as OPC does (relative to ``xl/``) and also as a reader that only prefixes
    ``xl/`` would: both must be checked, and a target leaving the package or not in it is damage."""
    workbook = _xml(parts["xl/workbook.xml"])
    rels_body = parts.get("xl/_rels/workbook.xml.rels")
    if rels_body is None:
        raise _damaged()
    targets = {}
    for rel in _xml(rels_body):
        if rel.get("TargetMode") != "External":
            targets[rel.get("Id")] = rel.get("Target", "")
    sheets = []
    for element in workbook.iter():
        if element.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        target = targets.get(element.get(f"{{{_NS_R}}}id"))
        if not target or "\\" in target or "://" in target:
            raise _damaged()
        opc = posixpath.normpath(
            target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        )
        literal = target.lstrip("/") if target.startswith("/") else "xl/" + target
        found = [name for name in dict.fromkeys((opc, literal, target)) if name in parts]
        if not found or opc.startswith("../"):
            raise _damaged()
        sheets.append(found)
    return sheets


def _check_extent(body: bytes, *, max_rows: int, max_columns: int) -> None:
    """Every cell, row, dimension and merged range of one sheet part within ``max_columns`` × ``max_rows`` + 1
    (the header). Cells must carry their reference: without one, a reader places them by counting."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise _damaged()
    max_row = max_rows + 1
    too_wide = FileRefused(
        _("The sheet has cells beyond column %(column)s; remove them and try again.")
        % {"column": column_letter(max_columns - 1)}
    )

    def check(ref: bytes) -> None:
        match = _REF.fullmatch(ref.strip())
        if match is None:
            raise _damaged()
        if _column_number(match[1]) > max_columns:
            raise too_wide
        if int(match[2]) > max_row or int(match[2]) == 0:
            raise _too_many_rows(max_rows) if int(match[2]) else _damaged()

    for attributes in _RANGE_TAG.findall(body):
        ref = _ATTR_REF.search(attributes)
        if ref is None:
            raise _damaged()
        for corner in ref[1].split(b":"):
            check(corner)
    rows = 0
    for attributes in _ROW_TAG.findall(body):
        rows += 1
        if rows > max_row:
            raise _too_many_rows(max_rows)
        r = _ATTR_R.search(attributes)
        if r is not None:
            if not r[1].isdigit() or not 0 < int(r[1]) <= 10**7:
                raise _damaged()
            if int(r[1]) > max_row:
                raise _too_many_rows(max_rows)
    refs = _CELL_REF_FIRST.findall(body)  # the usual spelling, r first: one C-speed pass
    if len(refs) != len(_CELL_START.findall(body)):  # some other spelling: each tag's own reference, slowly
        refs = []
        for attributes in _CELL_TAG.findall(body):
            r = _ATTR_R.search(attributes)
            match = _REF.fullmatch(r[1].strip()) if r is not None else None
            if match is None:
                raise _damaged()
            refs.append((match[1], match[2]))
    for letters in {letters for letters, _row in refs}:
        if _column_number(letters) > max_columns:
            raise too_wide
    numbers = {int(number) for number in {number for _letters, number in refs}}
    if numbers and (max(numbers) > max_row or min(numbers) == 0):
        raise _too_many_rows(max_rows) if max(numbers) > max_row else _damaged()


def workbook_guard(
    data: bytes, *, max_rows: int, max_columns: int = MAX_COLUMNS, max_unpacked: int | None = None
) -> bytes:
    """Refuse (``FileRefused``) what is not a plain xlsx workbook of a sane extent; return the package
    re-packed (stored, uncompressed) from exactly the bytes checked, for the reader."""
    return guarded_package(data, max_rows=max_rows, max_columns=max_columns, max_unpacked=max_unpacked)[0]


def _formula_errors(body: bytes) -> dict[tuple[int, int], str]:
    """(row, column) → the error a formula cell holds (#DIV/0!, #REF!…): calamine reads these cells as empty,
    so an amount computed as #DIV/0! would pass for a blank one."""
    errors = {}
    for match in _ERROR_TAG.finditer(body) if b'"e"' in body or b"'e'" in body else ():
        r = _ATTR_R.search(match[1])
        ref = _REF.fullmatch(r[1].strip()) if r is not None else None
        if ref is None:
            continue  # the extent check has refused a cell without a reference already
        value = None if match[1].endswith(b"/") else _ERROR_VALUE.match(body, match.end())
        code = value[1].decode("utf-8", "replace").strip()[:20] if value is not None else ""
        errors[(int(ref[2]), _column_number(ref[1]))] = code or "#N/A"
    return errors


def guarded_package(
    data: bytes, *, max_rows: int, max_columns: int = MAX_COLUMNS, max_unpacked: int | None = None
) -> tuple[bytes, dict[tuple[int, int], str]]:
    """``workbook_guard``'s package, and the formula errors of the first sheet by (row, column), 1-based."""
    parts = _unpack(data, MAX_UNPACKED_BYTES if max_unpacked is None else max_unpacked)
    types = _content_types(parts)
    if "xl/workbook.xml" not in parts or types.get("xl/workbook.xml") not in _WORKBOOK_TYPES:
        raise _not_a_workbook()
    sheets = _declared_sheets(parts)
    if not sheets:
        raise FileRefused(_("The workbook is empty."))
    # Every part that is a sheet by its declaration, its content type or its body: a reader may find a sheet
    # another way than the guard does, so none of them may be out of bounds.
    checked = {name for found in sheets for name in found} | {
        name for name, kind in types.items() if _SHEET_TYPE.fullmatch(kind)
    }
    checked |= {name for name, body in parts.items() if b"sheetData" in body or b"<dimension" in body}
    for body in parts.values():
        # A sheet in UTF-16 or UTF-32 (an XML reader decodes it by its byte-order mark) would hide its cells
        # from the byte patterns above: such a part is refused, wherever it is stored.
        if b"\0" in body and any(marker in body for marker in _WIDE_MARKERS):
            raise _damaged()
    for name in checked:
        _check_extent(parts[name], max_rows=max_rows, max_columns=max_columns)
    for name, body in parts.items():
        for attributes in _SST_TAG.findall(body) if b"sst" in body else ():
            for count in _ATTR_COUNT.findall(attributes):
                if not count.isdigit() or int(count) > MAX_SHARED_STRINGS:
                    raise _damaged()
    errors: dict[tuple[int, int], str] = {}
    for name in sheets[0]:  # the sheet the reader reads (two spellings of its target may both exist)
        errors |= _formula_errors(parts[name])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue(), errors
