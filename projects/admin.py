from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from projects.models import (
    CallTopic,
    Grant,
    GrantCall,
    GrantExpense,
    GrantFile,
    GrantReport,
    GrantReview,
    GrantUnit,
)


class CallTopicInline(admin.TabularInline):
    model = CallTopic
    extra = 0


@admin.register(GrantCall)
class GrantCallAdmin(SimpleHistoryAdmin):
    list_display = ["title", "year", "kind", "mode", "deadline", "budget", "key_quota", "general_quota"]
    list_filter = ["year", "kind", "mode"]
    search_fields = ["title"]
    autocomplete_fields = ["organization"]
    inlines = [CallTopicInline]


class GrantUnitInline(admin.TabularInline):
    model = GrantUnit
    extra = 0
    autocomplete_fields = ["organization"]


class GrantReviewInline(admin.TabularInline):
    model = GrantReview
    extra = 0
    fields = readonly_fields = ["reviewer", "score", "opinion", "submitted_at"]


class GrantExpenseInline(admin.TabularInline):
    model = GrantExpense
    extra = 0
    fields = readonly_fields = ["spent_on", "amount", "purpose", "recorded_by"]


@admin.register(Grant)
class GrantAdmin(SimpleHistoryAdmin):
    """Read-mostly for the system administrator: decisions, money and acceptance go through the portal's
    pages, where the rules (quotas, budget, frozen decisions, expenses within the grant) are enforced."""

    list_display = ["title", "kind", "organization", "status", "grade", "granted_amount", "call"]
    list_filter = ["kind", "status", "grade", "call__year"]
    search_fields = ["title", "organization__name", "applicant_name"]
    list_select_related = ["organization", "call"]
    readonly_fields = [
        "call",
        "kind",
        "organization",
        "applicant",
        "status",
        "grade",
        "granted_amount",
        "decided_by",
        "decided_at",
        "decision_reason",
        "endorsed_by",
        "endorsed_at",
        "accepted_by",
        "accepted_at",
        "acceptance_reason",
        "extended",
        "due_on",
        "submitted_at",
    ]
    inlines = [GrantUnitInline, GrantReviewInline, GrantExpenseInline]

    def has_add_permission(self, request):
        return False


@admin.register(GrantReport)
class GrantReportAdmin(SimpleHistoryAdmin):
    list_display = ["grant", "kind", "submitted_at"]
    list_filter = ["kind"]
    readonly_fields = ["grant", "kind", "submitted_by", "submitted_at"]


@admin.register(GrantFile)
class GrantFileAdmin(admin.ModelAdmin):
    list_display = ["name", "grant", "content_type", "size", "uploaded_at"]
    readonly_fields = [
        "grant",
        "report",
        "file",
        "name",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]
