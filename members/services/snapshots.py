"""Statistics snapshots: ``party_stats`` of the roots, universities and secondary committees, one row per unit
per day, which the overview pages and dashboards read instead of counting live."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from branches.models import Organization
from members.models import StatsSnapshot
from members.selectors import party_stats


@transaction.atomic
def stats_snapshot_take(*, organization_id: int, taken_on: datetime.date | None = None) -> StatsSnapshot:
    """Record ``party_stats`` of one unit for one day; a second call the same day replaces the figures."""
    organization = Organization.objects.get(pk=organization_id)
    day = taken_on or timezone.localdate()
    snapshot, _created = StatsSnapshot.objects.update_or_create(
        organization=organization,
        taken_on=day,
        defaults={"data": party_stats(organization=organization, as_of=day)},
    )
    return snapshot


def stats_snapshot_take_all(*, taken_on: datetime.date | None = None) -> int:
    """Snapshot every active root, university and secondary committee. Returns how many were taken."""
    kinds = (Organization.Kind.PROVINCE, Organization.Kind.UNIVERSITY, *Organization.SECONDARY_KINDS)
    ids = list(Organization.objects.filter(kind__in=kinds, is_active=True).values_list("pk", flat=True))
    for pk in ids:
        stats_snapshot_take(organization_id=pk, taken_on=taken_on)
    return len(ids)
