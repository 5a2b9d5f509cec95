from django.urls import path

from disclosure import views
from disclosure.views import decisions, documents

app_name = "disclosure"

urlpatterns = [
    path("org/<int:pk>/meetings/", views.meeting_list, name="list"),
    path("org/<int:pk>/meetings/new/", views.meeting_create, name="create"),
    path("org/<int:pk>/work-record/<int:year>/", views.work_record, name="work_record"),
    path("org/<int:pk>/work-record/<int:year>.xlsx", views.work_record_export, name="work_record_xlsx"),
    path("meetings/<int:pk>/", views.meeting_detail, name="detail"),
    # Word documents (issue 21).
    path("meetings/<int:pk>/minutes.docx", documents.meeting_minutes_docx, name="minutes_docx"),
    path("org/<int:pk>/work-record/<int:year>.docx", documents.work_record_docx, name="work_record_docx"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("meetings/<int:pk>/approve/", views.meeting_approve, name="approve"),
    # QR sign-in (issue 20): the secretary's screen, and the link its code carries.
    path("meetings/<int:pk>/sign-in/", views.meeting_sign_in_code, name="sign_in_code"),
    path("meetings/<int:pk>/sign-in/<str:token>/", views.meeting_sign_in_page, name="sign_in"),
    path("meetings/<int:pk>/return/", views.meeting_return, name="return"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("review/", views.meeting_review_queue, name="review_queue"),
    # The register of major decisions (issue 18).
    path("decisions/", decisions.decisions, name="decisions"),
    path("org/<int:pk>/decisions/new/", decisions.decision_new, name="decision_new"),
    path("decisions/<int:pk>/edit/", decisions.decision_edit, name="decision_edit"),
    path("meetings/<int:pk>/publish-summary/", views.meeting_publish_summary, name="publish_summary"),
    path("org/<int:pk>/dues/<int:year>/publish/", views.dues_list_publish, name="dues_list_publish"),
    # Posts, the secretaries' side.
    path("posts/", views.post_desk, name="post_desk"),
    path("org/<int:pk>/posts/", views.post_list, name="post_list"),
    path("org/<int:pk>/posts/new/", views.post_create, name="post_create"),
    path("posts/<int:pk>/", views.post_detail, name="post_detail"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/approve/", views.post_approve, name="post_approve"),
    path("posts/<int:pk>/return/", views.post_return, name="post_return"),
    path("posts/<int:pk>/withdraw/", views.post_withdraw, name="post_withdraw"),
    path("post-attachments/<int:pk>/", views.post_attachment_download, name="post_attachment"),
    path("post-attachments/<int:pk>/delete/", views.post_attachment_delete, name="post_attachment_delete"),
    # The public site (cached for anonymous visitors by disclosure.middleware; keep it under /open/).
    path("open/", views.open_index, name="open_index"),
    path("open/search/", views.open_search, name="open_search"),
    path("open/benchmark/", views.open_benchmark, name="open_benchmark"),
    path("open/<slug:code>/", views.open_unit, name="open_unit"),
    path("open/<slug:code>/feed.atom", views.open_feed, name="open_feed"),
    path("open/<slug:code>/s/<slug:section>/", views.open_section, name="open_section"),
    path("open/<slug:code>/posts/<int:pk>/", views.open_post, name="open_post"),
    path(
        "open/<slug:code>/posts/<int:pk>/files/<int:attachment>/",
        views.open_attachment,
        name="open_attachment",
    ),
]
