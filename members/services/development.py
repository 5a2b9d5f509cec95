"""Member development: open a case, record its 25 steps in order, extend probation.

The member's stage moves only here (step 3 → activist, 7 → development target, 15 → probationary, 23 → full),
with the time rules of ``LifecycleRule`` enforced (a Chinese message giving the earliest allowed date) or
warned (the step is recorded and keeps the warning).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.attachments import attachment_store, attachments_check
from branches.dates import add_years
from branches.history import history_reason
from branches.models import Organization
from branches.once import once_bind, once_claim
from branches.selectors import MANAGE_MEMBERS, organization_permission_holds
from branches.workdays import add_working_days as working_days_after
from members.models import (
    STAGE_STEPS,
    DevelopmentCase,
    DevelopmentDocument,
    DevelopmentStep,
    LifecycleRule,
    Member,
)
from members.rules import add_months, rules

K = LifecycleRule.Key


def require_manage(*, by: User | None, branch: Organization) -> None:
    """Writes need MANAGE_MEMBERS on the member's branch (None: a command or the demo, trusted)."""
    if by is not None and not organization_permission_holds(
        user=by, organization=branch, codename=MANAGE_MEMBERS
    ):
        raise PermissionDenied


def _day(value: datetime.date) -> str:
    return value.isoformat()


def probation_ends_on(
    *, member: Member, case: DevelopmentCase | None, limits: dict[str, int]
) -> datetime.date | None:
    """One year (``probation_months``) from the branch vote, plus an extension if one was decided."""
    if member.joined_on is None:
        return None
    extension = (case.extension_months or 0) if case is not None else 0
    return add_months(member.joined_on, limits[K.PROBATION_MONTHS] + extension)


def _check_age(*, birth: datetime.date, applied_on: datetime.date, limits: dict[str, int]) -> None:
    earliest = add_years(birth, limits[K.MIN_AGE_YEARS])
    if applied_on < earliest:
        raise ValidationError(
            _("An applicant must be at least %(age)d years old when applying; the earliest date is %(date)s.")
            % {"age": limits[K.MIN_AGE_YEARS], "date": _day(earliest)}
        )


@transaction.atomic
def development_case_open(
    *,
    member: Member,
    applied_on: datetime.date,
    by: User | None,
    note: str = "",
    today: datetime.date | None = None,
) -> DevelopmentCase:
    """Open the case of an applicant (a ``Member`` at the applicant stage) and record step 1.

    Refused when the person already has a case, is already a party member, or was under the minimum age
    on the day of the application.
    """
    require_manage(by=by, branch=member.branch)
    today = today or timezone.localdate()
    limits = rules()
    if applied_on > today:
        raise ValidationError(_("The date cannot be in the future."))
    if DevelopmentCase.objects.filter(member=member).exists():
        raise ValidationError(_("This person already has a development case."))
    if member.stage != Member.Stage.APPLICANT:
        raise ValidationError(_("Only applicants start a development case."))
    _check_age(birth=member.birth_date, applied_on=applied_on, limits=limits)
    case = DevelopmentCase.objects.create(member=member, last_step=1, last_step_on=applied_on)
    DevelopmentStep.objects.create(case=case, number=1, done_on=applied_on, note=note, recorded_by=by)
    if member.applied_on != applied_on:
        member.applied_on = applied_on
        member.save(update_fields=["applied_on"])
    return case


@transaction.atomic
def applicant_register(
    *,
    branch: Organization,
    name: str,
    gender: str,
    birth_date: datetime.date,
    category: str,
    applied_on: datetime.date,
    by: User | None,
    id_number: str = "",
    phone: str = "",
    today: datetime.date | None = None,
    request_key=None,
) -> DevelopmentCase:
    """A new applicant: the person (stage applicant) and their case with step 1, or nothing. The form's
    one-time key sent twice (a double click) registers the person once."""
    require_manage(by=by, branch=branch)
    if (existing := once_claim(key=request_key, user=by, model=DevelopmentCase)) is not None:
        return existing
    if branch.kind != Organization.Kind.BRANCH or not branch.is_active:
        raise ValidationError(_("Applicants belong to an active branch."))
    member = Member(
        name=name,
        gender=gender,
        birth_date=birth_date,
        category=category,
        branch=branch,
        stage=Member.Stage.APPLICANT,
        applied_on=applied_on,
        id_number=id_number,
        phone=phone,
    )
    # The age is checked before the person is written, so a refused applicant leaves no record behind.
    _check_age(birth=birth_date, applied_on=applied_on, limits=rules())
    member.save()
    case = development_case_open(member=member, applied_on=applied_on, by=by, today=today)
    once_bind(key=request_key, record=case)
    return case


def _earliest_error(what: str, earliest: datetime.date) -> ValidationError:
    return ValidationError(
        _("%(what)s The earliest allowed date is %(date)s.") % {"what": what, "date": _day(earliest)}
    )


def _step_on(case: DevelopmentCase, number: int) -> DevelopmentStep | None:
    return DevelopmentStep.objects.filter(case=case, number=number).first()


