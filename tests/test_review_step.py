"""The review step of ``branches.review`` (退回 with a reason), through the workflows on it: the 保密审查 of
posts (``post_check_return``), the minutes' review (``meeting_return``), and the grants', evaluations' and
dues exemptions' returns. Its refusals in order, what a return keeps, and the one history row that names the
reviewer."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from django.utils.translation import gettext as _

from assessments.models import EvaluationFollowUp, MemberEvaluation, PlanItem

from assessments.services.evaluation import EVALUATION_REVIEW, FOLLOWUP_REVIEW, evaluation_decide, grades_save
from assessments.services.targets import PLAN_REVIEW
from disclosure.models import Meeting, Post, PostCategory, PublishingRule, Todo
from disclosure.services import (
    meeting_approve,
    meeting_return,
    meeting_save,
    post_check_approve,
    post_check_return,
    post_save,
)
from disclosure.services.meetings import MEETING_REVIEW
from disclosure.services.posts import POST_CHECK
from members.models import DuesExemption
from members.services.dues_exemptions import EXEMPTION_REVIEW, dues_exemption_return
from projects.models import Grant
from projects.services import GRANT_ENDORSEMENT, grant_return
from tests.test_dues_exemptions import _request
from tests.test_meeting_services import _data, _everyone
from tests.test_member_evaluation import _counted, _grades
from tests.test_projects import apply, grants_cast  # noqa: F401 — the grant world, used below

pytestmark = pytest.mark.django_db

CHECKED_AT = datetime.datetime(2025, 3, 4, 9, 30, tzinfo=datetime.UTC)


def _pending(cast) -> Post:
    PublishingRule.objects.create(organization=cast.c1, check_required=True)  # holds for branch A below
    post = post_save(
        by=cast.alice,
        organization=cast.branch_a,
        publish=True,
        data={
            "section": "news",
            "category": PostCategory.objects.get(code="work"),
            "title": "支部开展主题党日活动",
            "body": "全体党员参观校史馆。",
            "visibility": "public",
        },
    )
    assert post.status == Post.Status.PENDING
    return post


def test_a_return_keeps_the_reason_the_reviewer_and_the_time_in_one_history_row(cast):
    post = _pending(cast)
    rows = post.history.count()
    with time_machine.travel(CHECKED_AT, tick=False):
        returned = post_check_return(post=post, by=cast.officer, reason="  含内部人员信息 \n")
    returned.refresh_from_db()
    assert returned.status == Post.Status.RETURNED and returned.published_at is None
    assert returned.return_reason == "含内部人员信息"  # without its surrounding blanks
    assert returned.checked_by == cast.officer and returned.checked_at == CHECKED_AT
    assert returned.updated_at == CHECKED_AT  # the auto_now stamp moves, as a full save moved it
    assert post.history.count() == rows + 1
    latest = post.history.order_by("-history_id").first()  # the clock was pinned before the post was made
    assert latest.history_user == cast.officer and latest.status == Post.Status.RETURNED


def test_a_blank_reason_is_refused_and_changes_nothing(cast):
    post = _pending(cast)
    with pytest.raises(ValidationError, match="请说明退回原因"):
        post_check_return(post=post, by=cast.officer, reason=" \t ")
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING and post.return_reason == "" and post.checked_by is None


def test_only_a_record_awaiting_review_is_returned_and_that_refusal_comes_first(cast):
    post = _pending(cast)
    post_check_approve(post=post, by=cast.officer)
    post.refresh_from_db()
    # Not awaiting review any more: refused for that, even with a blank reason.
    with pytest.raises(ValidationError, match="只有待审查的信息才能退回"):
        post_check_return(post=post, by=cast.officer, reason="")
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED


def test_the_permission_is_the_apps_and_comes_before_the_step(cast):
    post = _pending(cast)
    with pytest.raises(PermissionDenied):
        post_check_return(post=post, by=cast.charlie, reason="")  # another committee's branch
    with pytest.raises(PermissionDenied):
        post_check_return(post=post, by=cast.alice, reason="理由")  # not her own check


def test_the_step_describes_the_posts_fields():
    assert (POST_CHECK.awaiting, POST_CHECK.returned) == (Post.Status.PENDING, Post.Status.RETURNED)
    for name in (POST_CHECK.reason_field, POST_CHECK.reviewer_field, POST_CHECK.reviewed_at_field):
        Post._meta.get_field(name)  # a misspelt field would fail here, not on the first return


# --- the minutes' review (issue 15: the second workflow on the step) -------------------------------------------

HELD_AT = datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.UTC)


def _submitted_meeting(cast) -> Meeting:
    with time_machine.travel(HELD_AT + datetime.timedelta(days=2), tick=False):
        meeting = meeting_save(
            by=cast.alice,
            organization=cast.branch_a,
            data=_data(held_at=HELD_AT),
            attendance=_everyone(cast),
            submit=True,
        )
    assert meeting.status == Meeting.Status.SUBMITTED
    return meeting


def test_a_meeting_return_keeps_the_reason_the_reviewer_and_the_time_in_one_history_row(cast):
    assert MEETING_REVIEW.reviewer_field == "reviewed_by"
    meeting = _submitted_meeting(cast)
    rows = meeting.history.count()
    with time_machine.travel(CHECKED_AT, tick=False):
        meeting_return(meeting=meeting, by=cast.officer, reason=" 缺少决议 ")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.RETURNED and meeting.return_reason == "缺少决议"
    assert meeting.reviewed_by == cast.officer and meeting.reviewed_at == CHECKED_AT
    assert meeting.updated_at == CHECKED_AT
    assert meeting.history.count() == rows + 1
    latest = meeting.history.order_by("-history_id").first()
    assert latest.history_user == cast.officer and latest.status == Meeting.Status.RETURNED
    # Back with its secretary: a to-do tells her why.
    assert Todo.objects.open().filter(user=cast.alice, kind="returned").count() == 1


def test_a_meeting_return_refuses_in_the_steps_order(cast):
    meeting = _submitted_meeting(cast)
    with pytest.raises(PermissionDenied):
        meeting_return(meeting=meeting, by=cast.charlie, reason="理由")  # another committee's branch
    with pytest.raises(ValidationError, match=re.escape(_("Say why the record is returned."))):
        meeting_return(meeting=meeting, by=cast.officer, reason="  ")
    meeting_approve(meeting=meeting, by=cast.officer)
    with pytest.raises(ValidationError, match=re.escape(_("Only records awaiting review can be returned."))):
        meeting_return(meeting=meeting, by=cast.officer, reason="")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.APPROVED and meeting.return_reason == ""


# --- the other workflows on the step (issue 15): grants, evaluations, their follow-ups, dues exemptions ----------


def _steps():
    return [
        (POST_CHECK, Post),
        (MEETING_REVIEW, Meeting),
        (PLAN_REVIEW, PlanItem),
        (GRANT_ENDORSEMENT, Grant),
        (EVALUATION_REVIEW, MemberEvaluation),
        (FOLLOWUP_REVIEW, EvaluationFollowUp),
        (EXEMPTION_REVIEW, DuesExemption),
    ]


def test_every_step_names_fields_and_statuses_its_model_has():
    for step, model in _steps():
        statuses = {value for value, _label in model._meta.get_field(step.status_field).choices}
        assert {step.awaiting, step.returned} <= statuses, model
        for name in (step.reason_field, step.reviewer_field, step.reviewed_at_field):
            if name is not None:
                model._meta.get_field(name)  # a misspelt field fails here, not on the first return


def test_a_grant_returned_to_its_unit_is_a_draft_whose_history_names_who_returned_it(grants_cast):

    grant = apply(grants_cast)
    assert grant.status == Grant.Status.SUBMITTED
    with pytest.raises(ValidationError) as blank:
        grant_return(grant=grant, by=grants_cast.officer, reason=" ")
    assert "reason" in blank.value.error_dict  # shown beside the form's reason field
    grant_return(grant=grant, by=grants_cast.officer, reason=" 预算请细化 ")
    grant.refresh_from_db()
    assert (grant.status, grant.returned_reason) == (Grant.Status.DRAFT, "预算请细化")
    latest = grant.history.order_by("-history_id").first()
    assert latest.history_user == grants_cast.officer and latest.status == Grant.Status.DRAFT
    with pytest.raises(ValidationError, match=re.escape(_("This application is not awaiting endorsement."))):
        grant_return(grant=grant, by=grants_cast.officer, reason="再改")


def test_an_evaluation_reason_too_long_for_its_field_is_refused_not_cut(cast):

    evaluation = _counted(cast, 3)
    grades_save(evaluation=evaluation, grades=_grades(evaluation, 1), by=cast.alice, submit=True)
    with pytest.raises(ValidationError, match=re.escape(_("At most %(n)d characters.") % {"n": 1000})):
        evaluation_decide(evaluation=evaluation, by=cast.officer, approve=False, reason="理" * 1001)
    evaluation.refresh_from_db()
    assert evaluation.status == MemberEvaluation.Status.SUBMITTED and evaluation.return_reason == ""
    evaluation_decide(evaluation=evaluation, by=cast.officer, approve=False, reason="理" * 1000)
    evaluation.refresh_from_db()
    assert evaluation.status == MemberEvaluation.Status.RETURNED and len(evaluation.return_reason) == 1000
    assert evaluation.decided_by == cast.officer
    assert evaluation.history.order_by("-history_id").first().history_user == cast.officer


def test_a_dues_exemption_return_keeps_the_reviewer_and_the_time(cast):

    exemption = _request(cast)
    with time_machine.travel(CHECKED_AT, tick=False):
        dues_exemption_return(exemption=exemption, by=cast.officer, reason=" 缺少病休证明 ")
    exemption.refresh_from_db()
    assert (exemption.status, exemption.return_reason) == (DuesExemption.Status.RETURNED, "缺少病休证明")
    assert exemption.reviewed_by == cast.officer and exemption.reviewed_at == CHECKED_AT
    history = list(exemption.history.order_by("history_id").values_list("status", "history_user_id"))
    assert history == [("submitted", cast.alice.pk), ("returned", cast.officer.pk)]
