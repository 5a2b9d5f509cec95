"""The cycle itself: its dates, its creation, the daily step's phase changes, publication."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from assessments.models import Assessment, AssessmentCycle, ItemScore
from branches.models import Organization
from branches.selectors import MANAGE_UNITS, organization_permission_holds

from assessments.services.assessment._common import (
    BULK_BATCH,
    assessment_score,
    cycle_rank,
    may_verify,
)
from assessments.services.assessment.opening import assessments_open


def cycle_default_dates(year: int) -> dict[str, datetime.date]:
    """The default rhythm: plans from January, half-year check in June, self-assessment closing on July 1,
    review by July 15, verification by July 31, results on August 1, year-end summary on December 31."""
    d = datetime.date
    return dict(
        plan_opens_on=d(year, 1, 1),
        half_year_check_on=d(year, 6, 1),
        self_opens_on=d(year, 6, 10),
        self_closes_on=d(year, 7, 1),
        review_closes_on=d(year, 7, 15),
        verification_closes_on=d(year, 7, 31),
        publish_on=d(year, 8, 1),
        summary_due_on=d(year, 12, 31),
    )


@transaction.atomic
def cycle_create(
    *, root: Organization, year: int, by: User | None = None, **dates: datetime.date
) -> AssessmentCycle:
    """The cycle of ``year`` for the university ``root`` with the default dates, overridden by ``dates``."""
    if by is not None and not organization_permission_holds(
        user=by, organization=root, codename=MANAGE_UNITS
    ):
        raise PermissionDenied
    if AssessmentCycle.objects.filter(root=root, year=year).exists():
        raise ValidationError(_("The cycle of %(year)d already exists.") % {"year": year})
    values = cycle_default_dates(year) | dates
    cycle = AssessmentCycle(root=root, year=year, **values)
    if not (
        values["plan_opens_on"] <= values["half_year_check_on"]
        and values["plan_opens_on"]
        <= values["self_opens_on"]
        <= values["self_closes_on"]
        <= values["review_closes_on"]
        <= values["verification_closes_on"]
        <= values["publish_on"]
        <= values["summary_due_on"]
    ):
        raise ValidationError(_("The phase dates must follow each other in order."))
    cycle.save()
    return cycle


# --- the daily step --------------------------------------------------------------------------------------


def _close_self(cycle: AssessmentCycle, now: datetime.datetime) -> int:
    """Drafts still open when the window closes are submitted as they stand (marked so): the committee
    reviews every unit, and a missing self-assessment shows as such, not as a hole."""
    drafts = list(
        Assessment.objects.filter(cycle=cycle, status=Assessment.Status.DRAFT).select_related("cycle")
    )
    items = _items_of(drafts)
    for a in drafts:
        result = assessment_score(assessment=a, items=items.get(a.pk, []), stage="self")
        a.status, a.submitted_at, a.late_submitted = Assessment.Status.SUBMITTED, now, True
        a.self_total, a.veto_failed, a.grade = result.total, result.veto_failed, result.grade
    bulk_update_with_history(
        drafts,
        Assessment,
        ["status", "submitted_at", "late_submitted", "self_total", "veto_failed", "grade"],
        batch_size=BULK_BATCH,
        default_change_reason="self-assessment closed",
    )
    return len(drafts)


def _items_of(assessments) -> dict[int, list[ItemScore]]:
    items: dict[int, list[ItemScore]] = {}
    for item in ItemScore.objects.filter(assessment__in=assessments).select_related("indicator", "plan_item"):
        items.setdefault(item.assessment_id, []).append(item)
    return items


def _settle(cycle: AssessmentCycle, *, stage: str, source: str, status: str, now: datetime.datetime) -> int:
    """Close review (stage ``reviewed``) or verification (``verified``): items nobody touched keep the
    previous stage's points; totals, grades and ranks are computed; statuses move on."""
    earlier = (
        (Assessment.Status.SUBMITTED,)
        if stage == "reviewed"
        else (Assessment.Status.SUBMITTED, Assessment.Status.REVIEWED)
    )
    # Carried over in one UPDATE (a per-row bulk_update is slow on SQLite), then one history row each.
    untouched = ItemScore.objects.filter(
        assessment__cycle=cycle, **{f"{stage}_points__isnull": True, f"{source}_points__isnull": False}
    )
    carried = list(untouched.values_list("pk", flat=True))
    ItemScore.objects.filter(pk__in=carried).update(
        **{f"{stage}_points": F(f"{source}_points"), f"{stage}_failed": F(f"{source}_failed")}
    )
    ItemScore.history.bulk_history_create(
        list(ItemScore.objects.filter(pk__in=carried)),
        batch_size=1000,
        default_change_reason=f"{stage} carried over",
    )
    assessments = list(Assessment.objects.filter(cycle=cycle).select_related("cycle"))
    items = _items_of(assessments)
    for a in assessments:
        result = assessment_score(assessment=a, items=items.get(a.pk, []), stage=stage)
        setattr(a, "review_total" if stage == "reviewed" else "verified_total", result.total)
        a.veto_failed, a.grade = result.veto_failed, result.grade
        if a.status in earlier:
            a.status = status
            if stage == "reviewed":
                a.reviewed_at = now
            else:
                a.verified_at = now
    bulk_update_with_history(
        assessments,
        Assessment,
        ["review_total", "verified_total", "veto_failed", "grade", "status", "reviewed_at", "verified_at"],
        batch_size=BULK_BATCH,
        default_change_reason=f"{stage} closed",
    )
    cycle_rank(cycle=cycle)
    return len(assessments)


