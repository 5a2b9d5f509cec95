"""Reads of the notifications app, filtered by who may see them."""

from __future__ import annotations

from django.db.models import QuerySet

from branches.models import Organization
from branches.selectors import MANAGE_UNITS, organizations_with_permission
from notifications.models import Delivery, Preference


def outbox_universities(*, user) -> QuerySet[Organization]:
    """The universities whose 组织部 this user is (the permission to run their units)."""
    return (
        organizations_with_permission(user=user, codename=MANAGE_UNITS)
        .filter(kind=Organization.Kind.UNIVERSITY)
        .order_by("path")
    )


def outbox_deliveries(*, user, status: str = "", channel: str = "") -> QuerySet[Delivery]:
    """Every delivery of the digests of the universities the user runs, newest first, with its digest and
    person (one query per page)."""
    universities = outbox_universities(user=user)
    deliveries = (
        Delivery.objects.filter(digest__university__in=universities)
        .select_related("digest__user")
        .order_by("-created_at", "-pk")
    )
    if status:
        deliveries = deliveries.filter(status=status)
    if channel:
        deliveries = deliveries.filter(channel=channel)
    return deliveries


def outbox_delivery(*, user, pk: int) -> Delivery | None:
    return outbox_deliveries(user=user).prefetch_related("tries", "digest__items").filter(pk=pk).first()


def preference_of(*, user) -> Preference | None:
    return Preference.objects.filter(user=user).first()
