"""Writes of the July-1 cycle (DESIGN §5, §7): cycles, the daily step's phases, self-assessment, committee
review and summary, verification by 组织部, rankings and publication.

Who may do what:

* a unit's own secretary, deputy or organizer (a current role *on the unit*) self-assesses it;
* whoever manages units on the unit's parent reviews it (the committee for its branches; 组织部 for the
  committees, whose parent is the university);
* whoever manages units on the cycle's university verifies every assessment (组织部).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, cast

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from assessments.models import Assessment, AssessmentCycle, Indicator, IndicatorTable, ItemScore, PlanItem
from assessments.models.targets import ASSESSED_KINDS, programme_for
from assessments.services import scoring
from branches.models import Organization, Role
from branches.selectors import MANAGE_UNITS, organization_permission_holds

if TYPE_CHECKING:  # for the annotation only: the functions below import programme_measures where they use it
    from assessments.services.programme_measures import CommitteeMeasures

ONE_DECIMAL = Decimal("0.1")
# bulk_update writes CASE WHEN lists whose cost grows with the square of the batch on SQLite: keep them short.
BULK_BATCH = 100
# A veto item's "points": 0 once a stage has looked at it (its failure is the *_failed flag), None before,
# so the step carries an untouched item's verdict over from the previous stage and keeps a decided one.
VETO_DECIDED = Decimal("0")
SELF_ROLES = (Role.Kind.SECRETARY, Role.Kind.DEPUTY, Role.Kind.ORGANIZER)


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


# --- permissions -----------------------------------------------------------------------------------------


def may_self_assess(*, user: User, organization: Organization) -> bool:
    """A current secretary, deputy or organizer of the unit itself (not of a unit above it)."""
    if not user.is_authenticated:
        return False
    return Role.objects.current().filter(user=user, organization=organization, kind__in=SELF_ROLES).exists()


def may_review(*, user: User, assessment: Assessment) -> bool:
    parent = Organization.objects.get_parent(assessment.organization)
    return parent is not None and organization_permission_holds(
        user=user, organization=parent, codename=MANAGE_UNITS
    )


def may_verify(*, user: User, cycle: AssessmentCycle) -> bool:
    return organization_permission_holds(user=user, organization=cycle.root, codename=MANAGE_UNITS)


# --- opening: assessments and their pre-filled items ---------------------------------------------------


def _ratio_points(maximum: Decimal, ratio: float) -> Decimal:
    return (Decimal(maximum) * Decimal(str(max(0.0, min(1.0, ratio))))).quantize(ONE_DECIMAL, ROUND_HALF_UP)


@dataclass
class Measures:
    """What the other apps say about each unit, computed once for the whole tree when assessments open."""

    meetings: dict[int, tuple[int, int]]  # unit id → (periods done, periods ended) of 三会一课
    filed: dict[int, tuple[int, int]]  # unit id → (records filed, filed late)
    posts: dict[int, int]  # unit id → posts published in the year
    programme: CommitteeMeasures | None = None  # the 引航计划's and the guides' (issue 18)
    guide_evidence: dict | None = None  # (branch id, indicator code) → the guide actions it recorded


def measures_collect(*, cycle: AssessmentCycle, units: list[Organization]) -> Measures:
    """三会一课 completion (``disclosure.selectors.compliance``: four queries for the whole tree), minutes
    timeliness (the filed records and the late ones, as ``disclosure.selectors.filing_lag_summary`` counts
    them, but grouped per unit in one query instead of one query per unit) and published posts (one query).
    A committee's figures are its subtree's."""
    from disclosure.models import Meeting, Post
    from disclosure.selectors import compliance

    per_branch: dict[str, tuple[int, int]] = {}
    for entry in compliance(root=cycle.root, year=cycle.year, today=cycle.self_opens_on):
        done = sum(
            1
            for row in entry.rows
            for cell in row.cells
            if cell.state == "done" and cell.ends_on < cycle.self_opens_on
        )
        ended = sum(1 for row in entry.rows for cell in row.cells if cell.ends_on < cycle.self_opens_on)
        per_branch[entry.branch.path] = (done, ended)
    meetings, filed, posts = {}, {}, {}
    start = datetime.date(cycle.year, 1, 1)
    published = dict(
        Post.objects.published()
        .filter(
            organization__path__startswith=cycle.root.path,
            published_at__date__gte=start,
            published_at__date__lt=cycle.self_opens_on,
        )
        .values("organization__path")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("organization__path", "n")
    )
    filings = {
        row[0]: (row[1], row[2])
        for row in (
            Meeting.objects.filed()
            .filter(organization__path__startswith=cycle.root.path, held_at__year=cycle.year)
            .values("organization__path")
            .annotate(filed=Count("pk"), late=Count("pk", filter=Q(is_late=True)))
            .order_by()
            .values_list("organization__path", "filed", "late")
        )
    }
    for unit in units:
        inside = [v for path, v in per_branch.items() if path.startswith(unit.path)]
        if inside:
            meetings[unit.pk] = (sum(d for d, _e in inside), sum(e for _d, e in inside))
        below = [v for path, v in filings.items() if path.startswith(unit.path)]
        filed[unit.pk] = (sum(f for f, _l in below), sum(late for _f, late in below))
        posts[unit.pk] = sum(n for path, n in published.items() if path.startswith(unit.path))
    from assessments.services import programme_measures

    return Measures(
        meetings=meetings,
        filed=filed,
        posts=posts,
        programme=programme_measures.collect(cycle=cycle, units=units, per_branch=per_branch),
        guide_evidence=programme_measures.guide_evidence(cycle=cycle, units=units),
    )


def prefill(indicator: Indicator, unit: Organization, measures: Measures) -> tuple[Decimal, str] | None:
    """The points and how they were measured for a measurable ``indicator``, or None (not measurable)."""
    S = Indicator.Source
    if measures.programme is not None and indicator.source not in (S.NONE, S.MEETINGS, S.TIMELINESS, S.POSTS):
        from assessments.services import programme_measures

        return programme_measures.prefill(indicator, unit, measures.programme)
    if indicator.source == S.MEETINGS and unit.pk in measures.meetings:
        done, ended = measures.meetings[unit.pk]
        if ended:
            return _ratio_points(indicator.max_points, done / ended), _(
                "三会一课: %(done)d of %(ended)d periods held as required"
            ) % {"done": done, "ended": ended}
    if indicator.source == S.TIMELINESS:
        filed, late = measures.filed.get(unit.pk, (0, 0))
        if filed:
            return _ratio_points(indicator.max_points, (filed - late) / filed), _(
                "Minutes: %(on_time)d of %(filed)d filed on time"
            ) % {"on_time": filed - late, "filed": filed}
    if indicator.source == S.POSTS:
        n = measures.posts.get(unit.pk, 0)
        target = indicator.target_count or 1
        return _ratio_points(indicator.max_points, n / target), _(
            "%(n)d posts published (full points from %(target)d)"
        ) % {"n": n, "target": target}
    return None


def assessments_open(*, cycle: AssessmentCycle, only: set[int] | None = None) -> int:
    """Create the assessment of every active assessed unit of the cycle's university whose programme has a
    table this year, with one item per leaf indicator and per approved plan item, measurable items
    pre-filled. Units that already have one are skipped, so a second run creates nothing. ``only``: just
    those units (ids), for re-opening a few (services.retirees)."""
    tables = {t.programme: t for t in IndicatorTable.objects.filter(year=cycle.year)}
    indicators: dict[int, list[Indicator]] = {}
    for counted in Indicator.objects.filter(table__in=tables.values()).annotate(n=Count("children")):
        if counted.n == 0:  # leaves: second-level items, or a first-level item without any
            indicators.setdefault(counted.table_id, []).append(counted)
    done = set(Assessment.objects.filter(cycle=cycle).values_list("organization_id", flat=True))
    units = [
        u
        for u in Organization.objects.subtree_of(cycle.root)
        .filter(kind__in=ASSESSED_KINDS, is_active=True)
        .order_by("path")
        if u.pk not in done and programme_for(u) in tables and (only is None or u.pk in only)
    ]
    if not units:
        return 0

    def programme(unit: Organization) -> str:
        return cast(str, programme_for(unit))  # `units` holds only units whose programme has a table

    measures = measures_collect(cycle=cycle, units=units)
    plans: dict[int, list[PlanItem]] = {}
    for plan_item in PlanItem.objects.filter(
        status=PlanItem.Status.APPROVED, organization__in=units, indicator__table__year=cycle.year
    ):
        plans.setdefault(plan_item.organization_id, []).append(plan_item)
    assessments = [Assessment(cycle=cycle, organization=u, programme=programme(u)) for u in units]
    assessments = bulk_create_with_history(assessments, Assessment, default_change_reason="cycle opened")
    # bulk_create_with_history returns the objects with their ids on PostgreSQL and SQLite ≥ 3.35.
    by_unit = {a.organization_id: a for a in Assessment.objects.filter(cycle=cycle, organization__in=units)}
    items = []
    for unit in units:
        assessment = by_unit[unit.pk]
        for indicator in indicators.get(tables[programme(unit)].pk, []):
            item = ItemScore(assessment=assessment, indicator=indicator)
            if indicator.kind == Indicator.Kind.VETO:
                item.self_points = VETO_DECIDED  # not failed unless the unit or a reviewer says so
            measured = prefill(indicator, unit, measures)
            if measured is not None:
                item.self_points, item.prefill_note = measured
                item.prefilled = True
            # The annual guide's actions the branch recorded are evidence for their indicator (issue 18).
            item.evidence = (measures.guide_evidence or {}).get((unit.pk, indicator.code), "")
            items.append(item)
        items.extend(ItemScore(assessment=assessment, plan_item=p) for p in plans.get(unit.pk, []))
    bulk_create_with_history(items, ItemScore, batch_size=1000, default_change_reason="pre-filled")
    return len(units)


# --- totals and ranks -----------------------------------------------------------------------------------


def _thresholds(cycle: AssessmentCycle) -> scoring.Thresholds:
    return scoring.Thresholds(cycle.compliant_from, cycle.four_stars_from, cycle.five_stars_from)


def _lines(items, stage: str) -> list[scoring.Line]:
    return [
        scoring.Line(
            kind=i.kind,
            max_points=i.max_points,
            points=getattr(i, f"{stage}_points"),
            failed=getattr(i, f"{stage}_failed"),
        )
        for i in items
    ]


def assessment_score(*, assessment: Assessment, items, stage: str) -> scoring.Score:
    """The ``stage`` (self / reviewed / verified) score of ``assessment`` from its ``items``."""
    return scoring.score(
        _lines(items, stage), bonus_cap=assessment.cycle.bonus_cap, thresholds=_thresholds(assessment.cycle)
    )


def cycle_rank(*, cycle: AssessmentCycle) -> int:
    """Rank every assessment of the cycle by its latest total: branches within their parent unit and across
    the university; committees among committees. Two queries."""
    assessments = list(Assessment.objects.filter(cycle=cycle).select_related("organization"))
    groups: dict[str, list[Assessment]] = {}
    levels: dict[bool, list[Assessment]] = {}
    for a in assessments:
        is_branch = a.organization.kind == Organization.Kind.BRANCH
        levels.setdefault(is_branch, []).append(a)
        if is_branch:
            groups.setdefault(a.organization.path[: -a.organization.steplen], []).append(a)
    for a in assessments:
        a.rank_in_committee = a.rank_overall = None
    for members in groups.values():
        ranks = scoring.rank([(a.pk, a.final_total, a.veto_failed) for a in members])
        for a in members:
            a.rank_in_committee = ranks.get(a.pk)
    for members in levels.values():
        ranks = scoring.rank([(a.pk, a.final_total, a.veto_failed) for a in members])
        for a in members:
            a.rank_overall = ranks.get(a.pk)
    Assessment.objects.bulk_update(assessments, ["rank_in_committee", "rank_overall"], batch_size=BULK_BATCH)
    return len(assessments)


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


# --- people's writes -------------------------------------------------------------------------------------


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
