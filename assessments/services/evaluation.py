"""Writes of 民主评议党员 (issue 19; DESIGN §5): open, 个人自评, the sealed 民主测评, the count, the branch's
proposed grades with their rules, the secondary committee's approval or return, and 不合格 follow-ups.

The 民主测评 uses the one ballot store (DESIGN §10): each choice is sealed in the request to the evaluation's
box (``assessments.sealing.seal``; subject = the colleague's member id) and written in one transaction with
the participation rows (``EvaluationBallot``) whose unique constraint makes "once per colleague" hold under
any concurrency. The box is in server custody (labelled weaker in the ratings' README section): a branch's
vote is counted by its secretary at the 组织生活会, without trustees. At the count only tallies remain.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Mapping
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import sealing
from assessments.models import BallotBox, SealedBallot
from assessments.models.evaluation_files import EvaluationFile
from assessments.models.evaluation import (
    GRADE_VALUES,
    GROUP_EVALUATION_MIN_MEMBERS,
    GRADES_NEEDING_REASON,
    VOTE_QUESTION,
    EvaluationBallot,
    EvaluationEntry,
    EvaluationFollowUp,
    EvaluationGrade,
    MemberEvaluation,
)
from assessments.services.evaluation_todos import evaluation_todos_sync, grade_todos_create
from assessments.services.ratings import _server_key, box_tally
from branches.attachments import attachment_store, attachments_check, attachments_remove
from branches.dates import prose_date
from branches.history import history_by
from branches.models import Organization, Role
from branches.once import once_bind, once_claim
from branches.review import ReviewStep
from branches.selectors import MANAGE_MEMBERS, organization_permission_holds, refuse_unless
from members.models import Member

Status = MemberEvaluation.Status


class EvaluationRefused(Exception):
    """A 测评 choice that cannot be taken, with the message for the member."""


def may_run(*, user: User, branch: Organization) -> bool:
    """The branch's committee (its secretary, deputy, organizer) and those above run its evaluation."""
    return organization_permission_holds(user=user, organization=branch, codename=MANAGE_MEMBERS)


def _parent_path(branch: Organization) -> Organization:
    """The unit above, as an unsaved node with its path: enough for the permission check, without a query."""
    return Organization(path=branch.path[: -branch.steplen], kind=Organization.Kind.COMMITTEE)


def may_decide(*, user: User, branch: Organization) -> bool:
    """The secondary committee above the branch (or higher) approves or returns; not the branch itself."""
    return organization_permission_holds(
        user=user, organization=_parent_path(branch), codename=MANAGE_MEMBERS
    )


def _locked(evaluation: MemberEvaluation) -> MemberEvaluation:
    return MemberEvaluation.objects.select_for_update().select_related("branch", "box").get(pk=evaluation.pk)


@transaction.atomic
def evaluation_open(
    *,
    branch: Organization,
    year: int,
    by: User | None,
    today: datetime.date | None = None,
    request_key=None,
    by_group: bool = False,
) -> MemberEvaluation:
    """Open ``branch``'s evaluation of ``year``: an entry per active party member (full members graded,
    probationary members taking part ungraded, each with their party group) and a ballot box whose key is
    kept by the server. ``by_group``: the 个人自评 and 党员互评 are held per party group — for a branch of at
    least ``GROUP_EVALUATION_MIN_MEMBERS`` party members in at least two groups."""
    if by is not None:
        refuse_unless(may_run(user=by, branch=branch))
    today = today or timezone.localdate()
    if branch.kind != Organization.Kind.BRANCH:
        raise ValidationError(_("Only a branch evaluates its members."))
    if not today.year - 1 <= year <= today.year:
        raise ValidationError(_("An evaluation is for this year or the last."))
    if (existing := once_claim(key=request_key, user=by, model=MemberEvaluation)) is not None:
        return existing
    if MemberEvaluation.objects.filter(branch=branch, year=year).exists():
        raise ValidationError(_("This branch's evaluation of %(year)d is already open.") % {"year": year})
    members = list(
        Member.objects.filter(branch=branch, is_active=True).party_members().order_by("name", "pk")
    )
    if len(members) < 2:
        raise ValidationError(_("A branch needs at least two party members to evaluate each other."))
    if by_group and not group_evaluation_possible(members):
        raise ValidationError(
            _(
                "Evaluating per party group is for a branch of at least %(n)d party members in two or more "
                "party groups."
            )
            % {"n": GROUP_EVALUATION_MIN_MEMBERS}
        )
    public, private = sealing.keypair_new()
    box = BallotBox.objects.create(
        custody=BallotBox.Custody.SERVER,
        public_key=public,
        wrapped_key=sealing.key_wrap(private, key=_server_key()),
    )
    del private
    evaluation = MemberEvaluation.objects.create(
        branch=branch, year=year, opened_on=today, box=box, opened_by=by, by_group=by_group
    )
    entries = [
        EvaluationEntry(
            evaluation=evaluation,
            member=m,
            graded=m.stage == Member.Stage.FULL,
            party_group_id=m.party_group_id,
        )
        for m in members
    ]
    EvaluationEntry.objects.bulk_create(entries)
    EvaluationEntry.history.bulk_history_create(entries, default_change_reason="evaluation_open")
    once_bind(key=request_key, record=evaluation)
    evaluation_todos_sync(evaluation=evaluation)  # each member's 个人自评 and 测评 to-dos
    return evaluation


