from django.contrib import admin

from notifications.models import (
    Delivery,
    DeliveryAttempt,
    Digest,
    Escalation,
    Preference,
    ReportedItem,
    SourceSetting,
)


@admin.register(SourceSetting)
class SourceSettingAdmin(admin.ModelAdmin):
    list_display = ["source", "enabled", "escalate_after_days"]
    list_editable = ["enabled", "escalate_after_days"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "wecom", "sms", "quiet_from", "quiet_until"]
    search_fields = ["user__username", "user__last_name", "user__first_name"]
    raw_id_fields = ["user"]


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    readonly_fields = ["at", "outcome", "detail"]
    can_delete = False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["digest", "channel", "status", "attempts", "not_before", "sent_at", "last_error"]
    list_filter = ["status", "channel"]
    list_select_related = ["digest__user"]
    raw_id_fields = ["digest"]
    inlines = [AttemptInline]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["user", "day", "item_count", "subject"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "university"]
    date_hierarchy = "day"


@admin.register(ReportedItem)
class ReportedItemAdmin(admin.ModelAdmin):
    list_display = ["user", "key", "source", "escalated", "due_on"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "digest"]
    search_fields = ["key"]


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ["key", "source", "organization", "escalated_to", "due_on", "escalated_on"]
    list_select_related = ["organization", "escalated_to"]
    raw_id_fields = ["organization", "escalated_to"]
