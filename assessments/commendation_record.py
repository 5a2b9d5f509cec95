"""The 七一表彰's honours on the member's record and on the unit's page (issue 19), through the registries of
``members.record`` and ``members.panels`` so that members imports nothing of assessments (DESIGN §3)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from assessments.selectors.commendation import member_honours, unit_honours
from branches.models import Organization


def honours_section(request: HttpRequest, member, unmasked: bool) -> str | None:
    """The member's published honours (public once published, so shown to every viewer of the record). One
    query; nothing when there is none."""
    honours = member_honours(member=member)
    if not honours:
        return None
    return render_to_string(
        "assessments/commendation/record_section.html", {"honours": honours}, request=request
    )


def unit_honours_panel(request: HttpRequest, unit: Organization) -> str | None:
    """先进基层党组织 honours of the unit itself. One query; nothing when there is none."""
    honours = unit_honours(unit=unit)
    if not honours:
        return None
    return render_to_string(
        "assessments/commendation/record_section.html", {"honours": honours}, request=request
    )
