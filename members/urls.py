from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("org/<int:pk>/", views.unit_overview, name="unit"),
    path("org/<int:pk>/roster/", views.roster, name="roster"),
    path("org/<int:pk>/export.xlsx", views.member_export, name="export"),
    path("members/me/", views.member_me, name="me"),
    path("members/<int:pk>/", views.member_detail, name="detail"),
    path("members/import/", views.member_import, name="import"),
    path("members/import/template.xlsx", views.member_import_template, name="import_template"),
]
