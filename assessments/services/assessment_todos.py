"""The July-1 cycle's to-dos in everyone's to-do list (``disclosure.Todo``): a unit's secretaries while its
self-assessment is open and not submitted, the committee above while a submitted one awaits its review, the
组织部 while reviewed ones await verification. Derived from the state each day and closed when done."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from assessments.models import Assessment, AssessmentCycle
from assessments.services.assessment import SELF_ROLES
from branches.models import Organization, Role
from disclosure.models import Todo
from disclosure.services.todos import role_holders, todos_sync

REVIEW_ROLES = (*SELF_ROLES, Role.Kind.OFFICER)


@transaction.atomic
def assessment_todos_advance(*, today: datetime.date) -> dict[str, int]:
    """Create the cycle's to-dos that are due and close those whose stage is done. Idempotent (unique keys)."""
    wanted: list[Todo] = []
    for cycle in AssessmentCycle.objects.filter(opened_on__isnull=False, published_on__isnull=True):
        assessments = list(Assessment.objects.filter(cycle=cycle).select_related("organization"))
        parents = {a.pk: a.organization.path[: -Organization.steplen] for a in assessments}
        parent_ids = dict(
            Organization.objects.filter(path__in=set(parents.values())).values_list("path", "pk")
        )
        own = role_holders({a.organization_id for a in assessments}, SELF_ROLES)
        reviewers = role_holders(set(parent_ids.values()), REVIEW_ROLES)
        for a in assessments:
            link = reverse("cycle:assessment", args=[a.pk])
            name = a.organization.display_name
            if a.status == Assessment.Status.DRAFT and today <= cycle.self_closes_on:
                users, key, due = (
                    own.get(a.organization_id, []),
                    f"assessment:{a.pk}:self",
                    cycle.self_closes_on,
                )
                text = _("Submit the self-assessment of %(unit)s") % {"unit": name}
            elif a.status == Assessment.Status.SUBMITTED and today <= cycle.review_closes_on:
                parent_id = parent_ids.get(parents[a.pk])
                users = reviewers.get(parent_id, []) if parent_id is not None else []
                key, due = f"assessment:{a.pk}:review", cycle.review_closes_on
                text = _("Review the self-assessment of %(unit)s") % {"unit": name}
            else:
                continue
            wanted += [
                Todo(
                    user_id=u,
                    kind=Todo.Kind.ASSESSMENT,
                    key=key,
                    organization_id=a.organization_id,
                    text=text[:200],
                    link=link,
                    due_on=due,
                )
                for u in users
            ]
        if (
            any(a.status == Assessment.Status.REVIEWED for a in assessments)
            and today <= cycle.verification_closes_on
        ):
            root = cycle.root
            wanted += [
                Todo(
                    user_id=u,
                    kind=Todo.Kind.ASSESSMENT,
                    key=f"assessment-verify:{cycle.pk}",
                    organization=root,
                    text=(_("Verify the reviewed assessments of %(year)s") % {"year": cycle.year})[:200],
                    link=reverse("cycle:progress", args=[cycle.year]),
                    due_on=cycle.verification_closes_on,
                )
                for u in role_holders([root.pk], (Role.Kind.OFFICER, Role.Kind.ORGANIZER)).get(root.pk, [])
            ]
    return todos_sync(kind=Todo.Kind.ASSESSMENT, wanted=wanted)
