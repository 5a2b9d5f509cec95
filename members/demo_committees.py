"""Demo (issue 21.1): the committees the 党内统计 table 党组织委员会及换届情况 counts. The people builder seats
one secretary per unit (and a few 组织委员); here every secondary committee gets its 副书记, 组织委员, 宣传委员
and 纪检委员, and about half of the branches of 7 or more full members a 组织委员 and a 宣传委员 (a committee of
three), each from the unit's own full members, given an account without a password, in post since the
unit's term started, with the object permissions each role carries — what ``branches.services.role_assign``
writes, in bulk (issue 17.3).

Registered from the end of ``members/demo.py``; its module is not a ``demo`` module, so the step runs after
the apps' own ``demo`` modules' steps and before ``assessments``' (``demo_steps``' order), whose
``statistics_assessments`` step computes last year's tables again with these committees in."""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count

from branches.models import Organization, Role
from branches.services import roles_assign_bulk
from members.demo import DemoBuilder, DemoStep, register_demo_step
from members.models import Member

R = Role.Kind
SECONDARY_POSTS = (R.DEPUTY, R.ORGANIZER, R.PUBLICITY, R.DISCIPLINE)
BRANCH_POSTS = (R.ORGANIZER, R.PUBLICITY)
BRANCH_COMMITTEE_AT = 7  # full members from which a branch elects a committee (支部工作条例)


@transaction.atomic
def load(builder: DemoBuilder) -> str:
    """Bulk (issue 17.3): the full members read once and dealt to the units in Python, the accounts, roles, their
    history and permissions written in a few inserts — as ``role_assign`` writes them, one post at a time
    (a query over the whole subtree per unit made this step grow with the square of the scale)."""
    rng = random.Random(f"{builder.seed}-committees")
    users = get_user_model()
    full = Member.objects.active().filter(stage=Member.Stage.FULL, user__isnull=True)
    per_branch = dict(full.order_by().values("branch").annotate(n=Count("pk")).values_list("branch", "n"))
    # Every candidate once, in the order each unit's query took them (name, pk), with its branch's path.
    people = list(full.order_by("name", "pk").values_list("pk", "name", "branch_id", "branch__path"))
    by_branch: dict[int, list[tuple]] = {}
    for person in people:
        by_branch.setdefault(person[2], []).append(person)
    units = list(
        Organization.objects.filter(
            kind__in=(*Organization.SECONDARY_KINDS, Organization.Kind.BRANCH),
            is_active=True,
            term_started_on__isnull=False,
        ).order_by("path")
    )
    # A secondary committee's pool: the members of every branch under it (their branch's path starts with its).
    lengths = {len(u.path) for u in units if u.kind != Organization.Kind.BRANCH}
    by_prefix: dict[str, list[tuple]] = {}
    for person in people:
        for length in lengths:
            by_prefix.setdefault(person[3][:length], []).append(person)
    held = set(Role.objects.current().values_list("organization_id", "kind"))
    seats: list[tuple[Organization, str, int, str]] = []  # unit, kind, member pk, member name
    taken: set[int] = set()  # members seated already (they have an account now: out of the later units' pool)
    seated = 0
    for unit in units:
        if unit.kind == Organization.Kind.BRANCH:
            if per_branch.get(unit.pk, 0) < BRANCH_COMMITTEE_AT or rng.random() < 0.5:
                continue
            kinds, pool = BRANCH_POSTS, by_branch.get(unit.pk, ())
        else:
            kinds, pool = SECONDARY_POSTS, by_prefix.get(unit.path, ())
        kinds = [kind for kind in kinds if (unit.pk, kind) not in held]
        chosen = [p for p in pool if p[0] not in taken][:40]
        rng.shuffle(chosen)
        for (pk, name, _branch, _path), kind in zip(chosen, kinds, strict=False):
            seats.append((unit, kind, pk, name))
            taken.add(pk)
        seated += bool(kinds)
    accounts = []
    for _unit, _kind, pk, name in seats:
        user = users(username=f"demo-c{pk}", first_name=name[:150])
        user.set_unusable_password()
        accounts.append(user)
    users.objects.bulk_create(accounts, batch_size=2000)
    members = [Member(pk=pk, user=user) for (_u, _k, pk, _n), user in zip(seats, accounts)]
    Member.objects.bulk_update(members, ["user"], batch_size=2000)
    roles_assign_bulk(
        [
            Role(user=user, organization=unit, kind=kind, started_on=unit.term_started_on or builder.today)
            for (unit, kind, _pk, _name), user in zip(seats, accounts)
        ]
    )
    return f"{len(seats)} posts (副书记, 组织委员, 宣传委员, 纪检委员) in {seated} units"


def clear() -> None:
    """Nothing of its own to delete first: --replace deletes the roles with their non-superuser users."""


register_demo_step(DemoStep(name="committees", load=load, clear=clear))
