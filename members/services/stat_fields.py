"""The 党内统计 fields of a member's record edited in the UI (issue 21): ethnicity, education, occupation and a
student's level — what the tables, the national sheet and 信息完整度 read (``members.statistics``). The
member's branch or a unit above it edits them (manage_members), for party members and for applicants and
development targets alike; the member's history keeps each change and who made it. 信息完整度 is counted
from these columns on each request, so an edit shows there at once."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from branches.models import Organization
from members.models import Member
from members.selectors import member_may_manage

STAT_FIELDS = ("ethnicity", "education", "occupation", "student_level")
ETHNICITY_MAX = Member._meta.get_field("ethnicity").max_length or 20


def may_edit_stat_fields(*, user, member: Member) -> bool:
    """The member's branch or a unit above it. One query."""
    return member_may_manage(user=user, member=member)


@transaction.atomic
def member_stat_fields_update(
    *,
    member: Member,
    by: User | None,
    ethnicity: str,
    education: str,
    occupation: str,
    student_level: str,
) -> list[str]:
    """Set the statistics fields; returns the names of those that changed (none: nothing is written)."""
    if by is not None and not may_edit_stat_fields(user=by, member=member):
        raise PermissionDenied
    member = Member.objects.select_for_update().get(pk=member.pk)
    values = {
        "ethnicity": ethnicity.strip(),
        "education": education,
        "occupation": occupation,
        "student_level": student_level,
    }
    errors: dict[str, list[str]] = {}
    if not values["ethnicity"] or len(values["ethnicity"]) > ETHNICITY_MAX:
        errors["ethnicity"] = [_("Enter the ethnicity, at most %(n)d characters.") % {"n": ETHNICITY_MAX}]
    elif not values["ethnicity"].endswith("族"):
        errors["ethnicity"] = [_("Write the ethnicity as the ID card does, e.g. 汉族 or 回族.")]
    for field, choices in (
        ("education", Member.Education),
        ("occupation", Member.Occupation),
        ("student_level", Member.StudentLevel),
    ):
        if values[field] and values[field] not in choices.values:
            errors[field] = [_("Choose one of the listed values.")]
    if values["student_level"] and member.category != Organization.Category.STUDENT:
        errors["student_level"] = [_("Only a student has a student level.")]
    if errors:
        raise ValidationError(errors)
    changed = [field for field in STAT_FIELDS if getattr(member, field) != values[field]]
    if not changed:
        return []
    for field in changed:
        setattr(member, field, values[field])
    member._history_user = by if getattr(by, "pk", None) else None  # type: ignore[attr-defined]
    member._change_reason = "statistics fields"  # type: ignore[attr-defined]
    member.save(update_fields=changed)
    return changed
