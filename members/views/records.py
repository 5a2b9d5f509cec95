"""A member's record, as a manager sees it and as the member sees their own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from branches.access import checked_by
from members.models import Member
from members.record import render_record_sections
from members.selectors import member_may_manage, member_may_view, sensitive_fields


def _member_context(request: HttpRequest, member: Member) -> dict:
    unmasked = member.user_id == request.user.pk or member_may_manage(user=request.user, member=member)
    return {
        "member": member,
        "unit": member.branch,
        **sensitive_fields(member, unmasked=unmasked),
        "unmasked": unmasked,  # the birth date in full, as prose (issue 22), instead of the year only
        "record_sections": render_record_sections(request, member, unmasked=unmasked),
    }


@login_required
@require_GET
@checked_by(member_may_view)
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.select_related("branch", "party_group"), pk=pk)
    if not member_may_view(user=request.user, member=member):
        raise PermissionDenied
    return render(request, "members/member_detail.html", _member_context(request, member))


@login_required
@require_GET
def member_me(request: HttpRequest) -> HttpResponse:
    member = Member.objects.select_related("branch", "party_group").filter(user=request.user).first()
    if member is None:
        return render(request, "members/no_role.html")
    return render(request, "members/member_detail.html", _member_context(request, member) | {"is_me": True})
