"""Demo data of 民主评议党员 (issue 19), registered with load_demo (imported from assessments/demo.py).

* Last year's evaluation, approved, in every branch with at least two party members: the 测评 counted (its
  tallies only, as after a real count), grades with a realistic spread — 优秀 for up to ⌊⅓⌋ of the full
  members (most branches use the quota, some fewer), a few 基本合格 with their reasons, rare 不合格 with a
  限期改正 approved by the committee.
  Its participation rows say who took part (all the branch's party members but at most one absent, each
  grading every full colleague), consistent with the tallies; it was opened and reported by the branch's
  secretary and approved by the unit above (its history has the three steps with their users).
* This year's evaluation open in a few branches (zb001's among them), some members having voted.

Bulk inserts for last year's (with explicit history), so the demo stays fast: through the services each ballot
would be sealed and opened again, thousands of them; this year's go through the services.
"""

from __future__ import annotations

import datetime
import itertools
import random
import uuid
from collections import defaultdict

from django.db import connection

from assessments.models import BallotBox, BallotTally, SealedBallot
from assessments.models.evaluation import (
    GRADE_VALUES,
    VOTE_QUESTION,
    EvaluationBallot,
    EvaluationEntry,
    EvaluationFollowUp,
    EvaluationGrade,
    MemberEvaluation,
)
from branches.bulk import execute_many
from branches.models import Organization, Role
from disclosure.models import Todo
from members.demo import DemoBuilder, DemoStep, register_demo_step
from members.demo_lifecycle import _history_copy, _insert_many, _insert_objects
from members.models import Member

G = EvaluationGrade
BASIC_REASONS = ["组织生活参加不够经常", "党费未按时交纳", "发挥先锋模范作用不够明显", "学习教育参加不够主动"]
UNQUALIFIED_REASONS = ["无正当理由连续六个月不参加组织生活", "理想信念淡薄，长期不履行党员义务"]
OPEN_BRANCHES = 5


def evaluation_demo_clear() -> None:
    """Plain DELETEs, children first (the ORM's delete would collect every row and its history first)."""
    boxes = list(MemberEvaluation.objects.values_list("box_id", flat=True))
    for qs in (
        EvaluationFollowUp.history.all(),
        EvaluationEntry.history.all(),
        MemberEvaluation.history.all(),
        EvaluationFollowUp.objects.all(),
        EvaluationBallot.objects.all(),
        EvaluationEntry.objects.all(),
        MemberEvaluation.objects.all(),
        BallotTally.objects.filter(box_id__in=boxes),
        SealedBallot.objects.filter(box_id__in=boxes),
        BallotBox.objects.filter(pk__in=boxes),
        Todo.objects.filter(kind=Todo.Kind.EVALUATION),  # the members' to-dos (issue 19)
    ):
        qs._raw_delete(qs.db)


