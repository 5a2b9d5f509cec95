"""Issue 18: the committee work record's register of major decisions. A committee's secretaries record each
decision with its basis, the vote, the decision and its follow-up, linked to the minutes of the meeting that
took it; 组织部 searches the register across committees (``disclosure.selectors.decisions``)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from branches.history import history_by
from branches.models import Organization
from branches.once import once
from branches.selectors import MANAGE_MEMBERS, organization_permission_holds
from disclosure.models import Decision, Meeting

DECISION_FIELDS = (
    "decided_on",
    "meeting",
    "topic",
    "basis",
    "votes_for",
    "votes_against",
    "abstentions",
    "decision",
    "follow_up",
    "follow_up_done",
)


def _check(organization: Organization, values: dict) -> None:
    problems = []
    meeting = values.get("meeting")
    if meeting is not None:
        if meeting.organization_id != organization.pk or meeting.kind not in Meeting.COMMITTEE_KINDS:
            problems.append(_("Link the minutes of one of this committee's own meetings."))
        elif meeting.held_on != values["decided_on"]:
            problems.append(
                _("The decision's date is the meeting's date (%(day)s).") % {"day": meeting.held_on}
            )
    if values["votes_for"] <= values["votes_against"]:
        problems.append(_("A decision needs more votes for than against."))
    for name in ("topic", "basis", "decision"):
        if not str(values.get(name, "")).strip():
            problems.append(_("Give the topic, its basis and the decision."))
            break
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def decision_save(
    *,
    by: User | None,
    organization: Organization,
    values: dict,
    decision: Decision | None = None,
    request_key=None,
) -> Decision:
    """Record (``decision`` None; once per form) or update a decision of a secondary committee: its
    secretaries (manage_members on the committee). History keeps every change (倒查监督)."""
    if organization.kind not in Organization.SECONDARY_KINDS:
        raise ValidationError(_("Major decisions are registered by secondary committees."))
    if by is not None and not organization_permission_holds(
        user=by, organization=organization, codename=MANAGE_MEMBERS
    ):
        raise PermissionDenied
    if decision is not None and decision.organization_id != organization.pk:
        raise PermissionDenied
    _check(organization, values)

    def write() -> Decision:
        row = decision or Decision(organization=organization, created_by=by)
        for name in DECISION_FIELDS:
            if name in values:
                setattr(row, name, values[name].strip() if isinstance(values[name], str) else values[name])
        history_by(row, by)
        row.save()
        return row

    if decision is None:
        return once(key=request_key, user=by, model=Decision, create=write)
    return write()
