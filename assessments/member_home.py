"""What the member's home shows of the assessments (members.panels.register_member_panel, issue 22): the
测评 open for them now (双述双评 campaigns with them on a roster, with how far they are, and their branch's
民主评议党员 while it is open: self-evaluation, vote and comments)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from assessments.models.evaluation import MemberEvaluation
from assessments.selectors.evaluation import entries_of_user
from assessments.selectors.ratings import campaigns_for_rater


def ratings_panel(request: HttpRequest, member) -> str | None:
    """Campaigns and evaluations open now for the signed-in member; always shown (it says so when none is
    open). Two queries."""
    now = timezone.now()
    campaigns = [
        c for c in campaigns_for_rater(user=request.user).filter(opens_at__lte=now, closes_at__gt=now)[:5]
    ]
    evaluations = list(
        entries_of_user(user=request.user).filter(evaluation__status=MemberEvaluation.Status.OPEN)[:3]
    )
    return render_to_string(
        "assessments/home_panel.html",
        {"campaigns": campaigns, "evaluations": evaluations},
        request=request,
    )
