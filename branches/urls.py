from django.urls import path

from branches import views

app_name = "branches"

urlpatterns = [
    path("<int:pk>/create/", views.unit_create, name="create"),
    path("<int:pk>/rename/", views.unit_rename, name="rename"),
    path("<int:pk>/move/", views.unit_move, name="move"),
    path("<int:pk>/deactivate/", views.unit_deactivate, name="deactivate"),
    path("<int:pk>/theme-day/", views.unit_theme_day, name="theme_day"),
]
