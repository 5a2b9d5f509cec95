"""Writes of the 七一表彰 (issue 19, second half): 组织部 opens the year's commendation (dates, 公示 days,
default quotas) and sets a committee's quota; a secondary committee nominates with the deeds and its
endorsement — an ineligible nominee is refused with the reason; 组织部 starts the 公示 (working days by the
official calendar), records and resolves objections, decides within the quotas and publishes the results as
a 通知公告 post of the university. Every write is one transaction and leaves history.

Eligibility (``eligibility_problems``) reads the year's data:
* a member: must be a full member (a probationary member is refused); no 不合格 or 基本合格 in an approved
  民主评议 of the year or the year before (the 民主评议 of the previous year is held early in this one); no
  党纪处分 decided in the year; a 优秀党务工作者 must hold a current role in a unit of the committee;
* a unit: a branch of the committee; no veto item failed in the year's assessment.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models.commendation import (
    Commendation,
    CommendationQuota,
    HonourKind,
    Nomination,
    NominationObjection,
)
from assessments.models.cycle import Assessment
from assessments.models.evaluation import EvaluationEntry, EvaluationGrade, MemberEvaluation
from branches.models import Organization, Role
from branches.once import once_bind, once_claim
from branches.selectors import (
    MANAGE_MEMBERS,
    MANAGE_UNITS,
    organization_permission_holds,
    refuse_unless,
    require_organization_permission,
)
from branches.workdays import add_working_days
from branches.dates import prose_date
from members.models import DisciplinaryRecord, Member

Status = Commendation.Status
NStatus = Nomination.Status
COMMITTEE_KINDS = (Organization.Kind.COMMITTEE, Organization.Kind.GENERAL_BRANCH)


def may_run(*, user: User, commendation: Commendation) -> bool:
    """组织部 (the university's unit managers) runs the commendation."""
    return organization_permission_holds(user=user, organization=commendation.root, codename=MANAGE_UNITS)


def may_nominate(*, user: User, committee: Organization) -> bool:
    """The secondary committee (its secretary, deputy, organizer) and those above nominate."""
    return organization_permission_holds(user=user, organization=committee, codename=MANAGE_MEMBERS)


def _locked(commendation: Commendation) -> Commendation:
    return Commendation.objects.select_for_update().select_related("root").get(pk=commendation.pk)


@transaction.atomic
def commendation_open(
    *,
    root: Organization,
    year: int,
    nominations_open_on: datetime.date,
    nominations_close_on: datetime.date,
    by: User | None,
    title: str = "",
    notice_days: int | None = None,
    unit_quota: int | None = None,
    member_quota: int | None = None,
    worker_quota: int | None = None,
    request_key=None,
) -> Commendation:
    """Open ``year``'s commendation of the university ``root``; what is not given takes its default."""
    if by is not None:
        require_organization_permission(user=by, organization=root, codename=MANAGE_UNITS)
    existing = once_claim(key=request_key, user=by, model=Commendation)
    if existing is not None:
        return existing
    if root.kind != Organization.Kind.UNIVERSITY:
        raise ValidationError(_("A commendation is opened by a university."))
    if nominations_close_on < nominations_open_on:
        raise ValidationError(_("Nominations must close on or after the day they open."))
    if Commendation.objects.filter(root=root, year=year).exists():
        raise ValidationError(_("The commendation of %(year)s is already open.") % {"year": year})
    commendation = Commendation(
        root=root,
        year=year,
        nominations_open_on=nominations_open_on,
        nominations_close_on=nominations_close_on,
        opened_by=by,
        title=title or _("Commendation of July 1, %(year)s") % {"year": year},
    )
    for field, value in (
        ("notice_days", notice_days),
        ("unit_quota", unit_quota),
        ("member_quota", member_quota),
        ("worker_quota", worker_quota),
    ):
        if value is not None:
            setattr(commendation, field, value)
    if not 1 <= commendation.notice_days <= 30:
        raise ValidationError(_("The public notice lasts 1 to 30 working days."))
    commendation.full_clean()
    commendation.save()
    once_bind(key=request_key, record=commendation)
    return commendation


@transaction.atomic
def quota_set(
    *, commendation: Commendation, committee: Organization, kind: str, quota: int, by: User | None
) -> CommendationQuota:
    """Set ``committee``'s quota of ``kind`` (0 to 100) while nominations are open."""
    commendation = _locked(commendation)
    if by is not None:
        refuse_unless(may_run(user=by, commendation=commendation))
    if commendation.status != Status.NOMINATING:
        raise ValidationError(_("Quotas are set while nominations are open."))
    if committee.kind not in COMMITTEE_KINDS or not committee.path.startswith(commendation.root.path):
        raise ValidationError(_("Quotas are given to the university's secondary committees."))
    if not 0 <= quota <= 100:
        raise ValidationError(_("A quota is between 0 and 100."))
    row, _created = CommendationQuota.objects.update_or_create(
        commendation=commendation, committee=committee, kind=kind, defaults={"quota": quota}
    )
    return row


def quota_for(*, commendation: Commendation, committee: Organization, kind: str) -> int:
    row = CommendationQuota.objects.filter(commendation=commendation, committee=committee, kind=kind).first()
    return row.quota if row is not None else commendation.default_quota(kind)


def member_problems(*, commendation: Commendation, member: Member, kind: str) -> list[str]:
    """Why ``member`` cannot be nominated for ``kind`` this year (empty: eligible)."""
    year = commendation.year
    problems: list[str] = []
    if member.stage == Member.Stage.PROBATIONARY:
        problems.append(_("%(name)s is a probationary member.") % {"name": member.name})
    elif member.stage != Member.Stage.FULL:
        problems.append(_("%(name)s is not a Party member.") % {"name": member.name})
    failing = (
        EvaluationEntry.objects.filter(
            member=member,
            evaluation__status=MemberEvaluation.Status.APPROVED,
            evaluation__year__in=(year - 1, year),
            grade__in=(EvaluationGrade.BASIC, EvaluationGrade.UNQUALIFIED),
        )
        .select_related("evaluation")
        .order_by("-evaluation__year")
        .first()
    )
    if failing is not None:
        problems.append(
            _("%(name)s was graded %(grade)s in the member evaluation of %(year)s.")
            % {"name": member.name, "grade": failing.get_grade_display(), "year": failing.evaluation.year}
        )
    sanction = (
        DisciplinaryRecord.objects.filter(member=member, decided_on__year=year)
        .order_by("-decided_on")
        .first()
    )
    if sanction is not None:
        problems.append(
            _("%(name)s received a disciplinary sanction (%(kind)s) on %(day)s.")
            % {
                "name": member.name,
                "kind": sanction.get_kind_display(),
                "day": prose_date(sanction.decided_on),
            }
        )
    if kind == HonourKind.WORKER:
        holds = (
            member.user_id is not None
            and Role.objects.current()
            .filter(user_id=member.user_id, organization__path__startswith=commendation.root.path)
            .exists()
        )
        if not holds:
            problems.append(_("%(name)s holds no Party post: a Party worker must.") % {"name": member.name})
    return problems


def unit_problems(*, commendation: Commendation, unit: Organization) -> list[str]:
    """Why ``unit`` cannot be nominated as an advanced organisation this year (empty: eligible)."""
    problems: list[str] = []
    if unit.kind != Organization.Kind.BRANCH:
        problems.append(_("Only a branch is nominated as an advanced grassroots organisation."))
    vetoed = Assessment.objects.filter(
        organization=unit, cycle__year=commendation.year, veto_failed=True
    ).exists()
    if vetoed:
        problems.append(
            _("%(unit)s failed a veto item in the assessment of %(year)s.")
            % {"unit": unit.display_name, "year": commendation.year}
        )
    return problems


@transaction.atomic
def nominate(
    *,
    commendation: Commendation,
    kind: str,
    committee: Organization,
    by: User | None,
    deeds: str,
    endorsement: str,
    source: str = "",
    member: Member | None = None,
    organization: Organization | None = None,
    deeds_file=None,
    today: datetime.date | None = None,
    request_key=None,
) -> Nomination:
    """The committee nominates a unit (``kind`` UNIT) or a member; refused with every reason that applies."""
    commendation = _locked(commendation)
    if by is not None:
        refuse_unless(may_nominate(user=by, committee=committee))
    existing = once_claim(key=request_key, user=by, model=Nomination)
    if existing is not None:
        return existing
    today = today or timezone.localdate()
    if commendation.status != Status.NOMINATING:
        raise ValidationError(_("Nominations are closed."))
    if not commendation.nominations_open_on <= today <= commendation.nominations_close_on:
        raise ValidationError(
            _("Nominations are taken from %(start)s to %(end)s.")
            % {
                "start": prose_date(commendation.nominations_open_on),
                "end": prose_date(commendation.nominations_close_on),
            }
        )
    if committee.kind not in COMMITTEE_KINDS or not committee.path.startswith(commendation.root.path):
        raise ValidationError(_("Nominations come from the university's secondary committees."))
    if not deeds.strip():
        raise ValidationError(_("Give a short account of the nominee's deeds."))
    if not endorsement.strip():
        raise ValidationError(_("Give the nominating unit's endorsement."))
    if kind == HonourKind.UNIT:
        if organization is None or member is not None:
            raise ValidationError(_("Choose the organisation nominated."))
        if not organization.path.startswith(committee.path):
            raise ValidationError(_("The organisation is not under the nominating committee."))
        problems = unit_problems(commendation=commendation, unit=organization)
        five = Assessment.objects.filter(
            organization=organization, cycle__year=commendation.year, grade="five"
        ).exists()
        source = source or (Nomination.Source.FIVE_STARS if five else Nomination.Source.COMMITTEE)
        duplicate = Nomination.objects.filter(commendation=commendation, kind=kind, organization=organization)
    else:
        if member is None or organization is not None:
            raise ValidationError(_("Choose the member nominated."))
        if member.branch_id is None or not member.branch.path.startswith(committee.path):
            raise ValidationError(_("The member is not in a branch of the nominating committee."))
        problems = member_problems(commendation=commendation, member=member, kind=kind)
        default = Nomination.Source.EVALUATION if kind == HonourKind.MEMBER else Nomination.Source.SECRETARY
        source = source or default
        duplicate = Nomination.objects.filter(commendation=commendation, kind=kind, member=member)
    if problems:
        raise ValidationError(problems)
    if duplicate.exclude(status=NStatus.WITHDRAWN).exists():
        raise ValidationError(_("This nominee has already been nominated for this honour."))
    duplicate.filter(status=NStatus.WITHDRAWN).delete()
    nomination = Nomination(
        commendation=commendation,
        kind=kind,
        committee=committee,
        member=member,
        organization=organization,
        source=source,
        deeds=deeds.strip(),
        endorsement=endorsement.strip(),
        nominated_by=by,
        nominated_on=today,
    )
    if deeds_file is not None:
        nomination.deeds_file = deeds_file
    nomination.full_clean(exclude={"deeds_file"})
    nomination.save()
    once_bind(key=request_key, record=nomination)
    return nomination


@transaction.atomic
def nomination_withdraw(*, nomination: Nomination, by: User | None) -> Nomination:
    commendation = _locked(nomination.commendation)
    nomination = Nomination.objects.select_for_update().select_related("committee").get(pk=nomination.pk)
    if by is not None:
        refuse_unless(may_nominate(user=by, committee=nomination.committee))
    if commendation.status != Status.NOMINATING or nomination.status != NStatus.NOMINATED:
        raise ValidationError(_("A nomination is withdrawn only while nominations are open."))
    nomination.status = NStatus.WITHDRAWN
    nomination.save(update_fields=["status"])
    return nomination


@transaction.atomic
def notice_start(
    *, commendation: Commendation, by: User | None, today: datetime.date | None = None
) -> Commendation:
    """Close nominations and put every nominee on the 公示 for ``notice_days`` working days from tomorrow."""
    commendation = _locked(commendation)
    if by is not None:
        refuse_unless(may_run(user=by, commendation=commendation))
    today = today or timezone.localdate()
    if commendation.status != Status.NOMINATING:
        raise ValidationError(_("The public notice has already started."))
    nominations = Nomination.objects.filter(commendation=commendation, status=NStatus.NOMINATED)
    if not nominations.exists():
        raise ValidationError(_("There are no nominations to put on notice."))
    commendation.status = Status.NOTICE
    commendation.notice_starts_on = today
    commendation.notice_ends_on = add_working_days(today, commendation.notice_days).day
    commendation.save(update_fields=["status", "notice_starts_on", "notice_ends_on"])
    for nomination in nominations:  # one by one: each keeps its history row
        nomination.status = NStatus.ON_NOTICE
        nomination.save(update_fields=["status"])
    return commendation


@transaction.atomic
def objection_record(
    *,
    nomination: Nomination,
    text: str,
    by: User | None,
    raised_by: str = "",
    received_on: datetime.date | None = None,
) -> NominationObjection:
    """An objection received during the 公示 (by letter, phone or in person), recorded by 组织部."""
    commendation = _locked(nomination.commendation)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if by is not None:
        refuse_unless(may_run(user=by, commendation=commendation))
    received_on = received_on or timezone.localdate()
    if commendation.status != Status.NOTICE or nomination.status != NStatus.ON_NOTICE:
        raise ValidationError(_("Objections are recorded during the public notice."))
    starts, ends = commendation.notice_starts_on, commendation.notice_ends_on
    assert starts is not None and ends is not None  # set when the notice opened (status NOTICE)
    if not starts <= received_on <= ends:
        raise ValidationError(
            _("The public notice runs from %(start)s to %(end)s.")
            % {"start": prose_date(starts), "end": prose_date(ends)}
        )
    if not text.strip():
        raise ValidationError(_("Write down the objection."))
    objection = NominationObjection(
        nomination=nomination,
        text=text.strip(),
        raised_by=raised_by.strip(),
        received_on=received_on,
        recorded_by=by,
    )
    objection.full_clean()
    objection.save()
    return objection


def notice_running(*, commendation: Commendation, today: datetime.date | None = None) -> bool:
    """Whether the 公示 runs on ``today`` (its first to its last working day, both included): the public page
    lists the nominees and takes objections only then."""
    today = today or timezone.localdate()
    starts, ends = commendation.notice_starts_on, commendation.notice_ends_on
    return (
        commendation.status == Status.NOTICE
        and starts is not None
        and ends is not None
        and starts <= today <= ends
    )


def objection_submit(
    *, nomination: Nomination, text: str, raised_by: str = "", today: datetime.date | None = None
) -> NominationObjection:
    """An objection raised by anyone on the public 公示 page (by name or anonymously) while the notice runs; it
    is recorded with no recorder and waits for 组织部 to look into it like one received by letter."""
    if len(text) > 2000 or len(raised_by) > 60:
        raise ValidationError(_("An objection is at most 2000 characters, a name at most 60."))
    return objection_record(
        nomination=nomination,
        text=text,
        by=None,
        raised_by=raised_by,
        received_on=today or timezone.localdate(),
    )


@transaction.atomic
def objection_resolve(
    *, objection: NominationObjection, upheld: bool, resolution: str, by: User | None
) -> NominationObjection:
    commendation = _locked(objection.nomination.commendation)
    objection = NominationObjection.objects.select_for_update().get(pk=objection.pk)
    if by is not None:
        refuse_unless(may_run(user=by, commendation=commendation))
    if objection.outcome != NominationObjection.Outcome.OPEN:
        raise ValidationError(_("This objection has already been resolved."))
    if commendation.status not in (Status.NOTICE,):
        raise ValidationError(_("Objections are resolved before the decision."))
    if not resolution.strip():
        raise ValidationError(_("Say how the objection was looked into."))
    objection.outcome = (
        NominationObjection.Outcome.UPHELD if upheld else NominationObjection.Outcome.DISMISSED
    )
    objection.resolution = resolution.strip()
    objection.save(update_fields=["outcome", "resolution"])
    return objection


def awarded_count(*, commendation: Commendation, committee: Organization, kind: str) -> int:
    return Nomination.objects.filter(
        commendation=commendation, committee=committee, kind=kind, status=NStatus.AWARDED
    ).count()


def decision_problems(*, nomination: Nomination, commendation: Commendation) -> list[str]:
    """Why ``nomination`` cannot be awarded now, by the nomination's rules read again (empty: it can)."""
    if nomination.member_id is not None:
        member = Member.objects.select_related("branch").get(pk=nomination.member_id)
        return member_problems(commendation=commendation, member=member, kind=nomination.kind)
    if nomination.organization_id is not None:
        unit = Organization.objects.get(pk=nomination.organization_id)
        return unit_problems(commendation=commendation, unit=unit)
    return []


@transaction.atomic
def nomination_decide(
    *,
    nomination: Nomination,
    award: bool,
    by: User | None,
    note: str = "",
    today: datetime.date | None = None,
) -> Nomination:
    """组织部 awards or does not award a nominee after the 公示 ended, within the committee's quota; an open
    objection must be resolved first, and an upheld one forbids the award."""
    commendation = _locked(nomination.commendation)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if by is not None:
        refuse_unless(may_run(user=by, commendation=commendation))
    today = today or timezone.localdate()
    if commendation.status != Status.NOTICE or nomination.status not in (
        NStatus.ON_NOTICE,
        NStatus.AWARDED,
        NStatus.NOT_AWARDED,
    ):
        raise ValidationError(_("Nominees are decided after their public notice."))
    ends = commendation.notice_ends_on
    assert ends is not None  # set when the notice opened (status NOTICE)
    if today <= ends:
        raise ValidationError(
            _("The public notice ends on %(day)s; decide after it.") % {"day": prose_date(ends)}
        )
    objections = list(nomination.objections.all())
    if any(o.outcome == NominationObjection.Outcome.OPEN for o in objections):
        raise ValidationError(_("Resolve the objections to this nominee first."))
    if award:
        if any(o.outcome == NominationObjection.Outcome.UPHELD for o in objections):
            raise ValidationError(_("An objection to this nominee was upheld: the honour cannot be awarded."))
        # Eligibility again at the decision: a sanction (or an evaluation) recorded since the nomination
        # refuses the award with its reason, as it would have refused the nomination.
        problems = decision_problems(nomination=nomination, commendation=commendation)
        if problems:
            raise ValidationError(problems)
        if nomination.status != NStatus.AWARDED:
            quota = quota_for(commendation=commendation, committee=nomination.committee, kind=nomination.kind)
            used = awarded_count(
                commendation=commendation, committee=nomination.committee, kind=nomination.kind
            )
            if used >= quota:
                raise ValidationError(
                    _("%(committee)s's quota of %(kind)s is %(quota)s, all awarded.")
                    % {
                        "committee": nomination.committee.display_name,
                        "kind": nomination.get_kind_display(),
                        "quota": quota,
                    }
                )
    elif not note.strip():
        raise ValidationError(_("Give the reason for not awarding."))
    nomination.status = NStatus.AWARDED if award else NStatus.NOT_AWARDED
    nomination.decision_note = note.strip()
    nomination.decided_by = by
    nomination.save(update_fields=["status", "decision_note", "decided_by"])
    return nomination


@transaction.atomic
def commendation_publish(*, commendation: Commendation, by: User, today: datetime.date | None = None):
    """Publish the results as a public 通知公告 post of the university once every nominee is decided."""
    from disclosure.models import Post, PostCategory
    from disclosure.services.posts import post_save

    commendation = _locked(commendation)
    refuse_unless(may_run(user=by, commendation=commendation))
    today = today or timezone.localdate()
    if commendation.status != Status.NOTICE:
        raise ValidationError(_("Results are published after the public notice."))
    if Nomination.objects.filter(commendation=commendation, status=NStatus.ON_NOTICE).exists():
        raise ValidationError(_("Decide every nominee first."))
    awarded = list(
        Nomination.objects.filter(commendation=commendation, status=NStatus.AWARDED)
        .select_related("member__branch", "organization", "committee")
        .order_by("kind", "committee__path", "pk")
    )
    if not awarded:
        raise ValidationError(_("No honour was awarded: there is nothing to publish."))
    groups = [(label, [n for n in awarded if n.kind == value]) for value, label in HonourKind.choices]
    body = render_to_string(
        "assessments/commendation/post_body.html",
        {"commendation": commendation, "groups": groups, "today": today},
    )
    category = (
        PostCategory.objects.filter(code="notice", is_active=True).first()
        or PostCategory.objects.filter(is_active=True).first()
    )
    if category is None:
        raise ValidationError(_("No post category is active; ask the administrator to add one."))
    post = post_save(
        by=by,
        organization=commendation.root,
        post=None,
        publish=True,
        data={
            "section": Post.Section.NOTICES,
            "category": category,
            "title": _("Decision on the commendations of %(year)s") % {"year": commendation.year},
            "body": body,
            "visibility": Post.Visibility.PUBLIC,
        },
    )
    commendation.status = Status.PUBLISHED
    commendation.decided_on = commendation.decided_on or today
    commendation.published_on = today
    commendation.post = post
    commendation.save(update_fields=["status", "decided_on", "published_on", "post"])
    return commendation
