"""Admin of the 党内统计 layouts and reports (issue 21): the 组织部 edits the tables' titles, rows, columns and
counting rules, and the national sheet's columns; every layout is checked against the keys the code knows."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from members import statistics
from members.models import SheetLayout, StatReport, StatTable


class StatTableForm(forms.ModelForm):
    class Meta:
        model = StatTable
        fields = ["code", "title", "subject", "rows", "columns", "rules", "order", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for axis in ("rows", "columns"):
            # The keys of every subject (members', organisations', and those other apps register).
            self.fields[axis].help_text = (
                str(self.fields[axis].help_text)
                + " "
                + " | ".join(
                    f"{subject}: {', '.join(source.keys)}" for subject, source in statistics.SOURCES.items()
                )
            )

    def clean(self):
        cleaned = super().clean()
        if {"subject", "rows", "columns"} <= cleaned.keys():
            try:
                statistics.validate_layout(
                    subject=cleaned["subject"], rows=cleaned["rows"], columns=cleaned["columns"]
                )
            except ValidationError as exc:  # the rows' and the columns' errors, each under its field
                self.add_error(None, exc)
        return cleaned


@admin.register(StatTable)
class StatTableAdmin(admin.ModelAdmin):
    form = StatTableForm
    list_display = ["order", "title", "code", "subject", "is_active"]
    list_display_links = ["title"]
    list_filter = ["subject", "is_active"]


class SheetLayoutForm(forms.ModelForm):
    class Meta:
        model = SheetLayout
        fields = ["kind", "title", "columns"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["columns"].help_text = (
            str(self.fields["columns"].help_text) + " " + ", ".join(statistics.SHEET_FIELDS)
        )

    def clean_columns(self):
        columns = self.cleaned_data["columns"]
        statistics.validate_sheet_columns(columns)
        return columns


@admin.register(SheetLayout)
class SheetLayoutAdmin(admin.ModelAdmin):
    form = SheetLayoutForm
    list_display = ["title", "kind"]


@admin.register(StatReport)
class StatReportAdmin(admin.ModelAdmin):
    """Reports are computed by the task, never typed: read-only here."""

    list_display = ["organization", "as_of", "status", "done_tables", "total_tables", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["organization"]
    readonly_fields = [
        "organization",
        "as_of",
        "status",
        "done_tables",
        "total_tables",
        "result",
        "error",
        "requested_by",
        "finished_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
