"""Admin of 民主评议党员 (issue 19). The participation rows (``EvaluationBallot``) are not registered: nobody
browses who took part beside the tallies. Grades are changed on the portal, where the rules are checked;
the admin shows them with their history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from assessments.models.evaluation import EvaluationEntry, EvaluationFollowUp, MemberEvaluation


class EntryInline(admin.TabularInline):
    model = EvaluationEntry
    extra = 0
    fields = ["member", "graded", "grade", "reason"]
    readonly_fields = ["member", "graded", "grade", "reason"]
    can_delete = False


@admin.register(MemberEvaluation)
class MemberEvaluationAdmin(SimpleHistoryAdmin):
    list_display = ["branch", "year", "status", "opened_on"]
    list_filter = ["status", "year"]
    list_select_related = ["branch"]
    search_fields = ["branch__name"]
    readonly_fields = ["box", "opened_by", "decided_by", "status"]
    raw_id_fields = ["branch"]
    inlines = [EntryInline]


@admin.register(EvaluationFollowUp)
class EvaluationFollowUpAdmin(SimpleHistoryAdmin):
    list_display = ["entry", "step", "deadline", "status", "recorded_on"]
    list_filter = ["step", "status"]
    raw_id_fields = ["entry"]
