from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("overview.xlsx", views.overview_export, name="overview_xlsx"),
    path("calls/new/", views.call_create, name="call_create"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/apply/", views.apply, name="apply"),
    path("<int:pk>/", views.grant_view, name="grant"),
    path("<int:pk>/edit/", views.grant_edit, name="edit"),
    path("<int:pk>/endorse/", views.endorse, name="endorse"),
    path("<int:pk>/return/", views.send_back, name="return"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/expense/", views.expense, name="expense"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("files/<int:pk>/", views.file_download, name="file"),
]
