"""Dues exemptions (党费减免/免交): the branch asks, the secondary committee above approves or returns.

Dues are the branch's to record (``dues_may_record``: its secretary, deputy secretary and organisation
commissioner); an exemption is the one dues decision taken above the branch. The branch's request names the
member, the months (at most ``DuesExemption.MAX_MONTHS``) and the reason; the approving unit — the nearest
secondary committee above the branch, or the university where there is none — approves it, or returns it
with a reason and the branch corrects and sends it again. This follows the review step of minutes
(``disclosure.services.meetings.meeting_return``): status, reason, who and when, one history row per step.

An approved exemption settles its months for the lapse and arrears rules (``members.models.exempt_through``),
so an exempted member is not reported as lapsed.
"""

from __future__ import annotations

import datetime
import uuid

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from django.db import transaction


from branches.figures import figures_changed
from branches.history import history_by
from branches.models import Organization
from branches.once import once_bind, once_claim
from branches.review import ReviewStep
from branches.selectors import MANAGE_UNITS, organization_permission_holds
from members.models import DuesExemption, Member
from members.rules import add_months, first_of_month
from members.services.dues import require_record_dues

# How far from this month a request may reach: a year back (a hardship noticed late), a year ahead.
REACH_MONTHS = 12
REASON_MAX = DuesExemption._meta.get_field("reason").max_length or 500

APPROVER_KINDS = (*Organization.SECONDARY_KINDS, Organization.Kind.UNIVERSITY, Organization.Kind.PROVINCE)


def exemption_approver_for(branch: Organization) -> Organization:
    """The unit that approves a branch's exemptions: the nearest secondary committee (or general branch)
    above it, else the university or province; a root unit approves its own. One query."""
    parents = branch.ancestor_paths()[:-1]
    if not parents:
        return branch
    above = Organization.objects.filter(path__in=parents, kind__in=APPROVER_KINDS).order_by("-depth").first()
    return above or branch


def dues_exemption_may_decide(*, user: User | AnonymousUser, exemption: DuesExemption) -> bool:
    """Whether ``user`` approves or returns ``exemption``: manage_units on its approving unit (the committee's
    secretaries and officers, and the 组织部 above them). One query."""
    return organization_permission_holds(user=user, organization=exemption.approver, codename=MANAGE_UNITS)


def _months(
    first_month: datetime.date, months: int, today: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The request's first and last month, checked against the bounds."""
    if not 1 <= months <= DuesExemption.MAX_MONTHS:
        raise ValidationError(_("An exemption covers 1 to %(n)d months.") % {"n": DuesExemption.MAX_MONTHS})
    first = first_of_month(first_month)
    this_month = first_of_month(today)
    if not add_months(this_month, -REACH_MONTHS) <= first <= add_months(this_month, REACH_MONTHS):
        raise ValidationError(
            _("The first month must be within %(n)d months of this month.") % {"n": REACH_MONTHS}
        )
    return first, add_months(first, months - 1)


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(message)
    if len(reason) > REASON_MAX:
        raise ValidationError(_("At most %(n)d characters.") % {"n": REASON_MAX})
    return reason


def _refuse_overlap(member: Member, first: datetime.date, last: datetime.date, exclude: int | None) -> None:
    overlapping = DuesExemption.objects.filter(
        member=member,
        status__in=[DuesExemption.Status.SUBMITTED, DuesExemption.Status.APPROVED],
        first_month__lte=last,
        last_month__gte=first,
    )
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude)
    if overlapping.exists():
        raise ValidationError(
            _("%(name)s already has an exemption asked for or approved in these months.")
            % {"name": member.name}
        )


