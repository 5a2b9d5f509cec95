"""A member graded 不合格 in their latest approved 民主评议, with its follow-up (限期改正 and its deadline, or a
later step), flagged beside their name in the lifecycle pages (members.flags; issue 19)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from branches.dates import prose_date

from assessments.models.evaluation import EvaluationEntry, EvaluationGrade, MemberEvaluation
from members.flags import MemberFlag


def _follow_up_text(entry: EvaluationEntry) -> str:
    steps = list(entry.follow_ups.all())  # prefetched, in the order they were recorded
    if not steps:
        return _("No follow-up recorded yet.")
    step = steps[-1]
    if step.step == step.Step.RECTIFY and step.deadline is not None:
        return _("To correct by %(day)s (%(status)s).") % {
            "day": prose_date(step.deadline),
            "status": step.get_status_display(),
        }
    if step.step == step.Step.CORRECTED and step.corrected_on is not None:
        return _("Corrected on %(day)s (%(status)s).") % {
            "day": prose_date(step.corrected_on),
            "status": step.get_status_display(),
        }
    return _("%(step)s (%(status)s).") % {
        "step": step.get_step_display(),
        "status": step.get_status_display(),
    }


def unqualified_flags(member_ids: list[int]) -> dict[int, list[MemberFlag]]:
    """Members whose latest approved evaluation graded them 不合格. Two queries (the members' approved entries
    with their evaluations, newest first; the follow-ups of those entries)."""
    entries = (
        EvaluationEntry.objects.filter(
            member_id__in=member_ids, graded=True, evaluation__status=MemberEvaluation.Status.APPROVED
        )
        .exclude(grade="")
        .select_related("evaluation")
        .order_by("member_id", "-evaluation__year")
    )
    latest: dict[int, EvaluationEntry] = {}
    for entry in entries:
        latest.setdefault(entry.member_id, entry)
    failing = [e for e in latest.values() if e.grade == EvaluationGrade.UNQUALIFIED]
    if not failing:
        return {}
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(failing, "follow_ups")
    return {
        e.member_id: [
            MemberFlag(
                label=_("Unqualified (%(year)s)") % {"year": e.evaluation.year},
                detail=_("Graded unqualified in the member evaluation of %(year)s.")
                % {"year": e.evaluation.year}
                + " "
                + _follow_up_text(e),
                code="evaluation-unqualified",
            )
        ]
        for e in failing
    }
