"""Grants (issue 7): the lifecycle's rules in the services, who may see and do what, and query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from branches.models import Organization, Role
from branches.services import role_assign
from projects import services
from projects.forms import REVIEWER_GROUP
from projects.models import FeatureProject, Grant, GrantCall, GrantKind, GrantReview, ResearchTopic
from projects.showcase import showcase_block
from tests.conftest import login
from tests.factories import UserFactory, make_org

TODAY = datetime.date(2026, 4, 1)


@pytest.fixture
def grants_cast(cast):
    """The fixed cast plus: the 组织部 officer (zzb), a reviewer expert, a second branch A2 under C1 with its
    secretary (the joint applicant's partner), and an open 特色阵地 call."""
    zzb = UserFactory(username="zzb")
    role_assign(user=zzb, organization=cast.university, kind=Role.Kind.OFFICER)
    reviewer, other_reviewer = UserFactory(username="expert"), UserFactory(username="expert2")
    Group.objects.get_or_create(name=REVIEWER_GROUP)[0].user_set.add(reviewer, other_reviewer)
    branch_a2 = make_org(
        cast.c1, Organization.Kind.BRANCH, "计算机学院教工第二党支部", code="A2", category="teacher"
    )
    dave = UserFactory(username="dave")
    role_assign(user=dave, organization=branch_a2, kind=Role.Kind.SECRETARY)
    call = GrantCall.objects.create(
        organization=cast.university,
        kind=GrantKind.FEATURE,
        year=2026,
        title="2026年度特色阵地建设项目",
        opens_on=datetime.date(2026, 3, 1),
        deadline=datetime.date(2026, 4, 15),
        completes_on=datetime.date(2026, 12, 31),
        budget=Decimal("9000"),
        key_quota=1,
        general_quota=3,
        key_funding=Decimal("5000"),
        general_funding=Decimal("2000"),
    )
    topic = call.topics.create(title="学习教育新载体")
    cast.zzb, cast.reviewer, cast.other_reviewer = zzb, reviewer, other_reviewer
    cast.branch_a2, cast.dave, cast.call, cast.topic = branch_a2, dave, call, topic
    return cast


def apply(
    c, *, organization=None, applicant=None, partners=(), budget="2000", submit=True, title="红色领航工作室"
):
    return services.grant_apply(
        call=c.call,
        organization=organization or c.branch_a,
        applicant=applicant or c.alice,
        topic=c.topic,
        title=title,
        plan="计划",
        expected_outputs="成果",
        budget_requested=Decimal(budget),
        partners=partners,
        submit=submit,
        today=TODAY,
    )


def to_review(c, **kwargs) -> Grant:
    grant = apply(c, **kwargs)
    return services.grant_endorse(grant=grant, by=c.officer, note="同意")


def funded(c, grade="general", amount=None, **kwargs) -> Grant:
    grant = to_review(c, **kwargs)
    return services.grant_decide(grant=grant, by=c.zzb, grade=grade, amount=amount, reason="予以立项")


# --- services ------------------------------------------------------------------------------------------


def test_joint_application_goes_to_the_lead_committee_first(grants_cast):
    c = grants_cast
    grant = apply(c, partners=[c.branch_a2])
    assert grant.status == Grant.Status.SUBMITTED
    assert sorted((u.organization.code, u.is_lead) for u in grant.units.all()) == [("A", True), ("A2", False)]
    assert services.endorsing_unit(grant) == c.c1
    assert (
        FeatureProject.objects.filter(pk=grant.pk).exists()
        and not ResearchTopic.objects.filter(pk=grant.pk).exists()
    )


def test_a_committee_application_skips_endorsement(grants_cast):
    c = grants_cast
    grant = apply(grants_cast, organization=c.c1, applicant=c.officer)
    assert grant.status == Grant.Status.REVIEW


def test_application_rules(grants_cast):
    c = grants_cast
    with pytest.raises(ValidationError) as closed:
        services.grant_apply(
            call=c.call,
            organization=c.branch_a,
            applicant=c.alice,
            topic=c.topic,
            title="x",
            plan="p",
            expected_outputs="o",
            budget_requested=Decimal("100"),
            today=datetime.date(2026, 4, 16),
        )
    assert "截止" in str(closed.value) or "closed" in str(closed.value).lower()
    with pytest.raises(ValidationError) as too_much:
        apply(c, budget="5000.01")
    assert "budget_requested" in too_much.value.error_dict
    with pytest.raises(ValidationError) as self_partner:
        apply(c, partners=[c.branch_a])
    assert "partners" in self_partner.value.error_dict
    assert Grant.objects.count() == 0  # nothing half-written


def test_return_sends_a_draft_back_with_the_reason_and_only_drafts_change(grants_cast):
    c = grants_cast
    grant = apply(c)
    with pytest.raises(ValidationError):
        services.grant_return(grant=grant, by=c.officer, reason="  ")
    grant = services.grant_return(grant=grant, by=c.officer, reason="预算请细化")
    assert (grant.status, grant.returned_reason) == (Grant.Status.DRAFT, "预算请细化")
    grant = services.grant_update(
        grant=grant,
        by=c.alice,
        topic=c.topic,
        title="新标题",
        plan="p2",
        expected_outputs="o2",
        budget_requested=Decimal("1500"),
        today=TODAY,
    )
    assert grant.status == Grant.Status.SUBMITTED and grant.returned_reason == ""
    with pytest.raises(ValidationError):
        services.grant_update(
            grant=grant,
            by=c.alice,
            topic=c.topic,
            title="again",
            plan="p",
            expected_outputs="o",
            budget_requested=Decimal("1500"),
            today=TODAY,
        )


def test_endorsing_twice_is_refused(grants_cast):
    c = grants_cast
    grant = to_review(c)
    with pytest.raises(ValidationError):
        services.grant_endorse(grant=grant, by=c.officer)


def test_reviews_only_by_the_assigned_reviewer_and_closed_after_the_decision(grants_cast):
    c = grants_cast
    grant = to_review(c)
    assert services.reviewers_assign(grant=grant, reviewers=[c.reviewer], by=c.zzb) == 1
    assert services.reviewers_assign(grant=grant, reviewers=[c.reviewer], by=c.zzb) == 0  # each once
    with pytest.raises(ValidationError):
        services.reviewers_assign(grant=grant, reviewers=[c.alice], by=c.zzb)  # the applicant
    review = GrantReview.objects.get(grant=grant)
    with pytest.raises(ValidationError):
        services.review_submit(review=review, by=c.other_reviewer, score=90, opinion="好")
    with pytest.raises(ValidationError):
        services.review_submit(review=review, by=c.reviewer, score=101, opinion="好")
    services.review_submit(review=review, by=c.reviewer, score=88, opinion="方案可行")
    services.grant_decide(grant=grant, by=c.zzb, grade="general", amount=None, reason="予以立项")
    with pytest.raises(ValidationError):
        services.review_submit(review=review, by=c.reviewer, score=60, opinion="改主意")


def test_decision_needs_a_reason_respects_quota_and_budget_and_is_final(grants_cast):
    c = grants_cast
    grant = to_review(c)
    with pytest.raises(ValidationError):
        services.grant_decide(grant=grant, by=c.zzb, grade="general", amount=None, reason="")
    with pytest.raises(ValidationError) as above:
        services.grant_decide(grant=grant, by=c.zzb, grade="general", amount=Decimal("2000.01"), reason="r")
    assert "amount" in above.value.error_dict
    grant = services.grant_decide(grant=grant, by=c.zzb, grade="key", amount=None, reason="示范性强")
    assert (grant.status, grant.grade, grant.granted_amount) == (Grant.Status.RUNNING, "key", Decimal("5000"))
    assert grant.due_on == c.call.completes_on
    with pytest.raises(ValidationError):  # frozen
        services.grant_decide(grant=grant, by=c.zzb, grade="general", amount=None, reason="改为一般")
    second = to_review(c, title="第二项")
    with pytest.raises(ValidationError) as quota:  # one key place only
        services.grant_decide(grant=second, by=c.zzb, grade="key", amount=None, reason="r")
    assert "grade" in quota.value.error_dict
    services.grant_decide(grant=second, by=c.zzb, grade="general", amount=None, reason="r")  # 7,000 of 9,000
    third = to_review(c, title="第三项")
    services.grant_decide(grant=third, by=c.zzb, grade="general", amount=None, reason="r")  # 9,000 of 9,000
    fourth = to_review(c, title="第四项")
    with pytest.raises(ValidationError) as budget:
        services.grant_decide(grant=fourth, by=c.zzb, grade="general", amount=Decimal("1"), reason="r")
    assert "amount" in budget.value.error_dict
    rejected = services.grant_decide(grant=fourth, by=c.zzb, grade="rejected", amount=None, reason="创新不足")
    assert (rejected.status, rejected.grade, rejected.granted_amount) == (
        Grant.Status.REJECTED,
        "",
        Decimal("0"),
    )
    # Every change is in the history, with who made it.
    assert grant.history.filter(status=Grant.Status.RUNNING).exists()


def test_a_tender_topic_is_won_by_one_bid(grants_cast):
    c = grants_cast
    c.call.mode = GrantCall.Mode.TENDER
    c.call.save()
    winner, loser = (
        to_review(c, title="投标甲"),
        to_review(c, title="投标乙", organization=c.branch_a2, applicant=c.dave),
    )
    services.grant_decide(grant=winner, by=c.zzb, grade="general", amount=None, reason="中标")
    loser.refresh_from_db()
    assert loser.status == Grant.Status.REJECTED and loser.decision_reason


def test_expenses_never_exceed_the_grant(grants_cast):
    c = grants_cast
    grant = funded(c)  # ¥2,000
    services.expense_record(grant=grant, by=c.alice, spent_on=TODAY, amount=Decimal("1500"), purpose="展板")
    with pytest.raises(ValidationError) as over:
        services.expense_record(
            grant=grant, by=c.alice, spent_on=TODAY, amount=Decimal("500.01"), purpose="资料"
        )
    assert "500.00" in str(over.value)  # the message says what is left
    services.expense_record(grant=grant, by=c.alice, spent_on=TODAY, amount=Decimal("500"), purpose="资料")
    assert grant.expenses.count() == 2
    with pytest.raises(ValidationError):
        services.expense_record(grant=grant, by=c.alice, spent_on=TODAY, amount=Decimal("0.01"), purpose="x")


def test_acceptance_passes_fails_or_extends_once(grants_cast):
    c = grants_cast
    grant = funded(c)
    with pytest.raises(ValidationError):  # no final report yet
        services.grant_accept(grant=grant, by=c.zzb, result="passed", reason="ok")
    services.report_submit(grant=grant, by=c.alice, kind="midterm", text="进展顺利")
    assert Grant.objects.get(pk=grant.pk).status == Grant.Status.RUNNING
    with pytest.raises(ValidationError):
        services.report_submit(
            grant=grant, by=c.alice, kind="final", text="完成", links="javascript:alert(1)"
        )
    services.report_submit(
        grant=grant, by=c.alice, kind="final", text="完成", links="https://example.org/post/1"
    )
    grant = services.grant_accept(
        grant=grant,
        by=c.zzb,
        result="extended",
        reason="成果尚需完善",
        extended_until=datetime.date(2027, 3, 31),
    )
    assert (grant.status, grant.extended, grant.due_on) == (
        Grant.Status.RUNNING,
        True,
        datetime.date(2027, 3, 31),
    )
    services.report_submit(grant=grant, by=c.alice, kind="final", text="补充完成")
    with pytest.raises(ValidationError) as twice:
        services.grant_accept(
            grant=grant, by=c.zzb, result="extended", reason="再延", extended_until=datetime.date(2027, 6, 30)
        )
    assert "result" in twice.value.error_dict
    grant = services.grant_accept(grant=grant, by=c.zzb, result="passed", reason="同意结项")
    assert grant.status == Grant.Status.PASSED


def test_funded_projects_show_on_every_participating_units_showcase(grants_cast, rf):
    c = grants_cast
    grant = to_review(c, partners=[c.branch_a2])
    assert showcase_block(rf.get("/"), c.branch_a) is None  # not decided: nothing public
    services.grant_decide(grant=grant, by=c.zzb, grade="general", amount=Decimal("1800"), reason="予以立项")
    for unit in (c.branch_a, c.branch_a2):
        html = showcase_block(rf.get("/"), unit)
        assert (
            "红色领航工作室" in html and "¥1,800.00" in html
        )  # amounts as Chinese readers write them (issue 22)
    assert showcase_block(rf.get("/"), c.branch_b) is None


# --- pages and permissions -----------------------------------------------------------------------------


def test_reviewer_cannot_open_an_application_not_assigned_to_them(grants_cast):
    c = grants_cast
    grant = to_review(c)
    services.reviewers_assign(grant=grant, reviewers=[c.reviewer], by=c.zzb)
    url = reverse("projects:grant", args=[grant.pk])
    assert login(c.reviewer).get(url).status_code == 200
    assert login(c.other_reviewer).get(url).status_code == 403
    assert (
        login(c.other_reviewer)
        .post(reverse("projects:review", args=[grant.pk]), {"score": 99, "opinion": "x"})
        .status_code
        == 403
    )
    assert not GrantReview.objects.filter(reviewer=c.other_reviewer).exists()


def test_who_sees_an_application(grants_cast):
    c = grants_cast
    grant = apply(c, partners=[c.branch_a2])
    url = reverse("projects:grant", args=[grant.pk])
    for user, status in (
        (c.alice, 200),
        (c.dave, 200),
        (c.officer, 200),
        (c.zzb, 200),
        (c.charlie, 403),
        (c.bob, 403),
    ):
        assert login(user).get(url).status_code == status, user.username


def test_anonymous_is_sent_to_log_in(grants_cast, client):
    grant = apply(grants_cast)
    response = client.get(reverse("projects:grant", args=[grant.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_only_the_endorsing_committee_endorses(grants_cast):
    c = grants_cast
    grant = apply(c)
    url = reverse("projects:endorse", args=[grant.pk])
    assert login(c.charlie).post(url, {"note": ""}).status_code == 403
    assert login(c.alice).post(url, {"note": ""}).status_code == 403  # the applicant cannot endorse itself
    assert Grant.objects.get(pk=grant.pk).status == Grant.Status.SUBMITTED
    assert login(c.officer).post(url, {"note": "同意"}).status_code == 302
    assert Grant.objects.get(pk=grant.pk).status == Grant.Status.REVIEW
    assert login(c.officer).get(url).status_code == 405


def test_expense_over_the_grant_is_refused_on_the_page_with_a_message(grants_cast):
    c = grants_cast
    grant = funded(c)
    client = login(c.alice)
    response = client.post(
        reverse("projects:expense", args=[grant.pk]),
        {"spent_on": "2026-05-01", "amount": "2500", "purpose": "展板"},
        follow=True,
    )
    assert "2,000.00" in response.content.decode()
    assert grant.expenses.count() == 0
    assert (
        login(c.charlie)
        .post(
            reverse("projects:expense", args=[grant.pk]),
            {"spent_on": "2026-05-01", "amount": "10", "purpose": "x"},
        )
        .status_code
        == 403
    )


def test_decide_page_action_for_the_office_only(grants_cast):
    c = grants_cast
    grant = to_review(c)
    data = {"grade": "general", "amount": "", "reason": "予以立项"}
    assert login(c.officer).post(reverse("projects:decide", args=[grant.pk]), data).status_code == 403
    assert login(c.zzb).post(reverse("projects:decide", args=[grant.pk]), data).status_code == 302
    assert Grant.objects.get(pk=grant.pk).granted_amount == Decimal("2000")


def test_apply_page_for_a_joint_application(grants_cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    c = grants_cast
    c.call.deadline = timezone.localdate() + datetime.timedelta(days=5)
    c.call.opens_on = timezone.localdate() - datetime.timedelta(days=5)
    c.call.completes_on = c.call.deadline + datetime.timedelta(
        days=300
    )  # after the deadline, whatever today is
    c.call.save()
    client = login(c.alice)
    url = reverse("projects:apply", args=[c.call.pk])
    assert client.get(url).status_code == 200
    pdf = SimpleUploadedFile(
        "方案.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n", content_type="application/pdf"
    )
    response = client.post(
        url,
        {
            "organization": c.branch_a.pk,
            "partners": [c.branch_a2.pk],
            "topic": c.topic.pk,
            "title": "联合项目",
            "plan": "计划",
            "expected_outputs": "成果",
            "budget_requested": "2000",
            "files": [pdf],
            "submit": "1",
        },
    )
    grant = Grant.objects.get()
    assert response.status_code == 302 and grant.status == Grant.Status.SUBMITTED
    assert grant.units.count() == 2 and grant.files.count() == 1
    # charlie manages nothing in C1: the lead-unit choice refuses branch A.
    response = login(c.charlie).post(
        url,
        {
            "organization": c.branch_a.pk,
            "topic": c.topic.pk,
            "title": "x",
            "plan": "p",
            "expected_outputs": "o",
            "budget_requested": "10",
        },
    )
    assert response.status_code == 200 and Grant.objects.count() == 1
    exe = SimpleUploadedFile("方案.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")
    response = client.post(
        url,
        {
            "organization": c.branch_a.pk,
            "topic": c.topic.pk,
            "title": "带病毒",
            "plan": "p",
            "expected_outputs": "o",
            "budget_requested": "10",
            "files": [exe],
            "submit": "1",
        },
    )
    assert response.status_code == 200 and Grant.objects.count() == 1
    assert "方案.pdf" in response.content.decode()


# --- query counts --------------------------------------------------------------------------------------


def test_query_counts(grants_cast, django_assert_num_queries):
    c = grants_cast
    for n in range(3):
        grant = to_review(c, title=f"项目{n}", partners=[c.branch_a2])
        services.reviewers_assign(grant=grant, reviewers=[c.reviewer, c.other_reviewer], by=c.zzb)
    services.grant_decide(grant=grant, by=c.zzb, grade="general", amount=None, reason="r")
    services.expense_record(grant=grant, by=c.alice, spent_on=TODAY, amount=Decimal("10"), purpose="x")
    services.report_submit(grant=grant, by=c.alice, kind="midterm", text="t")
    office = login(c.zzb)
    # session, user, then: open calls, mine, to endorse, reviews, calls administered.
    with django_assert_num_queries(7):
        assert office.get(reverse("projects:home")).status_code == 200
    # session, user, the call, the VIEW check, 组织部 check, topics, grants with review counts, usage.
    with django_assert_num_queries(8):
        assert office.get(reverse("projects:call", args=[c.call.pk])).status_code == 200
    # session, user, grant, units, reviews, reports, report files, expenses; access: 组织部, lead unit,
    # endorsing committee, its permission, own review; history.
    with django_assert_num_queries(14):
        assert office.get(reverse("projects:grant", args=[grant.pk])).status_code == 200
    # session, user, the university administered, by year, by committee, committee names.
    with django_assert_num_queries(6):
        response = office.get(reverse("projects:overview"))
    assert "¥2,000.00" in response.content.decode()


def test_double_submits_count_once(grants_cast):
    """A double click on "submit" or "record the expense" resends the same one-time key: one row."""
    c = grants_cast
    c.call.opens_on, c.call.deadline = timezone.localdate(), timezone.localdate() + datetime.timedelta(days=3)
    c.call.completes_on = c.call.deadline + datetime.timedelta(days=300)
    c.call.save()
    client = login(c.alice)
    page = client.get(reverse("projects:apply", args=[c.call.pk])).content.decode()
    key = page.split('name="request_key" value="')[1].split('"')[0]
    data = {
        "organization": c.branch_a.pk,
        "topic": c.topic.pk,
        "title": "项目",
        "plan": "p",
        "expected_outputs": "o",
        "budget_requested": "2000",
        "request_key": key,
        "submit": "1",
    }
    first, second = (client.post(reverse("projects:apply", args=[c.call.pk]), data) for _ in range(2))
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    grant = Grant.objects.get()
    services.grant_endorse(grant=grant, by=c.officer)
    services.grant_decide(grant=grant, by=c.zzb, grade="general", amount=None, reason="r")
    page = client.get(reverse("projects:grant", args=[grant.pk])).content.decode()
    key = page.split('name="request_key" value="')[1].split('"')[0]
    expense = {"spent_on": "2026-05-01", "amount": "300", "purpose": "展板", "request_key": key}
    for _ in range(2):
        client.post(reverse("projects:expense", args=[grant.pk]), expense)
    assert grant.expenses.count() == 1
    expense["request_key"] = ""  # a new form (or no script) is a new expense
    client.post(reverse("projects:expense", args=[grant.pk]), expense)
    assert grant.expenses.count() == 2


def test_a_member_applies_for_a_research_topic_through_their_branch(grants_cast):
    c = grants_cast
    call = GrantCall.objects.create(
        organization=c.university,
        kind=GrantKind.RESEARCH,
        year=2026,
        title="研究课题",
        opens_on=timezone.localdate(),
        deadline=timezone.localdate() + datetime.timedelta(days=3),
        completes_on=timezone.localdate() + datetime.timedelta(days=300),
        budget=Decimal("10000"),
        key_quota=1,
        general_quota=2,
        key_funding=Decimal("5000"),
        general_funding=Decimal("2000"),
    )
    topic = call.topics.create(title="组织力提升路径研究")
    client = login(c.bob)  # a member without a role: his unit is his branch
    assert f'href="/projects/calls/{call.pk}/apply/"' in client.get(reverse("projects:home")).content.decode()
    response = client.get(reverse("projects:apply", args=[call.pk]))
    assert response.status_code == 200 and "partners" not in response.context["form"].fields
    client.post(
        reverse("projects:apply", args=[call.pk]),
        {
            "organization": c.branch_a.pk,
            "topic": topic.pk,
            "title": "课题",
            "plan": "p",
            "expected_outputs": "o",
            "budget_requested": "2000",
            "submit": "1",
        },
    )
    grant = ResearchTopic.objects.get()
    assert (grant.applicant, grant.status, services.endorsing_unit(grant)) == (
        c.bob,
        Grant.Status.SUBMITTED,
        c.c1,
    )
    assert login(c.bob).get(reverse("projects:grant", args=[grant.pk])).status_code == 200
    # charlie (another committee's branch) cannot choose branch A as his unit.
    response = login(c.charlie).post(
        reverse("projects:apply", args=[call.pk]),
        {
            "organization": c.branch_a.pk,
            "topic": topic.pk,
            "title": "x",
            "plan": "p",
            "expected_outputs": "o",
            "budget_requested": "10",
            "submit": "1",
        },
    )
    assert response.status_code == 200 and ResearchTopic.objects.count() == 1
