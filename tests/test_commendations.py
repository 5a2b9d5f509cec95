"""七一表彰 (issue 19, second half): the rules at every boundary (quotas exactly and +1, probationary members,
each ineligibility reason), the 公示 in working days, objections, publication, the records, the pages."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessments.models import Assessment, AssessmentCycle
from assessments.models.commendation import Commendation, HonourKind, Nomination, NominationObjection
from assessments.models.evaluation import EvaluationEntry, MemberEvaluation
from assessments.models import RatingCampaign, RatingDimension, RatingTarget
from assessments.models.ballots import BallotBox, BallotTally
from assessments.selectors import commendation as selectors
from assessments.services import commendation as services
from assessments.services.assessment import cycle_default_dates
from branches.models import Organization, Role
from branches.services import role_assign
from branches.workdays import add_working_days
from branches.dates import prose_date
from members.models import DisciplinaryRecord, Member
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory, make_org

YEAR = 2026
OPEN_ON = datetime.date(2026, 5, 6)
CLOSE_ON = datetime.date(2026, 5, 29)
NOMINATING_DAY = datetime.date(2026, 5, 20)
NOTICE_DAY = datetime.date(2026, 6, 1)  # a Monday: five working days end on Monday 8 June
N = Nomination.Status


@pytest.fixture
def head(cast):
    """An officer of 组织部 (on the university)."""
    user = UserFactory(username="zzb")
    role_assign(user=user, organization=cast.university, kind=Role.Kind.OFFICER)
    return user


@pytest.fixture
def commendation(cast, head) -> Commendation:
    return services.commendation_open(
        root=cast.university, year=YEAR, nominations_open_on=OPEN_ON, nominations_close_on=CLOSE_ON, by=head
    )


def _cycle(cast) -> AssessmentCycle:
    return AssessmentCycle.objects.create(root=cast.university, year=YEAR, **cycle_default_dates(YEAR))


def _assessment(cast, unit, *, grade="five", veto=False) -> Assessment:
    cycle = AssessmentCycle.objects.filter(root=cast.university, year=YEAR).first() or _cycle(cast)
    return Assessment.objects.create(
        cycle=cycle,
        organization=unit,
        programme="ladder",
        grade=grade,
        veto_failed=veto,
        verified_total=96 if grade == "five" else 80,
    )


def _graded(cast, member, grade, year=YEAR - 1):
    evaluation = MemberEvaluation.objects.filter(branch=member.branch, year=year).first()
    if evaluation is None:
        box = BallotBox.objects.create(custody=BallotBox.Custody.SERVER)
        evaluation = MemberEvaluation.objects.create(
            branch=member.branch,
            year=year,
            opened_on=datetime.date(year, 12, 1),
            status=MemberEvaluation.Status.APPROVED,
            box=box,
        )
    return EvaluationEntry.objects.create(evaluation=evaluation, member=member, graded=True, grade=grade)


def _nominate(
    cast,
    commendation,
    *,
    kind=HonourKind.MEMBER,
    member=None,
    organization=None,
    by=None,
    committee=None,
    **kw,
):
    return services.nominate(
        commendation=commendation,
        kind=kind,
        committee=committee or cast.c1,
        by=by,
        member=member,
        organization=organization,
        deeds="扎根一线，成绩突出。",
        endorsement="经支部委员会研究，同意推荐。",
        today=kw.pop("today", NOMINATING_DAY),
        **kw,
    )


def _on_notice(commendation, head):
    return services.notice_start(commendation=commendation, by=head, today=NOTICE_DAY)


AFTER_NOTICE = datetime.date(2026, 6, 9)


# --- opening -------------------------------------------------------------------------------------------------


def test_open_takes_the_defaults(commendation):
    assert (
        commendation.notice_days,
        commendation.unit_quota,
        commendation.member_quota,
        commendation.worker_quota,
    ) == (5, 1, 3, 1)
    assert commendation.status == Commendation.Status.NOMINATING
    assert str(YEAR) in commendation.title


def test_open_only_by_the_organisation_department_once_a_year(cast, head, commendation):
    with pytest.raises(PermissionDenied):
        services.commendation_open(
            root=cast.university,
            year=YEAR + 1,
            nominations_open_on=OPEN_ON,
            nominations_close_on=CLOSE_ON,
            by=cast.officer,
        )  # a committee's organizer
    with pytest.raises(ValidationError):
        services.commendation_open(
            root=cast.university,
            year=YEAR,
            nominations_open_on=OPEN_ON,
            nominations_close_on=CLOSE_ON,
            by=head,
        )
    with pytest.raises(ValidationError):
        services.commendation_open(
            root=cast.university,
            year=YEAR + 1,
            nominations_open_on=CLOSE_ON,
            nominations_close_on=OPEN_ON,
            by=head,
        )


@pytest.mark.parametrize("days,ok", [(0, False), (1, True), (30, True), (31, False)])
def test_notice_days_bounded(cast, head, days, ok):
    call = lambda: services.commendation_open(  # noqa: E731
        root=cast.university,
        year=YEAR,
        nominations_open_on=OPEN_ON,
        nominations_close_on=CLOSE_ON,
        by=head,
        notice_days=days,
    )
    if ok:
        assert call().notice_days == days
    else:
        with pytest.raises(ValidationError):
            call()


def test_open_is_idempotent_with_its_key(cast, head):
    key = uuid.uuid4()
    first = services.commendation_open(
        root=cast.university,
        year=YEAR,
        nominations_open_on=OPEN_ON,
        nominations_close_on=CLOSE_ON,
        by=head,
        request_key=key,
    )
    again = services.commendation_open(
        root=cast.university,
        year=YEAR,
        nominations_open_on=OPEN_ON,
        nominations_close_on=CLOSE_ON,
        by=head,
        request_key=key,
    )
    assert first.pk == again.pk and Commendation.objects.count() == 1


# --- nominations and eligibility -----------------------------------------------------------------------------


def test_nomination_window_exact_days(cast, commendation):
    for day, ok in [
        (OPEN_ON - datetime.timedelta(days=1), False),
        (OPEN_ON, True),
        (CLOSE_ON, True),
        (CLOSE_ON + datetime.timedelta(days=1), False),
    ]:
        member = MemberFactory(branch=cast.branch_a)
        if ok:
            assert _nominate(cast, commendation, member=member, today=day).status == N.NOMINATED
        else:
            with pytest.raises(ValidationError):
                _nominate(cast, commendation, member=member, today=day)


def test_committee_nominates_only_its_own(cast, commendation):
    with pytest.raises(PermissionDenied):
        _nominate(cast, commendation, member=cast.alice_member, by=cast.charlie)  # a branch secretary of C2
    with pytest.raises(ValidationError):
        _nominate(cast, commendation, member=cast.charlie_member)  # not in C1
    assert (
        _nominate(cast, commendation, member=cast.alice_member, by=cast.officer).nominated_by == cast.officer
    )


def test_deeds_and_endorsement_required(cast, commendation):
    with pytest.raises(ValidationError):
        services.nominate(
            commendation=commendation,
            kind=HonourKind.MEMBER,
            committee=cast.c1,
            by=None,
            member=cast.alice_member,
            deeds=" ",
            endorsement="同意",
            today=NOMINATING_DAY,
        )
    with pytest.raises(ValidationError):
        services.nominate(
            commendation=commendation,
            kind=HonourKind.MEMBER,
            committee=cast.c1,
            by=None,
            member=cast.alice_member,
            deeds="事迹",
            endorsement="",
            today=NOMINATING_DAY,
        )


def test_probationary_member_refused_with_reason(cast, commendation):
    member = MemberFactory(branch=cast.branch_a, stage=Member.Stage.PROBATIONARY, full_on=None, name="预备甲")
    with pytest.raises(ValidationError) as caught:
        _nominate(cast, commendation, member=member)
    assert "预备甲" in str(caught.value) and (
        "probationary" in str(caught.value) or "预备" in str(caught.value)
    )


@pytest.mark.parametrize("grade", ["basic", "unqualified"])
@pytest.mark.parametrize("year", [YEAR - 1, YEAR])
def test_low_evaluation_grade_refused(cast, commendation, grade, year):
    _graded(cast, cast.alice_member, grade, year=year)
    with pytest.raises(ValidationError) as caught:
        _nominate(cast, commendation, member=cast.alice_member)
    assert str(year) in str(caught.value)


def test_low_grade_two_years_back_and_qualified_are_eligible(cast, commendation):
    _graded(cast, cast.alice_member, "unqualified", year=YEAR - 2)
    _graded(cast, cast.bob_member, "qualified")
    assert _nominate(cast, commendation, member=cast.alice_member)
    assert _nominate(cast, commendation, member=cast.bob_member)


def test_unapproved_evaluation_does_not_refuse(cast, commendation):
    entry = _graded(cast, cast.alice_member, "basic")
    MemberEvaluation.objects.filter(pk=entry.evaluation_id).update(status=MemberEvaluation.Status.SUBMITTED)
    assert _nominate(cast, commendation, member=cast.alice_member)


@pytest.mark.parametrize(
    "day,refused",
    [
        (datetime.date(YEAR, 1, 1), True),
        (datetime.date(YEAR, 12, 31), True),
        (datetime.date(YEAR - 1, 12, 31), False),
    ],
)
def test_sanction_of_the_year_refused(cast, commendation, day, refused):
    DisciplinaryRecord.objects.create(
        member=cast.alice_member,
        kind=DisciplinaryRecord.Kind.WARNING,
        decided_on=day,
        decided_by_unit="校纪委",
        reason="违反规定",
    )
    if refused:
        with pytest.raises(ValidationError) as caught:
            _nominate(cast, commendation, member=cast.alice_member)
        assert prose_date(day) in str(caught.value)
    else:
        assert _nominate(cast, commendation, member=cast.alice_member)


def test_sanction_after_the_nomination_refuses_the_award(cast, head, commendation):
    nomination = _nominate(cast, commendation, member=cast.alice_member)
    _on_notice(commendation, head)
    sanctioned_on = NOTICE_DAY + datetime.timedelta(days=1)  # during the 公示
    DisciplinaryRecord.objects.create(
        member=cast.alice_member,
        kind=DisciplinaryRecord.Kind.WARNING,
        decided_on=sanctioned_on,
        decided_by_unit="计算机学院党委",
        reason="违反工作纪律",
    )
    with pytest.raises(ValidationError) as caught:
        services.nomination_decide(nomination=nomination, award=True, by=head, today=AFTER_NOTICE)
    assert prose_date(sanctioned_on) in str(caught.value)
    # not awarding, with the reason, is still recorded
    decided = services.nomination_decide(
        nomination=nomination, award=False, note=caught.value.messages[0], by=head, today=AFTER_NOTICE
    )
    assert decided.status == N.NOT_AWARDED and prose_date(sanctioned_on) in decided.decision_note


def test_sanction_of_the_year_before_does_not_refuse_the_award(cast, head, commendation):
    nomination = _nominate(cast, commendation, member=cast.alice_member)
    _on_notice(commendation, head)
    DisciplinaryRecord.objects.create(
        member=cast.alice_member,
        kind=DisciplinaryRecord.Kind.WARNING,
        decided_on=datetime.date(YEAR - 1, 12, 31),
        decided_by_unit="计算机学院党委",
        reason="违反工作纪律",
    )
    assert (
        services.nomination_decide(nomination=nomination, award=True, by=head, today=AFTER_NOTICE).status
        == N.AWARDED
    )


def test_party_worker_needs_a_post(cast, commendation):
    plain = MemberFactory(branch=cast.branch_a)
    with pytest.raises(ValidationError):
        _nominate(cast, commendation, kind=HonourKind.WORKER, member=plain)
    assert (
        _nominate(cast, commendation, kind=HonourKind.WORKER, member=cast.alice_member).source == "secretary"
    )


def test_every_reason_given_at_once(cast, commendation):
    member = MemberFactory(branch=cast.branch_a, stage=Member.Stage.PROBATIONARY, full_on=None)
    DisciplinaryRecord.objects.create(
        member=member,
        kind=DisciplinaryRecord.Kind.WARNING,
        decided_on=datetime.date(YEAR, 3, 1),
        decided_by_unit="校纪委",
        reason="x",
    )
    with pytest.raises(ValidationError) as caught:
        _nominate(cast, commendation, kind=HonourKind.WORKER, member=member)
    assert len(caught.value.messages) == 3


def test_unit_five_stars_and_veto(cast, commendation):
    _assessment(cast, cast.branch_a, grade="five")
    nomination = _nominate(cast, commendation, kind=HonourKind.UNIT, organization=cast.branch_a)
    assert nomination.source == Nomination.Source.FIVE_STARS
    _assessment(cast, cast.branch_b, grade="fail", veto=True)
    with pytest.raises(ValidationError) as caught:
        _nominate(cast, commendation, kind=HonourKind.UNIT, organization=cast.branch_b, committee=cast.c2)
    assert "2026" in str(caught.value)


def test_committee_may_nominate_a_unit_without_five_stars(cast, commendation):
    nomination = _nominate(cast, commendation, kind=HonourKind.UNIT, organization=cast.branch_a)
    assert nomination.source == Nomination.Source.COMMITTEE


def test_no_double_nomination_but_again_after_withdrawal(cast, commendation):
    first = _nominate(cast, commendation, member=cast.alice_member)
    with pytest.raises(ValidationError):
        _nominate(cast, commendation, member=cast.alice_member)
    services.nomination_withdraw(nomination=first, by=cast.officer)
    assert _nominate(cast, commendation, member=cast.alice_member).status == N.NOMINATED
    # another honour for the same member is a separate nomination
    assert _nominate(cast, commendation, kind=HonourKind.WORKER, member=cast.alice_member)


def _rated(cast, user, unit, points: dict[int, int], *, year=YEAR, status="closed", min_raters=5):
    """A 双述双评 campaign of ``year`` in which ``user`` (secretary of ``unit``) was rated: ``points`` is the
    published tally of its one dimension (points → how many raters gave them)."""
    box = BallotBox.objects.create(custody=BallotBox.Custody.SERVER)
    opens = datetime.datetime(year, 1, 5, 9, tzinfo=datetime.UTC)
    campaign = RatingCampaign.objects.create(
        name=f"{year}年度双述双评",
        year=year,
        scope=cast.c1,
        opens_at=opens,
        closes_at=opens + datetime.timedelta(days=10),
        min_raters=min_raters,
        status=status,
        box=box,
    )
    dimension = RatingDimension.objects.create(campaign=campaign, name="履职尽责")
    role = Role.objects.current().get(user=user, organization=unit, kind=Role.Kind.SECRETARY)
    target = RatingTarget.objects.create(
        campaign=campaign, role=role, organization=unit, user=user, name=user.username
    )
    for value, count in points.items():
        BallotTally.objects.create(
            box=box, subject=target.pk, question=dimension.pk, value=value, count=count
        )
    return target


def test_candidates_from_the_data(cast, commendation):
    _assessment(cast, cast.branch_a, grade="five")
    _graded(cast, cast.bob_member, "excellent")
    _rated(cast, cast.alice, cast.branch_a, {100: 4, 80: 1})  # mean 96 from 5 raters
    found = selectors.candidates(commendation=commendation, committee=cast.c1)
    assert [a.organization for a in found.units] == [cast.branch_a]
    assert [e.member for e in found.members] == [cast.bob_member]
    [worker] = found.workers  # the secretary of a five-star branch, rated well
    assert (worker.member, worker.unit, worker.grade) == (cast.alice_member, cast.branch_a, "five")
    assert (worker.rating.raters, worker.rating.overall) == (5, 96.0)
    assert selectors.candidates(commendation=commendation, committee=cast.c2).units == []


@pytest.mark.parametrize(
    ("points", "proposed"),
    [
        ({80: 5}, True),  # mean exactly the floor (80)
        ({80: 4, 60: 1}, False),  # 76: below it
        ({100: 4}, False),  # four raters: below the minimum of 5, no mean at all
        ({100: 5}, True),  # five raters: exactly the minimum
    ],
)
def test_worker_candidates_need_a_published_rating_at_the_floor(cast, commendation, points, proposed):
    _assessment(cast, cast.branch_a, grade="four")
    _rated(cast, cast.alice, cast.branch_a, points)
    workers = selectors.candidates(commendation=commendation, committee=cast.c1).workers
    assert [w.member for w in workers] == ([cast.alice_member] if proposed else [])


def test_worker_candidates_read_only_closed_campaigns_and_good_branches(cast, commendation):
    _rated(cast, cast.alice, cast.branch_a, {100: 9})
    # rated very well, but the branch's grade is only 达标: not proposed
    _assessment(cast, cast.branch_a, grade="pass")
    assert selectors.candidates(commendation=commendation, committee=cast.c1).workers == []
    Assessment.objects.filter(organization=cast.branch_a).update(grade="five")
    assert len(selectors.candidates(commendation=commendation, committee=cast.c1).workers) == 1
    # a campaign still running (its tallies not published) is not read; nor is one two years back
    RatingCampaign.objects.update(status=RatingCampaign.Status.PUBLISHED)
    assert selectors.candidates(commendation=commendation, committee=cast.c1).workers == []
    _rated(cast, cast.alice, cast.branch_a, {100: 9}, year=YEAR - 2)
    assert selectors.candidates(commendation=commendation, committee=cast.c1).workers == []


def test_worker_candidates_take_the_latest_campaign(cast, commendation):
    _assessment(cast, cast.branch_a, grade="five")
    _rated(cast, cast.alice, cast.branch_a, {100: 6}, year=YEAR - 1)
    _rated(cast, cast.alice, cast.branch_a, {60: 6}, year=YEAR)  # this year's: 60, under the floor
    assert selectors.candidates(commendation=commendation, committee=cast.c1).workers == []


def test_worker_candidates_best_rated_first_and_query_count(cast, commendation, django_assert_num_queries):
    secretaries = []
    for i, mean_points in enumerate((80, 100, 90)):
        branch = make_org(cast.c1, Organization.Kind.BRANCH, f"教工第{i + 5}党支部", category="teacher")
        user = UserFactory(username=f"sec{i}")
        role_assign(user=user, organization=branch, kind=Role.Kind.SECRETARY)
        MemberFactory(branch=branch, user=user, stage=Member.Stage.FULL)
        _assessment(cast, branch, grade="five")
        _rated(cast, user, branch, {mean_points: 5})
        secretaries.append(user)
    # units, members graded excellent, the secretaries with their branch's grade (one subquery), the rated
    # targets with their campaigns, the campaigns' dimensions, the tallies, the secretaries' member records —
    # seven, whatever the number of secretaries
    with django_assert_num_queries(7):
        workers = selectors.candidates(commendation=commendation, committee=cast.c1).workers
    assert [w.member.user for w in workers] == [secretaries[1], secretaries[2], secretaries[0]]
    assert [w.rating.overall for w in workers] == [100.0, 90.0, 80.0]


def test_candidates_page_shows_the_rating(cast, commendation):
    _assessment(cast, cast.branch_a, grade="five")
    _rated(cast, cast.alice, cast.branch_a, {100: 4, 80: 1})
    page = login(cast.officer).get(reverse("commendation:candidates", args=[commendation.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "艾丽" in html and "96.0" in html and "5" in html


# --- 公示, objections, decisions and quotas ----------------------------------------------------------------------


def test_notice_lasts_the_working_days(cast, head, commendation):
    _nominate(cast, commendation, member=cast.alice_member)
    commendation = _on_notice(commendation, head)
    assert commendation.notice_starts_on == NOTICE_DAY
    assert commendation.notice_ends_on == add_working_days(NOTICE_DAY, 5).day == datetime.date(2026, 6, 8)
    assert Nomination.objects.get().status == N.ON_NOTICE
    with pytest.raises(ValidationError):
        _nominate(cast, commendation, member=cast.bob_member)  # nominations are closed


def test_notice_needs_a_nomination_and_the_department(cast, head, commendation):
    with pytest.raises(ValidationError):
        _on_notice(commendation, head)
    _nominate(cast, commendation, member=cast.alice_member)
    with pytest.raises(PermissionDenied):
        services.notice_start(commendation=commendation, by=cast.officer, today=NOTICE_DAY)


def test_objection_days_and_resolution(cast, head, commendation):
    nomination = _nominate(cast, commendation, member=cast.alice_member)
    commendation = _on_notice(commendation, head)
    for day, ok in [
        (NOTICE_DAY - datetime.timedelta(days=1), False),
        (NOTICE_DAY, True),
        (commendation.notice_ends_on, True),
        (commendation.notice_ends_on + datetime.timedelta(days=1), False),
    ]:
        if ok:
            services.objection_record(nomination=nomination, text="群众反映", by=head, received_on=day)
        else:
            with pytest.raises(ValidationError):
                services.objection_record(nomination=nomination, text="群众反映", by=head, received_on=day)
    objection = NominationObjection.objects.first()
    with pytest.raises(ValidationError):
        services.nomination_decide(
            nomination=nomination, award=True, by=head, today=AFTER_NOTICE
        )  # open objection
    services.objection_resolve(objection=objection, upheld=False, resolution="经核实不属实", by=head)
    services.objection_resolve(
        objection=NominationObjection.objects.last(), upheld=True, resolution="属实", by=head
    )
    with pytest.raises(ValidationError):
        services.nomination_decide(nomination=nomination, award=True, by=head, today=AFTER_NOTICE)  # upheld
    assert (
        services.nomination_decide(
            nomination=nomination, award=False, note="异议属实", by=head, today=AFTER_NOTICE
        ).status
        == N.NOT_AWARDED
    )
    assert objection.history.count() == 2


def test_decision_waits_for_the_end_of_the_notice(cast, head, commendation):
    nomination = _nominate(cast, commendation, member=cast.alice_member)
    commendation = _on_notice(commendation, head)
    with pytest.raises(ValidationError):
        services.nomination_decide(
            nomination=nomination, award=True, by=head, today=commendation.notice_ends_on
        )
    assert (
        services.nomination_decide(
            nomination=nomination,
            award=True,
            by=head,
            today=commendation.notice_ends_on + datetime.timedelta(days=1),
        ).status
        == N.AWARDED
    )


def test_not_awarding_needs_a_reason(cast, head, commendation):
    nomination = _nominate(cast, commendation, member=cast.alice_member)
    _on_notice(commendation, head)
    with pytest.raises(ValidationError):
        services.nomination_decide(nomination=nomination, award=False, by=head, today=AFTER_NOTICE)


@pytest.mark.parametrize("quota", [0, 1, 2])
def test_quota_exactly_and_plus_one(cast, head, commendation, quota):
    services.quota_set(
        commendation=commendation, committee=cast.c1, kind=HonourKind.MEMBER, quota=quota, by=head
    )
    nominations = [
        _nominate(cast, commendation, member=MemberFactory(branch=cast.branch_a)) for _ in range(quota + 1)
    ]
    _on_notice(commendation, head)
    for nomination in nominations[:quota]:
        services.nomination_decide(nomination=nomination, award=True, by=head, today=AFTER_NOTICE)
    with pytest.raises(ValidationError) as caught:
        services.nomination_decide(nomination=nominations[quota], award=True, by=head, today=AFTER_NOTICE)
    assert str(quota) in str(caught.value)
    assert Nomination.objects.filter(status=N.AWARDED).count() == quota
    # the decision can be changed: one fewer awarded frees the place
    if quota:
        services.nomination_decide(
            nomination=nominations[0], award=False, note="让位", by=head, today=AFTER_NOTICE
        )
        services.nomination_decide(nomination=nominations[quota], award=True, by=head, today=AFTER_NOTICE)


def test_default_quota_per_committee_and_kind(cast, head, commendation):
    """Default 1 organisation per committee: exactly 1 awarded, the second refused; C2 has its own."""
    a2 = cast.branch_a.add_child(kind="branch", name="计算机学院学生党支部", code="A2", category="student")
    first = _nominate(cast, commendation, kind=HonourKind.UNIT, organization=cast.branch_a)
    second = (
        _nominate(cast, commendation, kind=HonourKind.UNIT, organization=a2)
        if a2.path.startswith(cast.c1.path)
        else None
    )
    other = _nominate(cast, commendation, kind=HonourKind.UNIT, organization=cast.branch_b, committee=cast.c2)
    _on_notice(commendation, head)
    services.nomination_decide(nomination=first, award=True, by=head, today=AFTER_NOTICE)
    with pytest.raises(ValidationError):
        services.nomination_decide(nomination=second, award=True, by=head, today=AFTER_NOTICE)
    services.nomination_decide(nomination=other, award=True, by=head, today=AFTER_NOTICE)


@pytest.mark.parametrize("quota,ok", [(100, True), (101, False), (-1, False)])
def test_quota_bounds(cast, head, commendation, quota, ok):
    if ok:
        assert services.quota_set(
            commendation=commendation, committee=cast.c1, kind="unit", quota=quota, by=head
        )
    else:
        with pytest.raises(ValidationError):
            services.quota_set(
                commendation=commendation, committee=cast.c1, kind="unit", quota=quota, by=head
            )


def test_quota_only_for_committees_and_by_the_department(cast, head, commendation):
    with pytest.raises(ValidationError):
        services.quota_set(commendation=commendation, committee=cast.branch_a, kind="unit", quota=2, by=head)
    with pytest.raises(PermissionDenied):
        services.quota_set(
            commendation=commendation, committee=cast.c1, kind="unit", quota=2, by=cast.officer
        )


# --- publication and the records -------------------------------------------------------------------------------


def _published(cast, head, commendation):
    _assessment(cast, cast.branch_a, grade="five")
    unit = _nominate(cast, commendation, kind=HonourKind.UNIT, organization=cast.branch_a)
    person = _nominate(cast, commendation, member=cast.alice_member)
    refused = _nominate(cast, commendation, member=cast.bob_member)
    _on_notice(commendation, head)
    services.nomination_decide(nomination=unit, award=True, by=head, today=AFTER_NOTICE)
    services.nomination_decide(nomination=person, award=True, by=head, today=AFTER_NOTICE)
    with pytest.raises(ValidationError):
        services.commendation_publish(commendation=commendation, by=head, today=AFTER_NOTICE)  # bob undecided
    services.nomination_decide(nomination=refused, award=False, note="名额所限", by=head, today=AFTER_NOTICE)
    return services.commendation_publish(commendation=commendation, by=head, today=AFTER_NOTICE)


def test_publish_posts_the_results_notice(cast, head, commendation):
    commendation = _published(cast, head, commendation)
    post = commendation.post
    assert commendation.status == Commendation.Status.PUBLISHED and post.status == "published"
    assert post.section == "notices" and post.organization == cast.university and post.visibility == "public"
    assert "艾丽" in post.body and cast.branch_a.name in post.body and "鲍勃" not in post.body


def test_honours_by_kind_for_a_subtree(cast, head, commendation):
    assert selectors.honours_by_kind(unit=cast.university, year=YEAR) == {"unit": 0, "member": 0, "worker": 0}
    _published(cast, head, commendation)
    assert selectors.honours_by_kind(unit=cast.university, year=YEAR) == {"unit": 1, "member": 1, "worker": 0}
    assert selectors.honours_by_kind(unit=cast.c1, year=YEAR) == {"unit": 1, "member": 1, "worker": 0}
    assert selectors.honours_by_kind(unit=cast.c2, year=YEAR) == {"unit": 0, "member": 0, "worker": 0}
    assert selectors.honours_by_kind(unit=cast.c1, year=YEAR - 1)["member"] == 0


def test_honours_only_once_published(cast, head, commendation):
    nomination = _nominate(cast, commendation, member=cast.alice_member)
    _on_notice(commendation, head)
    services.nomination_decide(nomination=nomination, award=True, by=head, today=AFTER_NOTICE)
    assert selectors.member_honours(member=cast.alice_member) == []
    assert selectors.honours_by_kind(unit=cast.c1, year=YEAR)["member"] == 0


def test_member_record_and_unit_page_show_the_honour(cast, head, commendation, as_alice):
    _published(cast, head, commendation)
    record = as_alice.get(reverse("members:detail", args=[cast.alice_member.pk]))
    assert record.status_code == 200 and "优秀共产党员" in record.content.decode()
    from assessments.commendation_record import unit_honours_panel

    assert "先进基层党组织" in unit_honours_panel(None, cast.branch_a)


def test_every_decision_has_history(cast, head, commendation):
    _published(cast, head, commendation)
    alice = Nomination.objects.get(member=cast.alice_member)
    assert [h.status for h in alice.history.order_by("history_date")] == [N.NOMINATED, N.ON_NOTICE, N.AWARDED]
    assert commendation.history.count() >= 3


# --- pages ---------------------------------------------------------------------------------------------------


def test_pages_for_the_department(cast, head, commendation, time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 10, 10))
    _published(cast, head, commendation)
    client = login(head)
    for name in ("detail", "certificates"):
        response = client.get(reverse(f"commendation:{name}", args=[commendation.pk]))
        assert response.status_code == 200
    assert "艾丽" in client.get(reverse("commendation:certificates", args=[commendation.pk])).content.decode()
    xlsx = client.get(reverse("commendation:xlsx", args=[commendation.pk]))
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("commendation:home")).status_code == 200
    nomination = Nomination.objects.get(member=cast.alice_member)
    assert client.get(reverse("commendation:nomination", args=[nomination.pk])).status_code == 200


def test_pages_refuse_others(cast, commendation, as_charlie, as_bob):
    assert as_bob.get(reverse("commendation:detail", args=[commendation.pk])).status_code == 404
    assert as_bob.get(reverse("commendation:new")).status_code == 403


def test_nominate_through_the_page(cast, commendation, time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 20, 10))
    client = login(cast.officer)
    page = client.get(
        reverse("commendation:nominate", args=[commendation.pk]) + f"?kind=member&member={cast.bob_member.pk}"
    )
    assert page.status_code == 200
    response = client.post(
        reverse("commendation:nominate", args=[commendation.pk]),
        {
            "committee": cast.c1.pk,
            "kind": "member",
            "member": cast.bob_member.pk,
            "deeds": "教学科研双优",
            "endorsement": "同意推荐",
            "request_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    assert Nomination.objects.get().member == cast.bob_member
    refused = client.post(
        reverse("commendation:nominate", args=[commendation.pk]),
        {
            "committee": cast.c1.pk,
            "kind": "member",
            "member": cast.bob_member.pk,
            "deeds": "x",
            "endorsement": "y",
            "request_key": str(uuid.uuid4()),
        },
    )
    assert refused.status_code == 200 and "已" in refused.content.decode()


def _notice_url(commendation, name="notice"):
    return reverse(f"open_commendation:{name}", args=[commendation.pk])


def test_public_notice_page_for_anyone(cast, head, commendation, anonymous, time_machine):
    assert _notice_url(commendation) == f"/open/commendations/{commendation.pk}/"
    assert anonymous.get(_notice_url(commendation)).status_code == 404  # nothing public before the notice
    _nominate(cast, commendation, member=cast.alice_member)
    commendation = _on_notice(commendation, head)
    for day, running in [
        (NOTICE_DAY, True),  # its first day
        (commendation.notice_ends_on, True),  # its last working day
        (commendation.notice_ends_on + datetime.timedelta(days=1), False),
    ]:
        time_machine.move_to(datetime.datetime.combine(day, datetime.time(10)))
        page = anonymous.get(_notice_url(commendation))
        html = page.content.decode()
        assert page.status_code == 200
        assert ("艾丽" in html) is running and ('id="objection-send"' in html) is running
        assert cast.alice_member.id_number not in html and cast.alice_member.phone not in html
    # the old address inside the portal sends people to the public one
    old = anonymous.get(reverse("commendation:notice", args=[commendation.pk]))
    assert old.status_code == 301 and old["Location"] == _notice_url(commendation)
    assert anonymous.get(reverse("commendation:notice", args=[commendation.pk + 99])).status_code == 404


def test_public_objection_recorded_for_the_department(cast, head, commendation, anonymous, time_machine):
    nomination = _nominate(cast, commendation, member=cast.alice_member)
    commendation = _on_notice(commendation, head)
    time_machine.move_to(datetime.datetime.combine(commendation.notice_ends_on, datetime.time(10)))
    sent = anonymous.post(
        _notice_url(commendation, "objection"),
        {"nomination": nomination.pk, "text": "其事迹材料中的获奖情况与事实不符", "raised_by": ""},
    )
    assert sent.status_code == 302
    objection = NominationObjection.objects.get()
    assert (objection.nomination, objection.raised_by, objection.recorded_by) == (nomination, "", None)
    assert objection.received_on == commendation.notice_ends_on
    assert objection.history.count() == 1
    # it blocks the decision like one received by letter
    with pytest.raises(ValidationError):
        services.nomination_decide(nomination=nomination, award=True, by=head, today=AFTER_NOTICE)
    page = login(head).get(reverse("commendation:nomination", args=[nomination.pk]))
    assert "其事迹材料中的获奖情况与事实不符" in page.content.decode()


@pytest.mark.parametrize(
    ("text", "raised_by", "ok"),
    [("x" * 2000, "y" * 60, True), ("x" * 2001, "", False), ("异议", "y" * 61, False), ("   ", "", False)],
)
def test_public_objection_bounded(cast, head, commendation, anonymous, time_machine, text, raised_by, ok):
    nomination = _nominate(cast, commendation, member=cast.alice_member)
    _on_notice(commendation, head)
    time_machine.move_to(datetime.datetime.combine(NOTICE_DAY, datetime.time(10)))
    response = anonymous.post(
        _notice_url(commendation, "objection"),
        {"nomination": nomination.pk, "text": text, "raised_by": raised_by},
    )
    assert NominationObjection.objects.exists() is ok
    if not ok:  # the page again, with a Chinese message
        assert response.status_code == 200
        assert any(
            "\u4e00" <= ch <= "\u9fff" for ch in response.content.decode().split('role="alert"')[1][:200]
        )


def test_public_objection_refused_outside_the_notice(cast, head, commendation, anonymous, time_machine):
    nomination = _nominate(cast, commendation, member=cast.alice_member)
    data = {"nomination": nomination.pk, "text": "异议"}
    assert anonymous.post(_notice_url(commendation, "objection"), data).status_code == 404  # still nominating
    commendation = _on_notice(commendation, head)
    time_machine.move_to(
        datetime.datetime.combine(commendation.notice_ends_on + datetime.timedelta(days=1), datetime.time(10))
    )
    refused = anonymous.post(_notice_url(commendation, "objection"), data)
    assert refused.status_code == 200 and "公示不在进行中" in refused.content.decode()
    assert not NominationObjection.objects.exists()
    # a nominee not on the notice (withdrawn before) cannot be objected to through the form
    assert anonymous.get(_notice_url(commendation, "objection")).status_code == 405


def test_public_objection_per_address_limit(cast, head, commendation, anonymous, time_machine, settings):
    from django.core.cache import cache

    cache.clear()  # the counters of the tests before (same address, same local-memory cache)
    settings.COMMENDATION_OBJECTIONS_PER_IP = 2
    nomination = _nominate(cast, commendation, member=cast.alice_member)
    _on_notice(commendation, head)
    time_machine.move_to(datetime.datetime.combine(NOTICE_DAY, datetime.time(10)))
    statuses = [
        anonymous.post(
            _notice_url(commendation, "objection"), {"nomination": nomination.pk, "text": "异议"}
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 200]  # the third: the page again, with the refusal
    assert NominationObjection.objects.count() == 2


def test_public_notice_query_count(
    cast, head, commendation, anonymous, time_machine, django_assert_num_queries
):
    for _ in range(3):
        _nominate(cast, commendation, member=MemberFactory(branch=cast.branch_a))
    _on_notice(commendation, head)
    time_machine.move_to(datetime.datetime.combine(NOTICE_DAY, datetime.time(10)))
    # the commendation with its university; the nominees on notice with their branches and committees — whatever
    # their number (the objection form's choices are built from that list, not queried again)
    with django_assert_num_queries(2):
        page = anonymous.get(_notice_url(commendation))
    assert page.status_code == 200


def test_board_query_count(cast, head, commendation, django_assert_num_queries):
    for _ in range(3):
        _nominate(cast, commendation, member=MemberFactory(branch=cast.branch_a))
    # nominations with their nominees, their objections (prefetch), the quota rows — whatever their number
    with django_assert_num_queries(3):
        data = selectors.board(commendation=commendation, committees=[cast.c1, cast.c2])
    assert len(data.nominations) == 3 and len(data.quotas) == 6


def test_honours_by_kind_query_count(cast, django_assert_num_queries):
    with django_assert_num_queries(1):  # one grouped count, whatever the subtree's size
        selectors.honours_by_kind(unit=cast.university, year=YEAR)


def test_notification_source(cast, head, commendation):
    from assessments.notify_commendation import commendation_due

    role_assign(user=cast.bob, organization=cast.c2, kind=Role.Kind.SECRETARY)
    due = list(commendation_due(CLOSE_ON - datetime.timedelta(days=3)))
    assert {d.user_id for d in due} >= {cast.officer.pk, cast.bob.pk}
    assert list(commendation_due(OPEN_ON)) == []  # too early to remind
    _nominate(cast, commendation, member=cast.alice_member)
    due = list(commendation_due(CLOSE_ON - datetime.timedelta(days=3)))
    assert cast.officer.pk not in {d.user_id for d in due}  # C1 has nominated
    commendation = _on_notice(commendation, head)
    assert [d.user_id for d in commendation_due(commendation.notice_ends_on)] == [head.pk]
