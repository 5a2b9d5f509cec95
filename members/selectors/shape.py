"""The branch shape of DESIGN §5 (issue 18): ≥ BRANCH_MIN_FULL_MEMBERS full members to form a branch; from
BRANCH_COMMITTEE_THRESHOLD full members a branch committee (支委会) of BRANCH_COMMITTEE_MIN to _MAX members.
Warnings for the branch page and the 八个一 checklist, never errors."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from branches.models import Organization, Role
from members.models import Member

# The branch committee: the current holders of these roles on the branch (each person counted once).
COMMITTEE_ROLES = (
    Role.Kind.SECRETARY,
    Role.Kind.DEPUTY,
    Role.Kind.ORGANIZER,
    Role.Kind.PUBLICITY,
    Role.Kind.DISCIPLINE,
)


@dataclass
class BranchShape:
    full: int
    committee: int
    warnings: list[str] = field(default_factory=list)


def committee_size(*, branch: Organization) -> int:
    """Distinct current holders of the committee roles on ``branch``. One query."""
    return (
        Role.objects.current()
        .filter(organization=branch, kind__in=COMMITTEE_ROLES)
        .values("user")
        .distinct()
        .count()
    )


def shape_warnings(*, full: int, committee: int) -> list[str]:
    """The rule itself, on two numbers (the tests check its edges)."""
    warnings = []
    if full < settings.BRANCH_MIN_FULL_MEMBERS:
        warnings.append(
            _("Only %(n)d full members: a branch needs at least %(min)d.")
            % {"n": full, "min": settings.BRANCH_MIN_FULL_MEMBERS}
        )
    if full >= settings.BRANCH_COMMITTEE_THRESHOLD and not (
        settings.BRANCH_COMMITTEE_MIN <= committee <= settings.BRANCH_COMMITTEE_MAX
    ):
        warnings.append(
            _(
                "%(full)d full members: the branch needs a committee of %(min)d to %(max)d members; it "
                "has %(n)d."
            )
            % {
                "full": full,
                "min": settings.BRANCH_COMMITTEE_MIN,
                "max": settings.BRANCH_COMMITTEE_MAX,
                "n": committee,
            }
        )
    return warnings


def branch_shape(*, branch: Organization, full: int | None = None) -> BranchShape:
    """The shape of ``branch`` (its full members counted unless given). One or two queries."""
    if full is None:
        full = Member.objects.filter(branch=branch, stage=Member.Stage.FULL, is_active=True).count()
    committee = committee_size(branch=branch)
    return BranchShape(
        full=full, committee=committee, warnings=shape_warnings(full=full, committee=committee)
    )