def _recorded_step(case: DevelopmentCase, number: int) -> DevelopmentStep:
    """Step ``number`` of ``case``, which a later step needs: recorded before it (steps are done in order)."""
    step = _step_on(case, number)
    if step is None:
        raise DevelopmentStep.DoesNotExist(f"step {number} of development case {case.pk} is not recorded")
    return step


@transaction.atomic
def development_step_record(
    *,
    case: DevelopmentCase,
    number: int,
    done_on: datetime.date,
    by: User | None,
    people: Iterable[Member] = (),
    people_names: str = "",
    documents: str = "",
    note: str = "",
    training_days: int | None = None,
    training_hours: int | None = None,
    files: Iterable = (),
    today: datetime.date | None = None,
) -> tuple[DevelopmentStep, list[str]]:
    """Record step ``number`` of ``case`` (the next one: steps are done in order). Returns the step and the
    warnings it carries. Refusals are ValidationErrors naming the earliest allowed date where there is one."""
    # Lock the case: two secretaries (or a double submit) recording the same step must not both pass.
    case = DevelopmentCase.objects.select_for_update().get(pk=case.pk)
    member = Member.objects.select_related("branch").get(pk=case.member_id)
    require_manage(by=by, branch=member.branch)
    today = today or timezone.localdate()
    limits = rules()
    people = list(people)
    if case.status != DevelopmentCase.Status.OPEN:
        raise ValidationError(_("This development case is closed."))
    if number <= case.last_step:
        raise ValidationError(_("Step %(n)d has already been recorded.") % {"n": number})
    if number != case.last_step + 1:
        raise ValidationError(
            _("Record step %(n)d first: the steps are done in order.") % {"n": case.last_step + 1}
        )
    if done_on > today:
        raise ValidationError(_("The date cannot be in the future."))
    if case.last_step_on and done_on < case.last_step_on:
        raise _earliest_error(_("A step cannot come before the previous one."), case.last_step_on)
    if any(not p.is_party_member for p in people):
        raise ValidationError(_("Only party members can be named for a step."))

    warnings: list[str] = []
    step = DevelopmentStep(
        case=case,
        number=number,
        done_on=done_on,
        people_names=people_names.strip(),
        documents=documents.strip(),
        note=note.strip(),
        recorded_by=by,
    )
    named = len(people) + len([n for n in people_names.replace("，", ",").split(",") if n.strip()])

    if number == 2 and member.applied_on:
        due = add_months(member.applied_on, limits[K.TALK_WITHIN_MONTHS])
        if done_on > due:
            warnings.append(
                _("The talk was due within %(m)d month(s) of the application, by %(date)s.")
                % {"m": limits[K.TALK_WITHIN_MONTHS], "date": _day(due)}
            )
    elif number == 5 and not 1 <= named <= 2:
        raise ValidationError(_("Name one or two contacts for the activist."))
    elif number in (5, 9) and any(p.stage != Member.Stage.FULL for p in people):
        # 党章 §5 and 细则: introducers and contacts are full members; a probationary member is neither.
        raise ValidationError(
            _("%(names)s is not a full member: introducers and contacts must be full members.")
            % {"names": "、".join(p.name for p in people if p.stage != Member.Stage.FULL)}
        )
    elif number == 6:
        case.last_reviewed_on = done_on
    elif number == 7:
        start = member.activist_on or case.last_step_on
        assert start is not None  # a case is created with its application's day, and each step sets its own
        earliest = add_months(start, limits[K.ACTIVIST_MIN_MONTHS])
        if done_on < earliest:
            raise _earliest_error(
                _(
                    "An activist becomes a development target after at least %(m)d months (activist since %(since)s)."
                )
                % {"m": limits[K.ACTIVIST_MIN_MONTHS], "since": _day(start)},
                earliest,
            )
    elif number == 9 and named != 2:
        raise ValidationError(_("Name the two introducers (two full members, 党章 §5)."))
    elif number == 11:
        days_ok = training_days is not None and training_days >= limits[K.TRAINING_MIN_DAYS]
        hours_ok = training_hours is not None and training_hours >= limits[K.TRAINING_MIN_HOURS]
        if not (days_ok or hours_ok):
            raise ValidationError(
                _("Training must last at least %(days)d days or %(hours)d class hours.")
                % {"days": limits[K.TRAINING_MIN_DAYS], "hours": limits[K.TRAINING_MIN_HOURS]}
            )
        step.training_days, step.training_hours = training_days, training_hours
    elif number == 12:
        notice = working_days_after(done_on, limits[K.NOTICE_WORKING_DAYS])
        step.notice_until = notice.day
        if notice.unknown_years:
            warnings.append(
                _(
                    "The official holidays of %(years)s are not entered yet: the notice was counted "
                    "Monday to Friday; check its end date."
                )
                % {"years": "、".join(str(y) for y in sorted(notice.unknown_years))}
            )
    elif number == 14:
        notice_until = _recorded_step(case, 12).notice_until
        assert notice_until is not None  # step 12 always records the notice's end (above)
        earliest = notice_until + datetime.timedelta(days=1)
        if done_on < earliest:
            raise _earliest_error(
                _(
                    "The application form is issued after the public notice of %(n)d working days (until %(until)s)."
                )
                % {"n": limits[K.NOTICE_WORKING_DAYS], "until": _day(notice_until)},
                earliest,
            )
    elif number in (17, 24):
        vote = _recorded_step(case, 15 if number == 17 else 23)
        # Calendar months, month-end clamped: a vote on 31 January is due by 30 April, at the latest 31 July.
        late_after = add_months(vote.done_on, limits[K.APPROVAL_WITHIN_MONTHS])
        latest = add_months(vote.done_on, limits[K.APPROVAL_MAX_MONTHS])
        if done_on > latest:
            raise ValidationError(
                _(
                    "The approval must come within %(months)d months of the branch vote, by %(date)s; ask the upper "
                    "committee to review the case again."
                )
                % {"months": limits[K.APPROVAL_MAX_MONTHS], "date": _day(latest)}
            )
        if done_on > late_after:
            warnings.append(
                _("Late: the approval was due within %(months)d months of the branch vote, by %(date)s.")
                % {"months": limits[K.APPROVAL_WITHIN_MONTHS], "date": _day(late_after)}
            )
    elif number == 23:
        ends = probation_ends_on(member=member, case=case, limits=limits)
        if ends and done_on < ends:
            raise _earliest_error(_("The vote on full membership comes at the end of the probation."), ends)

    # Every file is checked before anything is stored: a refused one leaves no half-recorded step.
    checked = attachments_check(files, max_bytes=settings.MEETING_ATTACHMENT_MAX_BYTES)
    step.warning = " ".join(warnings)[:300]
    step.save()
    if people:
        step.people.set(people)
    for item in checked:  # written to storage when the step commits
        attachment_store(model=DevelopmentDocument, checked=item, by=by, step=step)

    stage = STAGE_STEPS.get(number)
    if stage is not None:
        member.stage = stage
        fields = ["stage"]
        if number == 3:
            member.activist_on = done_on
            fields.append("activist_on")
        elif number == 7:
            member.candidate_on = done_on
            fields.append("candidate_on")
        elif number == 15:
            member.joined_on = done_on  # probation counts from the branch vote
            fields.append("joined_on")
        elif number == 23:
            member.full_on = probation_ends_on(member=member, case=case, limits=limits)
            fields.append("full_on")
        history_reason(member, f"development step {number}")
        member.save(update_fields=fields)
    case.last_step, case.last_step_on = number, done_on
    if number == 25:
        case.status = DevelopmentCase.Status.DONE
    case.save(update_fields=["last_step", "last_step_on", "last_reviewed_on", "status"])
    return step, warnings


