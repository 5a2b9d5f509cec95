from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from disclosure.models import AttendanceCorrection, SignIn
from disclosure.models import (
    Attachment,
    Attendance,
    Decision,
    Meeting,
    MeetingRule,
    Post,
    PostAttachment,
    PostCategory,
    PublishingRule,
    ReviewRoute,
    Todo,
)


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["member"]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    readonly_fields = ["name", "content_type", "size", "uploaded_by", "uploaded_at"]
    fields = readonly_fields


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    """For the system administrator; secretaries and reviewers use the portal's pages (the rules live there)."""

    list_display = [
        "organization",
        "kind",
        "held_at",
        "status",
        "is_late",
        "filing_lag_days",
        "present_count",
        "expected_count",
    ]
    list_filter = ["kind", "status", "is_late", "visibility"]
    search_fields = ["organization__name", "topics"]
    list_select_related = ["organization"]
    date_hierarchy = "held_at"
    readonly_fields = [
        "expected_count",
        "present_count",
        "leave_count",
        "absent_count",
        "voting_expected",
        "voting_present",
        "first_submitted_at",
        "submitted_at",
        "filing_lag_days",
        "is_late",
        "reviewed_at",
        "reviewed_by",
        "created_by",
    ]
    autocomplete_fields = ["organization", "party_group", "reviewer"]
    inlines = [AttendanceInline, AttachmentInline]


@admin.register(SignIn)
class SignInAdmin(admin.ModelAdmin):
    """QR sign-ins (issue 20): read-only, as the phones wrote them."""

    list_display = ["meeting", "member", "signed_at"]
    list_select_related = ["meeting", "member"]
    raw_id_fields = ["meeting", "member"]
    readonly_fields = ["meeting", "member", "signed_at"]


@admin.register(AttendanceCorrection)
class AttendanceCorrectionAdmin(admin.ModelAdmin):
    """Where the minutes differ from the sign-ins, and who said so."""

    list_display = ["meeting", "member", "signed_in", "status", "reason", "corrected_by", "corrected_at"]
    list_select_related = ["meeting", "member", "corrected_by"]
    raw_id_fields = ["meeting", "member", "corrected_by"]
    readonly_fields = ["meeting", "member", "signed_in", "status", "reason", "corrected_by", "corrected_at"]


@admin.register(MeetingRule)
class MeetingRuleAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "period", "times", "only_with_groups", "min_full_members", "is_active"]
    list_editable = ["period", "times", "is_active"]


@admin.register(ReviewRoute)
class ReviewRouteAdmin(admin.ModelAdmin):
    list_display = ["category", "reviewer"]
    autocomplete_fields = ["reviewer"]


@admin.register(Todo)
class TodoAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "text", "due_on", "done_at"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    search_fields = ["user__username", "text"]


class PostAttachmentInline(admin.TabularInline):
    model = PostAttachment
    extra = 0
    readonly_fields = ["name", "content_type", "size", "uploaded_by", "uploaded_at"]
    fields = readonly_fields


@admin.register(Post)
class PostAdmin(SimpleHistoryAdmin):
    """For the system administrator; secretaries and checkers use the portal's pages (the rules live there:
    an edit here is not checked, so it does not refresh the search tokens or the public pages' cache)."""

    list_display = ["title", "organization", "section", "category", "visibility", "status", "published_at"]
    list_filter = ["section", "category", "visibility", "status"]
    search_fields = ["title", "organization__name"]
    list_select_related = ["organization", "category"]
    date_hierarchy = "published_at"
    readonly_fields = ["author", "checked_by", "checked_at", "source_meeting", "published_at"]
    autocomplete_fields = ["organization"]
    inlines = [PostAttachmentInline]


@admin.register(PostCategory)
class PostCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position", "is_active"]
    list_editable = ["position", "is_active"]


@admin.register(PublishingRule)
class PublishingRuleAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "check_required"]
    autocomplete_fields = ["organization"]


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    """The register of major decisions (issue 18); its history is the trail 倒查监督 reads."""

    list_display = ["topic", "organization", "decided_on", "votes_for", "votes_against", "follow_up_done"]
    list_select_related = ["organization"]
    list_filter = ["follow_up_done", "decided_on"]
    search_fields = ["topic", "basis", "decision", "follow_up", "organization__name"]
    raw_id_fields = ["organization", "meeting"]
    readonly_fields = ["created_by"]