def group_evaluation_possible(members: list[Member]) -> bool:
    """A branch large enough, and with at least two party groups among its party members, to hold the
    self- and mutual evaluation per group."""
    groups = {m.party_group_id for m in members if m.party_group_id is not None}
    return len(members) >= GROUP_EVALUATION_MIN_MEMBERS and len(groups) >= 2


def entry_of(*, evaluation: MemberEvaluation, user: User) -> EvaluationEntry | None:
    return (
        EvaluationEntry.objects.filter(evaluation=evaluation, member__user_id=user.pk)
        .select_related("member", "self_file")
        .first()
    )


@transaction.atomic
def self_evaluation_save(*, entry: EvaluationEntry, text: str, by: User) -> EvaluationEntry:
    """The member's own 个人自评, while the evaluation is open."""
    if entry.member.user_id != by.pk:
        raise PermissionDenied
    evaluation = _locked(entry.evaluation)
    if evaluation.status != Status.OPEN:
        raise ValidationError(_("The self-evaluation is closed."))
    text = text.strip()
    if len(text) > 5000:
        raise ValidationError(_("At most 5000 characters."))
    entry.self_text = text
    entry.save(update_fields=["self_text"])
    # Written: the member's 个人自评 to-do closes (emptied again: it is back).
    evaluation_todos_sync(evaluation=evaluation)
    return entry


def self_file_max_bytes() -> int:
    return settings.EVALUATION_FILE_MAX_BYTES


@transaction.atomic
def self_evaluation_file_store(*, entry: EvaluationEntry, upload, by: User) -> EvaluationFile:
    """The member's optional file to their 个人自评, while the evaluation is open, through the attachment layer:
    checked by its bytes (type and size refused with the reason) before anything is kept; a new file replaces
    the old one (its file deleted on commit)."""
    if entry.member.user_id != by.pk:
        raise PermissionDenied
    evaluation = _locked(entry.evaluation)
    if evaluation.status != Status.OPEN:
        raise ValidationError(_("The self-evaluation is closed."))
    [checked] = attachments_check([upload], max_bytes=self_file_max_bytes())
    attachments_remove(EvaluationFile.objects.filter(entry=entry))
    return cast(EvaluationFile, attachment_store(model=EvaluationFile, checked=checked, by=by, entry=entry))


def self_file_may_view(*, user: User, entry: EvaluationEntry) -> bool:
    """The member, and the committee of their branch (a current role on the branch itself), download the file;
    not the units above, not the other members."""
    if not user.is_authenticated:
        return False
    if entry.member.user_id == user.pk:
        return True
    return branch_committee_holds(user=user, branch_id=entry.evaluation.branch_id)


def branch_committee_holds(*, user: User, branch_id: int) -> bool:
    """Whether ``user`` sits on the branch's own committee (a current role on the branch itself). One query."""
    return (
        Role.objects.current()
        .filter(user_id=user.pk, organization_id=branch_id, kind__in=BRANCH_COMMITTEE_ROLES)
        .exists()
    )


BRANCH_COMMITTEE_ROLES = (
    Role.Kind.SECRETARY,
    Role.Kind.DEPUTY,
    Role.Kind.ORGANIZER,
    Role.Kind.PUBLICITY,
    Role.Kind.DISCIPLINE,
)


