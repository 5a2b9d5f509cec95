import io

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from branches.models import (
    CalendarYear,
    DocumentTemplate,
    OfficialDay,
    Organization,
    OrganizationGroupObjectPermission,
    OrganizationUserObjectPermission,
    Role,
    UnitFigures,
)
from django.utils.translation import gettext_lazy as _

from branches.documents import DOCX_CONTENT_TYPE, check_template, document_kind, document_kinds
from branches.uploads import sniff
from branches.services import role_assign, role_delete, role_end


class RoleInline(admin.TabularInline):
    """Read-only here: roles carry object permissions, so they are added, ended and deleted in the role
    admin, which goes through the services."""

    model = Role
    extra = 0
    fields = ["user", "kind", "started_on", "ended_on"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


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

    def get_readonly_fields(self, request, obj=None):
        # Who, where and what define the permissions granted: to change them, end the role and add another.
        return ["user", "organization", "kind"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        """Every change goes through the services so object permissions follow the role."""
        if not change:
            created = role_assign(
                user=obj.user, organization=obj.organization, kind=obj.kind, started_on=obj.started_on
            )
            obj.pk = created.pk
            return
        if "ended_on" in form.changed_data and obj.ended_on is not None:
            role_end(role=obj, ended_on=obj.ended_on)
            return
        if "ended_on" in form.changed_data and obj.ended_on is None:
            raise PermissionDenied("An ended role cannot be reopened; add a new role instead.")
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        role_delete(role=obj)

    def delete_queryset(self, request, queryset):
        for role in queryset.select_related("organization"):
            role_delete(role=role)


@admin.register(OrganizationUserObjectPermission)
class OrganizationUserObjectPermissionAdmin(admin.ModelAdmin):
    list_display = ["user", "permission", "content_object"]
    list_select_related = ["user", "permission", "content_object"]
    search_fields = ["user__username", "content_object__name"]
    autocomplete_fields = ["user", "content_object"]


admin.site.register(OrganizationGroupObjectPermission)


@admin.register(UnitFigures)
class UnitFiguresAdmin(admin.ModelAdmin):
    """The dashboard's snapshot, for looking only: rows are rewritten by ``figures_refresh`` (the beat, writes,
    ``manage.py figures_refresh``); an edit here would be overwritten at the next refresh."""

    list_display = ["organization", "as_of", "computed_at"]
    list_select_related = ["organization"]
    search_fields = ["organization__name", "organization__code"]
    readonly_fields = ["organization", "data", "own", "as_of", "computed_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """A year is entered once its holidays and 调休 days are in; until then working days count Monday–Friday."""

    list_display = ["year", "source"]


@admin.register(OfficialDay)
class OfficialDayAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "day"


class DocumentTemplateForm(forms.ModelForm):
    """Upload a .docx for one registered document; it is checked (``check_template``) before it is kept."""

    upload = forms.FileField(label=_("Word template (.docx)"), required=True)

    class Meta:
        model = DocumentTemplate
        fields = ["key"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = document_kinds()
        self.fields["key"] = forms.ChoiceField(
            label=_("document"), choices=[(k, v.title) for k, v in kinds.items()]
        )
        lines = [
            f"{kind.title}: "
            + ", ".join(
                [
                    *(f"{{{{ {p} }}}}" for p in kind.placeholders),
                    *(f"{{{{ table:{t} }}}}" for t in kind.tables),
                ]
            )
            for kind in kinds.values()
        ]
        self.fields["upload"].help_text = "<br>".join(lines)

    def clean(self):
        cleaned = super().clean()
        upload, key = cleaned.get("upload"), cleaned.get("key")
        if upload and key:
            data = upload.read()
            if sniff(data[:8], io.BytesIO(data)) != DOCX_CONTENT_TYPE:
                raise forms.ValidationError(_("The file is not a Word document (.docx)."))
            check_template(data, kind=document_kind(key))
            cleaned["content"] = data
        return cleaned


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(SimpleHistoryAdmin):
    form = DocumentTemplateForm
    list_display = ["key", "name", "uploaded_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        obj.content = form.cleaned_data["content"]
        obj.name = form.cleaned_data["upload"].name[:200]
        obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
