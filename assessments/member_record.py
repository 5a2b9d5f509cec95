"""The member's record shows their 民主评议 grades (issue 19; members.record.register_record_section)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from assessments.models.evaluation import EvaluationEntry, MemberEvaluation


def evaluation_section(request: HttpRequest, member, unmasked: bool) -> str | None:
    """Approved grades, newest first, for the member and those who manage them, each 基本合格 / 不合格 with its
    reason and the follow-up steps after a 不合格 (限期改正 with its deadline, then 党章's steps), each with the
    committee's decision. Two queries (the entries with their evaluations, their follow-ups)."""
    if not unmasked:
        return None
    entries = list(
        EvaluationEntry.objects.filter(member=member, evaluation__status=MemberEvaluation.Status.APPROVED)
        .select_related("evaluation__branch")
        .prefetch_related("follow_ups")
        .order_by("-evaluation__year")[:20]
    )
    return render_to_string(
        "assessments/evaluation/record_section.html", {"entries": entries}, request=request
    )
