"""The demo's QR sign-in (issue 20): every member gets a campus number (the university's sign-on would match
it), and the branch of the demo secretary ``zb001`` has a draft 支部党员大会 held this hour, with about two
thirds of its members signed in — so ``make run`` shows a live code and a minutes form that starts from it."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone

from branches.models import Role
from disclosure.models import AttendanceCorrection, Meeting, SignIn
from members.demo import DemoBuilder
from members.models import Member

SECRETARY = "zb001"


def load(builder: DemoBuilder) -> str:
    with transaction.atomic():
        # One UPDATE: 工号 for staff, 学号 for students, from the record's id (unique by construction).
        numbered = Member.objects.filter(campus_number="").update(
            campus_number=Concat(
                Value("D"), LPad(Cast("pk", CharField()), 8, Value("0")), output_field=CharField()
            )
        )
        secretary = get_user_model().objects.filter(username=SECRETARY).first()
        role = (
            Role.objects.current().filter(user=secretary).select_related("organization").first()
            if secretary
            else None
        )
        if role is None:
            return f"{numbered} campus numbers; no demo secretary {SECRETARY}, no sign-in meeting"
        now = timezone.localtime()
        meeting = Meeting.objects.create(
            organization=role.organization,
            kind=Meeting.Kind.GENERAL_ASSEMBLY,
            place="党员活动室",
            held_at=now.replace(minute=0, second=0, microsecond=0),
            topics="学习党的二十届三中全会精神（扫码签到演示）",
            created_by=secretary,
        )
        members = list(
            Member.objects.active()
            .party_members()
            .in_subtree(role.organization)
            .exclude(user=secretary)
            .order_by("pk")
        )
        signed = [m for i, m in enumerate(members) if i % 3 != 2]
        SignIn.objects.bulk_create(
            SignIn(meeting=meeting, member=m, signed_at=meeting.held_at + datetime.timedelta(seconds=20 * i))
            for i, m in enumerate(signed)
        )
    return f"{numbered} campus numbers; {len(signed)} of {len(members)} signed in to a meeting of {role.organization}"


def clear() -> None:
    AttendanceCorrection.objects.all().delete()
    SignIn.objects.all().delete()
