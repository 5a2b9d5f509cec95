"""Term renewals (换届): recording an election starts the unit's new term and seats its committee."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization, Role
from branches.history import history_by, history_reason
from branches.once import once
from branches.selectors import MANAGE_MEMBERS, MANAGE_UNITS, organization_permission_holds
from branches.services import role_assign, role_end
from members.models import ElectedSeat, Member, TermCandidate, TermElection

# The roles an election fills; officers of the 组织部 and party-group leaders are appointed, not elected.
ELECTED_ROLES = (
    Role.Kind.SECRETARY,
    Role.Kind.DEPUTY,
    Role.Kind.ORGANIZER,
    Role.Kind.PUBLICITY,
    Role.Kind.DISCIPLINE,
)


def may_record_election(*, user: User, organization: Organization) -> bool:
    """The unit above approves a unit's election, so recording it needs MANAGE_UNITS there (the root: itself)."""
    target = Organization.objects.get_parent(organization) if organization.depth > 1 else organization
    return organization_permission_holds(user=user, organization=target, codename=MANAGE_UNITS)


@transaction.atomic
def term_election_record(
    *,
    organization: Organization,
    elected_on: datetime.date,
    seats: Sequence[tuple[User, str]],
    by: User | None,
    term_years: int | None = None,
    note: str = "",
    votes: Mapping[int, int] | None = None,
    voters: int | None = None,
) -> TermElection:
    """Record an election: the new term starts on ``elected_on``; roles of people not re-elected to them end,
    new ones are assigned (through branches' role services, so permissions follow); history is kept.

    ``votes`` (user id → votes received) and ``voters`` (voting members present) are the tally the 决议
    states (members.documents); both optional, and a person's votes never exceed the voters present."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if by is not None and not may_record_election(user=by, organization=organization):
        raise PermissionDenied
    if organization.kind == Organization.Kind.GROUP:
        raise ValidationError(_("Party groups do not hold elections."))
    if elected_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if organization.term_started_on and elected_on <= organization.term_started_on:
        raise ValidationError(
            _("The current term started on %(date)s; the election must come after it.")
            % {"date": organization.term_started_on.isoformat()}
        )
    years = term_years or organization.term_years
    if not 1 <= years <= 5:
        raise ValidationError(_("A term lasts 1 to 5 years."))
    wanted = {(user.pk, kind) for user, kind in seats}
    if len(wanted) != len(seats):
        raise ValidationError(_("A person is listed twice for the same role."))
    if any(kind not in ELECTED_ROLES for _user, kind in seats):
        raise ValidationError(_("Unknown role."))
    if sum(1 for _user, kind in seats if kind == Role.Kind.SECRETARY) != 1:
        raise ValidationError(_("An election names exactly one secretary."))
    votes = dict(votes or {})
    if voters is not None and not 1 <= voters <= TermElection.MAX_VOTERS:
        raise ValidationError(_("Voting members present: 1 to %(n)d.") % {"n": TermElection.MAX_VOTERS})
    if any(user_id not in {user.pk for user, _kind in seats} for user_id in votes):
        raise ValidationError(_("Votes are recorded for the elected only."))
    for count in votes.values():
        if not 0 <= count <= (voters or TermElection.MAX_VOTERS):
            raise ValidationError(
                _("A person's votes are between 0 and the voting members present (%(n)d).")
                % {"n": voters or TermElection.MAX_VOTERS}
            )

    election = TermElection.objects.create(
        organization=organization,
        elected_on=elected_on,
        term_years=years,
        previous_term_started_on=organization.term_started_on,
        note=note.strip(),
        voters=voters,
        recorded_by=by,
    )
    ElectedSeat.objects.bulk_create(
        ElectedSeat(election=election, user=user, role=kind, votes=votes.get(user.pk)) for user, kind in seats
    )
    current = list(
        Role.objects.current()
        .filter(organization=organization, kind__in=ELECTED_ROLES)
        .select_related("organization")
    )
    held = set()
    for role in current:
        if (role.user_id, role.kind) in wanted:
            held.add((role.user_id, role.kind))
        else:
            role_end(role=role, ended_on=max(elected_on, role.started_on), by=None)
    for user, kind in seats:
        if (user.pk, kind) not in held:
            role_assign(user=user, organization=organization, kind=kind, started_on=elected_on, by=None)
    organization.term_started_on, organization.term_years = elected_on, years
    organization._change_reason = "term election"
    organization.save(update_fields=["term_started_on", "term_years"])
    return election


# --- candidates for the next election ---------------------------------------------------------------------------


def may_nominate(*, user: User, organization: Organization) -> bool:
    """The unit prepares its own election (its 请示 names the candidates), so its people and those above it
    who manage its members keep the list."""
    return organization_permission_holds(user=user, organization=organization, codename=MANAGE_MEMBERS)


@transaction.atomic
def term_candidate_add(
    *, organization: Organization, member: Member, by: User | None, request_key=None
) -> TermCandidate:
    """Add ``member`` to the candidates for ``organization``'s next election (the term it is in now). A
    candidate is a full member of the unit (its subtree) on the rolls; each once; at most
    ``TermCandidate.MAX_PER_ELECTION``. History is kept."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if by is not None and not may_nominate(user=by, organization=organization):
        raise PermissionDenied
    if organization.kind == Organization.Kind.GROUP:
        raise ValidationError(_("Party groups do not hold elections."))
    eligible = (
        Member.objects.active()
        .in_subtree(organization)
        .filter(pk=member.pk, stage=Member.Stage.FULL)
        .exists()
    )
    if not eligible:
        raise ValidationError(_("A candidate must be a full member of this unit."))
    listed = TermCandidate.objects.filter(
        organization=organization, term_started_on=organization.term_started_on
    )

    def create() -> TermCandidate:
        if listed.filter(member=member).exists():
            raise ValidationError(_("%(name)s is already a candidate.") % {"name": member.name})
        if listed.count() >= TermCandidate.MAX_PER_ELECTION:
            raise ValidationError(
                _("An election has at most %(n)d candidates.") % {"n": TermCandidate.MAX_PER_ELECTION}
            )
        candidate = TermCandidate(
            organization=organization,
            term_started_on=organization.term_started_on,
            member=member,
            recorded_by=by,
        )
        history_by(candidate, by)
        candidate.save()
        return candidate

    return once(key=request_key, user=by, model=TermCandidate, create=create)


@transaction.atomic
def term_candidate_remove(*, candidate: TermCandidate, by: User | None) -> None:
    """Take a candidate off the list of the election still to come (a past election's list is its record)."""
    organization = Organization.objects.select_for_update().get(pk=candidate.organization_id)
    if by is not None and not may_nominate(user=by, organization=organization):
        raise PermissionDenied
    if candidate.term_started_on != organization.term_started_on:
        raise ValidationError(_("This election has been held; its candidates are kept as they stood."))
    history_by(candidate, by)
    history_reason(candidate, "candidate removed")
    candidate.delete()
