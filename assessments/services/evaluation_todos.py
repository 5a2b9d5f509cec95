"""民主评议党员's to-dos in each member's to-do list (issue 19), through the to-do layer (``disclosure.Todo``,
kind ``EVALUATION``; its notification source reports them like the others):

* while an evaluation is open, each party member with a login has ``evaluation:<id>:self`` (write the 个人自评)
  until they wrote it, and ``evaluation:<id>:vote`` (cast the 民主测评) until they graded every colleague they
  may grade; both close when the vote is counted. Derived from the state (``todos_sync`` scoped to the
  evaluation), after each change and by the daily step, which catches up whatever a change missed;
* when the secondary committee approves, each graded member with a login has ``evaluation-grade:<id>``: their
  own grade is approved, linked to their own page (where only they see it); it closes when they open it.
  The grade itself is not in the to-do's text: the text travels by mail, 企业微信 and SMS.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models.evaluation import EvaluationBallot, EvaluationEntry, MemberEvaluation
from disclosure.models import Todo
from disclosure.services.todos import todos_sync

PREFIX = "evaluation:"
GRADE_PREFIX = "evaluation-grade:"


def _wanted(evaluations: list[MemberEvaluation]) -> list[Todo]:
    """The open evaluations' to-dos still to do. Three queries: the entries with a login, the graded members
    per evaluation, the ballots per rater (participation only, never a choice)."""
    open_ones = {e.pk: e for e in evaluations if e.status == MemberEvaluation.Status.OPEN}
    if not open_ones:
        return []
    entries = list(
        EvaluationEntry.objects.filter(
            evaluation_id__in=list(open_ones), member__user__isnull=False
        ).values_list("pk", "evaluation_id", "member__user_id", "graded", "self_text")
    )
    # The colleagues each may grade: every graded member (with a login or not) but themselves.
    graded = dict(
        EvaluationEntry.objects.filter(evaluation_id__in=list(open_ones), graded=True)
        .values("evaluation_id")
        .annotate(n=Count("pk"))
        .values_list("evaluation_id", "n")
        .order_by()
    )
    cast = dict(
        EvaluationBallot.objects.filter(evaluation_id__in=list(open_ones))
        .values("rater_id")
        .annotate(n=Count("pk"))
        .values_list("rater_id", "n")
        .order_by()
    )
    wanted = []
    for pk, evaluation_id, user_id, is_graded, self_text in entries:
        evaluation = open_ones[evaluation_id]
        names = {"year": evaluation.year, "branch": evaluation.branch.display_name}
        link = reverse("evaluation:vote", args=[evaluation_id])
        common = {"user_id": user_id, "kind": Todo.Kind.EVALUATION, "organization_id": evaluation.branch_id}
        if not self_text.strip():
            wanted.append(
                Todo(
                    key=f"{PREFIX}{evaluation_id}:self",
                    text=(
                        _("Write your self-evaluation for the %(year)s member evaluation of %(branch)s")
                        % names
                    )[:200],
                    link=link,
                    **common,
                )
            )
        colleagues = graded.get(evaluation_id, 0) - int(is_graded)
        if cast.get(pk, 0) < colleagues:
            wanted.append(
                Todo(
                    key=f"{PREFIX}{evaluation_id}:vote",
                    text=(_("Cast your vote in the %(year)s member evaluation of %(branch)s") % names)[:200],
                    link=link,
                    **common,
                )
            )
    return wanted


def evaluation_todos_sync(*, evaluation: MemberEvaluation) -> dict[str, int]:
    """The evaluation's self-evaluation and vote to-dos made what its state says (none once it is counted).
    Called in the transaction of each change."""
    evaluation = MemberEvaluation.objects.select_related("branch").get(pk=evaluation.pk)
    return todos_sync(
        kind=Todo.Kind.EVALUATION, wanted=_wanted([evaluation]), key_prefix=f"{PREFIX}{evaluation.pk}:"
    )


@transaction.atomic
def evaluation_todos_advance(*, today: datetime.date) -> dict[str, int]:
    """The daily step's part: every open evaluation's to-dos, and those of evaluations no longer open closed.
    ``today`` for the daily step's signature: the to-dos follow the evaluations' states, not the date."""
    evaluations = list(
        MemberEvaluation.objects.filter(status=MemberEvaluation.Status.OPEN).select_related("branch")
    )
    return todos_sync(kind=Todo.Kind.EVALUATION, wanted=_wanted(evaluations), key_prefix=PREFIX)


def grade_todos_create(*, evaluation: MemberEvaluation) -> int:
    """Each graded member with a login is told that their grade is approved (a to-do linked to their own
    page). Once per member and evaluation (the to-do's unique key). Returns how many were created."""
    key = f"{GRADE_PREFIX}{evaluation.pk}"
    text = (
        _("Your grade in the %(year)s member evaluation of %(branch)s is approved: see it on your page")
        % {"year": evaluation.year, "branch": evaluation.branch.display_name}
    )[:200]
    users = EvaluationEntry.objects.filter(
        evaluation=evaluation, graded=True, member__user__isnull=False
    ).values_list("member__user_id", flat=True)
    rows = [
        Todo(
            user_id=user_id,
            kind=Todo.Kind.EVALUATION,
            key=key,
            organization_id=evaluation.branch_id,
            text=text,
            link=reverse("evaluation:mine"),
        )
        for user_id in users
    ]
    before = Todo.objects.filter(kind=Todo.Kind.EVALUATION, key=key).count()
    Todo.objects.bulk_create(rows, ignore_conflicts=True)
    return Todo.objects.filter(kind=Todo.Kind.EVALUATION, key=key).count() - before


def grade_todos_seen(*, user: User) -> int:
    """The member has opened their own evaluations page: the to-dos telling them of an approved grade close."""
    if not user.is_authenticated:
        return 0
    return (
        Todo.objects.open()
        .filter(user_id=user.pk, kind=Todo.Kind.EVALUATION, key__startswith=GRADE_PREFIX)
        .update(done_at=timezone.now())
    )
