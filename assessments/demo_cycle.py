"""Demo data of the July-1 cycle (registered with load_demo; imported from AssessmentsConfig.ready()).

* last year's and this year's four standard indicator tables (6 first-level + 22 second-level items each);
* last year's cycle, finished: every unit self-assessed, a few points cut by the committee and by 组织部
  with reasons, a handful of failed vetoes, results published with a realistic spread of grades;
* this year's cycle in progress, its dates relative to the load date ("today"): the self-assessment window
  opened a week ago and closes in two weeks; about a third of the units have submitted, some were reviewed;
  a few branches' own actions (自选动作) approved, some awaiting approval. zb001's branch has not submitted.
"""

from __future__ import annotations

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from assessments.models import (
    Assessment,
    AssessmentCycle,
    Indicator,
    IndicatorTable,
    ItemScore,
    PlanItem,
    Programme,
)
from assessments.services.assessment import (
    VETO_DECIDED,
    assessment_cycles_advance,
    assessment_score,
    cycle_create,
    cycle_rank,
)
from assessments.models.targets import programme_for
from assessments.services.targets import indicator_table_create
from branches.models import Organization
from members.demo import DemoBuilder, DemoStep, register_demo_step

TENTH = Decimal("0.1")
SUMMARY = (
    "<p>本年度，{unit}按照“年初有计划、半年有检查、年终有总结”的要求，组织所属党支部逐项对照指标开展自评，"
    "党委逐一审核打分并排序。</p><p>总体看，各支部“三会一课”落实较好，党务公开更加及时；"
    "个别支部台账不够规范、特色活动数量偏少，已当面反馈并限期整改。</p>"
)
OWN_ACTIONS = (
    ("红色领航工作室建设", "开展主题活动不少于6次"),
    ("党员志愿服务队", "服务时长人均不少于8小时"),
    ("师生党员结对帮扶", "结对不少于10对"),
    ("“党建+专业”品牌活动", "形成案例1篇"),
)


def _points(maximum: Decimal, quality: float, rng: random.Random) -> Decimal:
    share = max(0.0, min(1.0, rng.gauss(quality, 0.06)))
    return (maximum * Decimal(str(share))).quantize(TENTH, ROUND_HALF_UP)


