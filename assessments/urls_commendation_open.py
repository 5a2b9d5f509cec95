"""The 七一表彰's public 公示 (issue 19), included under /open/commendations/ with the namespace
``open_commendation``: part of the public site, no login."""

from django.urls import path

from assessments.views import commendation_public as views

app_name = "open_commendation"

urlpatterns = [
    path("", views.public_list, name="list"),
    path("<int:pk>/", views.public_notice, name="notice"),
    path("<int:pk>/objection/", views.public_objection, name="objection"),
]
