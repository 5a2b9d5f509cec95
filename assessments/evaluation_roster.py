"""Who leaves a branch's active roster drops out of its evaluations still running (issue 19): members sends
``member_left_roster`` when a death or departure is recorded (members.services.departures) or a transfer out
of the branch completes (members.services.transfers), and this receiver removes the member's entry from every
evaluation of that branch whose grades are not yet reported or decided."""

from __future__ import annotations

from assessments.models.evaluation import EvaluationEntry, MemberEvaluation
from assessments.services.evaluation_todos import evaluation_todos_sync
from branches.models import Organization
from members.models import Member
from members.signals import member_left_roster

# An evaluation in these states is still being held: the one who left is no longer on its roll, its ballot,
# its ⌊⅓⌋ 优秀 cap or its participation counts. A reported (submitted) or approved one keeps its record.
RUNNING = (
    MemberEvaluation.Status.OPEN,
    MemberEvaluation.Status.COUNTED,
    MemberEvaluation.Status.RETURNED,
)


def evaluation_entries_drop(sender, member: Member, branch: Organization, **kwargs) -> None:
    """The member's entries in ``branch``'s running evaluations deleted (their participation rows and
    self-evaluation file with them, its stored file removed on commit; the entry's history keeps the
    deletion); each evaluation's to-dos synced. The sealed ballots stay in the box: a choice cannot be traced
    to its voter, and a tally on one who is no longer an entry is not shown."""
    entries = list(
        EvaluationEntry.objects.filter(
            member=member, evaluation__branch=branch, evaluation__status__in=RUNNING
        ).select_related("evaluation")
    )
    for entry in entries:
        entry._change_reason = "member left the roster"  # type: ignore[attr-defined]
        entry.delete()
        evaluation_todos_sync(evaluation=entry.evaluation)


def connect() -> None:
    member_left_roster.connect(evaluation_entries_drop, sender=Member, dispatch_uid="evaluation-entries-drop")
