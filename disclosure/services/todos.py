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
from members.selectors.lifecycle import lifecycle_due

# Who gets a unit's member-affairs to-dos: the people who run its members.
LIFECYCLE_ROLES = (Role.Kind.SECRETARY, Role.Kind.DEPUTY, Role.Kind.ORGANIZER)
KEY_PREFIX = "lifecycle:"


# The fields a derived to-do takes from its cause; a run rewrites them when the cause changed (a count in the
# text, a due date), so an open to-do reads as a fresh run would have written it.
DERIVED_FIELDS = ("text", "due_on", "link", "organization_id", "meeting_id")


def users_with_roles(organization_ids, kinds) -> list[tuple[int, int]]:
    """``[(user id, organization id)]`` of the current holders of ``kinds`` in those units. One query."""
    return list(
        Role.objects.current()
        .filter(organization_id__in=organization_ids, kind__in=kinds)
        .values_list("user_id", "organization_id")
        .distinct()
    )


def role_holders(organization_ids, kinds) -> dict[int, list[int]]:
    """``{organization id: [user ids]}`` of the current holders of ``kinds`` there. One query."""
    holders: dict[int, list[int]] = {}
    for user_id, organization_id in users_with_roles(organization_ids, kinds):
        holders.setdefault(organization_id, []).append(user_id)
    return holders


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def todos_sync(*, kind: str, wanted: list[Todo], key_prefix: str = "") -> dict[str, int]:
    """Make the open to-dos of ``kind`` exactly ``wanted``, per (user, key): a function of the state the
    caller derived them from, whatever earlier runs (for any date, in any order) left behind.

    * wanted and absent: created (unique per user and key, so a parallel insert is ignored, not an error);
    * wanted and closed: reopened — its cause is back (a run for an earlier date, a record sent back …);
    * wanted and open: its text, due date and link brought up to date if they changed;
    * open and not wanted: closed — its cause is gone, or the user no longer holds the role.

    ``created`` counts the to-dos opened by this run, new or reopened; ``closed`` those it closed. For the
    daily steps that derive to-dos from the state of another app; queries in chunks of 500.

    With ``key_prefix``, only the to-dos of ``kind`` whose key starts with it are the caller's (one record's
    to-dos, synced when it changes, leaving those of the other records alone); ``wanted`` keys start with it."""
    by_pair: dict[tuple[int, str], Todo] = {(todo.user_id, todo.key): todo for todo in wanted}
    existing: dict[tuple[int, str], Todo] = {}
    scope = (
        Todo.objects.filter(kind=kind, key__startswith=key_prefix)
        if key_prefix
        else Todo.objects.filter(kind=kind)
    )
    of_kind = scope.only("pk", "user", "key", "done_at", "text", "due_on", "link", "organization", "meeting")
    for todo in of_kind.open():
        existing[(todo.user_id, todo.key)] = todo
    # Closed rows matter only where they are wanted again; old closed ones stay unread.
    closed_keys = sorted({key for (user_id, key) in by_pair if (user_id, key) not in existing})
    for keys in _chunks(closed_keys):
        for todo in of_kind.filter(done_at__isnull=False, key__in=keys):
            existing.setdefault((todo.user_id, todo.key), todo)

    new = [todo for pair, todo in by_pair.items() if pair not in existing]
    changed: list[Todo] = []
    reopened = 0
    for pair, todo in by_pair.items():
        row = existing.get(pair)
        if row is None:
            continue
        differs = any(getattr(row, name) != getattr(todo, name) for name in DERIVED_FIELDS)
        if row.done_at is None and not differs:
            continue
        if row.done_at is not None:
            reopened += 1
            row.done_at = None
        for name in DERIVED_FIELDS:
            setattr(row, name, getattr(todo, name))
        changed.append(row)
    stale = [row.pk for pair, row in existing.items() if row.done_at is None and pair not in by_pair]

    before = scope.count()
    Todo.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    created = scope.count() - before
    Todo.objects.bulk_update(changed, ["done_at", *DERIVED_FIELDS], batch_size=500)
    now = timezone.now()
    closed = sum(
        Todo.objects.filter(pk__in=pks, done_at__isnull=True).update(done_at=now) for pks in _chunks(stale)
    )
    return {"created": created + reopened, "closed": closed}


@transaction.atomic
def lifecycle_todos_advance(*, today: datetime.date) -> dict[str, int]:
    """Create a to-do per due item and secretary (``lifecycle:<item key>``, unique per user, so running twice
    creates nothing twice) and close the open ones whose item is no longer due (done, or the case closed)."""
    items = [
        item
        for root in Organization.objects.filter(depth=1)
        for item in lifecycle_due(organization=root, today=today)
    ]
    holders = role_holders({item.organization_id for item in items}, LIFECYCLE_ROLES)
    wanted = [
        Todo(
            user_id=user_id,
            kind=Todo.Kind.MEMBER_AFFAIRS,
            key=KEY_PREFIX + item.key,
            organization_id=item.organization_id,
            text=item.text[:200],
            due_on=item.due_on,
        )
        for item in items
        for user_id in holders.get(item.organization_id, [])
    ]
    return todos_sync(kind=Todo.Kind.MEMBER_AFFAIRS, wanted=wanted)
