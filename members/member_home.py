"""The member's own dues on their home (members.panels.register_member_panel, issue 22)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from members.models import Member
from members.selectors.lifecycle import member_dues_summary


def dues_panel(request: HttpRequest, member: Member) -> str | None:
    """This month's dues and the months unpaid this year. Two queries; nothing for a non-party member."""
    if not member.is_party_member or member.user_id != request.user.pk:
        return None
    summary = member_dues_summary(member=member, today=timezone.localdate())
    return render_to_string("members/home/dues.html", {"member": member, **summary}, request=request)
