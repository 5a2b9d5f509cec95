from django.contrib import admin
from django.urls import include, path

from config.views import healthz
from members import views as member_views

urlpatterns = [
    path("", member_views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("units/", include("branches.urls")),
    path("", include("members.urls")),
    path("", include("disclosure.urls")),
    path("", include("assessments.urls")),  # 双述双评 ratings (issue 6)
    path("assessments/", include("assessments.urls_assessment")),  # the July-1 assessment cycle (issue 5)
    path("projects/", include("projects.urls")),
    path("dashboard/", include("assessments.urls_dashboard")),  # the 组织部 dashboard (issue 9)
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

handler403 = "branches.views.forbidden"