def vote_subjects(*, evaluation: MemberEvaluation, rater: EvaluationEntry):
    """The colleagues ``rater`` grades in the 测评: every graded (full) member but themselves."""
    return (
        EvaluationEntry.objects.filter(evaluation=evaluation, graded=True)
        .exclude(pk=rater.pk)
        .select_related("member")
        .order_by("member__name", "pk")
    )


def vote_cast(*, evaluation: MemberEvaluation, rater: EvaluationEntry, choices: Mapping[int, str]) -> int:
    """``rater`` grades colleagues in the 民主测评, each once. ``choices``: entry id → grade. Sealed in the
    request; the participation rows and ciphertexts written in one transaction; a second choice for the
    same colleague (another tab, a double click) fails whole on the unique constraint."""
    if rater.evaluation_id != evaluation.pk:
        raise PermissionDenied
    if evaluation.status != Status.OPEN:
        raise EvaluationRefused(_("The vote is closed."))
    allowed = set(vote_subjects(evaluation=evaluation, rater=rater).values_list("pk", "member_id"))
    by_entry = dict(allowed)
    picked: dict[int, int] = {}
    for entry_id, grade in choices.items():
        if entry_id not in by_entry:
            raise EvaluationRefused(_("You cannot grade this person in this vote."))
        if grade not in GRADE_VALUES:
            raise EvaluationRefused(_("Choose a grade for each colleague."))
        picked[entry_id] = GRADE_VALUES[grade]
    if not picked:
        raise EvaluationRefused(_("Choose a grade for at least one colleague."))
    box = BallotBox.objects.only("public_key").get(pk=evaluation.box_id)
    sealed = [
        sealing.seal(box.public_key, subject=by_entry[e], answers={VOTE_QUESTION: v})
        for e, v in picked.items()
    ]
    secrets.SystemRandom().shuffle(sealed)
    try:
        with transaction.atomic():
            # The evaluation's row locked and read again: a count (``vote_close``, which holds the same lock)
            # either waits for these ballots and reads them, or has already opened the box and this vote is
            # refused — never ballots written into a box that has already been counted.
            if MemberEvaluation.objects.select_for_update().only("status").get(pk=evaluation.pk).status != (
                Status.OPEN
            ):
                raise EvaluationRefused(_("The vote is closed."))
            EvaluationBallot.objects.bulk_create(
                [
                    EvaluationBallot(evaluation_id=evaluation.pk, rater_id=rater.pk, subject_id=e)
                    for e in picked
                ]
            )
            SealedBallot.objects.bulk_create([SealedBallot(box_id=box.pk, ciphertext=s) for s in sealed])
    except IntegrityError:
        raise EvaluationRefused(_("You have already graded this colleague; each colleague once.")) from None
    with transaction.atomic():
        evaluation_todos_sync(evaluation=evaluation)  # every colleague graded: the 测评 to-do closes
    return len(picked)


@transaction.atomic
def vote_close(*, evaluation: MemberEvaluation, by: User | None) -> MemberEvaluation:
    """End the self-evaluation and the vote; the box is opened with the server's key and tallied (only
    tallies remain). Idempotent."""
    evaluation = _locked(evaluation)
    if by is not None:
        refuse_unless(may_run(user=by, branch=evaluation.branch))
    if evaluation.status != Status.OPEN:
        return evaluation
    box_tally(box=evaluation.box, private=sealing.key_unwrap(evaluation.box.wrapped_key, key=_server_key()))
    evaluation.status = Status.COUNTED
    evaluation.save(update_fields=["status"])
    evaluation_todos_sync(evaluation=evaluation)  # the vote is over: the open to-dos close
    return evaluation