class CycleDemo:
    def __init__(self, builder: DemoBuilder):
        self.rng = random.Random(f"{builder.seed}:cycle")
        self.today = builder.today
        self.now = timezone.now()

    def _score_items(
        self, cycle: AssessmentCycle, units: set[int] | None = None, *, keep_measured: bool
    ) -> None:
        """Self points for every item of the cycle's (chosen) assessments around a quality per unit; the
        portal's measured items stand when ``keep_measured`` (the demo's meetings and posts cover the last
        twelve months only, so last year's first half has few and its measures are replaced)."""
        items = list(
            ItemScore.objects.filter(assessment__cycle=cycle).select_related("indicator", "plan_item")
        )
        quality: dict[int, float] = {}
        changed = []
        for item in items:
            if units is not None and item.assessment_id not in units:
                continue
            q = quality.setdefault(item.assessment_id, self.rng.triangular(0.8, 1.0, 0.95))
            if item.kind == Indicator.Kind.VETO:
                item.self_points, item.self_failed = VETO_DECIDED, self.rng.random() < 0.008
            elif item.kind == Indicator.Kind.BONUS:
                item.self_points = item.max_points if self.rng.random() < q - 0.6 else Decimal(0)
            elif item.prefilled and keep_measured:
                continue  # the portal's own measure stands
            else:
                item.self_points = _points(item.max_points, q, self.rng)
            changed.append(item)
        # Grouped by value: a hundred small UPDATEs beat one bulk_update of thousands of rows on SQLite.
        by_value: dict[tuple, list[int]] = {}
        for item in changed:
            by_value.setdefault((item.self_points, item.self_failed), []).append(item.pk)
        for (points, failed), pks in by_value.items():
            ItemScore.objects.filter(pk__in=pks).update(
                self_points=points, self_failed=failed, evidence="见本单位党建动态及会议记录台账。"
            )

    def _submit(self, cycle: AssessmentCycle, assessments: list[Assessment]) -> None:
        items: dict[int, list[ItemScore]] = {}
        for item in ItemScore.objects.filter(assessment__in=assessments).select_related(
            "indicator", "plan_item"
        ):
            items.setdefault(item.assessment_id, []).append(item)
        for a in assessments:
            a.cycle = cycle
            result = assessment_score(assessment=a, items=items.get(a.pk, []), stage="self")
            a.status, a.submitted_at = Assessment.Status.SUBMITTED, self.now
            a.self_total, a.veto_failed, a.grade = result.total, result.veto_failed, result.grade
        Assessment.objects.bulk_update(
            assessments, ["status", "submitted_at", "self_total", "veto_failed", "grade"], batch_size=100
        )

    def _cut(self, cycle: AssessmentCycle, stage: str, share: float, reasons: tuple[str, ...]) -> int:
        """The reviewers' adjustments: ``share`` of the basic items lose a point or two, with a reason."""
        items = list(
            ItemScore.objects.filter(
                assessment__cycle=cycle, indicator__kind="required", self_points__gt=2
            ).only("pk", "self_points", "reviewed_points")
        )
        cut = [i for i in items if self.rng.random() < share]
        for item in cut:
            base = (
                item.self_points
                if stage == "reviewed" or item.reviewed_points is None
                else item.reviewed_points
            )
            setattr(item, f"{stage}_points", max(Decimal(0), base - Decimal(self.rng.choice((1, 1, 2)))))
            setattr(
                item, "review_reason" if stage == "reviewed" else "verify_reason", self.rng.choice(reasons)
            )
        ItemScore.objects.bulk_update(
            cut,
            [f"{stage}_points", "review_reason" if stage == "reviewed" else "verify_reason"],
            batch_size=100,
        )
        return len(cut)

    def run(self) -> dict[str, int]:
        university = Organization.objects.filter(kind=Organization.Kind.UNIVERSITY).order_by("path").first()
        if university is None:
            return {}
        last, this = self.today.year - 1, self.today.year
        counts = {}
        with transaction.atomic():
            for year in (last, this):
                for programme in Programme.values:
                    if not IndicatorTable.objects.filter(year=year, programme=programme).exists():
                        indicator_table_create(year=year, programme=programme, by=None)

            # --- last year: finished and published
            done = cycle_create(root=university, year=last)
            assessment_cycles_advance(today=done.self_opens_on)
            done.refresh_from_db()
            self._score_items(done, keep_measured=False)
            self._submit(done, list(Assessment.objects.filter(cycle=done)))
            counts["cut_in_review"] = self._cut(
                done, "reviewed", 0.05, ("佐证材料不充分", "台账记录不完整", "活动次数未达计划")
            )
            counts["cut_in_verification"] = self._cut(done, "verified", 0.01, ("核查与实际不符",))
            committees = Assessment.objects.filter(cycle=done).exclude(
                organization__kind=Organization.Kind.BRANCH
            )
            for a in committees.select_related("organization"):
                a.summary = SUMMARY.format(unit=a.organization.name)
                a.save(update_fields=["summary"])
            assessment_cycles_advance(
                today=done.publish_on
            )  # review and verification close; results published
            counts["last_year"] = Assessment.objects.filter(
                cycle=done, status=Assessment.Status.PUBLISHED
            ).count()

            # --- this year: in progress around today
            d = datetime.timedelta
            t = self.today
            current = cycle_create(
                root=university,
                year=this,
                plan_opens_on=t - d(days=150),
                half_year_check_on=t - d(days=30),
                self_opens_on=t - d(days=7),
                self_closes_on=t + d(days=14),
                review_closes_on=t + d(days=28),
                verification_closes_on=t + d(days=42),
                publish_on=t + d(days=45),
                summary_due_on=t + d(days=120),
            )
            branches = list(
                Organization.objects.filter(
                    path__startswith=university.path, kind=Organization.Kind.BRANCH, is_active=True
                ).order_by("path")
            )
            tables = {t_.programme: t_ for t_ in IndicatorTable.objects.filter(year=this)}
            # Own actions go under a table's optional group 5 (issue 18: 引航计划's 5 is required, retirees have none).
            under = {
                p: i
                for p in tables
                if (i := Indicator.objects.filter(table=tables[p], code="5", kind="optional").first())
            }
            plans = []
            for i, branch in enumerate(
                branches[1:40]
            ):  # zb001's branch (the first) plans its own in the demo
                programme = programme_for(branch)
                if programme not in under:
                    continue
                title, target = OWN_ACTIONS[i % len(OWN_ACTIONS)]
                plans.append(
                    PlanItem(
                        organization=branch,
                        indicator=under[programme],
                        title=title,
                        target=target,
                        max_points=Decimal(3),
                        status=PlanItem.Status.APPROVED if i % 3 else PlanItem.Status.SUBMITTED,
                    )
                )
            PlanItem.objects.bulk_create(plans)
            assessment_cycles_advance(today=t)
            current.refresh_from_db()
            first_branch = branches[0].pk if branches else None
            submitted = [
                a
                for a in Assessment.objects.filter(cycle=current).exclude(organization_id=first_branch)
                if self.rng.random() < 0.35
            ]
            self._score_items(current, units={a.pk for a in submitted}, keep_measured=True)
            self._submit(current, submitted)
            reviewed = [a for a in submitted if self.rng.random() < 0.3]
            for a in reviewed:
                a.status, a.review_total, a.reviewed_at = Assessment.Status.REVIEWED, a.self_total, self.now
            ItemScore.objects.filter(assessment__in=reviewed).update(
                reviewed_points=F("self_points"), reviewed_failed=F("self_failed")
            )
            Assessment.objects.bulk_update(reviewed, ["status", "review_total", "reviewed_at"])
            cycle_rank(cycle=current)
            counts.update(
                this_year=Assessment.objects.filter(cycle=current).count(),
                submitted=len(submitted),
                reviewed=len(reviewed),
                plans=len(plans),
            )
        return counts


