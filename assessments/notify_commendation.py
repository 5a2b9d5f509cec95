"""The 七一表彰 as a notification source (issue 19): a secondary committee's secretary, deputy and organizer
hear that nominations close soon while their committee has nominated nobody; 组织部's officers hear that a
公示 ends and the nominees await their decision. Not escalated: the dates are the organisation department's."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models.commendation import Commendation, Nomination
from branches.models import Organization, Role
from branches.dates import prose_date
from disclosure.services.todos import role_holders
from notifications.sources import Due, Source, register_source

COMMITTEE_KINDS = (Organization.Kind.COMMITTEE, Organization.Kind.GENERAL_BRANCH)
NOMINATORS = (Role.Kind.SECRETARY, Role.Kind.DEPUTY, Role.Kind.ORGANIZER)


def _warn_days() -> int:
    return settings.COMMENDATION_NOTIFY_DAYS


def commendation_due(today: datetime.date) -> Iterable[Due]:
    """Nominations closing within the warning days (to committees without a nomination) and 公示 that end
    today or ended (to the officers while nominees are undecided). At most five queries per commendation."""
    warn = datetime.timedelta(days=_warn_days())
    for c in Commendation.objects.select_related("root").filter(
        status__in=(Commendation.Status.NOMINATING, Commendation.Status.NOTICE)
    ):
        link = reverse("commendation:detail", args=[c.pk])
        if (
            c.status == Commendation.Status.NOMINATING
            and c.nominations_open_on <= today <= c.nominations_close_on <= today + warn
        ):
            nominated = set(
                Nomination.objects.filter(commendation=c)
                .exclude(status=Nomination.Status.WITHDRAWN)
                .values_list("committee_id", flat=True)
            )
            committees = list(
                Organization.objects.filter(
                    kind__in=COMMITTEE_KINDS, is_active=True, path__startswith=c.root.path
                )
                .exclude(pk__in=nominated)
                .values_list("pk", flat=True)
            )
            for unit_id, users in role_holders(committees, NOMINATORS).items():
                for user_id in users:
                    yield Due(
                        user_id=user_id,
                        key=f"commendation-nominate:{c.pk}:{unit_id}",
                        text=(
                            _("Nominations for %(title)s close on %(day)s")
                            % {"title": c.title, "day": prose_date(c.nominations_close_on)}
                        )[:200],
                        organization_id=unit_id,
                        due_on=c.nominations_close_on,
                        link=link,
                    )
        elif (
            c.status == Commendation.Status.NOTICE
            and c.notice_ends_on is not None
            and c.notice_ends_on <= today
            and Nomination.objects.filter(commendation=c, status=Nomination.Status.ON_NOTICE).exists()
        ):
            for unit_id, users in role_holders([c.root_id], (Role.Kind.OFFICER,)).items():
                for user_id in users:
                    yield Due(
                        user_id=user_id,
                        key=f"commendation-decide:{c.pk}",
                        text=(
                            _("The public notice of %(title)s ends on %(day)s: decide the nominees")
                            % {"title": c.title, "day": prose_date(c.notice_ends_on)}
                        )[:200],
                        organization_id=unit_id,
                        due_on=c.notice_ends_on,
                        link=link,
                    )


def register() -> None:
    register_source(
        Source("commendations", gettext_lazy("Commendations"), commendation_due, escalates=False, order=110)
    )
