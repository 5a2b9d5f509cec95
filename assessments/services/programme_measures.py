"""Issue 18: the measures of the 引航计划's committee items and of the branches' annual-guide item, computed
once for the whole tree when assessments open (a fixed number of queries, whatever the number of units).

引航计划 scores what a committee does itself, over the twelve months before self-assessment opens (a 民主生活会
held in December counts for the July cycle that follows): its own 党委会 / 党政联席会, 中心组学习 and
民主生活会, its registered decisions, how fast it reviewed its branches' minutes, how many of its branches meet
the 三会一课 rules and passed last year's assessment, whether the development approvals it owes came within the
months the rules allow, and its own posts. A branch's guide item counts the required actions of its published
guide whose month has ended and that it recorded as done."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F
from django.utils.translation import gettext as _

from branches.dates import add_years
from branches.models import Organization


@dataclass
class CommitteeMeasures:
    counts: dict[str, dict[int, int]] = field(default_factory=dict)  # source → unit id → count in the window
    reviews: dict[int, list[int]] = field(default_factory=dict)  # unit id → review delays in days
    branches: dict[int, tuple[int, int]] = field(default_factory=dict)  # unit id → (compliant, branches)
    grades: dict[int, tuple[int, int]] = field(default_factory=dict)  # unit id → (passed, graded) last year
    approvals: dict[int, tuple[int, int]] = field(default_factory=dict)  # unit id → (on time, approvals)
    guide: dict[int, tuple[int, int]] = field(
        default_factory=dict
    )  # branch id → (done, due) required actions
    evaluations: dict[int, tuple[int, int]] = field(default_factory=dict)  # unit id → (approved, branches)


def window(cycle) -> tuple[datetime.date, datetime.date]:
    """[first day, last day) of what a committee item counts: the twelve months before self-assessment."""
    return add_years(cycle.self_opens_on, -1), cycle.self_opens_on


def collect(*, cycle, units: list[Organization], per_branch: dict[str, tuple[int, int]]) -> CommitteeMeasures:
    """``per_branch``: branch path → (periods done, periods ended) of 三会一课, as ``measures_collect`` has it."""
    from assessments.models import Assessment, GuideAction, GuideActionDone
    from assessments.models.targets import programme_for
    from disclosure.models import Decision, Meeting, Post
    from members.models.development import DevelopmentStep
    from members.rules import add_months, rules

    m = CommitteeMeasures()
    secondary = [u for u in units if u.kind in Organization.SECONDARY_KINDS]
    branches = [u for u in units if u.kind == Organization.Kind.BRANCH]
    first, last = window(cycle)
    ids = [u.pk for u in secondary]
    if secondary:
        K = Meeting.Kind
        kinds = {
            "committee_meetings": (K.COMMITTEE_MEETING, K.JOINT_MEETING),
            "central_study": (K.CENTRAL_GROUP_STUDY,),
            "democratic_life": (K.DEMOCRATIC_LIFE,),
        }
        rows = (
            Meeting.objects.filed()
            .filter(organization_id__in=ids, held_at__date__gte=first, held_at__date__lt=last)
            .values("organization_id", "kind")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for source, of in kinds.items():
            m.counts[source] = {}
        for row in rows:
            for source, of in kinds.items():
                if row["kind"] in of:
                    m.counts[source][row["organization_id"]] = (
                        m.counts[source].get(row["organization_id"], 0) + row["n"]
                    )
        m.counts["decisions"] = dict(
            Decision.objects.filter(organization_id__in=ids, decided_on__gte=first, decided_on__lt=last)
            .values("organization_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("organization_id", "n")
        )
        m.counts["own_posts"] = dict(
            Post.objects.published()
            .filter(organization_id__in=ids, published_at__date__gte=first, published_at__date__lt=last)
            .values("organization_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("organization_id", "n")
        )
        for reviewer, submitted, reviewed in Meeting.objects.filter(
            reviewer_id__in=ids,
            reviewed_at__date__gte=first,
            reviewed_at__date__lt=last,
            submitted_at__isnull=False,
        ).values_list("reviewer_id", "submitted_at", "reviewed_at"):
            assert reviewed is not None and submitted is not None  # both filtered on above
            m.reviews.setdefault(reviewer, []).append(max(0, (reviewed - submitted).days))
        previous = dict(
            Assessment.objects.filter(
                cycle__root=cycle.root,
                cycle__year=cycle.year - 1,
                organization__kind=Organization.Kind.BRANCH,
            )
            .exclude(grade="")
            .values_list("organization__path", "grade")
        )
        # Approvals the committee owes (steps 17 and 24) against the branch vote they follow (15 and 23).
        limit = rules()["approval_within_months"]
        votes = {
            (case, number): day
            for case, number, day in DevelopmentStep.objects.filter(
                number__in=(15, 23), case__member__branch__path__startswith=cycle.root.path
            ).values_list("case_id", "number", "done_on")
        }
        approvals = list(
            DevelopmentStep.objects.filter(
                number__in=(17, 24),
                done_on__gte=first,
                done_on__lt=last,
                case__member__branch__path__startswith=cycle.root.path,
            ).values_list("case_id", "number", "done_on", "case__member__branch__path")
        )
        for unit in secondary:
            inside = [v for path, v in per_branch.items() if path.startswith(unit.path)]
            if inside:
                m.branches[unit.pk] = (sum(1 for done, ended in inside if done == ended), len(inside))
            graded = [g for path, g in previous.items() if path.startswith(unit.path)]
            if graded:
                m.grades[unit.pk] = (sum(1 for g in graded if g != "fail"), len(graded))
            owed = [(c, n, d) for c, n, d, path in approvals if path.startswith(unit.path)]
            if owed:
                on_time = sum(
                    1
                    for c, n, d in owed
                    if (vote := votes.get((c, n - 2))) is None or d <= add_months(vote, limit)
                )
                m.approvals[unit.pk] = (on_time, len(owed))
    if branches:
        due = [
            a
            for a in GuideAction.objects.filter(
                guide__year=cycle.year,
                guide__published_at__isnull=False,
                required=True,
                month__lt=cycle.self_opens_on.month,
            )
            .annotate(programme=F("guide__programme"))
            .only("pk", "month")
        ]
        done = set(
            GuideActionDone.objects.filter(
                action__in=[a.pk for a in due], organization__in=branches
            ).values_list("organization_id", "action_id")
        )
        for branch in branches:
            mine = [a for a in due if a.programme == programme_for(branch)]
            if mine:
                m.guide[branch.pk] = (sum(1 for a in mine if (branch.pk, a.pk) in done), len(mine))
    if branches:
        # 民主评议党员 (issue 19): approved for the year before the cycle's (held around the year's end) or opened
        # within the window. One query.
        from django.db.models import Q

        from assessments.models.evaluation import MemberEvaluation

        approved = set(
            MemberEvaluation.objects.filter(
                Q(year=cycle.year - 1) | Q(opened_on__gte=first, opened_on__lt=last),
                status=MemberEvaluation.Status.APPROVED,
                branch__in=branches,
            ).values_list("branch_id", flat=True)
        )
        for branch in branches:
            m.evaluations[branch.pk] = (int(branch.pk in approved), 1)
        for unit in secondary:
            inside = [b.pk for b in branches if b.path.startswith(unit.path)]
            if inside:
                m.evaluations[unit.pk] = (sum(1 for pk in inside if pk in approved), len(inside))
    return m


def _ratio(maximum: Decimal, ratio: float) -> Decimal:
    from assessments.services.assessment import _ratio_points

    return _ratio_points(maximum, ratio)


def prefill(indicator, unit: Organization, m: CommitteeMeasures) -> tuple[Decimal, str] | None:
    """Points and how they were measured for the issue-18 sources, or None (not measurable here)."""
    S = type(indicator).Source
    source, top = indicator.source, indicator.max_points
    if source in (S.COMMITTEE_MEETINGS, S.CENTRAL_STUDY, S.DEMOCRATIC_LIFE, S.DECISIONS, S.OWN_POSTS):
        if unit.kind not in Organization.SECONDARY_KINDS:
            return None
        n = m.counts.get(source, {}).get(unit.pk, 0)
        target = indicator.target_count or 1
        return _ratio(top, n / target), _(
            "%(what)s: %(n)d in the twelve months before self-assessment (full points from %(target)d)"
        ) % {"what": S(source).label, "n": n, "target": target}
    if source == S.REVIEW_TIMELINESS:
        delays = m.reviews.get(unit.pk)
        if delays:
            days = indicator.target_count or 7
            on_time = sum(1 for d in delays if d <= days)
            return _ratio(top, on_time / len(delays)), _(
                "Branches' minutes: %(on_time)d of %(n)d reviewed within %(days)d days"
            ) % {"on_time": on_time, "n": len(delays), "days": days}
    if source == S.BRANCH_COMPLIANCE and unit.pk in m.branches:
        ok, n = m.branches[unit.pk]
        return _ratio(top, ok / n), _("%(ok)d of %(n)d branches held every required meeting so far") % {
            "ok": ok,
            "n": n,
        }
    if source == S.BRANCH_GRADES and unit.pk in m.grades:
        ok, n = m.grades[unit.pk]
        return _ratio(top, ok / n), _("%(ok)d of %(n)d branches compliant in last year's assessment") % {
            "ok": ok,
            "n": n,
        }
    if source == S.APPROVALS and unit.pk in m.approvals:
        ok, n = m.approvals[unit.pk]
        return _ratio(top, ok / n), _(
            "Development approvals: %(ok)d of %(n)d within the months the rules allow"
        ) % {"ok": ok, "n": n}
    if source == S.GUIDE_ACTIONS and unit.pk in m.guide:
        ok, n = m.guide[unit.pk]
        return _ratio(top, ok / n), _("Annual guide: %(ok)d of %(n)d required actions recorded as done") % {
            "ok": ok,
            "n": n,
        }
    if source == S.MEMBER_EVALUATION and unit.pk in m.evaluations:
        ok, n = m.evaluations[unit.pk]
        if unit.kind == Organization.Kind.BRANCH:
            return _ratio(top, ok / n), (
                _("Member evaluation approved by the committee")
                if ok
                else _("No approved member evaluation in the year")
            )
        return _ratio(top, ok / n), _("Member evaluation: %(ok)d of %(n)d branches approved") % {
            "ok": ok,
            "n": n,
        }
    return None


def guide_evidence(*, cycle, units: list[Organization]) -> dict[tuple[int, str], str]:
    """(branch id, indicator code) → the evidence lines of the guide actions the branch recorded. One query."""
    from assessments.models import GuideActionDone

    lines: dict[tuple[int, str], list[str]] = {}
    for done in (
        GuideActionDone.objects.filter(
            organization__in=[u for u in units if u.is_branch],
            action__guide__year=cycle.year,
            done_on__lt=cycle.self_opens_on,
        )
        .exclude(action__indicator_code="")
        .select_related("action")
        .order_by("action__month", "pk")
    ):
        text = f"{done.action.month}月 {done.action.title}（{done.done_on:%Y-%m-%d}）"
        if done.evidence.strip():
            text += f"：{done.evidence.strip()}"
        lines.setdefault((done.organization_id, done.action.indicator_code), []).append(text)
    return {key: "\n".join(value) for key, value in lines.items()}
