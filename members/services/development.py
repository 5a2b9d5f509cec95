"""Member development: open a case, record its 25 steps in order, extend probation.

The member's stage moves only here (step 3 → activist, 7 → development target, 15 → probationary, 23 → full),
with the time rules of ``LifecycleRule`` enforced (a Chinese message giving the earliest allowed date) or
warned (the step is recorded and keeps the warning).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.attachments import attachment_store, attachments_check
from branches.dates import add_years, prose_date
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
    """A date in a rule's message or warning: the Chinese long form of prose (issue 22)."""
    return prose_date(value)


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


@dataclass
class _StepDraft:
    """What one step's checks read and may adjust: the step being recorded, its case and member, the people
    it names and the rules in force. A check raises a ValidationError to refuse or appends a warning."""

    case: DevelopmentCase
    member: Member
    step: DevelopmentStep
    people: list[Member]
    named: int  # people chosen from the roll plus names typed in
    training_days: int | None
    training_hours: int | None
    limits: dict[str, int]
    warnings: list[str] = field(default_factory=list)

    @property
    def done_on(self) -> datetime.date:
        return self.step.done_on


def _talk_within(draft: _StepDraft) -> None:
    """Step 2: the talk is due within ``talk_within_months`` of the application (late: warned)."""
    applied_on, limits = draft.member.applied_on, draft.limits
    if not applied_on:
        return
    due = add_months(applied_on, limits[K.TALK_WITHIN_MONTHS])
    if draft.done_on > due:
        draft.warnings.append(
            _("The talk was due within %(m)d month(s) of the application, by %(date)s.")
            % {"m": limits[K.TALK_WITHIN_MONTHS], "date": _day(due)}
        )


def _one_or_two_contacts(draft: _StepDraft) -> None:
    """Step 5: an activist has one or two contacts."""
    if not 1 <= draft.named <= 2:
        raise ValidationError(_("Name one or two contacts for the activist."))


def _named_are_full_members(draft: _StepDraft) -> None:
    """Steps 5 and 9: 党章 §5 and 细则: introducers and contacts are full members; a probationary member is
    neither."""
    if any(p.stage != Member.Stage.FULL for p in draft.people):
        raise ValidationError(
            _("%(names)s is not a full member: introducers and contacts must be full members.")
            % {"names": "、".join(p.name for p in draft.people if p.stage != Member.Stage.FULL)}
        )


def _first_review(draft: _StepDraft) -> None:
    """Step 6: the activist's first review; the six-monthly reviews count from it."""
    draft.case.last_reviewed_on = draft.done_on


def _activist_long_enough(draft: _StepDraft) -> None:
    """Step 7: an activist becomes a development target after ``activist_min_months``."""
    start = draft.member.activist_on or draft.case.last_step_on
    assert start is not None  # a case is created with its application's day, and each step sets its own
    earliest = add_months(start, draft.limits[K.ACTIVIST_MIN_MONTHS])
    if draft.done_on < earliest:
        raise _earliest_error(
            _(
                "An activist becomes a development target after at least %(m)d months (activist since %(since)s)."
            )
            % {"m": draft.limits[K.ACTIVIST_MIN_MONTHS], "since": _day(start)},
            earliest,
        )


def _two_introducers(draft: _StepDraft) -> None:
    """Step 9: two introducers."""
    if draft.named != 2:
        raise ValidationError(_("Name the two introducers (two full members, 党章 §5)."))


def _training_long_enough(draft: _StepDraft) -> None:
    """Step 11: training lasts ``training_min_days`` days or ``training_min_hours`` class hours."""
    limits, days, hours = draft.limits, draft.training_days, draft.training_hours
    days_ok = days is not None and days >= limits[K.TRAINING_MIN_DAYS]
    hours_ok = hours is not None and hours >= limits[K.TRAINING_MIN_HOURS]
    if not (days_ok or hours_ok):
        raise ValidationError(
            _("Training must last at least %(days)d days or %(hours)d class hours.")
            % {"days": limits[K.TRAINING_MIN_DAYS], "hours": limits[K.TRAINING_MIN_HOURS]}
        )
    draft.step.training_days, draft.step.training_hours = days, hours


def _notice_ends(draft: _StepDraft) -> None:
    """Step 12: the public notice lasts ``notice_working_days``; its end is recorded for step 14."""
    notice = working_days_after(draft.done_on, draft.limits[K.NOTICE_WORKING_DAYS])
    draft.step.notice_until = notice.day
    if notice.unknown_years:
        draft.warnings.append(
            _(
                "The official holidays of %(years)s are not entered yet: the notice was counted "
                "Monday to Friday; check its end date."
            )
            % {"years": "、".join(str(y) for y in sorted(notice.unknown_years))}
        )


def _after_the_notice(draft: _StepDraft) -> None:
    """Step 14: the application form is issued after the public notice of step 12 has ended."""
    notice_until = _recorded_step(draft.case, 12).notice_until
    assert notice_until is not None  # step 12 always records the notice's end (_notice_ends)
    earliest = notice_until + datetime.timedelta(days=1)
    if draft.done_on < earliest:
        raise _earliest_error(
            _(
                "The application form is issued after the public notice of %(n)d working days (until %(until)s)."
            )
            % {"n": draft.limits[K.NOTICE_WORKING_DAYS], "until": _day(notice_until)},
            earliest,
        )


