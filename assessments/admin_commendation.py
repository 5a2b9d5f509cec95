"""Admin of the 七一表彰 (issue 19). Decisions are taken on the portal, where the quotas, the 公示 and the
eligibility rules are checked; the admin shows the records with their history and lets the dates and
defaults be corrected."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from assessments.models.commendation import Commendation, CommendationQuota, Nomination, NominationObjection


class QuotaInline(admin.TabularInline):
    model = CommendationQuota
    extra = 0
    raw_id_fields = ["committee"]


@admin.register(Commendation)
class CommendationAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "year",
        "status",
        "nominations_open_on",
        "nominations_close_on",
        "notice_ends_on",
    ]
    list_filter = ["status", "year"]
    readonly_fields = [
        "status",
        "notice_starts_on",
        "notice_ends_on",
        "decided_on",
        "published_on",
        "post",
        "opened_by",
    ]
    raw_id_fields = ["root"]
    inlines = [QuotaInline]


class ObjectionInline(admin.TabularInline):
    model = NominationObjection
    extra = 0
    fields = ["received_on", "raised_by", "text", "outcome", "resolution"]
    readonly_fields = ["outcome", "resolution"]


@admin.register(Nomination)
class NominationAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "commendation", "committee", "kind", "source", "status"]
    list_filter = ["status", "kind", "commendation__year"]
    list_select_related = ["commendation", "committee", "organization", "member"]
    search_fields = ["member__name", "organization__name"]
    readonly_fields = ["status", "decided_by", "nominated_by"]
    raw_id_fields = ["commendation", "committee", "organization", "member"]
    inlines = [ObjectionInline]


@admin.register(NominationObjection)
class NominationObjectionAdmin(SimpleHistoryAdmin):
    list_display = ["nomination", "received_on", "outcome"]
    list_filter = ["outcome"]
    raw_id_fields = ["nomination"]
