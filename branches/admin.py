from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from branches.models import Organization, OrganizationGroupObjectPermission, OrganizationUserObjectPermission, Role


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "kind", "started_on", "ended_on"]


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin, TreeAdmin):
    """The whole tree for the system administrator: drag to move, inline roles, history of every change.
    Roles added here do not grant object permissions; use the role admin or role_assign for that."""

    form = movenodeform_factory(Organization, exclude=["path", "depth", "numchild"])
    list_display = ["name", "kind", "category", "code", "unit_type", "term_started_on", "is_active"]
    list_filter = ["kind", "category", "unit_type", "is_active"]
    search_fields = ["name", "short_name", "code"]


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organization", "kind", "started_on", "ended_on"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__first_name", "organization__name"]
    autocomplete_fields = ["user", "organization"]
    list_select_related = ["user", "organization"]

    def save_model(self, request, obj, form, change):
        from branches.services import role_assign

        if change:
            super().save_model(request, obj, form, change)
            return
        # New roles go through the service so their object permissions are granted too.
        created = role_assign(user=obj.user, organization=obj.organization, kind=obj.kind, started_on=obj.started_on)
        obj.pk = created.pk


@admin.register(OrganizationUserObjectPermission)
class OrganizationUserObjectPermissionAdmin(admin.ModelAdmin):
    list_display = ["user", "permission", "content_object"]
    list_select_related = ["user", "permission", "content_object"]
    search_fields = ["user__username", "content_object__name"]
    autocomplete_fields = ["user", "content_object"]


admin.site.register(OrganizationGroupObjectPermission)
