from django.urls import path

from members import views
from members.views import departures, discipline, dues_exemptions, layouts, lifecycle, stat_fields
from members.views import statistics as stats

app_name = "members"

urlpatterns = [
    path("org/<int:pk>/", views.unit_overview, name="unit"),
    path("org/<int:pk>/roster/", views.roster, name="roster"),
    path("org/<int:pk>/export.xlsx", views.member_export, name="export"),
    path("members/me/", views.member_me, name="me"),
    path("members/<int:pk>/", views.member_detail, name="detail"),
    path("members/<int:pk>/discipline/new/", discipline.discipline_new, name="discipline_new"),
    # 逝世 / 出党 (issue 21): recorded by the branch or a unit above it.
    path("members/<int:pk>/depart/", departures.member_depart_view, name="depart"),
    # The 党内统计 fields of a record (issue 21): the branch or a unit above edits them.
    path("members/<int:pk>/statistics-fields/", stat_fields.member_stat_fields, name="stat_fields"),
    path("members/import/", views.member_import, name="import"),
    path("members/import/template.xlsx", views.member_import_template, name="import_template"),
    # The lifecycle (issue 8).
    path("org/<int:pk>/lifecycle-due/", lifecycle.lifecycle_due, name="lifecycle_due"),
    path("org/<int:pk>/development/", lifecycle.development_list, name="development"),
    path("development/<int:pk>/", lifecycle.development_case, name="development_case"),
    path("development/<int:pk>/step/", lifecycle.development_step, name="development_step"),
    path("development/<int:pk>/review/", lifecycle.development_review, name="development_review"),
    path("development/<int:pk>/extend/", lifecycle.development_extend, name="development_extend"),
    path("development/documents/<int:pk>/", lifecycle.development_document, name="development_document"),
    path("org/<int:pk>/transfers/", lifecycle.transfers, name="transfers"),
    path("transfers/<int:pk>/complete/", lifecycle.transfer_complete, name="transfer_complete"),
    path("org/<int:pk>/dues/", lifecycle.dues, name="dues"),
    path("org/<int:pk>/dues/<int:year>/list/", lifecycle.dues_year, name="dues_year"),
    # Dues exemptions: the branch asks, the secondary committee approves or returns (issue 22).
    path("org/<int:pk>/dues/exemptions/", dues_exemptions.dues_exemptions, name="dues_exemptions"),
    path(
        "dues/exemptions/<int:pk>/approve/",
        dues_exemptions.dues_exemption_approve,
        name="dues_exemption_approve",
    ),
    path(
        "dues/exemptions/<int:pk>/return/",
        dues_exemptions.dues_exemption_return,
        name="dues_exemption_return",
    ),
    path(
        "dues/exemptions/<int:pk>/resubmit/",
        dues_exemptions.dues_exemption_resubmit,
        name="dues_exemption_resubmit",
    ),
    path("org/<int:pk>/care/", lifecycle.care, name="care"),
    path("org/<int:pk>/terms/", lifecycle.terms, name="terms"),
    path("org/<int:pk>/terms/candidates/", lifecycle.term_candidates, name="term_candidates"),
    path("org/<int:pk>/lifecycle-import/", lifecycle.lifecycle_import, name="lifecycle_import"),
    path(
        "org/<int:pk>/lifecycle-import/<slug:what>.xlsx",
        lifecycle.lifecycle_import_template,
        name="lifecycle_import_template",
    ),
    path("org/<int:pk>/development.xlsx", lifecycle.development_export, name="development_export"),
    path("org/<int:pk>/transfers.xlsx", lifecycle.transfers_export, name="transfers_export"),
    path("org/<int:pk>/dues/<int:year>.xlsx", lifecycle.dues_export, name="dues_export"),
    # 党内统计, the national sheet and Word documents (issue 21).
    path("org/<int:pk>/statistics/", stats.statistics_home, name="statistics"),
    path("statistics/<int:pk>/", stats.stat_report, name="stat_report"),
    path("statistics/<int:pk>.xlsx", stats.stat_report_xlsx, name="stat_report_xlsx"),
    path("statistics/<int:pk>/cell/", stats.stat_cell, name="stat_cell"),
    # The layouts, edited by the 组织部 (issue 21).
    path("statistics/layouts/", layouts.stat_layouts, name="stat_layouts"),
    path("statistics/layouts/table/<int:pk>/", layouts.stat_table_edit, name="stat_table_edit"),
    path("statistics/layouts/sheet/<int:pk>/", layouts.sheet_layout_edit, name="sheet_layout_edit"),
    path("org/<int:pk>/completeness/", stats.completeness, name="completeness"),
    path("org/<int:pk>/member-sheet/<slug:kind>/", stats.member_sheet, name="member_sheet"),
    path("org/<int:pk>/member-sheet/<slug:kind>.xlsx", stats.member_sheet_xlsx, name="member_sheet_xlsx"),
    path("org/<int:pk>/dues/<int:year>.docx", stats.dues_docx, name="dues_docx"),
    path("development/<int:pk>/<slug:key>.docx", stats.development_docx, name="development_docx"),
    path("org/<int:pk>/terms/<slug:key>.docx", stats.term_docx, name="term_docx"),
]
