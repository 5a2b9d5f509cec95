from django.urls import path

from assessments.views import dashboard

app_name = "dashboard"

urlpatterns = [
    path("", dashboard.dashboard_home, name="home"),
    path("<int:pk>/", dashboard.dashboard, name="unit"),
    path("<int:pk>/<slug:key>.xlsx", dashboard.dashboard_export, name="export"),
]
