"""Flags beside members' names (members.flags): ``{% member_flags_for rows as flags %}`` once before a loop (rows
are members, or objects with a ``member_id``), then ``{% member_flag_badges flags member_id %}`` in it."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join

from members.flags import MemberFlag, member_flags
from members.models import Member

register = template.Library()


def _member_id(row) -> int | None:
    """A member's id from a member, a record with ``member_id`` (a case, a transfer) or a row (object or dict)
    with ``member``."""
    if isinstance(row, Member):
        return row.pk
    if hasattr(row, "member_id"):
        return row.member_id
    member = row.get("member") if isinstance(row, dict) else getattr(row, "member", None)
    return member.pk if member is not None else None


@register.simple_tag
def member_flags_for(rows) -> dict[int, list[MemberFlag]]:
    """Rows (or one member) → their flags, asked once for all of them."""
    if isinstance(rows, Member):
        rows = [rows]
    return member_flags(_member_id(row) for row in rows or [])


@register.simple_tag
def member_flag_badges(flags, member_id, detail=False) -> str:
    found = (flags or {}).get(member_id, [])
    if not found:
        return ""
    if detail:
        return format_html_join(
            "",
            '<p class="alert alert-warning py-1 px-2 mb-1 small" data-flag="{}"><strong>{}</strong> {}</p>',
            ((f.code, f.label, f.detail) for f in found),
        )
    return format_html(
        "{}",
        format_html_join(
            " ",
            '<span class="badge text-bg-warning" data-flag="{}" title="{}">{}</span>',
            ((f.code, f.detail, f.label) for f in found),
        ),
    )
