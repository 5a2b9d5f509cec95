"""Demo (issue 21.1): the committees the 党内统计 table 党组织委员会及换届情况 counts. The people builder seats
one secretary per unit (and a few 组织委员); here every secondary committee gets its 副书记, 组织委员, 宣传委员
and 纪检委员, and about half of the branches of 7 or more full members a 组织委员 and a 宣传委员 (a committee of
three), each from the unit's own full members, given an account without a password, in post since the
unit's term started. Through ``branches.services.role_assign``, so permissions follow.

Registered from the end of ``members/demo.py``; its module is not a ``demo`` module, so the step runs after
the apps' own ``demo`` modules' steps and before ``assessments``' (``demo_steps``' order), whose
``statistics_assessments`` step computes last year's tables again with these committees in."""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count

from branches.models import Organization, Role
from branches.services import role_assign
from members.demo import DemoBuilder, DemoStep, register_demo_step
from members.models import Member

R = Role.Kind
SECONDARY_POSTS = (R.DEPUTY, R.ORGANIZER, R.PUBLICITY, R.DISCIPLINE)
BRANCH_POSTS = (R.ORGANIZER, R.PUBLICITY)
BRANCH_COMMITTEE_AT = 7  # full members from which a branch elects a committee (支部工作条例)


@transaction.atomic
def load(builder: DemoBuilder) -> str:
    rng = random.Random(f"{builder.seed}-committees")
    users = get_user_model()
    full = Member.objects.active().filter(stage=Member.Stage.FULL, user__isnull=True)
    per_branch = dict(full.order_by().values("branch").annotate(n=Count("pk")).values_list("branch", "n"))
    units = Organization.objects.filter(
        kind__in=(*Organization.SECONDARY_KINDS, Organization.Kind.BRANCH),
        is_active=True,
        term_started_on__isnull=False,
    ).order_by("path")
    held = set(Role.objects.current().values_list("organization_id", "kind"))
    posts = seated = 0
    for unit in units:
        if unit.kind == Organization.Kind.BRANCH:
            if per_branch.get(unit.pk, 0) < BRANCH_COMMITTEE_AT or rng.random() < 0.5:
                continue
            kinds, people = BRANCH_POSTS, full.filter(branch=unit)
        else:
            kinds, people = SECONDARY_POSTS, full.filter(branch__path__startswith=unit.path)
        kinds = [kind for kind in kinds if (unit.pk, kind) not in held]
        chosen = list(people.order_by("name", "pk")[:40])
        rng.shuffle(chosen)
        for member, kind in zip(chosen, kinds, strict=False):
            user = users(username=f"demo-c{member.pk}", first_name=member.name[:150])
            user.set_unusable_password()
            user.save()
            Member.objects.filter(pk=member.pk).update(user=user)
            role_assign(user=user, organization=unit, kind=kind, started_on=unit.term_started_on)
            posts += 1
        seated += bool(kinds)
    return f"{posts} posts (副书记, 组织委员, 宣传委员, 纪检委员) in {seated} units"


def clear() -> None:
    """Nothing of its own to delete first: --replace deletes the roles with their non-superuser users."""


register_demo_step(DemoStep(name="committees", load=load, clear=clear))
