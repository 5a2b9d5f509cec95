from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from members.models import Member, StatsSnapshot
from members.resources import MemberResource


@admin.register(Member)
class MemberAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """Import needs the add permission, export the view permission (settings IMPORT_EXPORT_*)."""

    resource_classes = [MemberResource]
    list_display = ["name", "gender", "stage", "category", "branch", "joined_on", "is_active"]
    list_filter = ["stage", "category", "gender", "is_active"]
    search_fields = ["name", "id_number", "phone", "branch__name"]
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
