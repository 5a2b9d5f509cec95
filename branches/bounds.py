"""Every date, length and number bounded (issue 14 item 3, STYLE §15), on every backend.

SQLite stores a 300-character name in a ``max_length=50`` column and a ¥1e20 amount in a ``(12, 2)`` decimal
without a word; PostgreSQL refuses them with a DataError, which reaches the user as a 500. A meeting dated
0001-01-01 was accepted, then broke its page and the committee's review queue. Three pieces:

* ``date_window`` — the dates the portal accepts: nothing before the Party's founding (DATE_EARLIEST,
  1921-07-01; birth dates from BIRTH_DATE_EARLIEST, 1900-01-01), nothing more than DATE_YEARS_AHEAD (10)
  years ahead. Settings, not code.
* ``DateField`` / ``DateTimeField`` — form fields that refuse a date outside the window (``future=False``:
  nothing after today, e.g. a meeting's date) with a message in Chinese, and tell the browser's date picker
  the same through ``min`` / ``max``. ``BoundedModelForm`` does the same for a model form's fields.
* ``bounds_errors`` and the ``pre_save`` guard (connected in ``BranchesConfig.ready``) — every save of a model
  of the portal's apps checks each field against its column: text within ``max_length``, decimals finite
  and within ``max_digits`` / ``decimal_places``, integers within the column's range, dates in the window.
  A service's ``ValidationError`` is what the views already show as a form message, so a value that slipped
  past a form (an import, the admin, a script) is a message, never a 500 — and never stored on SQLite.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.dates import add_years, prose_date

# The apps whose rows the guard checks (the portal's own; not Django's, guardian's or axes' tables).
GUARDED_APPS = ("branches", "members", "disclosure", "assessments", "projects")


def date_window(*, field_name: str = "") -> tuple[datetime.date, datetime.date]:
    """(earliest, latest) accepted for a date field; birth dates may be older than the Party."""
    earliest = settings.BIRTH_DATE_EARLIEST if field_name == "birth_date" else settings.DATE_EARLIEST
    return earliest, add_years(timezone.localdate(), settings.DATE_YEARS_AHEAD)


def date_problem(
    value: datetime.date | datetime.datetime | None, *, field_name: str = "", future: bool = True
) -> str | None:
    """Why ``value`` is outside the window, in Chinese, or None."""
    if value is None:
        return None
    day = (
        timezone.localtime(value).date()
        if isinstance(value, datetime.datetime) and timezone.is_aware(value)
        else value.date()
        if isinstance(value, datetime.datetime)
        else value
    )
    earliest, latest = date_window(field_name=field_name)
    if day < earliest:
        return _("The date cannot be before %(date)s.") % {"date": prose_date(earliest)}
    if not future and day > timezone.localdate():
        return _("The date cannot be in the future.")
    if day > latest:
        return _("The date cannot be after %(date)s.") % {"date": prose_date(latest)}
    return None


class _Bounded:
    def __init__(self, *args, future: bool = True, field_name: str = "", **kwargs):
        self.future, self.field_name = future, field_name
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        problem = date_problem(value, field_name=self.field_name, future=self.future)
        if problem:
            raise ValidationError(problem, code="date_out_of_range")

    def _window_attrs(self) -> dict[str, str]:
        earliest, latest = date_window(field_name=self.field_name)
        if not self.future:
            latest = timezone.localdate()
        if isinstance(self, forms.DateTimeField):
            return {"min": f"{earliest.isoformat()}T00:00", "max": f"{latest.isoformat()}T23:59"}
        return {"min": earliest.isoformat(), "max": latest.isoformat()}

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), **self._window_attrs()}

    def __deepcopy__(self, memo):
        # A form's declared fields are built once, when its class is (at import); every form instance gets a
        # deep copy. The window is read again here, per form and so per request: a process started yesterday
        # does not offer yesterday as the latest day.
        copy = super().__deepcopy__(memo)
        copy.widget.attrs.update(copy._window_attrs())
        return copy


class DateField(_Bounded, forms.DateField):
    """A date within the portal's window (``future=False``: not after today)."""


class DateTimeField(_Bounded, forms.DateTimeField):
    """A moment within the portal's window (``future=False``: not after today)."""


def _decimal_problem(field: models.DecimalField, value) -> str | None:
    try:
        value = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (ArithmeticError, TypeError, ValueError):
        return _("Enter a number.")
    if not value.is_finite():
        return _("Enter a finite number.")
    step = Decimal(1).scaleb(-field.decimal_places)
    limit = Decimal(10) ** (field.max_digits - field.decimal_places)
    if abs(value) >= limit:
        return _("The number cannot be larger than %(n)s.") % {"n": f"{limit - step:,}"}
    if value != value.quantize(step):
        return _("Use at most %(n)d decimal places.") % {"n": field.decimal_places}
    return None


def bounds_errors(
    instance: models.Model, *, exclude: set[str] | frozenset[str] = frozenset()
) -> dict[str, list[str]]:
    """Every field of ``instance`` whose value does not fit its column or the date window, with why."""
    errors: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or field.primary_key or isinstance(field, models.ForeignKey):
            continue
        value = getattr(instance, field.attname, None)
        if value is None:
            continue
        problem = None
        if isinstance(field, models.CharField) and field.max_length and isinstance(value, str):
            if len(value) > field.max_length:
                problem = _("At most %(n)d characters (this has %(m)d).") % {
                    "n": field.max_length,
                    "m": len(value),
                }
        elif isinstance(field, models.DecimalField):
            problem = _decimal_problem(field, value)
        elif (
            isinstance(field, models.IntegerField) and isinstance(value, int) and not isinstance(value, bool)
        ):
            # The standard column ranges (PostgreSQL's), whatever the backend: SQLite would take any 64-bit value.
            low, high = BaseDatabaseOperations.integer_field_ranges.get(
                field.get_internal_type(), (None, None)
            )
            if (low is not None and value < low) or (high is not None and value > high):
                problem = _("The number is out of range.")
        elif (
            isinstance(field, models.DateField | models.DateTimeField)
            and not getattr(field, "auto_now", False)
            and not getattr(field, "auto_now_add", False)
        ):
            if isinstance(value, datetime.date):
                problem = date_problem(value, field_name=field.name)
        if problem:
            errors.setdefault(field.name, []).append(f"{field.verbose_name}：{problem}")
    return errors


def guard_pre_save(sender, instance, raw=False, **kwargs) -> None:
    """The pre_save guard: refuse a row that does not fit its columns (fixtures loaded raw are trusted)."""
    if raw or sender._meta.app_label not in GUARDED_APPS:
        return
    errors = bounds_errors(instance)
    if errors:
        raise ValidationError(errors)


class BoundedModelForm(forms.ModelForm):
    """A model form whose fields are checked as the guard will check them, so the user sees a field message
    instead of a refused save; date inputs get the window as ``min`` / ``max``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField | forms.DateTimeField):
                earliest, latest = date_window(field_name=name)
                field.widget.attrs.setdefault("min", earliest.isoformat())
                field.widget.attrs.setdefault("max", latest.isoformat())

    def _post_clean(self):
        super()._post_clean()
        for name, messages in bounds_errors(self.instance).items():
            if name in self.fields and name not in self.errors:
                for message in messages:
                    self.add_error(name, message.split("：", 1)[-1])
