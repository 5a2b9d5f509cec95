from django.conf import settings
from django.urls import path

from assessments.views import ratings

app_name = "assessments"

urlpatterns = [
    path("ratings/", ratings.rating_home, name="home"),
    path("ratings/new/", ratings.campaign_new, name="campaign_new"),
    path("ratings/<int:pk>/", ratings.campaign_detail, name="campaign"),
    path("ratings/<int:pk>/publish/", ratings.campaign_publish, name="campaign_publish"),
    path("ratings/<int:pk>/close/", ratings.campaign_close, name="campaign_close"),
    path("ratings/<int:pk>/open/", ratings.campaign_open, name="campaign_open"),
    path("ratings/<int:pk>/roster/", ratings.roster_import, name="roster_import"),
    path("ratings/<int:pk>/codes/", ratings.codes_new, name="codes_new"),
    path("ratings/<int:pk>/offline/", ratings.offline_scores, name="offline_scores"),
    path("ratings/<int:pk>/results/", ratings.campaign_results, name="results"),
    path("ratings/<int:pk>/results.xlsx", ratings.campaign_results_export, name="results_xlsx"),
    path("ratings/<int:pk>/rate/", ratings.rate, name="rate"),
    path("ratings/targets/<int:pk>/report/", ratings.report_edit, name="report_edit"),
    path("ratings/targets/<int:pk>/report-file/", ratings.report_file, name="report_file"),
    path("rate/", ratings.code_entry, name="code_entry"),
    path("rate/done/", ratings.code_done, name="code_done"),
]

if settings.BENCH_ENDPOINTS:  # bench/ratings.py only; never set in production
    urlpatterns += [path("bench/rate-bare/<int:code>/", ratings.bench_bare_write, name="bench_bare")]
