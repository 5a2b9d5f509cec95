"""The spreadsheet import layer every xlsx import uses (DESIGN §10): one guard, one reader, typed cell checks
and one error report.

* ``workbook_guard`` looks at the package before the reader does. calamine reads a sheet into one dense grid
  from its top-left to its bottom-right cell (and reserves room for the sheet's declared ``<dimension>``), so a
  1 KB file naming XFD1048576 would make it allocate hundreds of gigabytes. The guard unpacks every part itself
  (bounded: zip bombs are refused), finds the sheets the workbook declares (``xl/workbook.xml`` through its
  relationships, and every part whose content type or body is a sheet — never a fixed path), checks their
  extent (dimension, merged ranges, every cell and row reference) and hands the reader a re-packed copy of
  exactly the bytes it checked, so a part whose compressed stream lies about its size never reaches calamine.
* ``read_upload`` / ``read_xlsx`` turn the first sheet into a ``tablib.Dataset`` (header row first, true row
  numbers kept).
* ``clean_*`` check one cell against its column (type, the model field's length or digits, range) and raise
  ``CellError`` with the words every import shows; ``Row`` applies them and collects the row's problems.
* ``ImportReport`` is the one report: a file with any problem writes nothing and lists every problem by row,
  column and reason.

This module imports no other app: the models whose limits apply are passed in by the callers.
"""

from __future__ import annotations

import datetime
import io
import math
import posixpath
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

import tablib
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

# The Party was founded on 1 July 1921: no date of the portal's records lies before it, but a birth date may
# (a retired member born in 1919). Deployments may move both (settings DATE_EARLIEST, BIRTH_DATE_EARLIEST:
# the window the forms use too).
EARLIEST_DATE = datetime.date(1921, 7, 1)
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
MAX_COLUMNS = 78  # column BZ: far wider than any of the portal's sheets (the member sheet has a dozen columns)
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # 20 × the 10 MB upload limit; a real 50,000-row sheet unpacks to ~30 MB
MAX_PARTS = 2000
MAX_SHARED_STRINGS = 10_000_000

FORMULA_STARTS = ("=", "+", "-", "@")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")
MONTH_FORMATS = ("%Y-%m", "%Y/%m", "%Y.%m", "%Y%m")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_RE = re.compile(r"[0-9]{17}[0-9X]")
PHONE_RE = re.compile(r"1[0-9]{10}")

_WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
}
_SHEET_TYPE = re.compile(r"application/vnd\.(openxmlformats-officedocument\.spreadsheetml|ms-excel)\."
                         r"(worksheet|chartsheet|dialogsheet|macrosheet)\+xml")
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_CELL_TAG = re.compile(rb"<" + _PREFIX + rb"c(?=[\s/>])([^>]*)>")
_CELL_START = re.compile(rb"<" + _PREFIX + rb"c[\s/>]")
_CELL_REF_FIRST = re.compile(rb"<" + _PREFIX + rb'c\s+r="\$?([A-Z]{1,3})\$?([0-9]{1,7})"')
_ROW_TAG = re.compile(rb"<" + _PREFIX + rb"row(?=[\s/>])([^>]*)>")
_RANGE_TAG = re.compile(rb"<" + _PREFIX + rb"(?:dimension|mergeCell)(?=[\s/>])([^>]*)>")
_SST_TAG = re.compile(rb"<" + _PREFIX + rb"sst(?=[\s/>])([^>]*)>")
_ATTR_R = re.compile(rb"""(?:^|\s)r\s*=\s*["']([^"']*)["']""")
_ATTR_REF = re.compile(rb"""(?:^|\s)ref\s*=\s*["']([^"']*)["']""")
_ATTR_COUNT = re.compile(rb"""(?:^|\s)(?:count|uniqueCount)\s*=\s*["']([^"']*)["']""")
_REF = re.compile(rb"\$?([A-Z]{1,3})\$?([0-9]{1,7})")
_WIDE_MARKERS = tuple(word.encode(codec) for word in ("sheetData", "dimension", "worksheet")
                      for codec in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- the report -------------------------------------------------------------------------------------------------

@dataclass
class ImportError_:
    row: int | None  # the spreadsheet's row number (the header is row 1); None for whole-file errors
    column: str  # "C（出生日期）" or "" for whole-file and whole-row errors
    message: str


RowError = ImportError_


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[ImportError_] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def file_error(message: str) -> ImportReport:
    """A report refusing the whole file (no row, no column)."""
    return ImportReport(errors=[ImportError_(row=None, column="", message=message)])


def row_not_saved_message() -> str:
    """What a row says when the database refused it anyway (a last line of defence behind the checks)."""
    return _("The database refused this row; nothing was imported. Check its values and upload the file again.")


class FileRefused(ValueError):
    """The upload as a whole cannot be imported; the message is for the user."""


class CellError(ValueError):
    """One cell does not fit its column; the message is for the user."""


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_label(header: str, letters: Mapping[str, str]) -> str:
    """How a report names a column: ``C（出生日期）``."""
    return f"{letters[header]}（{header}）" if header in letters else header


# --- the guard --------------------------------------------------------------------------------------------------

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
    too_big = FileRefused(_("The workbook unpacks to more than %(mb)d MB; it cannot be imported.")
                          % {"mb": max_unpacked // (1024 * 1024)})
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
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError,
            KeyError) as exc:  # damaged, encrypted or oddly compressed parts
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


def _declared_sheets(parts: Mapping[str, bytes]) -> list[str]:
    """The parts the workbook's ``<sheet>`` elements point to, through its relationships, in sheet order.
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
        opc = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target))
        literal = target.lstrip("/") if target.startswith("/") else "xl/" + target
        found = [name for name in dict.fromkeys((opc, literal, target)) if name in parts]
        if not found or opc.startswith("../"):
            raise _damaged()
        sheets.extend(found)
    return sheets


def _check_extent(body: bytes, *, max_rows: int, max_columns: int) -> None:
    """Every cell, row, dimension and merged range of one sheet part within ``max_columns`` × ``max_rows`` + 1
    (the header). Cells must carry their reference: without one, a reader places them by counting."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise _damaged()
    max_row = max_rows + 1
    too_wide = FileRefused(_("The sheet has cells beyond column %(column)s; remove them and try again.")
                           % {"column": column_letter(max_columns - 1)})

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


def workbook_guard(data: bytes, *, max_rows: int, max_columns: int = MAX_COLUMNS,
                   max_unpacked: int | None = None) -> bytes:
    """Refuse (``FileRefused``) what is not a plain xlsx workbook of a sane extent; return the package
    re-packed (stored, uncompressed) from exactly the bytes checked, for the reader."""
    parts = _unpack(data, MAX_UNPACKED_BYTES if max_unpacked is None else max_unpacked)
    types = _content_types(parts)
    if "xl/workbook.xml" not in parts or types.get("xl/workbook.xml") not in _WORKBOOK_TYPES:
        raise _not_a_workbook()
    sheets = _declared_sheets(parts)
    if not sheets:
        raise FileRefused(_("The workbook is empty."))
    # Every part that is a sheet by its declaration, its content type or its body: a reader may find a sheet
    # another way than the guard does, so none of them may be out of bounds.
    checked = set(sheets) | {name for name, kind in types.items() if _SHEET_TYPE.fullmatch(kind)}
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
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


# --- the reader -------------------------------------------------------------------------------------------------

def read_xlsx(data: bytes, *, max_rows: int | None = None) -> tablib.Dataset:
    """The first sheet as a Dataset: header row first, short rows padded, trailing blank rows dropped, a blank
    row between data rows kept (row numbers stay true). Raises ``FileRefused`` (a ValueError) with the
    user's message when the bytes are not a readable workbook of at most ``max_rows`` data rows."""
    from django.conf import settings
    from python_calamine import CalamineWorkbook

    max_rows = max_rows if max_rows is not None else settings.MEMBER_IMPORT_MAX_ROWS
    checked = workbook_guard(data, max_rows=max_rows)
    book = None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(checked))
        # skip_empty_area=False: a sheet whose data starts below row 1 keeps its true row numbers.
        grid = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several types for damaged files
        raise _damaged() from exc
    finally:
        if book is not None:
            book.close()
    rows = iter(grid)
    header = next(rows, None)
    if header is None:
        raise FileRefused(_("The workbook is empty."))
    headers = [("" if h is None else _plain(h)) for h in header]
    while headers and headers[-1] == "":
        headers.pop()
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    pending_blank = 0
    for raw in rows:
        values = [None if v == "" else v for v in raw[:width]] + [None] * (width - len(raw))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            pending_blank += 1  # kept only if a non-blank row follows (its row number must stay true)
            continue
        for _blank in range(pending_blank):
            dataset.append([None] * width)
        pending_blank = 0
        dataset.append(values)
        if len(dataset) > max_rows:
            raise _too_many_rows(max_rows)
    return dataset


def read_upload(*, data: bytes, filename: str, max_bytes: int, required: Sequence[str],
                max_rows: int | None = None) -> tablib.Dataset:
    """The checks every import page makes before its rows: the name, the size, the guard and reader, the
    required columns (each once) and at least one data row. Raises ``FileRefused``."""
    if not filename.lower().endswith(".xlsx"):
        raise FileRefused(_("Only Excel .xlsx files can be imported."))
    if len(data) > max_bytes:
        raise FileRefused(_("The file is larger than %(mb)d MB.") % {"mb": max(1, max_bytes // (1024 * 1024))})
    dataset = read_xlsx(data, max_rows=max_rows)
    missing = [c for c in required if c not in dataset.headers]
    if missing:
        raise FileRefused(_("Missing columns: %(columns)s.") % {"columns": "、".join(missing)})
    twice = sorted({h for h in dataset.headers if h and dataset.headers.count(h) > 1})
    if twice:
        raise FileRefused(_("These columns appear more than once: %(columns)s.") % {"columns": "、".join(twice)})
    if not any(any(v is not None and _plain(v) for v in values) for values in dataset):
        raise FileRefused(_("The file has no data rows."))
    return dataset


def column_letters(dataset: tablib.Dataset) -> dict[str, str]:
    return {header: column_letter(i) for i, header in enumerate(dataset.headers) if header}


# --- typed cell checks ------------------------------------------------------------------------------------------

def _plain(value) -> str:
    """A cell as text: strings stripped, whole floats without their .0 (13800000000.0 is a typed number)."""
    if type(value) is str:  # the common case first: this runs for every cell
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell_text(value) -> str:
    """The cell as stripped text, without any check (for lookups that check the text themselves)."""
    return _plain(value)


def _narrow(text: str) -> str:
    """Full-width digits, letters and signs (１３８, Ｘ, －) as their ASCII forms, the same in every import."""
    return unicodedata.normalize("NFKC", text)


def _length_of(field: models.Field | None, max_length: int | None) -> int:
    if max_length is None and field is not None:
        max_length = field.max_length
    if max_length is None:
        raise TypeError("every text column needs its length (a model field or max_length)")
    return max_length


def clean_text(value, *, max_length: int | None = None, field: models.Field | None = None,
               required: bool = False) -> str:
    """Text of at most the column's length (``field.max_length``, counted in characters as the databases do),
    without control characters and not starting like a formula (it would run when an export is opened)."""
    limit = _length_of(field, max_length)
    text = _plain(value)
    if not text:
        if required:
            raise CellError(_("This cell is required."))
        return ""
    if len(text) > limit:
        raise CellError(_("At most %(n)d characters.") % {"n": limit})
    if _CONTROL.search(text):
        raise CellError(_("The text contains control characters."))
    try:
        text.encode("utf-8")  # a lone surrogate would make the database refuse the row
    except UnicodeEncodeError as exc:
        raise CellError(_("The text contains control characters.")) from exc
    if text[0] in FORMULA_STARTS:
        raise CellError(_("Text may not start with = + - or @."))
    return text


def _day_text(day: datetime.date) -> str:
    return day.isoformat()


def earliest_date(*, birth: bool = False) -> datetime.date:
    """Where the window of dates starts: the Party's founding, or for a birth date 1900 (or the settings)."""
    from django.conf import settings

    if birth:
        return getattr(settings, "BIRTH_DATE_EARLIEST", EARLIEST_BIRTH_DATE)
    return getattr(settings, "DATE_EARLIEST", EARLIEST_DATE)


def clean_date(value, *, required: bool = False, earliest: datetime.date | None = None,
               latest: datetime.date | None = None, today: datetime.date | None = None,
               month: bool = False, birth: bool = False) -> datetime.date | None:
    """A date (an Excel date, or text as 2024-07-01, 2024/7/1, 2024.07.01, 20240701; with ``month`` also
    2024-07, as the first of the month) between ``earliest`` (the Party's founding; 1900 for a ``birth``
    date) and ``latest`` (today)."""
    earliest = earliest or earliest_date(birth=birth)
    today = today or timezone.localdate()
    latest = today if latest is None else latest
    if isinstance(value, float) and value.is_integer() and 19000000 <= value <= 99999999:
        value = str(int(value))  # 20240701 typed as a number
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, (datetime.time, datetime.timedelta, bool, int, float)):
        raise CellError(_("“%(value)s” is not a date; write it as 2024-07-01.") % {"value": _plain(value)[:40]})
    else:
        text = _narrow(_plain(value))
        if not text:
            if required:
                raise CellError(_("This cell is required."))
            return None
        day = None
        if len(text) == 10 and text[4] == "-":
            try:
                day = datetime.date.fromisoformat(text)  # the usual form, ~20× faster than strptime
            except ValueError:
                pass
        for fmt in (DATE_FORMATS + MONTH_FORMATS if month else DATE_FORMATS) if day is None else ():
            try:
                day = datetime.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        if day is None:
            raise CellError(_("“%(value)s” is not a date; write it as 2024-07-01.") % {"value": text[:40]})
    if month:
        day = day.replace(day=1)
    if day < earliest:
        raise CellError(_("The date %(day)s is before %(earliest)s.") % {"day": _day_text(day),
                                                                          "earliest": _day_text(earliest)})
    if day > (latest.replace(day=1) if month else latest):
        if latest == today:
            raise CellError(_("The date %(day)s is in the future.") % {"day": _day_text(day)})
        raise CellError(_("The date %(day)s is after %(latest)s.") % {"day": _day_text(day),
                                                                       "latest": _day_text(latest)})
    return day


def _digits_of(field: models.Field | None, max_digits: int | None, decimal_places: int | None) -> tuple[int, int]:
    if field is not None:
        max_digits = field.max_digits if max_digits is None else max_digits
        decimal_places = field.decimal_places if decimal_places is None else decimal_places
    if max_digits is None or decimal_places is None:
        raise TypeError("every decimal column needs its digits (a model field or max_digits/decimal_places)")
    return max_digits, decimal_places


def clean_decimal(value, *, field: models.Field | None = None, max_digits: int | None = None,
                  decimal_places: int | None = None, minimum: Decimal | int | None = 0,
                  maximum: Decimal | int | None = None, required: bool = False) -> Decimal | None:
    """A finite number that fits the column (``max_digits`` / ``decimal_places``) between ``minimum`` and
    ``maximum`` (default: the largest the column holds). NaN, Infinity and 1e20 are refused, not stored."""
    max_digits, places = _digits_of(field, max_digits, decimal_places)
    step = Decimal(1).scaleb(-places)
    largest = Decimal(10) ** (max_digits - places) - step
    maximum = largest if maximum is None else min(Decimal(maximum), largest)
    if isinstance(value, bool) or isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
        raise CellError(_("“%(value)s” is not a number.") % {"value": _plain(value)})
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(_("“%(value)s” must be a number between %(minimum)s and %(maximum)s.")
                            % {"value": _plain(value), "minimum": minimum, "maximum": maximum})
        number = Decimal(repr(value))
        rounded = number.quantize(step) if abs(number) <= maximum else number
        if abs(number - rounded) < Decimal("1e-9"):  # 0.1 typed in Excel is stored as a binary float
            number = rounded
    else:
        text = _narrow(_plain(value)).replace(",", "")
        if text.startswith(("¥", "￥")):
            text = text[1:].strip()
        if not text:
            if required:
                raise CellError(_("This cell is required."))
            return None
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise CellError(_("“%(value)s” is not a number.") % {"value": text[:40]}) from exc
    if not number.is_finite() or (minimum is not None and number < minimum) or number > maximum:
        raise CellError(_("“%(value)s” must be a number between %(minimum)s and %(maximum)s.")
                        % {"value": _plain(value)[:40], "minimum": minimum if minimum is not None else -maximum,
                           "maximum": maximum})
    if number != number.quantize(step):
        raise CellError(_("“%(value)s” has more than %(n)d decimal places.") % {"value": _plain(value)[:40],
                                                                              "n": places})
    return number.quantize(step)


def clean_integer(value, *, minimum: int = 0, maximum: int, required: bool = False) -> int | None:
    """A whole number between ``minimum`` and ``maximum``."""
    try:
        number = clean_decimal(value, max_digits=18, decimal_places=0, minimum=minimum, maximum=maximum,
                               required=required)
    except CellError as exc:
        if str(exc) == _("This cell is required."):
            raise
        raise CellError(_("“%(value)s” must be a whole number between %(minimum)s and %(maximum)s.")
                        % {"value": _plain(value)[:40], "minimum": minimum, "maximum": maximum}) from exc
    return None if number is None else int(number)


def clean_choice(value, labels: Mapping[str, str], *, required: bool = True) -> str:
    """The stored value for a Chinese label (or the stored value itself)."""
    text = _plain(value)
    if not text:
        if required:
            raise CellError(_("This cell is required."))
        return ""
    for stored, label in labels.items():
        if text in (label, stored):
            return stored
    raise CellError(_("“%(value)s” is not one of: %(choices)s.") % {"value": text[:40],
                                                                    "choices": "、".join(labels.values())})


def id_number_is_valid(value: str) -> bool:
    """GB 11643-1999: 17 digits and an ISO 7064 MOD 11-2 check character."""
    if not ID_RE.fullmatch(value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == value[17]


def id_number_key(value) -> str:
    """An ID number cell as the key it is stored and matched under (full-width forms read as ASCII)."""
    return _narrow(_plain(value)).upper().replace(" ", "")


def clean_id_number(value, *, required: bool = False) -> str:
    """A resident ID number with a correct check character (full-width digits and x read as ASCII)."""
    text = id_number_key(value)
    if not text:
        if required:
            raise CellError(_("This cell is required."))
        return ""
    if not id_number_is_valid(text):
        raise CellError(_("The ID number must have 18 characters with a correct check character."))
    return text


def clean_phone(value, *, required: bool = False) -> str:
    """A mainland mobile number: 11 digits starting with 1 (full-width digits read as ASCII; spaces and
    hyphens between groups dropped)."""
    text = re.sub(r"[\s-]", "", _narrow(_plain(value)))
    if not text:
        if required:
            raise CellError(_("This cell is required."))
        return ""
    if not PHONE_RE.fullmatch(text):
        raise CellError(_("The phone number must be 11 digits starting with 1."))
    return text


# --- rows -------------------------------------------------------------------------------------------------------

class Row:
    """One data row: its typed cells, and the problems found, each with its row and column."""

    def __init__(self, number: int, values: Mapping[str, object], letters: Mapping[str, str]):
        self.number, self.values, self.letters = number, values, letters
        self.errors: list[ImportError_] = []

    def error(self, header: str, message: str) -> None:
        self.errors.append(ImportError_(row=self.number, column=column_label(header, self.letters) if header else "",
                                        message=message))

    def failed(self, header: str) -> bool:
        label = column_label(header, self.letters)
        return any(e.column == label for e in self.errors)

    def _clean(self, header: str, check, *args, **kwargs):
        try:
            return check(self.values.get(header), *args, **kwargs)
        except CellError as exc:
            self.error(header, str(exc))
            return None

    def raw(self, header: str) -> str:
        return _plain(self.values.get(header))

    def text(self, header: str, *, required: bool = True, max_length: int | None = None,
             field: models.Field | None = None) -> str:
        return self._clean(header, clean_text, max_length=max_length, field=field, required=required) or ""

    def date(self, header: str, *, required: bool = True, **bounds) -> datetime.date | None:
        return self._clean(header, clean_date, required=required, **bounds)

    def decimal(self, header: str, *, required: bool = False, **limits) -> Decimal | None:
        return self._clean(header, clean_decimal, required=required, **limits)

    def integer(self, header: str, *, required: bool = False, **limits) -> int | None:
        return self._clean(header, clean_integer, required=required, **limits)

    def choice(self, header: str, labels: Mapping[str, str], *, required: bool = True) -> str:
        return self._clean(header, clean_choice, labels, required=required) or ""

    def id_number(self, header: str, *, required: bool = False) -> str:
        return self._clean(header, clean_id_number, required=required) or ""

    def phone(self, header: str, *, required: bool = False) -> str:
        return self._clean(header, clean_phone, required=required) or ""

    def once(self, header: str, value: str, seen: dict[str, int]) -> bool:
        """Record ``value`` of this row; a value already on an earlier row is this row's problem."""
        if not value:
            return True
        key = value.casefold()
        if key in seen:
            self.error(header, _("“%(value)s” is also on row %(row)d of the file.") % {"value": value,
                                                                                      "row": seen[key]})
            return False
        seen[key] = self.number
        return True


def data_rows(dataset: tablib.Dataset) -> Iterator[Row]:
    """Each non-blank data row as a ``Row`` with its true number (the header is row 1)."""
    letters = column_letters(dataset)
    headers = dataset.headers
    for index, values in enumerate(dataset, start=2):
        if all(v is None or _plain(v) == "" for v in values):
            continue
        yield Row(index, {h: v for h, v in zip(headers, values, strict=False) if h}, letters)


def sort_errors(errors: list[ImportError_]) -> list[ImportError_]:
    """Whole-file problems first, then by row and column, as the report lists them."""
    return sorted(errors, key=lambda e: (e.row is not None, e.row or 0, len(e.column.split("（")[0]),
                                         e.column))
