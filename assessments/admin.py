"""Admin of the assessment app. Rating campaigns are set up here too (dimensions, the secretaries to rate).

``Ballot`` and the ballot store (``BallotBox``, ``SealedBallot``, ``BallotTally``) are deliberately not
registered: nobody browses who rated beside what was given, nor a box's keys. The campaign page shows only
counts; results are read as aggregates on the portal's results page.
"""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from assessments.models import (
    OfflineScore,
    RaterEligibility,
    RatingCampaign,
    RatingCode,
    RatingDimension,
    RatingTarget,
)


class DimensionInline(admin.TabularInline):
    model = RatingDimension
    extra = 0


class TargetInline(admin.TabularInline):
    model = RatingTarget
    extra = 0
    fields = ["organization", "user", "name", "role"]
    autocomplete_fields = ["organization", "user"]
    raw_id_fields = ["role"]


@admin.register(RatingCampaign)
class RatingCampaignAdmin(SimpleHistoryAdmin):
    list_display = ["name", "year", "scope", "opens_at", "closes_at", "status", "min_raters", "ballots"]
    list_filter = ["status", "year"]
    list_select_related = ["scope"]
    autocomplete_fields = ["scope"]
    readonly_fields = ["created_by", "box"]
    inlines = [DimensionInline, TargetInline]

    def save_model(self, request, obj, form, change):
        if not obj.box_id:  # a campaign made here gets its (trustee-custody) box; the portal publishes it
            from assessments.models import BallotBox

            obj.box = BallotBox.objects.create()
        super().save_model(request, obj, form, change)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(ballot_count=Count("targets__ballots"))

    @admin.display(description=_("ratings received"), ordering="ballot_count")
    def ballots(self, obj) -> int:
        return obj.ballot_count


@admin.register(OfflineScore)
class OfflineScoreAdmin(SimpleHistoryAdmin):
    list_display = ["target", "assessor", "score", "entered_by"]
    list_select_related = ["target__organization", "entered_by"]
    search_fields = ["assessor", "target__name"]
    readonly_fields = ["entered_by"]


@admin.register(RaterEligibility)
class RaterEligibilityAdmin(admin.ModelAdmin):
    list_display = ["campaign", "user", "unit", "kind"]
    list_filter = ["campaign", "kind"]
    list_select_related = ["campaign", "user", "unit"]
    search_fields = ["user__username", "user__first_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]


@admin.register(RatingCode)
class RatingCodeAdmin(admin.ModelAdmin):
    """Counts and voiding only: the digest is useless to read and the plain codes are not stored."""

    list_display = ["campaign", "unit", "used"]
    list_filter = ["campaign", "used"]
    list_select_related = ["campaign", "unit"]
    fields = ["campaign", "unit", "used"]
    readonly_fields = ["campaign", "unit"]

    def has_add_permission(self, request):
        return False


from assessments import admin_cycle  # noqa: E402,F401  (the July-1 cycle, issue 5)


# --- issue 18: annual work guides and the 八个一 checklist ------------------------------------------------

from assessments.models import AnnualGuide, EightOnesItem, EightOnesTick, GuideAction, GuideActionDone  # noqa: E402


class GuideActionInline(admin.TabularInline):
    model = GuideAction
    extra = 0
    fields = ["month", "required", "title", "indicator_code", "position"]


@admin.register(AnnualGuide)
class AnnualGuideAdmin(SimpleHistoryAdmin):
    list_display = ["title", "year", "programme", "published_at"]
    list_filter = ["year", "programme"]
    readonly_fields = ["published_at", "published_by"]
    inlines = [GuideActionInline]


@admin.register(GuideActionDone)
class GuideActionDoneAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "action", "done_on", "recorded_by"]
    list_select_related = ["organization", "action", "recorded_by"]
    list_filter = ["action__guide__year", "action__guide__programme"]
    search_fields = ["organization__name", "action__title"]
    raw_id_fields = ["organization", "action"]
    readonly_fields = ["recorded_by"]


@admin.register(EightOnesItem)
class EightOnesItemAdmin(SimpleHistoryAdmin):
    """The 八个一 items are data: the default set (``assessments.defaults``) names its source on every item."""

    list_display = ["code", "title", "measure", "source", "position", "is_active"]
    list_editable = ["position", "is_active"]


@admin.register(EightOnesTick)
class EightOnesTickAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "item", "year", "ticked_by"]
    list_select_related = ["organization", "item", "ticked_by"]
    list_filter = ["year", "item"]
    raw_id_fields = ["organization"]
    readonly_fields = ["ticked_by"]


from assessments import admin_evaluation  # noqa: E402,F401  (民主评议党员, issue 19)
from assessments import admin_commendation  # noqa: E402,F401  (七一表彰, issue 19)
