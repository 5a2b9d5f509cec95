"""URLs of the 七一表彰 (issue 19), included under /commendations/ with the namespace ``commendation``."""

from django.urls import path

from assessments.views import commendation as views

app_name = "commendation"

urlpatterns = [
    path("", views.commendation_home, name="home"),
    path("new/", views.commendation_new, name="new"),
    path("<int:pk>/", views.commendation_detail, name="detail"),
    path("<int:pk>/quotas/", views.quota_set, name="quota"),
    path("<int:pk>/candidates/", views.candidates, name="candidates"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("<int:pk>/notice/start/", views.notice_start, name="notice_start"),
    path("<int:pk>/notice/", views.public_notice, name="notice"),
    path("<int:pk>/publish/", views.commendation_publish, name="publish"),
    path("<int:pk>/certificates/", views.certificates, name="certificates"),
    path("<int:pk>/results.xlsx", views.results_xlsx, name="xlsx"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination"),
    path("nominations/<int:pk>/file/", views.nomination_file, name="nomination_file"),
    path("nominations/<int:pk>/withdraw/", views.nomination_withdraw, name="withdraw"),
    path("nominations/<int:pk>/objection/", views.objection_new, name="objection"),
    path("nominations/<int:pk>/decide/", views.nomination_decide, name="decide"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="resolve"),
]
