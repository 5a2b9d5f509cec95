from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from members.models import DisciplinaryRecord, Member, StatsSnapshot
from members.resources import GuardedXLSX, MemberResource


@admin.register(Member)
class MemberAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """Import needs the add permission, export the view permission (settings IMPORT_EXPORT_*)."""

    resource_classes = [MemberResource]
    import_formats = [
        GuardedXLSX
    ]  # one reader for every import: the layer's guard, never openpyxl on an upload
    list_display = ["name", "gender", "stage", "category", "branch", "joined_on", "is_active"]
    list_filter = ["stage", "category", "gender", "is_active"]
    search_fields = ["name", "id_number", "campus_number", "phone", "branch__name"]
    list_select_related = ["branch"]
    autocomplete_fields = ["branch", "party_group", "user"]
    date_hierarchy = "joined_on"

    def get_import_resource_kwargs(self, request, **kwargs):
        # History rows name who imported; the admin imports into the whole tree (scope None → the root).
        return super().get_import_resource_kwargs(request, **kwargs) | {"user": request.user}


@admin.register(StatsSnapshot)
class StatsSnapshotAdmin(admin.ModelAdmin):
    list_display = ["organization", "taken_on", "created_at"]
    list_select_related = ["organization"]
    readonly_fields = ["organization", "taken_on", "data", "created_at"]


# --- the lifecycle (issue 8): rules and tables as data, records with their history ------------------------
from members.models import (  # noqa: E402
    CareOccasion,
    CareOccasionKind,
    CareReport,
    CareVisit,
    DevelopmentCase,
    DevelopmentStep,
    DuesBracket,
    DuesDeclaration,
    DuesPayment,
    ElectedSeat,
    LifecycleRule,
    TermElection,
    Transfer,
)


@admin.register(LifecycleRule)
class LifecycleRuleAdmin(SimpleHistoryAdmin):
    """The limits of DESIGN §5; national defaults are filled when the table is empty."""

    list_display = ["key", "value", "note"]
    list_editable = ["value"]


@admin.register(DuesBracket)
class DuesBracketAdmin(SimpleHistoryAdmin):
    list_display = ["valid_from", "kind", "up_to", "rate", "amount"]
    list_filter = ["kind", "valid_from"]


@admin.register(CareOccasionKind)
class CareOccasionKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "visit_within_days", "is_active"]


class DevelopmentStepInline(admin.TabularInline):
    model = DevelopmentStep
    extra = 0
    fields = ["number", "done_on", "people_names", "documents", "warning"]
    readonly_fields = fields
    can_delete = False


@admin.register(DevelopmentCase)
class DevelopmentCaseAdmin(SimpleHistoryAdmin):
    """Read here, written through the pages (the services enforce the time rules)."""

    list_display = ["member", "status", "last_step", "last_step_on", "extension_months"]
    list_filter = ["status", "last_step"]
    search_fields = ["member__name"]
    list_select_related = ["member"]
    readonly_fields = [
        "member",
        "last_step",
        "last_step_on",
        "last_reviewed_on",
        "extension_months",
        "extended_on",
    ]
    inlines = [DevelopmentStepInline]


@admin.register(Transfer)
class TransferAdmin(SimpleHistoryAdmin):
    list_display = ["member", "direction", "letter_number", "issued_on", "valid_until", "status"]
    list_filter = ["direction", "status"]
    search_fields = ["member__name", "letter_number"]
    list_select_related = ["member"]
    raw_id_fields = ["member", "from_branch", "to_branch", "created_by"]


@admin.register(DuesDeclaration)
class DuesDeclarationAdmin(SimpleHistoryAdmin):
    list_display = ["member", "valid_from", "kind", "base", "amount"]
    raw_id_fields = ["member"]
    list_select_related = ["member"]


@admin.register(DuesPayment)
class DuesPaymentAdmin(SimpleHistoryAdmin):
    list_display = ["member", "month", "status", "amount", "paid_by"]
    list_filter = ["status", "month"]
    raw_id_fields = ["member", "branch", "paid_by", "recorded_by"]
    list_select_related = ["member", "paid_by"]


@admin.register(CareOccasion)
class CareOccasionAdmin(SimpleHistoryAdmin):
    list_display = ["member", "kind", "noted_on"]
    raw_id_fields = ["member", "created_by"]
    list_select_related = ["member", "kind"]


@admin.register(CareVisit)
class CareVisitAdmin(SimpleHistoryAdmin):
    list_display = ["occasion", "visited_on", "visitors"]
    raw_id_fields = ["occasion", "recorded_by"]


@admin.register(CareReport)
class CareReportAdmin(SimpleHistoryAdmin):
    list_display = ["branch", "year", "half", "submitted_on"]
    raw_id_fields = ["branch", "submitted_by"]


class ElectedSeatInline(admin.TabularInline):
    model = ElectedSeat
    extra = 0
    raw_id_fields = ["user"]


@admin.register(TermElection)
class TermElectionAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "elected_on", "term_years"]
    raw_id_fields = ["organization", "recorded_by"]
    inlines = [ElectedSeatInline]


@admin.register(DisciplinaryRecord)
class DisciplinaryRecordAdmin(SimpleHistoryAdmin):
    """党纪处分 (issue 19): recorded here by the 组织部 or the discipline commissioner; shown on the member's record."""

    list_display = ["member", "kind", "decided_on", "decided_by_unit"]
    list_filter = ["kind"]
    search_fields = ["member__name"]
    raw_id_fields = ["member", "recorded_by"]