def cycle_demo_clear() -> None:
    """Delete every cycle, plan and indicator table (and their history), and the cycle's to-dos: plain DELETEs,
    children first. The ORM's delete wrote a "deleted" history row for each of the ~20,000 rows (26 s of
    load_demo --replace's 37 s on PostgreSQL) and left those rows behind."""
    from disclosure.models import Todo

    for qs in (
        Todo.objects.filter(kind=Todo.Kind.ASSESSMENT),
        *(
            model.history.all()
            for model in (ItemScore, Assessment, AssessmentCycle, PlanItem, Indicator, IndicatorTable)
        ),
        ItemScore.objects.all(),
        Assessment.objects.all(),
        AssessmentCycle.objects.all(),
        PlanItem.objects.all(),
        Indicator.objects.filter(parent__isnull=False),
        Indicator.objects.all(),
        IndicatorTable.objects.all(),
    ):
        qs._raw_delete(qs.db)


def _load(builder: DemoBuilder) -> str:
    counts = CycleDemo(builder).run()
    if not counts:
        return "no university"
    from assessments.services.assessment_todos import assessment_todos_advance

    todos = assessment_todos_advance(
        today=builder.today
    )  # the secretaries' and reviewers' lists from day one
    grades = dict(
        Assessment.objects.filter(cycle__year=builder.today.year - 1)
        .values_list("grade")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return (
        f"last year's cycle published: {counts['last_year']} units ({grades.get('five', 0)} five-star, "
        f"{grades.get('four', 0)} four-star, {grades.get('pass', 0)} compliant, {grades.get('fail', 0)} not "
        f"compliant; {counts['cut_in_review']} points cut in review); this year's self-assessment open: "
        f"{counts['submitted']} of {counts['this_year']} submitted, {counts['reviewed']} reviewed, "
        f"{counts['plans']} own actions planned (zb001's branch has not submitted); {todos['created']} to-dos"
    )


register_demo_step(DemoStep(name="assessment_cycle", load=_load, clear=cycle_demo_clear))

import assessments.demo_programmes  # noqa: E402, F401  (issue 18: registers its demo step after this one)
