"""URLs of 民主评议党员 (issue 19), included under /evaluations/ with the namespace ``evaluation``."""

from django.urls import path

from assessments.views import evaluation as views
from assessments.views import evaluation_remarks as remarks

app_name = "evaluation"

urlpatterns = [
    path("", views.evaluation_home, name="home"),
    path("new/", views.evaluation_new, name="new"),
    path("mine/", views.evaluation_mine, name="mine"),
    path("<int:pk>/", views.evaluation_detail, name="detail"),
    path("<int:pk>/close/", views.evaluation_close, name="close"),
    path("<int:pk>/grades/", views.evaluation_grades, name="grades"),
    path("<int:pk>/decide/", views.evaluation_decide, name="decide"),
    path("<int:pk>/vote/", views.evaluation_vote, name="vote"),
    path("<int:pk>/summary/", views.evaluation_summary, name="summary"),
    path("<int:pk>/summary.xlsx", views.evaluation_summary_xlsx, name="summary_xlsx"),
    # 党员互评 comments and 群众意见 with one-time codes (issue 19).
    path("<int:pk>/comments/", remarks.evaluation_comments, name="comments"),
    path("<int:pk>/remarks/", remarks.evaluation_remarks, name="remarks"),
    path("<int:pk>/opinion-codes/", remarks.opinion_codes, name="opinion_codes"),
    path("opinion/", remarks.opinion_entry, name="opinion_entry"),
    path("opinion/done/", remarks.opinion_done, name="opinion_done"),
    path("entries/<int:pk>/follow-up/", views.followup_new, name="followup_new"),
    path("entries/<int:pk>/file/", views.self_file_download, name="self_file"),  # the 个人自评's file
    path("follow-ups/<int:pk>/decide/", views.followup_decide, name="followup_decide"),
]