def grade_problems(
    *,
    evaluation: MemberEvaluation,
    grades: Mapping[int, tuple[str, str]],
    entries: list[EvaluationEntry],
    complete: bool,
) -> list[str]:
    """The rules, as messages: 优秀 at most ⌊full members / divisor⌋ (probationary members not counted);
    基本合格 and 不合格 with a written reason; ungraded (probationary) members get no grade; with ``complete``,
    every full member graded."""
    problems = []
    graded = [e for e in entries if e.graded]
    cap = evaluation.excellent_cap(len(graded))
    excellent = sum(1 for e in graded if grades.get(e.pk, ("", ""))[0] == EvaluationGrade.EXCELLENT)
    if excellent > cap:
        problems.append(
            _("Excellent is given to at most %(cap)d of the branch's %(n)d full members; %(k)d chosen.")
            % {"cap": cap, "n": len(graded), "k": excellent}
        )
    for entry in entries:
        grade, reason = grades.get(entry.pk, ("", ""))
        if grade and grade not in EvaluationGrade.values:
            problems.append(_("%(name)s: not a grade.") % {"name": entry.member.name})
        elif grade and not entry.graded:
            problems.append(
                _("%(name)s is a probationary member and is not graded.") % {"name": entry.member.name}
            )
        elif grade in GRADES_NEEDING_REASON and not reason.strip():
            problems.append(
                _("%(name)s: a grade of %(grade)s needs a written reason.")
                % {"name": entry.member.name, "grade": EvaluationGrade(grade).label}
            )
        elif complete and entry.graded and not grade:
            problems.append(_("%(name)s has no grade.") % {"name": entry.member.name})
    return problems


@transaction.atomic
def grades_save(
    *,
    evaluation: MemberEvaluation,
    grades: Mapping[int, tuple[str, str]],
    by: User | None,
    submit: bool = False,
) -> MemberEvaluation:
    """The branch's proposed grades (entry id → (grade, reason)); with ``submit``, reported to the secondary
    committee. Refused whole (ValidationError with every problem) when a rule is broken."""
    evaluation = _locked(evaluation)
    if by is not None:
        refuse_unless(may_run(user=by, branch=evaluation.branch))
    if evaluation.status not in (Status.COUNTED, Status.RETURNED):
        raise ValidationError(_("Grades are proposed after the vote is counted and before the report."))
    entries = list(evaluation.entries.select_related("member"))
    grades = {
        e.pk: (grades.get(e.pk, ("", ""))[0] or "", (grades.get(e.pk, ("", ""))[1] or "").strip())
        for e in entries
    }
    if problems := grade_problems(evaluation=evaluation, grades=grades, entries=entries, complete=submit):
        raise ValidationError(problems)
    for entry in entries:  # a save per changed entry: each change is in the entry's history
        grade, reason = grades[entry.pk][0], grades[entry.pk][1][:2000]
        if (entry.grade, entry.reason) != (grade, reason):
            entry.grade, entry.reason = grade, reason
            entry.save(update_fields=["grade", "reason"])
    if submit:
        evaluation.status = Status.SUBMITTED
        evaluation.save(update_fields=["status"])
    return evaluation


# The evaluation's review step (branches.review): the secondary committee returns the branch's reported grades
# with a reason, the decider kept on the evaluation; its follow-up steps (限期改正, 劝退, 除名) the same way.
EVALUATION_REVIEW = ReviewStep(
    awaiting=Status.SUBMITTED, returned=Status.RETURNED, reviewer_field="decided_by"
)


@transaction.atomic
def evaluation_decide(
    *, evaluation: MemberEvaluation, by: User | None, approve: bool, reason: str = ""
) -> MemberEvaluation:
    """The secondary committee approves the reported grades, or returns them with a reason (the branch then
    corrects and reports again)."""
    evaluation = _locked(evaluation)
    if by is not None:
        refuse_unless(may_decide(user=by, branch=evaluation.branch))
    not_awaiting = _("Only a reported evaluation can be approved or returned.")
    if not approve:
        EVALUATION_REVIEW.send_back(
            evaluation,
            by=by,
            reason=reason,
            not_awaiting=not_awaiting,
            no_reason=_("Give a reason for returning the evaluation."),
        )
        return evaluation
    EVALUATION_REVIEW.require_awaiting(evaluation, not_awaiting)
    evaluation.status, evaluation.return_reason, evaluation.decided_by = Status.APPROVED, "", by
    history_by(evaluation, by)
    evaluation.save(update_fields=["status", "return_reason", "decided_by"])
    grade_todos_create(evaluation=evaluation)  # each graded member is told, on their own page
    return evaluation


# The order 党章 §9 gives: correct within a deadline; if no change, persuade to leave; if not, remove. A 限期改正
# that worked ends the case instead: 已改正, with the day the member corrected.
Step = EvaluationFollowUp.Step