@transaction.atomic
def development_review_record(
    *, case: DevelopmentCase, reviewed_on: datetime.date, by: User | None, today: datetime.date | None = None
) -> DevelopmentCase:
    """A six-monthly review of an activist or development target (after step 6)."""
    case = DevelopmentCase.objects.select_for_update().select_related("member__branch").get(pk=case.pk)
    require_manage(by=by, branch=case.member.branch)
    today = today or timezone.localdate()
    if reviewed_on > today:
        raise ValidationError(_("The date cannot be in the future."))
    if case.last_step < 6 or case.last_step >= 15:
        raise ValidationError(_("Reviews are recorded for activists and development targets."))
    if case.last_reviewed_on and reviewed_on < case.last_reviewed_on:
        raise _earliest_error(_("A review cannot come before the previous one."), case.last_reviewed_on)
    case.last_reviewed_on = reviewed_on
    case.save(update_fields=["last_reviewed_on"])
    return case


@transaction.atomic
def development_probation_extend(
    *, case: DevelopmentCase, months: int, decided_on: datetime.date, by: User | None
) -> DevelopmentCase:
    """Extend a probationary member's probation once, by ``extension_min``–``extension_max`` months."""
    case = DevelopmentCase.objects.select_for_update().select_related("member__branch").get(pk=case.pk)
    require_manage(by=by, branch=case.member.branch)
    limits = rules()
    if case.member.stage != Member.Stage.PROBATIONARY:
        raise ValidationError(_("Only a probationary member's probation can be extended."))
    if case.extension_months:
        raise ValidationError(_("The probation has already been extended once; it cannot be extended again."))
    low, high = limits[K.EXTENSION_MIN_MONTHS], limits[K.EXTENSION_MAX_MONTHS]
    if not low <= months <= high:
        raise ValidationError(
            _("An extension lasts %(low)d to %(high)d months.") % {"low": low, "high": high}
        )
    ends = probation_ends_on(member=case.member, case=case, limits=limits)
    if ends and decided_on > ends:
        raise ValidationError(
            _("The probation ended on %(date)s; an extension is decided before it ends.")
            % {"date": _day(ends)}
        )
    case.extension_months, case.extended_on = months, decided_on
    case.save(update_fields=["extension_months", "extended_on"])
    return case