def _spread(graded: list[int], cap: int, rng: random.Random) -> dict[int, tuple[str, str]]:
    order = graded[:]
    rng.shuffle(order)
    excellent = max(0, rng.choice([cap, cap, cap - 1, cap // 2]))  # most branches use the quota, some not
    grades = {}
    for i, member in enumerate(order):
        if i < excellent:
            grades[member] = (G.EXCELLENT, "")
        elif rng.random() < 0.003:
            grades[member] = (G.UNQUALIFIED, rng.choice(UNQUALIFIED_REASONS))
        elif rng.random() < 0.02:
            grades[member] = (G.BASIC, rng.choice(BASIC_REASONS))
        else:
            grades[member] = (G.QUALIFIED, "")
    return grades


def _tally(grade: str, voters: int, rng: random.Random) -> dict[int, int]:
    """A plausible count for a member given ``grade``: most colleagues agree with the branch."""
    lean = {
        G.EXCELLENT: [0.7, 0.28, 0.02, 0.0],
        G.QUALIFIED: [0.2, 0.75, 0.05, 0.0],
        G.BASIC: [0.02, 0.4, 0.5, 0.08],
        G.UNQUALIFIED: [0.0, 0.15, 0.35, 0.5],
    }[grade]
    counts: dict[int, int] = defaultdict(int)
    for _ in range(voters):
        counts[rng.choices([1, 2, 3, 4], weights=lean)[0]] += 1
    return counts


def _load(builder: DemoBuilder) -> str:
    rng = random.Random(builder.seed + 19)
    today = builder.today
    last = today.year - 1
    members = defaultdict(list)
    for pk, branch_id, stage in (
        Member.objects.filter(is_active=True, stage__in=Member.PARTY_STAGES)
        .order_by("branch_id", "name", "pk")
        .values_list("pk", "branch_id", "stage")
    ):
        members[branch_id].append((pk, stage == Member.Stage.FULL))
    branches = [
        b
        for b in Organization.objects.filter(kind=Organization.Kind.BRANCH, is_active=True).order_by("path")
        if len(members.get(b.pk, ())) >= 2
    ]
    if not branches:
        return "no branches"
    secretaries, deciders = _runners(branches)
    boxes = BallotBox.objects.bulk_create(
        [BallotBox(custody=BallotBox.Custody.SERVER, opened=True, public_key="0" * 64) for _ in branches]
    )
    evaluations = MemberEvaluation.objects.bulk_create(
        [
            MemberEvaluation(
                branch=b,
                year=last,
                opened_on=datetime.date(last, 12, 15),
                box=box,
                status=MemberEvaluation.Status.APPROVED,
                opened_by_id=secretaries.get(b.pk),
                decided_by_id=deciders.get(b.pk),
            )
            for b, box in zip(branches, boxes)
        ]
    )
    entries, tallies, spread = [], [], defaultdict(int)
    took_part: list[tuple[MemberEvaluation, list[EvaluationEntry], set[int]]] = []
    for evaluation, branch in zip(evaluations, branches):
        people = members[branch.pk]
        graded = [pk for pk, full in people if full]
        grades = _spread(graded, evaluation.excellent_cap(len(graded)), rng)
        # Who took part: every party member of the branch but at most one (away on the day).
        absent = set(rng.sample([pk for pk, _full in people], rng.randrange(0, 2)))
        voters = {pk for pk, _full in people} - absent
        branch_entries = []
        for pk, full in people:
            grade, reason = grades.get(pk, ("", ""))
            spread[grade or "ungraded"] += 1
            branch_entries.append(
                EvaluationEntry(
                    evaluation=evaluation,
                    member_id=pk,
                    graded=full,
                    grade=grade,
                    reason=reason,
                    self_text=f"{last}年按时参加三会一课，认真学习，履行党员义务。",
                )
            )
            if full:  # graded by every voter but themselves: the tally's total is its participation count
                tallies += [
                    BallotTally(
                        box_id=evaluation.box_id, subject=pk, question=VOTE_QUESTION, value=v, count=n
                    )
                    for v, n in sorted(_tally(grade, len(voters - {pk}), rng).items())
                    if n
                ]
        entries += branch_entries
        took_part.append((evaluation, branch_entries, voters))
    _insert_objects(EvaluationEntry, entries)
    _insert_many(BallotTally, tallies)
    ballots = _ballots_insert(
        (evaluation.pk, rater.pk, subject.pk)
        for evaluation, branch_entries, voters in took_part
        for rater in branch_entries
        if rater.member_id in voters
        for subject in branch_entries
        if subject.graded and subject.pk != rater.pk
    )
    _history(evaluations, secretaries, deciders, last)
    _history_copy(
        EvaluationEntry, reason="demo"
    )  # the table holds last year's entries only (this year's next)
    follow_ups = [
        EvaluationFollowUp(
            entry=e,
            step=EvaluationFollowUp.Step.RECTIFY,
            note="支部谈话提醒，限期三个月改正",
            deadline=datetime.date(today.year, 3, 31),
            status=EvaluationFollowUp.Status.APPROVED,
            recorded_on=datetime.date(last, 12, 28),
        )
        for e in entries
        if e.grade == G.UNQUALIFIED
    ]
    # The first of them corrected within the deadline: 已改正, approved (the case closed); the others still run.
    corrected = [
        EvaluationFollowUp(
            entry=f.entry,
            step=EvaluationFollowUp.Step.CORRECTED,
            note="按时参加组织生活，补交党费，经支委会认定已改正",
            corrected_on=min(today, datetime.date(today.year, 3, 15)),
            status=EvaluationFollowUp.Status.APPROVED,
            recorded_on=min(today, datetime.date(today.year, 3, 20)),
        )
        for f in follow_ups[:1]
    ]
    follow_ups += corrected
    EvaluationFollowUp.objects.bulk_create(follow_ups)
    EvaluationFollowUp.history.bulk_history_create(follow_ups, default_change_reason="demo")
    opened = _open_this_year(members, rng, today)
    told = _grade_told(last)
    return (
        f"last year's 民主评议 approved in {len(evaluations)} branches: {spread[G.EXCELLENT]} excellent, "
        f"{spread[G.QUALIFIED]} qualified, {spread[G.BASIC]} basically qualified, {spread[G.UNQUALIFIED]} "
        f"unqualified ({len(follow_ups)} follow-ups, {len(corrected)} corrected), {spread['ungraded']} "
        f"probationary not graded, {ballots} participation rows; "
        f"this year's open in {opened} branches (zb001's among them, its members with "
        f"their to-dos); {told} members of zb001's branch told of last year's approved grade"
    )


def _ballots_insert(rows) -> int:
    """The participation rows, (evaluation, rater, subject) ids, streamed by one prepared INSERT in pages
    (issue 17.3: ninety thousand a university; model instances of them all cost minutes and gigabytes)."""
    meta = EvaluationBallot._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(name).column for name in ("id", "evaluation", "rater", "subject")]
    sql = "INSERT INTO {} ({}) VALUES (%s, %s, %s, %s)".format(
        quote(meta.db_table), ", ".join(map(quote, columns))
    )
    id_field = meta.pk
    count = 0
    rows = iter(rows)
    with connection.cursor() as cursor:
        while page := list(itertools.islice(rows, 5000)):
            execute_many(
                cursor, sql, [(id_field.get_db_prep_save(uuid.uuid4(), connection), *row) for row in page]
            )
            count += len(page)
    return count


RUNNER_KINDS = (Role.Kind.SECRETARY, Role.Kind.DEPUTY, Role.Kind.ORGANIZER, Role.Kind.OFFICER)


def _runners(branches: list[Organization]) -> tuple[dict[int, int], dict[int, int]]:
    """Per branch: the user who ran its evaluation (its secretary, else a deputy or organiser) and the one who
    approved it (the nearest unit above with such a role, or an officer). One query."""
    holders: dict[str, int] = {}
    for path, user_id in (
        Role.objects.current()
        .filter(kind__in=RUNNER_KINDS)
        .order_by("organization__path", "kind", "pk")  # "deputy" < "officer" < "organizer" < "secretary"
        .values_list("organization__path", "user_id")
    ):
        holders[path] = user_id  # the last per unit: its secretary when it has one
    secretaries, deciders = {}, {}
    for branch in branches:
        if branch.path in holders:
            secretaries[branch.pk] = holders[branch.path]
        path = branch.path[: -branch.steplen]
        while path and path not in holders:
            path = path[: -branch.steplen]
        if path:
            deciders[branch.pk] = holders[path]
    return secretaries, deciders


def _history(evaluations: list[MemberEvaluation], secretaries, deciders, year: int) -> None:
    """Each evaluation's decision history: opened and reported by the branch's secretary, approved by the unit
    above, on their days (three history rows each, bulk)."""
    from django.contrib.auth.models import User

    users = User.objects.in_bulk({*secretaries.values(), *deciders.values()})
    zone = datetime.timezone(datetime.timedelta(hours=8))
    steps = (
        (MemberEvaluation.Status.OPEN, 15, secretaries, False),
        (MemberEvaluation.Status.SUBMITTED, 27, secretaries, True),
        (MemberEvaluation.Status.APPROVED, 30, deciders, True),
    )
    for status, day, who, update in steps:
        for evaluation in evaluations:
            evaluation.status = status
            evaluation._history_user = users.get(who.get(evaluation.branch_id))  # type: ignore[attr-defined]
        MemberEvaluation.history.bulk_history_create(
            evaluations,
            update=update,
            default_change_reason="demo",
            default_date=datetime.datetime(year, 12, day, 16, 0, tzinfo=zone),
        )
    for evaluation in evaluations:
        del evaluation._history_user  # type: ignore[attr-defined]


def _grade_told(year: int) -> int:
    """zb001's branch's members with a login have the to-do telling them last year's grade was approved (the
    other branches' members have seen theirs)."""
    from assessments.services.evaluation_todos import grade_todos_create

    branch = (
        Role.objects.current()
        .filter(user__username="zb001", kind=Role.Kind.SECRETARY)
        .values_list("organization_id", flat=True)
        .first()
    )
    evaluation = MemberEvaluation.objects.select_related("branch").filter(branch_id=branch, year=year).first()
    return grade_todos_create(evaluation=evaluation) if evaluation is not None else 0


def _open_this_year(members, rng: random.Random, today) -> int:
    """This year's evaluation open in a few branches through the service (a real box and key), zb001's first;
    a third of each branch's members have voted (sealed, as on the page)."""
    from assessments.services import evaluation as services

    first = (
        Role.objects.current()
        .filter(user__username="zb001", kind=Role.Kind.SECRETARY)
        .values_list("organization_id", flat=True)
        .first()
    )
    candidates = [pk for pk, people in members.items() if len(people) >= 4 and pk != first]
    chosen = ([first] if first in members else []) + rng.sample(
        candidates, min(OPEN_BRANCHES - 1, len(candidates))
    )
    grades = list(GRADE_VALUES)
    for branch in Organization.objects.filter(pk__in=chosen):
        evaluation = services.evaluation_open(branch=branch, year=today.year, by=None, today=today)
        entries = list(evaluation.entries.order_by("pk"))
        for rater in entries[: max(1, len(entries) // 3)]:
            subjects = services.vote_subjects(evaluation=evaluation, rater=rater)
            choices = {s.pk: rng.choices(grades, weights=[2, 7, 1, 0])[0] for s in subjects}
            if choices:
                services.vote_cast(evaluation=evaluation, rater=rater, choices=choices)
    return len(chosen)


register_demo_step(DemoStep(name="member_evaluation", load=_load, clear=evaluation_demo_clear))

import assessments.demo_statistics  # noqa: E402, F401  (issue 21.1: last year's 党内统计 again, after this step)