@transaction.atomic
def dues_exemption_request(
    *,
    member: Member,
    first_month: datetime.date,
    months: int,
    reason: str,
    by: User | None,
    request_key: uuid.UUID | str | None = None,
    today: datetime.date | None = None,
) -> DuesExemption:
    """The branch asks for ``member``'s dues to be exempted from ``first_month`` for ``months`` months.

    The branch's recorders only (``dues_may_record``); a party member of the branch; at most
    ``MAX_MONTHS`` months starting within a year of this month; not overlapping another open or approved
    request of the member. ``request_key`` (the form's one-time key) makes a second submission return the
    first request."""
    require_record_dues(by=by, branch=member.branch)
    today = today or timezone.localdate()
    if not member.is_party_member or not member.is_active:
        raise ValidationError(_("Only party members pay dues."))
    first, last = _months(first_month, months, today)
    reason = _reason(reason, _("Say why the member should be exempted."))
    existing = once_claim(key=request_key, user=by, model=DuesExemption)
    if existing is not None:
        return existing
    # The member's row serialises two requests for the same member (the overlap check then sees the first).
    Member.objects.select_for_update().filter(pk=member.pk).first()
    _refuse_overlap(member, first, last, exclude=None)
    exemption = DuesExemption(
        member=member,
        branch_id=member.branch_id,
        approver=exemption_approver_for(member.branch),
        first_month=first,
        last_month=last,
        reason=reason,
        requested_by=by,
        requested_at=timezone.now(),
    )
    history_by(exemption, by)
    exemption.save()
    once_bind(key=request_key, record=exemption)
    return exemption


def _locked(exemption: DuesExemption) -> DuesExemption:
    return (
        DuesExemption.objects.select_for_update(of=("self",))
        .select_related("member", "branch", "approver")
        .get(pk=exemption.pk)
    )


@transaction.atomic
def dues_exemption_resubmit(
    *,
    exemption: DuesExemption,
    first_month: datetime.date,
    months: int,
    reason: str,
    by: User | None,
    today: datetime.date | None = None,
) -> DuesExemption:
    """The branch corrects a returned request and sends it again (the return's reason stays in the history)."""
    exemption = _locked(exemption)
    require_record_dues(by=by, branch=exemption.branch)
    if exemption.status != DuesExemption.Status.RETURNED:
        raise ValidationError(_("Only a returned request can be sent again."))
    today = today or timezone.localdate()
    first, last = _months(first_month, months, today)
    _refuse_overlap(exemption.member, first, last, exclude=exemption.pk)
    exemption.first_month, exemption.last_month = first, last
    exemption.reason = _reason(reason, _("Say why the member should be exempted."))
    exemption.status = DuesExemption.Status.SUBMITTED
    exemption.return_reason = ""
    exemption.requested_by, exemption.requested_at = by, timezone.now()
    exemption.reviewed_by, exemption.reviewed_at = None, None
    history_by(exemption, by)
    exemption.save()
    return exemption


# The exemptions' review step (branches.review): the approving unit returns a request to the branch with the
# reason, who and when kept on the request.
EXEMPTION_REVIEW = ReviewStep(
    awaiting=DuesExemption.Status.SUBMITTED,
    returned=DuesExemption.Status.RETURNED,
    reviewer_field="reviewed_by",
    reviewed_at_field="reviewed_at",
)


@transaction.atomic
def dues_exemption_approve(*, exemption: DuesExemption, by: User) -> DuesExemption:
    """The approving unit approves: from now on the months are settled for the lapse and arrears rules."""
    exemption = _locked(exemption)
    if not dues_exemption_may_decide(user=by, exemption=exemption):
        raise PermissionDenied
    EXEMPTION_REVIEW.require_awaiting(exemption, _("Only requests awaiting approval can be approved."))
    exemption.status = DuesExemption.Status.APPROVED
    exemption.reviewed_by, exemption.reviewed_at = by, timezone.now()
    history_by(exemption, by)
    exemption.save()
    figures_changed(exemption.branch)  # the dashboard's arrears and lapses
    return exemption


@transaction.atomic
def dues_exemption_return(*, exemption: DuesExemption, by: User, reason: str) -> DuesExemption:
    """退回: the approving unit sends the request back to the branch with the reason (required)."""
    exemption = _locked(exemption)
    if not dues_exemption_may_decide(user=by, exemption=exemption):
        raise PermissionDenied
    EXEMPTION_REVIEW.send_back(
        exemption,
        by=by,
        reason=reason,
        not_awaiting=_("Only requests awaiting approval can be returned."),
        no_reason=_("Say why the request is returned."),
    )
    return exemption
