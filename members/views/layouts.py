"""The 党内统计 layouts edited by the 组织部 (issue 21): the tables' rows and columns and the national sheet's
columns, one line per row or column (``key = label``), in the order they print; reset to the default."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from branches.access import checked_by
from members import statistics
from members.models import Member, SheetLayout, StatTable
from members.services import layouts as services

TEXT_MAX = 6000  # 60 lines of a key and a 60-character label, with room


def _lines(text: str) -> tuple[list[tuple[str, str]], list[int]]:
    """The ``key = label`` pairs of a text, and the line each is on (blank lines are skipped)."""
    pairs, numbers = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, label = line.partition("=")
        if not sep:
            raise ValidationError(_("Line %(n)d: write it as “key = label”.") % {"n": number})
        pairs.append((key.strip(), label.strip()))
        numbers.append(number)
    return pairs, numbers


def _text(pairs) -> str:
    return "\n".join(f"{pair[0]} = {pair[1]}" + (" *" if len(pair) > 2 and pair[2] else "") for pair in pairs)


class _LinesForm(forms.Form):
    """A form whose texts are layouts: it keeps the line each pair came from, to name it in an error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.line_numbers: dict[str, list[int]] = {}


class TableLayoutForm(_LinesForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=services.TITLE_MAX)
    rows = forms.CharField(
        label=gettext_lazy("Rows"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 10, "class": "portal-mono"}),
        help_text=gettext_lazy("One row a line, in print order: key = label."),
    )
    columns = forms.CharField(
        label=gettext_lazy("Columns"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "class": "portal-mono"}),
        help_text=gettext_lazy("One column a line, in print order: key = label."),
    )
    rules = forms.CharField(
        label=gettext_lazy("Counting rules"),
        max_length=services.RULES_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    order = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, max_value=services.ORDER_MAX)
    is_active = forms.BooleanField(label=gettext_lazy("Reported"), required=False)

    def clean_rows(self):
        pairs, self.line_numbers["rows"] = _lines(self.cleaned_data["rows"])
        return [list(p) for p in pairs]

    def clean_columns(self):
        pairs, self.line_numbers["columns"] = _lines(self.cleaned_data["columns"])
        return [list(p) for p in pairs]


class SheetLayoutForm(_LinesForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=services.TITLE_MAX)
    columns = forms.CharField(
        label=gettext_lazy("Columns"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 16, "class": "portal-mono"}),
        help_text=gettext_lazy(
            "One column a line, in print order: field = heading, and * at the end if required."
        ),
    )

    def clean_columns(self):
        columns = []
        pairs, self.line_numbers["columns"] = _lines(self.cleaned_data["columns"])
        for field, heading in pairs:
            required = heading.endswith("*")
            columns.append([field, heading.rstrip("*").strip(), required])
        return columns


def _may_edit(user) -> bool:
    return services.may_edit_layouts(user=user)


def _refuse_unless_officer(request: HttpRequest) -> None:
    if not _may_edit(request.user):
        raise PermissionDenied


@login_required
@require_GET
@checked_by(services.may_edit_layouts)
def stat_layouts(request: HttpRequest) -> HttpResponse:
    _refuse_unless_officer(request)
    return render(
        request,
        "members/statistics/layouts.html",
        {
            "tables": StatTable.objects.order_by("order", "code"),
            "sheets": SheetLayout.objects.order_by("kind"),
        },
    )


def _renumbered(error: ValidationError, numbers: list[int]) -> ValidationError:
    """A service's error about its n-th pair, about the line of the text that pair was on."""
    params = dict(error.params or {})
    for name in ("line", "first"):
        if isinstance(params.get(name), int) and 0 < params[name] <= len(numbers):
            params[name] = numbers[params[name] - 1]
    return ValidationError(error.message, code=error.code, params=params)


def _errors_to_form(form: _LinesForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            numbers = form.line_numbers.get(field)
            for error in errors:
                if numbers and error.code == "line":
                    error = _renumbered(error, numbers)
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, exc)


def _sheet_fields() -> list[tuple[str, str]]:
    """The fields a sheet can fill, each with its Chinese name (the member field's verbose name)."""
    return [(name, str(Member._meta.get_field(name).verbose_name)) for name in statistics.SHEET_FIELDS]


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(services.may_edit_layouts)
def stat_table_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _refuse_unless_officer(request)
    table = get_object_or_404(StatTable, pk=pk)
    initial = {
        "title": table.title,
        "rows": _text(table.rows),
        "columns": _text(table.columns),
        "rules": table.rules,
        "order": table.order,
        "is_active": table.is_active,
    }
    form = TableLayoutForm(None if "reset" in request.POST else (request.POST or None), initial=initial)
    if request.method == "POST":
        try:
            if "reset" in request.POST:
                services.stat_table_reset(table=table, by=request.user)
                messages.success(request, _("The table is back to its default layout."))
                return redirect("members:stat_table_edit", pk=table.pk)
            if form.is_valid():
                services.stat_table_update(table=table, by=request.user, **form.cleaned_data)
                messages.success(request, _("The layout is saved."))
                return redirect("members:stat_table_edit", pk=table.pk)
        except ValidationError as exc:
            _errors_to_form(form, exc)
    known = statistics.keys_for(table.subject)
    return render(
        request,
        "members/statistics/layout_edit.html",  # one page for a table's layout and a sheet's
        {
            "layout": table,
            "form": form,
            "codes": [(key, str(k.label)) for key, k in known.items()],
            "has_default": services.table_default(table) is not None,
            "history": table.history.select_related("history_user")[:10],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(services.may_edit_layouts)
def sheet_layout_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _refuse_unless_officer(request)
    layout = get_object_or_404(SheetLayout, pk=pk)
    initial = {"title": layout.title, "columns": _text(layout.columns)}
    form = SheetLayoutForm(None if "reset" in request.POST else (request.POST or None), initial=initial)
    if request.method == "POST":
        try:
            if "reset" in request.POST:
                services.sheet_layout_reset(layout=layout, by=request.user)
                messages.success(request, _("The sheet is back to its default layout."))
                return redirect("members:sheet_layout_edit", pk=layout.pk)
            if form.is_valid():
                services.sheet_layout_update(layout=layout, by=request.user, **form.cleaned_data)
                messages.success(request, _("The layout is saved."))
                return redirect("members:sheet_layout_edit", pk=layout.pk)
        except ValidationError as exc:
            _errors_to_form(form, exc)
    return render(
        request,
        "members/statistics/layout_edit.html",
        {
            "layout": layout,
            "form": form,
            "codes": _sheet_fields(),
            "has_default": services.sheet_default(layout) is not None,
            "history": layout.history.select_related("history_user")[:10],
        },
        status=400 if form.errors else 200,
    )
