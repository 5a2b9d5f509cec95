"""The member lifecycle's to-dos: what ``members.selectors.lifecycle.lifecycle_due`` finds overdue or due soon
(development steps, transfer letters, dues lapses, care visits, terms ending) becomes a to-do item for the
unit's secretaries, in the same list as the minutes' reminders. ``members`` cannot import the to-do table
(DESIGN §3), so the daily step reads its selector from here."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from branches.models import Organization, Role
from disclosure.models import Todo
from disclosure.services.meetings import _users_with_roles
from members.selectors.lifecycle import lifecycle_due

# Who gets a unit's member-affairs to-dos: the people who run its members.
LIFECYCLE_ROLES = (Role.Kind.SECRETARY, Role.Kind.DEPUTY, Role.Kind.ORGANIZER)
KEY_PREFIX = "lifecycle:"


def role_holders(organization_ids, kinds) -> dict[int, list[int]]:
    """``{organization id: [user ids]}`` of the current holders of ``kinds`` there. One query."""
    holders: dict[int, list[int]] = {}
    for user_id, organization_id in _users_with_roles(organization_ids, kinds):
        holders.setdefault(organization_id, []).append(user_id)
    return holders


def todos_sync(*, kind: str, wanted: list[Todo]) -> dict[str, int]:
    """Make the open to-dos of ``kind`` exactly ``wanted``: create the missing ones (unique per user and key,
    so a second run creates nothing) and close the open ones whose key is no longer wanted. For the daily
    steps that derive to-dos from the state of another app."""
    keys = {todo.key for todo in wanted}
    of_kind = Todo.objects.filter(kind=kind)
    before = of_kind.count()
    Todo.objects.bulk_create(wanted, ignore_conflicts=True, batch_size=1000)
    created = of_kind.count() - before
    stale = [pk for pk, key in of_kind.open().values_list("pk", "key") if key not in keys]
    closed = 0
    for start in range(0, len(stale), 500):
        closed += Todo.objects.filter(pk__in=stale[start:start + 500]).update(done_at=timezone.now())
    return {"created": created, "closed": closed}


@transaction.atomic
def lifecycle_todos_advance(*, today: datetime.date) -> dict[str, int]:
    """Create a to-do per due item and secretary (``lifecycle:<item key>``, unique per user, so running twice
    creates nothing twice) and close the open ones whose item is no longer due (done, or the case closed)."""
    items = [item for root in Organization.objects.filter(depth=1)
             for item in lifecycle_due(organization=root, today=today)]
    holders = role_holders({item.organization_id for item in items}, LIFECYCLE_ROLES)
    wanted = [
        Todo(user_id=user_id, kind=Todo.Kind.MEMBER_AFFAIRS, key=KEY_PREFIX + item.key,
             organization_id=item.organization_id, text=item.text[:200], due_on=item.due_on)
        for item in items for user_id in holders.get(item.organization_id, [])
    ]
    return todos_sync(kind=Todo.Kind.MEMBER_AFFAIRS, wanted=wanted)
