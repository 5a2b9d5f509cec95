"""What the lifecycle pages share: the branch-only rule, the manage check, messages and the page base."""

from __future__ import annotations


from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from branches.models import Organization
from branches.selectors import (
    MANAGE_MEMBERS,
    organization_ancestors,
    organization_permission_holds,
)


# The pages of one branch's own ledgers (dues): any other unit's address is not found.
BRANCH_ONLY = (Organization.Kind.BRANCH,)


def _may_manage(request: HttpRequest, unit: Organization) -> bool:
    return organization_permission_holds(user=request.user, organization=unit, codename=MANAGE_MEMBERS)


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _base(request: HttpRequest, unit: Organization, section: str, **extra) -> dict:
    return {
        "unit": unit,
        "ancestors": organization_ancestors(organization=unit),
        "section": section,
        "today": timezone.localdate(),
    } | extra
