"""Writes for grants: apply, endorse or return, assign reviewers, review, decide, report, spend, accept.

Every function checks the state the grant is in (so a double click or a stale page cannot act twice),
runs in one transaction with the grant's row locked, and leaves its trace in the grant's history.
Permissions are the views' job (``projects.selectors``); the rules about money, quotas and dates are here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.attachments import attachment_store, attachments_check
from branches.models import Organization
from branches.once import once
from branches.review import ReviewStep
from disclosure.public_cache import public_pages_invalidate
from projects.models import (
    CallTopic,
    Grant,
    GrantCall,
    GrantExpense,
    GrantFile,
    GrantKind,
    GrantReport,
    GrantReview,
)

# Who may lead a showcase project or hold a research topic.
APPLYING_KINDS = (Organization.Kind.COMMITTEE, Organization.Kind.GENERAL_BRANCH, Organization.Kind.BRANCH)
REVIEWABLE = (Grant.Status.REVIEW,)
SPENDING = (Grant.Status.RUNNING, Grant.Status.FINAL_SUBMITTED)


def _yuan(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


def _locked(grant: Grant) -> Grant:
    return Grant.objects.select_for_update(of=("self",)).select_related("call").get(pk=grant.pk)


def _university_of(organization: Organization) -> Organization | None:
    if organization.kind == Organization.Kind.UNIVERSITY:
        return organization
    return Organization.objects.filter(
        kind=Organization.Kind.UNIVERSITY, path__in=organization.ancestor_paths()
    ).first()


def endorsing_unit(grant: Grant) -> Organization | None:
    """The secondary committee that endorses the application: the lead unit's, or none when the lead is
    itself a secondary committee (its application goes straight to the 组织部)."""
    unit = grant.organization
    if unit.kind in Organization.SECONDARY_KINDS:
        return None
    return Organization.objects.filter(
        kind__in=Organization.SECONDARY_KINDS, path__in=unit.ancestor_paths()
    ).first()


def _showcase_changed(grant: Grant) -> None:
    """A funded showcase project shows on its units' public 特色阵地 sections: refresh them on commit."""
    if grant.kind == GrantKind.FEATURE and grant.grade:
        public_pages_invalidate(organization=grant.organization)


def _attach(grant: Grant, files: Iterable, *, by: User, report: GrantReport | None = None) -> None:
    checked = attachments_check(files)  # every file checked before any is stored
    for item in checked:  # written to storage when the grant's change commits
        attachment_store(model=GrantFile, checked=item, by=by, grant=grant, report=report)


