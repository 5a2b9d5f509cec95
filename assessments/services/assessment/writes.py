"""People's writes: the unit's self-assessment, the committee's review and summary, 组织部's verification."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Assessment, Indicator, ItemScore
from branches.models import Organization
from branches.selectors import MANAGE_UNITS, organization_permission_holds

from assessments.services.assessment._common import (
    ONE_DECIMAL,
    VETO_DECIDED,
    assessment_score,
    cycle_rank,
    may_review,
    may_self_assess,
    may_verify,
)


def _points(value, maximum: Decimal) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        points = Decimal(str(value)).quantize(ONE_DECIMAL)
    except InvalidOperation:
        raise ValidationError(_("Points must be a number.")) from None
    if points < 0 or points > maximum:
        raise ValidationError(_("Points must be between 0 and %(max)s.") % {"max": maximum})
    return points


@dataclass
class ItemInput:
    points: object = None
    failed: bool = False
    evidence: str = ""
    file: object = None  # an UploadedFile, checked with disclosure's attachment_check
    reason: str = ""


def _load_for_update(assessment: Assessment) -> tuple[Assessment, dict[int, ItemScore]]:
    locked = (
        Assessment.objects.select_for_update().select_related("cycle", "organization").get(pk=assessment.pk)
    )
    items = {
        i.pk: i for i in ItemScore.objects.filter(assessment=locked).select_related("indicator", "plan_item")
    }
    return locked, items


def assessment_self_save(
    *,
    assessment: Assessment,
    by: User | None,
    inputs: Mapping[int, ItemInput],
    submit: bool = False,
    today: datetime.date | None = None,
) -> Assessment:
    """Save the unit's own points and evidence; with ``submit`` hand the self-assessment to the reviewer.
    Only while the window is open and the assessment is a draft (a second submit changes nothing)."""
    from disclosure.services import attachment_check

    today = today or timezone.localdate()
    with transaction.atomic():
        assessment, items = _load_for_update(assessment)
        if by is not None and not may_self_assess(user=by, organization=assessment.organization):
            raise PermissionDenied
        if assessment.status != Assessment.Status.DRAFT:
            raise ValidationError(_("This self-assessment has already been submitted."))
        cycle = assessment.cycle
        if not cycle.self_opens_on <= today <= cycle.self_closes_on:
            raise ValidationError(_("The self-assessment window is closed."))
        errors, changed = [], []
        for pk, data in inputs.items():
            item = items.get(pk)
            if item is None:
                continue
            try:
                points = _points(data.points, item.max_points)
            except ValidationError as exc:
                errors.append(f"{item.title}：{exc.messages[0]}")
                continue
            if data.file:
                try:
                    attachment_check(data.file)
                except ValidationError as exc:
                    errors.append(f"{item.title}：{exc.messages[0]}")
                    continue
                item.evidence_file = data.file
            if item.kind == Indicator.Kind.VETO:
                points = VETO_DECIDED
            item.self_points, item.self_failed, item.evidence = (
                points,
                bool(data.failed),
                data.evidence.strip(),
            )
            changed.append(item)
        if errors:
            raise ValidationError(errors)
        for item in changed:  # one save each: files are stored and history rows written
            item.save()
        result = assessment_score(assessment=assessment, items=items.values(), stage="self")
        assessment.self_total, assessment.veto_failed, assessment.grade = (
            result.total,
            result.veto_failed,
            result.grade,
        )
        fields = ["self_total", "veto_failed", "grade"]
        if submit:
            missing = [
                i.title
                for i in items.values()
                if i.kind != Indicator.Kind.VETO and i.kind != Indicator.Kind.BONUS and i.self_points is None
            ]
            if missing:
                raise ValidationError(
                    _("Score every item before submitting: %(items)s.") % {"items": "、".join(missing)}
                )
            assessment.status, assessment.submitted_at = Assessment.Status.SUBMITTED, timezone.now()
            fields += ["status", "submitted_at"]
        assessment.save(update_fields=fields)
    return assessment


def _adjust(
    assessment: Assessment,
    items: dict[int, ItemScore],
    inputs: Mapping[int, ItemInput],
    stage: str,
    source: str,
) -> None:
    errors = []
    for item in items.values():
        data = inputs.get(item.pk)
        base_points, base_failed = getattr(item, f"{source}_points"), getattr(item, f"{source}_failed")
        if data is None:
            points, failed, reason = base_points, base_failed, ""
        else:
            try:
                points = _points(data.points, item.max_points)
            except ValidationError as exc:
                errors.append(f"{item.title}：{exc.messages[0]}")
                continue
            failed, reason = bool(data.failed), data.reason.strip()
            if points is None:
                points = base_points
        if item.kind == Indicator.Kind.VETO:
            points = VETO_DECIDED  # a veto item has no points; 0 marks it as looked at in this stage
        if (points != base_points or failed != base_failed) and not reason:
            errors.append(_("%(item)s: give a reason for changing the points.") % {"item": item.title})
            continue
        setattr(item, f"{stage}_points", points)
        setattr(item, f"{stage}_failed", failed)
        setattr(item, "review_reason" if stage == "reviewed" else "verify_reason", reason)
    if errors:
        raise ValidationError(errors)
    for item in items.values():
        item.save()


def assessment_review(
    *,
    assessment: Assessment,
    by: User | None,
    inputs: Mapping[int, ItemInput],
    today: datetime.date | None = None,
) -> Assessment:
    """The committee's review of a submitted self-assessment: each changed point needs a reason. Can be
    redone until the review phase closes; ranks in the committee follow at once."""
    today = today or timezone.localdate()
    with transaction.atomic():
        assessment, items = _load_for_update(assessment)
        if by is not None and not may_review(user=by, assessment=assessment):
            raise PermissionDenied
        if assessment.status not in (Assessment.Status.SUBMITTED, Assessment.Status.REVIEWED):
            raise ValidationError(_("Only a submitted self-assessment can be reviewed."))
        if today > assessment.cycle.review_closes_on:
            raise ValidationError(_("The review phase is closed."))
        _adjust(assessment, items, inputs, "reviewed", "self")
        result = assessment_score(assessment=assessment, items=items.values(), stage="reviewed")
        assessment.review_total, assessment.veto_failed, assessment.grade = (
            result.total,
            result.veto_failed,
            result.grade,
        )
        assessment.status, assessment.reviewed_at, assessment.reviewed_by = (
            Assessment.Status.REVIEWED,
            timezone.now(),
            by,
        )
        assessment.save(
            update_fields=["review_total", "veto_failed", "grade", "status", "reviewed_at", "reviewed_by"]
        )
        cycle_rank(cycle=assessment.cycle)
    return assessment


def assessment_verify(
    *,
    assessment: Assessment,
    by: User | None,
    inputs: Mapping[int, ItemInput],
    today: datetime.date | None = None,
) -> Assessment:
    """组织部's verification of a reviewed assessment (changes need a reason); totals, grade and ranks follow."""
    today = today or timezone.localdate()
    with transaction.atomic():
        assessment, items = _load_for_update(assessment)
        if by is not None and not may_verify(user=by, cycle=assessment.cycle):
            raise PermissionDenied
        if assessment.status not in (Assessment.Status.REVIEWED, Assessment.Status.VERIFIED):
            raise ValidationError(_("Only a reviewed assessment can be verified."))
        if assessment.cycle.published_on is not None:
            raise ValidationError(_("The results are published."))
        _adjust(assessment, items, inputs, "verified", "reviewed")
        result = assessment_score(assessment=assessment, items=items.values(), stage="verified")
        assessment.verified_total, assessment.veto_failed, assessment.grade = (
            result.total,
            result.veto_failed,
            result.grade,
        )
        assessment.status, assessment.verified_at, assessment.verified_by = (
            Assessment.Status.VERIFIED,
            timezone.now(),
            by,
        )
        assessment.save(
            update_fields=["verified_total", "veto_failed", "grade", "status", "verified_at", "verified_by"]
        )
        cycle_rank(cycle=assessment.cycle)
    return assessment


@transaction.atomic
def committee_summary_save(*, assessment: Assessment, by: User | None, text: str) -> Assessment:
    """The committee's 考核评估总结 of its branches, kept on its own assessment."""
    from disclosure.services import sanitize_minutes

    if assessment.organization.kind == Organization.Kind.BRANCH:
        raise ValidationError(_("Only a committee writes an assessment summary."))
    if by is not None and not organization_permission_holds(
        user=by, organization=assessment.organization, codename=MANAGE_UNITS
    ):
        raise PermissionDenied
    assessment.summary = sanitize_minutes(text)
    assessment.save(update_fields=["summary"])
    return assessment