def _approval_after_vote(vote_number: int) -> Callable[[_StepDraft], None]:
    """Steps 17 and 24: the upper committee approves the branch vote (step 15 / 23) within
    ``approval_within_months`` (late: warned), ``approval_max_months`` at most (refused)."""

    def check(draft: _StepDraft) -> None:
        vote = _recorded_step(draft.case, vote_number)
        limits = draft.limits
        # Calendar months, month-end clamped: a vote on 31 January is due by 30 April, at the latest 31 July.
        late_after = add_months(vote.done_on, limits[K.APPROVAL_WITHIN_MONTHS])
        latest = add_months(vote.done_on, limits[K.APPROVAL_MAX_MONTHS])
        if draft.done_on > latest:
            raise ValidationError(
                _(
                    "The approval must come within %(months)d months of the branch vote, by %(date)s; ask the upper "
                    "committee to review the case again."
                )
                % {"months": limits[K.APPROVAL_MAX_MONTHS], "date": _day(latest)}
            )
        if draft.done_on > late_after:
            draft.warnings.append(
                _("Late: the approval was due within %(months)d months of the branch vote, by %(date)s.")
                % {"months": limits[K.APPROVAL_WITHIN_MONTHS], "date": _day(late_after)}
            )

    return check


def _probation_over(draft: _StepDraft) -> None:
    """Step 23: the vote on full membership comes at the end of the probation (with its extension)."""
    ends = probation_ends_on(member=draft.member, case=draft.case, limits=draft.limits)
    if ends and draft.done_on < ends:
        raise _earliest_error(_("The vote on full membership comes at the end of the probation."), ends)


# The per-step rules of the 细则, run in this order (the first refusal wins); a step not listed has none
# beyond the order and dates every step keeps (development_step_record).
STEP_CHECKS: dict[int, tuple[Callable[[_StepDraft], None], ...]] = {
    2: (_talk_within,),
    5: (_one_or_two_contacts, _named_are_full_members),
    6: (_first_review,),
    7: (_activist_long_enough,),
    9: (_named_are_full_members, _two_introducers),
    11: (_training_long_enough,),
    12: (_notice_ends,),
    14: (_after_the_notice,),
    17: (_approval_after_vote(15),),
    23: (_probation_over,),
    24: (_approval_after_vote(23),),
}

# The member's dated field each stage-moving step (STAGE_STEPS) sets.
STAGE_DATE_FIELDS = {3: "activist_on", 7: "candidate_on", 15: "joined_on", 23: "full_on"}


def _check_order(*, case: DevelopmentCase, number: int, done_on: datetime.date, today: datetime.date) -> None:
    """What every step keeps: an open case, the next step in order, a day neither in the future nor before
    the previous step's."""
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


def _move_stage(
    *, member: Member, case: DevelopmentCase, number: int, done_on: datetime.date, limits: dict[str, int]
) -> None:
    """A stage-moving step (STAGE_STEPS) moves the member's stage and sets its dated field, with history."""
    stage = STAGE_STEPS.get(number)
    if stage is None:
        return
    date_field = STAGE_DATE_FIELDS[number]
    member.stage = stage
    # Probation counts from the branch vote (15); full membership from the end of the probation (23).
    on = probation_ends_on(member=member, case=case, limits=limits) if number == 23 else done_on
    setattr(member, date_field, on)
    history_reason(member, f"development step {number}")
    member.save(update_fields=["stage", date_field])


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
    warnings it carries. Refusals are ValidationErrors naming the earliest allowed date where there is one.
    The step's own rules are its entries in ``STEP_CHECKS``."""
    # Lock the case: two secretaries (or a double submit) recording the same step must not both pass.
    case = DevelopmentCase.objects.select_for_update().get(pk=case.pk)
    member = Member.objects.select_related("branch").get(pk=case.member_id)
    require_manage(by=by, branch=member.branch)
    today = today or timezone.localdate()
    limits = rules()
    people = list(people)
    _check_order(case=case, number=number, done_on=done_on, today=today)
    if any(not p.is_party_member for p in people):
        raise ValidationError(_("Only party members can be named for a step."))

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
    draft = _StepDraft(
        case=case,
        member=member,
        step=step,
        people=people,
        named=named,
        training_days=training_days,
        training_hours=training_hours,
        limits=limits,
    )
    for check in STEP_CHECKS.get(number, ()):
        check(draft)

    # Every file is checked before anything is stored: a refused one leaves no half-recorded step.
    checked = attachments_check(files, max_bytes=settings.MEETING_ATTACHMENT_MAX_BYTES)
    step.warning = " ".join(draft.warnings)[:300]
    step.save()
    if people:
        step.people.set(people)
    for item in checked:  # written to storage when the step commits
        attachment_store(model=DevelopmentDocument, checked=item, by=by, step=step)

    _move_stage(member=member, case=case, number=number, done_on=done_on, limits=limits)
    case.last_step, case.last_step_on = number, done_on
    if number == 25:
        case.status = DevelopmentCase.Status.DONE
    case.save(update_fields=["last_step", "last_step_on", "last_reviewed_on", "status"])
    return step, draft.warnings


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
