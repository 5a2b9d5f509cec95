from django.urls import path

from disclosure import views

app_name = "disclosure"

urlpatterns = [
    path("org/<int:pk>/meetings/", views.meeting_list, name="list"),
    path("org/<int:pk>/meetings/new/", views.meeting_create, name="create"),
    path("org/<int:pk>/work-record/<int:year>/", views.work_record, name="work_record"),
    path("org/<int:pk>/work-record/<int:year>.xlsx", views.work_record_export, name="work_record_xlsx"),
    path("meetings/<int:pk>/", views.meeting_detail, name="detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("meetings/<int:pk>/approve/", views.meeting_approve, name="approve"),
    path("meetings/<int:pk>/return/", views.meeting_return, name="return"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("review/", views.meeting_review_queue, name="review_queue"),
]