def followup_next_steps(*, approved: list[str]) -> list[str]:
    """The steps that may follow the approved ones, in order: 限期改正 first; after it 已改正 or 劝退; after
    劝退 除名; nothing after 已改正 or 除名 (the case is closed)."""
    if not approved:
        return [Step.RECTIFY]
    last = approved[-1]
    if last == Step.RECTIFY:
        return [Step.CORRECTED, Step.PERSUADE]
    if last == Step.PERSUADE:
        return [Step.REMOVE]
    return []


@transaction.atomic
def followup_record(
    *,
    entry: EvaluationEntry,
    step: str,
    note: str,
    by: User | None,
    deadline: datetime.date | None = None,
    corrected_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> EvaluationFollowUp:
    """A step after a 不合格 of an approved evaluation, awaiting the committee. 限期改正 first, with a deadline
    after today (within a year); a later step only after the one before it was approved: 已改正 (the day the
    member corrected: on or after the 限期改正 was recorded, not after today) or 劝退, then 除名."""
    today = today or timezone.localdate()
    evaluation = _locked(entry.evaluation)
    if by is not None:
        refuse_unless(may_run(user=by, branch=evaluation.branch))
    entry = EvaluationEntry.objects.select_for_update().get(pk=entry.pk)
    if evaluation.status != Status.APPROVED or entry.grade != EvaluationGrade.UNQUALIFIED:
        raise ValidationError(
            _("Follow-ups are recorded for a member graded unqualified in an approved evaluation.")
        )
    if step not in Step.values:
        raise ValidationError(_("Choose a step."))
    if not note.strip():
        raise ValidationError(_("Describe the step."))
    steps = list(entry.follow_ups.all())
    if any(f.status == EvaluationFollowUp.Status.PROPOSED for f in steps):
        raise ValidationError(_("The previous step awaits the committee."))
    approved = [f for f in steps if f.status == EvaluationFollowUp.Status.APPROVED]
    allowed = followup_next_steps(approved=[f.step for f in approved])
    if step not in allowed:
        raise ValidationError(
            _("The next step is %(step)s.")
            % {
                "step": _(" or ").join(str(Step(s).label) for s in allowed)
                if allowed
                else _("none (all steps done)")
            }
        )
    if step == Step.RECTIFY:
        if deadline is None or not today < deadline <= today + datetime.timedelta(days=366):
            raise ValidationError(_("The deadline to correct is after today and within a year."))
    else:
        deadline = None
    if step == Step.CORRECTED:
        rectified = approved[-1].recorded_on
        if corrected_on is None or not rectified <= corrected_on <= today:
            raise ValidationError(
                _("The day of the correction is between %(start)s and today.")
                % {"start": prose_date(rectified)}
            )
    else:
        corrected_on = None
    return EvaluationFollowUp.objects.create(
        entry=entry,
        step=step,
        note=note.strip()[:2000],
        deadline=deadline,
        corrected_on=corrected_on,
        recorded_on=today,
    )


FOLLOWUP_REVIEW = ReviewStep(
    awaiting=EvaluationFollowUp.Status.PROPOSED, returned=EvaluationFollowUp.Status.RETURNED
)


@transaction.atomic
def followup_decide(
    *, follow_up: EvaluationFollowUp, by: User | None, approve: bool, reason: str = ""
) -> EvaluationFollowUp:
    """The secondary committee approves a follow-up step, or returns it with a reason."""
    follow_up = (
        EvaluationFollowUp.objects.select_for_update()
        .select_related("entry__evaluation__branch")
        .get(pk=follow_up.pk)
    )
    if by is not None:
        refuse_unless(may_decide(user=by, branch=follow_up.entry.evaluation.branch))
    not_awaiting = _("Only a step awaiting the committee can be approved or returned.")
    if not approve:
        FOLLOWUP_REVIEW.send_back(
            follow_up,
            by=by,
            reason=reason,
            not_awaiting=not_awaiting,
            no_reason=_("Give a reason for returning the step."),
        )
        return follow_up
    FOLLOWUP_REVIEW.require_awaiting(follow_up, not_awaiting)
    follow_up.status, follow_up.return_reason = EvaluationFollowUp.Status.APPROVED, ""
    history_by(follow_up, by)
    follow_up.save(update_fields=["status", "return_reason"])
    return follow_up
