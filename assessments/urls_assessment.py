"""URLs of the July-1 cycle (issue 5), included under /assessments/ with the namespace ``cycle``."""

from django.urls import path

from assessments.views import assessment as views
from assessments.views import documents, guides

app_name = "cycle"

urlpatterns = [
    path("", views.cycle_home, name="home"),
    path("<int:year>/", views.cycle_progress, name="progress"),
    path("<int:year>/edit/", views.cycle_edit, name="cycle_edit"),
    path("<int:year>/results/", views.results, name="results"),
    path("<int:year>/results.xlsx", views.results_export, name="results_xlsx"),
    path("<int:year>/publish/", views.cycle_publish, name="publish"),
    path("<int:year>/committee/<int:org>/", views.committee_page, name="committee"),
    path("a/<int:pk>/", views.assessment_detail, name="assessment"),
    path("a/<int:pk>/report/", views.assessment_report, name="report"),
    # Word documents (issue 21): a unit's report, a committee's summary, the year's report upward.
    path("a/<int:pk>/report.docx", documents.report_docx, name="report_docx"),
    path(
        "<int:year>/committee/<int:org>/summary.docx", documents.committee_summary_docx, name="committee_docx"
    ),
    path("<int:year>/report.docx", documents.university_report_docx, name="university_docx"),
    path("items/<int:pk>/file/", views.evidence_file, name="evidence_file"),
    path("tables/", views.tables, name="tables"),
    path("tables/<int:pk>/", views.table_detail, name="table"),
    path("tables/<int:pk>/export.xlsx", views.table_export, name="table_export"),
    path("tables/<int:pk>/import/", views.table_import, name="table_import"),
    path("indicators/<int:pk>/move/", views.indicator_move, name="indicator_move"),
    path("plan/<int:org>/<int:year>/", views.plan, name="plan"),
    # Issue 18: annual work guides and the 八个一 checklist.
    path("guides/", guides.guides, name="guides"),
    path("guides/<int:pk>/", guides.guide_detail, name="guide"),
    path("guides/<int:pk>/publish/", guides.guide_publish, name="guide_publish"),
    path("guides/actions/<int:pk>/delete/", guides.guide_action_delete, name="guide_action_delete"),
    path("guides/branch/<int:org>/<int:year>/", guides.branch_guide, name="branch_guide"),
    path("eight-ones/<int:org>/<int:year>/", guides.eight_ones, name="eight_ones"),
]
