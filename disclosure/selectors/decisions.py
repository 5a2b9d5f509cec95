"""Reads of the register of major decisions (issue 18): what the user may see, searchable across committees."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from branches.models import Organization
from branches.selectors import organizations_visible_to
from disclosure.models import Decision


def decisions_search(
    *, user, query: str = "", committee: Organization | None = None, year: int | None = None
) -> QuerySet[Decision]:
    """The decisions of the committees ``user`` may see (组织部: every committee of its university), newest
    first, matching ``query`` in the topic, basis, decision or follow-up; with their committee and minutes
    (one query per page)."""
    rows = Decision.objects.filter(organization__in=organizations_visible_to(user=user).values("pk"))
    if committee is not None:
        rows = rows.filter(organization=committee)
    if year:
        rows = rows.filter(decided_on__year=year)
    if query:
        rows = rows.filter(
            Q(topic__icontains=query)
            | Q(basis__icontains=query)
            | Q(decision__icontains=query)
            | Q(follow_up__icontains=query)
        )
    return rows.select_related("organization", "meeting").order_by("-decided_on", "-pk")


def decision_committees(*, user) -> QuerySet[Organization]:
    """The secondary committees ``user`` may see, for the register's filter. One query."""
    return organizations_visible_to(user=user).filter(kind__in=Organization.SECONDARY_KINDS).order_by("path")