def _check_application(
    *,
    call: GrantCall,
    organization: Organization,
    topic: CallTopic,
    partners: list[Organization],
    budget: Decimal,
    today: datetime.date,
) -> None:
    errors: dict[str, list[str]] = {}
    if not call.is_open(today):
        errors.setdefault("__all__", []).append(
            _("The call is closed: applications were accepted from %(start)s to %(end)s.")
            % {"start": call.opens_on, "end": call.deadline}
        )
    if topic.call_id != call.pk:
        errors.setdefault("topic", []).append(_("Choose one of this call's topics."))
    if organization.kind not in APPLYING_KINDS or not organization.is_active:
        errors.setdefault("organization", []).append(
            _("Only an active secondary committee or branch can apply.")
        )
    university = _university_of(organization)
    if university is None or university.pk != call.organization_id:
        errors.setdefault("organization", []).append(_("This call is for another university's units."))
    for partner in partners:
        if partner.pk == organization.pk:
            errors.setdefault("partners", []).append(_("The lead unit cannot also be a partner."))
        elif (
            partner.kind not in APPLYING_KINDS
            or not partner.is_active
            or not partner.path.startswith(university.path if university else "-")
        ):
            errors.setdefault("partners", []).append(
                _("%(unit)s cannot take part: choose active units of this university.")
                % {"unit": partner.name}
            )
    if call.kind == GrantKind.RESEARCH and partners:
        errors.setdefault("partners", []).append(_("A research topic has no partner units."))
    ceiling = max(call.key_funding, call.general_funding)
    if budget <= 0:
        errors.setdefault("budget_requested", []).append(_("Enter the budget you need, above zero."))
    elif budget > ceiling:
        errors.setdefault("budget_requested", []).append(
            _("At most %(amount)s can be granted in this call.") % {"amount": _yuan(ceiling)}
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def call_create(
    *, call: GrantCall, organization: Organization, by: User, topics: Iterable[str], request_key=None
) -> GrantCall:
    """Publish a call (an unsaved ``GrantCall`` from the form) with its topics; once per form."""
    return once(
        key=request_key, user=by, model=GrantCall, create=lambda: _call_insert(call, organization, topics)
    )


def _call_insert(call: GrantCall, organization: Organization, topics: Iterable[str]) -> GrantCall:
    call.organization = organization
    call.save()
    CallTopic.objects.bulk_create(
        CallTopic(call=call, title=title, position=i) for i, title in enumerate(topics)
    )
    return call


@transaction.atomic
def grant_apply(
    *,
    call: GrantCall,
    organization: Organization,
    applicant: User,
    topic: CallTopic,
    title: str,
    plan: str,
    expected_outputs: str,
    budget_requested: Decimal,
    partners: Iterable[Organization] = (),
    files: Iterable = (),
    submit: bool = True,
    today: datetime.date | None = None,
    request_key=None,
) -> Grant:
    """A new application, saved as a draft or submitted at once. The same ``request_key`` (the form's
    one-time key) twice returns the first application instead of creating a second one."""
    today = today or timezone.localdate()
    partners = list(partners)
    # The one-time key is claimed first: twenty parallel posts of one form wait here for the first to commit
    # and return its application (checking the column, then inserting, let them race to an IntegrityError).
    return once(
        key=request_key,
        user=applicant,
        model=Grant,
        create=lambda: _grant_create(
            call=call,
            organization=organization,
            applicant=applicant,
            topic=topic,
            title=title,
            plan=plan,
            expected_outputs=expected_outputs,
            budget_requested=budget_requested,
            partners=partners,
            files=files,
            submit=submit,
            today=today,
            request_key=request_key,
        ),
    )


def _grant_create(
    *,
    call,
    organization,
    applicant,
    topic,
    title,
    plan,
    expected_outputs,
    budget_requested,
    partners,
    files,
    submit,
    today,
    request_key,
) -> Grant:
    _check_application(
        call=call,
        organization=organization,
        topic=topic,
        partners=partners,
        budget=budget_requested,
        today=today,
    )
    grant = Grant.objects.create(
        call=call,
        kind=call.kind,
        topic=topic,
        title=title.strip(),
        organization=organization,
        applicant=applicant,
        applicant_name=(applicant.get_full_name() or applicant.get_username())[:60],
        plan=plan.strip(),
        expected_outputs=expected_outputs.strip(),
        budget_requested=budget_requested,
        request_key=request_key,
    )
    grant.units.create(organization=organization, is_lead=True)
    for partner in partners:
        grant.units.create(organization=partner, is_lead=False)
    _attach(grant, files, by=applicant)
    if submit:
        _submit(grant, today=today)
    return grant


@transaction.atomic
def grant_update(
    *,
    grant: Grant,
    by: User,
    topic: CallTopic,
    title: str,
    plan: str,
    expected_outputs: str,
    budget_requested: Decimal,
    partners: Iterable[Organization] = (),
    files: Iterable = (),
    submit: bool = True,
    today: datetime.date | None = None,
) -> Grant:
    """Change a draft (or an application the committee returned) and save it again or submit it."""
    today = today or timezone.localdate()
    grant = _locked(grant)
    if grant.status != Grant.Status.DRAFT:
        raise ValidationError(
            _("Only a draft can be changed; this application is %(status)s.")
            % {"status": grant.get_status_display()}
        )
    partners = list(partners)
    _check_application(
        call=grant.call,
        organization=grant.organization,
        topic=topic,
        partners=partners,
        budget=budget_requested,
        today=today,
    )
    grant.topic, grant.title, grant.plan = topic, title.strip(), plan.strip()
    grant.expected_outputs, grant.budget_requested = expected_outputs.strip(), budget_requested
    grant.save(update_fields=["topic", "title", "plan", "expected_outputs", "budget_requested"])
    grant.units.filter(is_lead=False).exclude(organization__in=partners).delete()
    existing = set(grant.units.values_list("organization_id", flat=True))
    for partner in partners:
        if partner.pk not in existing:
            grant.units.create(organization=partner, is_lead=False)
    _attach(grant, files, by=by)
    if submit:
        _submit(grant, today=today)
    return grant


def _submit(grant: Grant, *, today: datetime.date) -> None:
    grant.submitted_at = timezone.now()
    grant.returned_reason = ""
    # A secondary committee's own application has nobody between it and the 组织部.
    grant.status = Grant.Status.SUBMITTED if endorsing_unit(grant) is not None else Grant.Status.REVIEW
    grant.save(update_fields=["status", "submitted_at", "returned_reason"])


# The grants' review step: the lead unit's secondary committee sends an application awaiting its endorsement
# back to the applicant as a draft with the reason (branches.review); the history row names who returned it.
GRANT_ENDORSEMENT = ReviewStep(
    awaiting=Grant.Status.SUBMITTED, returned=Grant.Status.DRAFT, reason_field="returned_reason"
)


@transaction.atomic
def grant_endorse(*, grant: Grant, by: User, note: str = "") -> Grant:
    """The lead unit's secondary committee endorses the application: it goes on to the 组织部."""
    grant = _locked(grant)
    GRANT_ENDORSEMENT.require_awaiting(grant, _("This application is not awaiting endorsement."))
    grant.status = Grant.Status.REVIEW
    grant.endorsed_by, grant.endorsed_at, grant.endorsement_note = by, timezone.now(), note.strip()
    grant.save(update_fields=["status", "endorsed_by", "endorsed_at", "endorsement_note"])
    return grant


@transaction.atomic
def grant_return(*, grant: Grant, by: User, reason: str) -> Grant:
    """The committee sends an application back to its unit as a draft, with the reason."""
    grant = _locked(grant)
    GRANT_ENDORSEMENT.send_back(
        grant,
        by=by,
        reason=reason,
        not_awaiting=_("This application is not awaiting endorsement."),
        no_reason={"reason": _("Say what the unit should change.")},
    )
    return grant


@transaction.atomic
def reviewers_assign(*, grant: Grant, reviewers: Iterable[User], by: User) -> int:
    """Give the application to reviewers (each once); returns how many were newly assigned."""
    grant = _locked(grant)
    if grant.status not in REVIEWABLE:
        raise ValidationError(_("Reviewers can be assigned only while the application is under review."))
    created = 0
    for reviewer in reviewers:
        if reviewer.pk == grant.applicant_id:
            raise ValidationError(_("The applicant cannot review their own application."))
        _review, new = GrantReview.objects.get_or_create(
            grant=grant, reviewer=reviewer, defaults={"assigned_by": by}
        )
        created += new
    return created


@transaction.atomic
def review_submit(*, review: GrantReview, by: User, score: int, opinion: str) -> GrantReview:
    """The reviewer's score (0–100) and opinion; changeable until the 组织部 decides."""
    review = GrantReview.objects.select_for_update(of=("self",)).select_related("grant").get(pk=review.pk)
    if review.reviewer_id != by.pk:
        raise ValidationError(_("This review is assigned to someone else."))
    if review.grant.status not in REVIEWABLE:
        raise ValidationError(_("The decision has been made; reviews are closed."))
    if not 0 <= score <= 100:
        raise ValidationError({"score": _("Give a score from 0 to 100.")})
    if not opinion.strip():
        raise ValidationError({"opinion": _("Write your opinion.")})
    review.score, review.opinion, review.submitted_at = score, opinion.strip(), timezone.now()
    review.save(update_fields=["score", "opinion", "submitted_at"])
    return review


@transaction.atomic
def grant_decide(
    *,
    grant: Grant,
    by: User,
    grade: str,
    amount: Decimal | None,
    reason: str,
    today: datetime.date | None = None,
) -> Grant:
    """The 组织部's decision: key or general with the funds granted, or rejected. Final once made.

    The call's row is locked too, so two officers deciding at once cannot both take the last quota place
    or the last of the budget.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("A decision needs its justification.")})
    grant = _locked(grant)
    call = GrantCall.objects.select_for_update().get(pk=grant.call_id)
    if grant.status not in REVIEWABLE:
        raise ValidationError(_("This application has already been decided (or is not under review)."))
    now = timezone.now()
    grant.decision_reason, grant.decided_by, grant.decided_at = reason, by, now
    if grade == "rejected":
        grant.status = Grant.Status.REJECTED
        grant.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
        return grant
    if grade not in Grant.Grade.values:
        raise ValidationError({"grade": _("Choose key, general or rejected.")})
    amount = call.funding_for(grade) if amount is None else amount
    ceiling = call.funding_for(grade)
    if amount <= 0 or amount > ceiling:
        raise ValidationError(
            {
                "amount": _("A %(grade)s grant is above zero and at most %(amount)s.")
                % {"grade": Grant.Grade(grade).label, "amount": _yuan(ceiling)}
            }
        )
    funded = Grant.objects.filter(call=call).funded()
    if funded.filter(grade=grade).count() >= call.quota_for(grade):
        raise ValidationError(
            {
                "grade": _("The call's %(count)d %(grade)s places are all taken.")
                % {"count": call.quota_for(grade), "grade": Grant.Grade(grade).label}
            }
        )
    spent = funded.aggregate(total=Sum("granted_amount"))["total"] or Decimal("0")
    if spent + amount > call.budget:
        raise ValidationError(
            {
                "amount": _("Only %(left)s of the call's budget is left.")
                % {"left": _yuan(call.budget - spent)}
            }
        )
    if call.mode == GrantCall.Mode.TENDER and funded.filter(topic_id=grant.topic_id).exists():
        raise ValidationError(_("Another bid has already won this topic."))
    grant.status, grant.grade, grant.granted_amount, grant.due_on = (
        Grant.Status.RUNNING,
        grade,
        amount,
        call.completes_on,
    )
    grant.save(
        update_fields=[
            "status",
            "grade",
            "granted_amount",
            "due_on",
            "decision_reason",
            "decided_by",
            "decided_at",
        ]
    )
    if call.mode == GrantCall.Mode.TENDER:
        # The other bids on the topic lose, with the reason recorded on each.
        for other in (
            Grant.objects.select_for_update(of=("self",))
            .filter(topic_id=grant.topic_id, status__in=[Grant.Status.REVIEW, Grant.Status.SUBMITTED])
            .exclude(pk=grant.pk)
        ):
            other.status = Grant.Status.REJECTED
            other.decision_reason = _("Another bid won the tender.")
            other.decided_by, other.decided_at = by, now
            other.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    _showcase_changed(grant)
    return grant


@transaction.atomic
def report_submit(
    *, grant: Grant, by: User, kind: str, text: str, outputs: str = "", links: str = "", files: Iterable = ()
) -> GrantReport:
    """The mid-term or final report. A final report puts the grant up for acceptance."""
    grant = _locked(grant)
    if grant.status != Grant.Status.RUNNING:
        raise ValidationError(_("Reports are filed while the project is running."))
    if not text.strip():
        raise ValidationError({"text": _("Describe the progress.")})
    for line in links.splitlines():
        if line.strip() and not line.strip().startswith(("http://", "https://", "/")):
            raise ValidationError({"links": _("%(line)s is not an address.") % {"line": line.strip()[:80]}})
    report, _created = GrantReport.objects.update_or_create(
        grant=grant,
        kind=kind,
        defaults={
            "text": text.strip(),
            "outputs": outputs.strip(),
            "links": links.strip(),
            "submitted_by": by,
            "submitted_at": timezone.now(),
        },
    )
    _attach(grant, files, by=by, report=report)
    if kind == GrantReport.Kind.FINAL:
        grant.status = Grant.Status.FINAL_SUBMITTED
        grant.save(update_fields=["status"])
        _showcase_changed(grant)
    return report


@transaction.atomic
def expense_record(
    *, grant: Grant, by: User, spent_on: datetime.date, amount: Decimal, purpose: str, request_key=None
) -> GrantExpense:
    """Money spent; the running total can never pass the granted amount (the grant's row is locked).
    The same ``request_key`` twice (a double click) records the expense once."""
    grant = _locked(grant)
    if request_key is not None:
        existing = grant.expenses.filter(request_key=request_key).first()
        if existing is not None:
            return existing
    return once(
        key=request_key,
        user=by,
        model=GrantExpense,
        create=lambda: _expense_create(
            grant=grant, by=by, spent_on=spent_on, amount=amount, purpose=purpose, request_key=request_key
        ),
    )


def _expense_create(*, grant: Grant, by, spent_on, amount, purpose, request_key) -> GrantExpense:
    if grant.status not in SPENDING:
        raise ValidationError(_("Expenses are recorded only while the project is running."))
    if amount <= 0:
        raise ValidationError({"amount": _("Enter an amount above zero.")})
    spent = grant.expenses.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    left = grant.granted_amount - spent
    if amount > left:
        raise ValidationError(
            {
                "amount": _("%(amount)s is more than the %(left)s left of the grant.")
                % {"amount": _yuan(amount), "left": _yuan(left)}
            }
        )
    return GrantExpense.objects.create(
        grant=grant,
        spent_on=spent_on,
        amount=amount,
        purpose=purpose.strip(),
        recorded_by=by,
        request_key=request_key,
    )


@transaction.atomic
def grant_accept(
    *, grant: Grant, by: User, result: str, reason: str, extended_until: datetime.date | None = None
) -> Grant:
    """结项: passed, failed, or extended once to a later date (the project runs on and reports again)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the acceptance opinion.")})
    grant = _locked(grant)
    if grant.status != Grant.Status.FINAL_SUBMITTED:
        raise ValidationError(_("Acceptance needs a final report first."))
    grant.acceptance_reason, grant.accepted_by, grant.accepted_at = reason, by, timezone.now()
    fields = ["status", "acceptance_reason", "accepted_by", "accepted_at"]
    if result == "extended":
        if grant.extended:
            raise ValidationError({"result": _("The project has already been extended once.")})
        if extended_until is None or (grant.due_on and extended_until <= grant.due_on):
            raise ValidationError(
                {"extended_until": _("Give a new date after %(date)s.") % {"date": grant.due_on}}
            )
        grant.status, grant.extended, grant.due_on = Grant.Status.RUNNING, True, extended_until
        fields += ["extended", "due_on"]
    elif result in (Grant.Status.PASSED, Grant.Status.FAILED):
        grant.status = result
    else:
        raise ValidationError({"result": _("Choose passed, failed or extended.")})
    grant.save(update_fields=fields)
    _showcase_changed(grant)
    return grant
