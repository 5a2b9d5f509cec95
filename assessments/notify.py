"""双述双评 campaigns as a notification source (issue 20): a rater on a campaign's roster who has not rated
yet hears of it while the campaign is open. Not escalated: a rater is invited, not late."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.dates import prose_date

from assessments.models import Ballot, RaterEligibility, RatingCampaign
from notifications.sources import Due, Source, register_source


def rating_due(today: datetime.date) -> Iterable[Due]:
    """The roster's raters of the campaigns open on ``today`` who have cast no ballot. Two queries."""
    campaigns = {
        c.pk: c
        for c in RatingCampaign.objects.filter(
            status=RatingCampaign.Status.PUBLISHED, opens_at__date__lte=today, closes_at__date__gte=today
        )
    }
    if not campaigns:
        return
    link = reverse("assessments:home")
    rows = (
        RaterEligibility.objects.filter(campaign_id__in=list(campaigns), user__isnull=False)
        .exclude(Exists(Ballot.objects.filter(campaign=OuterRef("campaign"), rater=OuterRef("user"))))
        .values_list("user_id", "campaign_id", "unit_id")
        .distinct()
    )
    seen = set()
    for user_id, campaign_id, unit_id in rows:
        if (user_id, campaign_id) in seen:
            continue
        seen.add((user_id, campaign_id))
        campaign = campaigns[campaign_id]
        closes = timezone.localtime(campaign.closes_at)
        yield Due(
            user_id=user_id,
            key=f"rating:{campaign_id}",
            text=(
                _("Rate in %(campaign)s, open until %(time)s")
                % {"campaign": campaign.name, "time": f"{prose_date(closes)} {closes:%H:%M}"}
            )[:200],
            organization_id=unit_id,
            due_on=closes.date(),
            link=link,
        )


def register() -> None:
    register_source(
        Source("ratings", gettext_lazy("Rating campaigns"), rating_due, escalates=False, order=100)
    )
