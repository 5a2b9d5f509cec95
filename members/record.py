"""Sections of a member's record (issue 19): the member's history as the apps above keep it — 党纪处分 here,
民主评议 grades and honours from ``assessments`` — without members importing them (DESIGN §3).

A section is ``(request, member, unmasked) -> str | None`` (rendered HTML; ``unmasked``: the viewer is the
member or manages them). Apps register theirs in ``AppConfig.ready``; each runs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

Section = Callable[[HttpRequest, object, bool], str | None]
_SECTIONS: list[tuple[int, Section]] = []


def register_record_section(section: Section, *, order: int = 50) -> Section:
    if all(existing is not section for _order, existing in _SECTIONS):
        _SECTIONS.append((order, section))
        _SECTIONS.sort(key=lambda item: item[0])
    return section


def render_record_sections(request: HttpRequest, member, *, unmasked: bool) -> list[SafeString]:
    return [mark_safe(html) for _order, section in _SECTIONS if (html := section(request, member, unmasked))]


def discipline_section(request: HttpRequest, member, unmasked: bool) -> str | None:
    """党纪处分 on record, for the member and those who manage them, with the link to record one for the
    committee above the branch and the 组织部. Two queries (the records, whether the viewer may record)."""
    if not unmasked:
        return None
    from members.models import DisciplinaryRecord
    from members.services.discipline import may_record_discipline

    records = list(DisciplinaryRecord.objects.filter(member=member).order_by("-decided_on", "-pk"))
    may_record = member.user_id != request.user.pk and may_record_discipline(user=request.user, member=member)
    return render_to_string(
        "members/record_discipline.html",
        {"records": records, "member": member, "may_record": may_record},
        request=request,
    )


register_record_section(discipline_section, order=90)


def departure_section(request: HttpRequest, member, unmasked: bool) -> str | None:
    """逝世 / 出党 (issue 21): the recorded death or departure, and for those who manage the member's branch
    the link to record one while the member is active. One query once the member is inactive, none before
    (``unmasked`` for someone other than the member means they manage the member's branch)."""
    if not unmasked:
        return None
    from members.models import Departure

    departure = None if member.is_active else Departure.objects.filter(member=member).first()
    # Unmasked and not the member: the viewer manages the member, which is who records (may_record_departure).
    may_record = member.is_active and member.is_party_member and member.user_id != request.user.pk
    if departure is None and not may_record:
        return None
    return render_to_string(
        "members/record_departure.html",
        {"departure": departure, "member": member, "may_record": may_record},
        request=request,
    )


register_record_section(departure_section, order=95)


def stat_fields_section(request: HttpRequest, member, unmasked: bool) -> str | None:
    """The 党内统计 fields (issue 21) for the member and those who manage them, with the link to edit them for
    the branch and the units above. No query (``unmasked`` for someone other than the member means they manage
    the member's branch)."""
    if not unmasked:
        return None
    # Unmasked and not the member: the viewer manages the member, which is who edits (may_edit_stat_fields).
    may_edit = member.user_id != request.user.pk
    return render_to_string(
        "members/record_stat_fields.html", {"member": member, "may_edit": may_edit}, request=request
    )


register_record_section(stat_fields_section, order=40)
