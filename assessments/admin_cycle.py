"""Admin of the July-1 cycle (issue 5), imported from assessments/admin.py. History is browsable through
simple-history's admin; scores are changed through the pages (which keep the reasons), so items are read-only."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from assessments.models import Assessment, AssessmentCycle, Indicator, IndicatorTable, ItemScore, PlanItem


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ["code", "parent", "title", "max_points", "kind", "source", "target_count", "position"]
    extra = 0


@admin.register(IndicatorTable)
class IndicatorTableAdmin(SimpleHistoryAdmin):
    list_display = ["title", "year", "programme"]
    list_filter = ["year", "programme"]
    inlines = [IndicatorInline]


@admin.register(AssessmentCycle)
class AssessmentCycleAdmin(SimpleHistoryAdmin):
    list_display = ["year", "root", "self_opens_on", "self_closes_on", "publish_on", "published_on"]
    raw_id_fields = ["root"]


class ItemScoreInline(admin.TabularInline):
    model = ItemScore
    fields = [
        "indicator",
        "plan_item",
        "self_points",
        "reviewed_points",
        "review_reason",
        "verified_points",
        "verify_reason",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = [
        "organization",
        "cycle",
        "programme",
        "status",
        "self_total",
        "review_total",
        "verified_total",
        "grade",
        "rank_overall",
    ]
    list_filter = ["cycle", "programme", "status", "grade"]
    list_select_related = ["organization", "cycle"]
    raw_id_fields = ["organization", "reviewed_by", "verified_by"]
    inlines = [ItemScoreInline]


@admin.register(PlanItem)
class PlanItemAdmin(SimpleHistoryAdmin):
    list_display = ["title", "organization", "indicator", "status"]
    list_filter = ["status"]
    list_select_related = ["organization", "indicator"]
    raw_id_fields = ["organization", "indicator", "decided_by"]
