"""Typed cell checks: each cell against its column (the model field's length or digits, a range, a format),
refused with ``CellError`` in the words every import shows; ``Row`` applies them and collects a row's problems."""

from __future__ import annotations

import datetime
import functools
import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal, InvalidOperation

import tablib
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.spreadsheets.report import CellError, ImportError_, column_label, column_letters

# The Party was founded on 1 July 1921: no date of the portal's records lies before it, but a birth date may
# (a retired member born in 1919). Deployments may move both (settings DATE_EARLIEST, BIRTH_DATE_EARLIEST:
# the window the forms use too).
EARLIEST_DATE = datetime.date(1921, 7, 1)
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)

FORMULA_STARTS = ("=", "+", "-", "@")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")
MONTH_FORMATS = ("%Y-%m", "%Y/%m", "%Y.%m", "%Y%m")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_RE = re.compile(r"[0-9]{17}[0-9X]")
PHONE_RE = re.compile(r"1[0-9]{10}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FormulaError:
    """A formula cell holding an error (#DIV/0!, #REF!…), as the reader hands it on: every check refuses it
    with its place (calamine alone would read it as an empty cell)."""

    __slots__ = ("code",)

    def __init__(self, code: str):
        self.code = code

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"FormulaError({self.code!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FormulaError) and other.code == self.code

    def __hash__(self) -> int:
        return hash(self.code)


def _refusing_formula_errors(check: Callable) -> Callable:
    @functools.wraps(check)
    def checked(value, *args, **kwargs):
        if isinstance(value, FormulaError):
            raise CellError(
                _("The cell holds the formula error %(code)s; correct the formula or type the value.")
                % {"code": value.code}
            )
        return check(value, *args, **kwargs)

    return checked


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


@_refusing_formula_errors
def clean_text(
    value, *, max_length: int | None = None, field: models.Field | None = None, required: bool = False
) -> str:
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


@_refusing_formula_errors
def clean_date(
    value,
    *,
    required: bool = False,
    earliest: datetime.date | None = None,
    latest: datetime.date | None = None,
    today: datetime.date | None = None,
    month: bool = False,
    birth: bool = False,
) -> datetime.date | None:
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
        raise CellError(
            _("“%(value)s” is not a date; write it as 2024-07-01.") % {"value": _plain(value)[:40]}
        )
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
        raise CellError(
            _("The date %(day)s is before %(earliest)s.")
            % {"day": _day_text(day), "earliest": _day_text(earliest)}
        )
    if day > (latest.replace(day=1) if month else latest):
        if latest == today:
            raise CellError(_("The date %(day)s is in the future.") % {"day": _day_text(day)})
        raise CellError(
            _("The date %(day)s is after %(latest)s.") % {"day": _day_text(day), "latest": _day_text(latest)}
        )
    return day


def _digits_of(
    field: models.Field | None, max_digits: int | None, decimal_places: int | None
) -> tuple[int, int]:
    if field is not None:
        max_digits = field.max_digits if max_digits is None else max_digits
        decimal_places = field.decimal_places if decimal_places is None else decimal_places
    if max_digits is None or decimal_places is None:
        raise TypeError("every decimal column needs its digits (a model field or max_digits/decimal_places)")
    return max_digits, decimal_places


@_refusing_formula_errors
def clean_decimal(
    value,
    *,
    field: models.Field | None = None,
    max_digits: int | None = None,
    decimal_places: int | None = None,
    minimum: Decimal | int | None = 0,
    maximum: Decimal | int | None = None,
    required: bool = False,
) -> Decimal | None:
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
            raise CellError(
                _("“%(value)s” must be a number between %(minimum)s and %(maximum)s.")
                % {"value": _plain(value), "minimum": minimum, "maximum": maximum}
            )
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
        raise CellError(
            _("“%(value)s” must be a number between %(minimum)s and %(maximum)s.")
            % {
                "value": _plain(value)[:40],
                "minimum": minimum if minimum is not None else -maximum,
                "maximum": maximum,
            }
        )
    if number != number.quantize(step):
        raise CellError(
            _("“%(value)s” has more than %(n)d decimal places.") % {"value": _plain(value)[:40], "n": places}
        )
    return number.quantize(step)


@_refusing_formula_errors
def clean_integer(value, *, minimum: int = 0, maximum: int, required: bool = False) -> int | None:
    """A whole number between ``minimum`` and ``maximum``."""
    try:
        number = clean_decimal(
            value, max_digits=18, decimal_places=0, minimum=minimum, maximum=maximum, required=required
        )
    except CellError as exc:
        if str(exc) == _("This cell is required."):
            raise
        raise CellError(
            _("“%(value)s” must be a whole number between %(minimum)s and %(maximum)s.")
            % {"value": _plain(value)[:40], "minimum": minimum, "maximum": maximum}
        ) from exc
    return None if number is None else int(number)


@_refusing_formula_errors
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
    raise CellError(
        _("“%(value)s” is not one of: %(choices)s.")
        % {"value": text[:40], "choices": "、".join(labels.values())}
    )


def id_number_is_valid(value: str) -> bool:
    """GB 11643-1999: 17 digits and an ISO 7064 MOD 11-2 check character."""
    if not ID_RE.fullmatch(value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == value[17]


def id_number_key(value) -> str:
    """An ID number cell as the key it is stored and matched under (full-width forms read as ASCII)."""
    return _narrow(_plain(value)).upper().replace(" ", "")


@_refusing_formula_errors
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


@_refusing_formula_errors
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
        self.errors.append(
            ImportError_(
                row=self.number, column=column_label(header, self.letters) if header else "", message=message
            )
        )

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

    def text(
        self,
        header: str,
        *,
        required: bool = True,
        max_length: int | None = None,
        field: models.Field | None = None,
    ) -> str:
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
            self.error(
                header,
                _("“%(value)s” is also on row %(row)d of the file.") % {"value": value, "row": seen[key]},
            )
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
    return sorted(
        errors, key=lambda e: (e.row is not None, e.row or 0, len(e.column.split("（")[0]), e.column)
    )