def _step(cycle_pk: int, flag: str, due, work, today: datetime.date) -> int | None:
    """Run ``work(cycle)`` once, in its own transaction, if ``due(cycle)`` and ``flag`` is not set yet.
    Returns the count, 0 when it was done before, None when it is not due yet."""
    with transaction.atomic():
        cycle = AssessmentCycle.objects.select_for_update().get(pk=cycle_pk)
        if getattr(cycle, flag) is not None:
            return 0
        if not due(cycle):
            return None
        count = work(cycle)
        setattr(cycle, flag, today)
        cycle.save(update_fields=[flag])
        return count


def assessment_cycles_advance(*, today: datetime.date) -> dict[str, int]:
    """The cycle's part of the daily step: for every cycle not yet published, do each phase change whose
    date has come and that has not been done (in order, each once, each in its own transaction), so a run
    after days of downtime catches up. One query on a day when nothing is due."""
    now = timezone.now()
    counts = {"opened": 0, "self_closed": 0, "reviewed": 0, "verified": 0, "published": 0}
    for pk in AssessmentCycle.objects.filter(published_on__isnull=True, self_opens_on__lte=today).values_list(
        "pk", flat=True
    ):
        steps = (
            ("opened", "opened_on", lambda c: today >= c.self_opens_on, lambda c: assessments_open(cycle=c)),
            (
                "self_closed",
                "self_closed_on",
                lambda c: today > c.self_closes_on,
                lambda c: _close_self(c, now),
            ),
            (
                "reviewed",
                "review_closed_on",
                lambda c: today > c.review_closes_on,
                lambda c: _settle(
                    c, stage="reviewed", source="self", status=Assessment.Status.REVIEWED, now=now
                ),
            ),
            (
                "verified",
                "verification_closed_on",
                lambda c: today > c.verification_closes_on,
                lambda c: _settle(
                    c, stage="verified", source="reviewed", status=Assessment.Status.VERIFIED, now=now
                ),
            ),
            (
                "published",
                "published_on",
                lambda c: today >= c.publish_on,
                lambda c: Assessment.objects.filter(cycle=c).update(status=Assessment.Status.PUBLISHED),
            ),
        )
        for name, flag, due, work in steps:
            count = _step(pk, flag, due, work, today)
            if count is None:
                break  # phases happen in order: a later one never runs before an earlier one
            counts[name] += count
    return counts


@transaction.atomic
def cycle_publish(*, cycle: AssessmentCycle, by: User | None) -> int:
    """Publish now (组织部), without waiting for the publication date; needs the verification closed."""
    if by is not None and not may_verify(user=by, cycle=cycle):
        raise PermissionDenied
    if (
        cycle.verification_closed_on is None
        and Assessment.objects.filter(
            cycle=cycle,
            status__in=[Assessment.Status.DRAFT, Assessment.Status.SUBMITTED, Assessment.Status.REVIEWED],
        ).exists()
    ):
        raise ValidationError(_("Verify every assessment before publishing."))
    cycle_rank(cycle=cycle)
    count = Assessment.objects.filter(cycle=cycle).update(status=Assessment.Status.PUBLISHED)
    cycle.published_on = timezone.localdate()
    cycle.verification_closed_on = cycle.verification_closed_on or cycle.published_on
    cycle.save(update_fields=["published_on", "verification_closed_on"])
    return count
