from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.cas import CampusLoginView, PortalLoginView, PortalLogoutView
from config.views import PasswordResetConfirmView, PasswordResetView, healthz
from members import views as member_views

urlpatterns = [
    path("", member_views.home, name="home"),
    # Sign-in, sign-out, changing one's own password, and resetting it by e-mail where mail is configured
    # (PASSWORD_RESET_BY_MAIL; otherwise the reset page tells people to ask their secretary or the 组织部).
    path("accounts/login/", PortalLoginView.as_view(), name="login"),
    path("accounts/logout/", PortalLogoutView.as_view(), name="logout"),
    # The university's sign-on (CAS, issue 20): 404 unless CAS_SERVER_URL is set. The CAS server comes back
    # here with a ticket, and posts its single sign-out here too.
    path("accounts/cas/login/", CampusLoginView.as_view(), name="cas_login"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/", PasswordResetConfirmView.as_view(), name="password_reset_confirm"
    ),
    path(
        "accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("units/", include("branches.urls")),
    path("", include("members.urls")),
    # The 七一表彰 公示 (issue 19) on the public site, before disclosure's /open/<code>/ pages.
    path("open/commendations/", include("assessments.urls_commendation_open")),
    path("", include("disclosure.urls")),
    path("", include("assessments.urls")),  # 双述双评 ratings (issue 6)
    path("assessments/", include("assessments.urls_assessment")),  # the July-1 assessment cycle (issue 5)
    path("projects/", include("projects.urls")),
    path("dashboard/", include("assessments.urls_dashboard")),  # the 组织部 dashboard (issue 9)
    path("evaluations/", include("assessments.urls_evaluation")),  # 民主评议党员 (issue 19)
    path("commendations/", include("assessments.urls_commendation")),  # 七一表彰 (issue 19)
    path("notifications/", include("notifications.urls")),  # issue 20: digests, preferences, the outbox
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

handler400 = "config.views.bad_request"
handler403 = "branches.views.forbidden"
