"""Member development (issue 8): each time rule at its boundary, the stage moves, the rules as data, and the
pages with the cast (alice manages branch A; charlie, branch B's secretary, cannot touch A's cases)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from branches.dates import add_years, prose_date
from members.models import DevelopmentCase, DevelopmentStep, LifecycleRule, Member
from members.rules import add_months, add_working_days, rules
from members.services.development import (
    applicant_register,
    development_probation_extend,
    development_step_record,
)
from tests.factories import MemberFactory

TODAY = timezone.localdate()
D = datetime.timedelta


def _applicant(branch, *, applied_on, birth=datetime.date(2000, 3, 1), by=None):
    return applicant_register(
        branch=branch,
        name="申请人",
        gender="F",
        birth_date=birth,
        category="student",
        applied_on=applied_on,
        by=by,
    )


def _walk(case, to_step: int, dates: dict[int, datetime.date], *, default: datetime.date, people=()):
    """Record steps up to ``to_step``; each on ``dates[n]`` or the previous step's date (or ``default``)."""
    day = default
    for number in range(case.last_step + 1, to_step + 1):
        day = dates.get(number, day)
        extra = {}
        if number in (5, 9):
            extra["people_names"] = "张老师,李老师"
        if number == 11:
            extra["training_days"] = 3
        if number == 14 and number not in dates:
            notice = DevelopmentStep.objects.get(case=case, number=12).notice_until
            day = max(day, notice + D(days=1))
        development_step_record(case=case, number=number, done_on=day, by=None, **extra)
        case.refresh_from_db()
    return case


# --- age ------------------------------------------------------------------------------------------------------


def test_age_17_years_364_days_is_refused_and_18_accepted(cast):
    birth = datetime.date(2006, 6, 15)
    eighteen = add_years(birth, 18)
    with pytest.raises(ValidationError) as refused:
        _applicant(cast.branch_a, applied_on=eighteen - D(days=1), birth=birth)
    assert prose_date(eighteen) in refused.value.messages[0]
    assert not Member.objects.filter(name="申请人").exists()  # nothing left behind
    case = _applicant(cast.branch_a, applied_on=eighteen, birth=birth)
    assert case.last_step == 1 and case.member.stage == Member.Stage.APPLICANT


def test_age_on_29_february_birthday(cast):
    birth = datetime.date(2004, 2, 29)
    with pytest.raises(ValidationError):
        _applicant(cast.branch_a, applied_on=datetime.date(2022, 2, 27), birth=birth)
    assert _applicant(cast.branch_a, applied_on=datetime.date(2022, 2, 28), birth=birth).pk


# --- talk within a month (warned) ---------------------------------------------------------------------------


def test_talk_later_than_a_month_is_recorded_with_a_warning(cast):
    applied = TODAY - D(days=200)
    case = _applicant(cast.branch_a, applied_on=applied)
    step, warnings = development_step_record(case=case, number=2, done_on=add_months(applied, 1), by=None)
    assert warnings == [] and step.warning == ""
    case2 = applicant_register(
        branch=cast.branch_a,
        name="乙",
        gender="M",
        birth_date=datetime.date(2000, 1, 1),
        category="student",
        applied_on=applied,
        by=None,
    )
    step, warnings = development_step_record(
        case=case2, number=2, done_on=add_months(applied, 1) + D(days=1), by=None
    )
    assert len(warnings) == 1 and prose_date(add_months(applied, 1)) in warnings[0]
    assert DevelopmentStep.objects.get(pk=step.pk).warning == warnings[0]


# --- a year as activist (refused) -----------------------------------------------------------------------------


def _activist(branch, activist_on):
    case = _applicant(branch, applied_on=activist_on - D(days=40))
    return _walk(case, 6, {3: activist_on}, default=activist_on - D(days=30))


def test_activist_364_days_refused_365_accepted(cast):
    # A year without 29 February in between: 365 days is exactly one year.
    activist_on = datetime.date(2022, 3, 1)
    case = _activist(cast.branch_a, activist_on)
    assert case.member.stage == Member.Stage.ACTIVIST
    with pytest.raises(ValidationError) as refused:
        development_step_record(case=case, number=7, done_on=activist_on + D(days=364), by=None)
    assert "2023年3月1日" in refused.value.messages[0]
    case.refresh_from_db()
    assert case.last_step == 6
    development_step_record(case=case, number=7, done_on=activist_on + D(days=365), by=None)
    member = Member.objects.get(pk=case.member_id)
    assert member.stage == Member.Stage.CANDIDATE and member.candidate_on == datetime.date(2023, 3, 1)


def test_activist_minimum_is_data(cast):
    LifecycleRule.objects.filter(key="activist_min_months").update(value=6)
    activist_on = datetime.date(2024, 1, 10)
    case = _activist(cast.branch_a, activist_on)
    development_step_record(case=case, number=7, done_on=datetime.date(2024, 7, 10), by=None)
    assert Member.objects.get(pk=case.member_id).stage == Member.Stage.CANDIDATE


# --- training, public notice -------------------------------------------------------------------------------


def test_training_needs_three_days_or_24_hours(cast):
    start = datetime.date(2023, 1, 2)
    case = _walk(_activist(cast.branch_a, start), 10, {7: datetime.date(2024, 1, 3)}, default=start)
    for days, hours in ((2, None), (None, 23), (2, 23), (None, None)):
        with pytest.raises(ValidationError):
            development_step_record(
                case=case,
                number=11,
                done_on=datetime.date(2024, 2, 1),
                by=None,
                training_days=days,
                training_hours=hours,
            )
    development_step_record(
        case=case, number=11, done_on=datetime.date(2024, 2, 1), by=None, training_hours=24
    )


def test_application_form_only_after_five_working_days_of_notice(cast):
    start = datetime.date(2023, 1, 2)
    case = _walk(
        _activist(cast.branch_a, start),
        12,
        {7: datetime.date(2024, 1, 3), 12: datetime.date(2024, 3, 1)},
        default=start,
    )  # a Friday
    notice = DevelopmentStep.objects.get(case=case, number=12).notice_until
    assert notice == add_working_days(datetime.date(2024, 3, 1), 5) == datetime.date(2024, 3, 8)
    development_step_record(case=case, number=13, done_on=datetime.date(2024, 3, 4), by=None)
    with pytest.raises(ValidationError) as refused:
        development_step_record(case=case, number=14, done_on=notice, by=None)
    assert "2024年3月9日" in refused.value.messages[0]
    development_step_record(case=case, number=14, done_on=notice + D(days=1), by=None)


# --- branch vote, approval on day 90 vs 91, probation --------------------------------------------------------


def _voted(branch, vote_on):
    start = vote_on - D(days=800)
    case = _activist(branch, start)
    return _walk(case, 15, {7: start + D(days=400), 15: vote_on}, default=start)


def test_branch_vote_makes_a_probationary_member_with_probation_from_the_vote(cast):
    vote = datetime.date(2024, 5, 20)
    case = _voted(cast.branch_a, vote)
    member = Member.objects.get(pk=case.member_id)
    assert member.stage == Member.Stage.PROBATIONARY and member.joined_on == vote
    assert member.is_party_member


@pytest.mark.parametrize(
    ("vote", "on_time", "late", "latest"),
    [
        # Calendar months, month-end clamped (细则: 3 months, 6 at most); 90 / 180 days got both ends wrong.
        (
            datetime.date(2024, 1, 31),
            datetime.date(2024, 4, 30),
            datetime.date(2024, 5, 1),
            datetime.date(2024, 7, 31),
        ),
        (
            datetime.date(2024, 5, 20),
            datetime.date(2024, 8, 20),
            datetime.date(2024, 8, 21),
            datetime.date(2024, 11, 20),
        ),
        (
            datetime.date(2023, 11, 30),
            datetime.date(2024, 2, 29),
            datetime.date(2024, 3, 1),
            datetime.date(2024, 5, 30),
        ),
    ],
)
def test_approval_within_three_calendar_months_and_at_most_six(cast, vote, on_time, late, latest):
    case = _walk(_voted(cast.branch_a, vote), 16, {}, default=vote)
    _step, warnings = development_step_record(case=case, number=17, done_on=on_time, by=None)
    assert warnings == []
    other = _walk(_voted(cast.branch_a, vote), 16, {}, default=vote)
    step, warnings = development_step_record(case=other, number=17, done_on=late, by=None)
    assert len(warnings) == 1 and prose_date(on_time) in warnings[0] and step.warning
    third = _walk(_voted(cast.branch_a, vote), 16, {}, default=vote)
    with pytest.raises(ValidationError) as refused:
        development_step_record(case=third, number=17, done_on=latest + D(days=1), by=None)
    assert prose_date(latest) in refused.value.messages[0]
    development_step_record(case=third, number=17, done_on=latest, by=None)  # the last day of six months


def test_approval_months_are_data(cast):
    LifecycleRule.objects.filter(key="approval_within_months").update(value=1)
    vote = datetime.date(2024, 1, 31)
    case = _walk(_voted(cast.branch_a, vote), 16, {}, default=vote)
    _step, warnings = development_step_record(
        case=case, number=17, done_on=datetime.date(2024, 3, 1), by=None
    )
    assert "2024年2月29日" in warnings[0]


def test_two_introducers_both_full_members(cast):
    probationary = MemberFactory(branch=cast.branch_a, stage=Member.Stage.PROBATIONARY, name="预备党员甲")
    start = datetime.date(2022, 3, 1)
    case = _walk(_activist(cast.branch_a, start), 8, {7: start + D(days=400)}, default=start)
    with pytest.raises(ValidationError):  # one introducer is not enough
        development_step_record(
            case=case, number=9, done_on=start + D(days=410), by=None, people=[cast.alice_member]
        )
    with pytest.raises(ValidationError) as refused:  # a probationary member cannot introduce
        development_step_record(
            case=case,
            number=9,
            done_on=start + D(days=410),
            by=None,
            people=[cast.alice_member, probationary],
        )
    assert "预备党员甲" in refused.value.messages[0]
    with pytest.raises(ValidationError):  # nor be a contact
        development_step_record(
            case=_walk(
                _applicant(cast.branch_a, applied_on=TODAY - D(days=30)), 4, {}, default=TODAY - D(days=20)
            ),
            number=5,
            done_on=TODAY,
            by=None,
            people=[probationary],
        )
    development_step_record(
        case=case, number=9, done_on=start + D(days=410), by=None, people=[cast.alice_member, cast.bob_member]
    )


def test_full_membership_vote_at_the_end_of_probation_and_extension_once(cast):
    vote = add_months(TODAY, -11)
    case = _walk(_voted(cast.branch_a, vote), 22, {}, default=vote)
    ends = add_years(vote, 1)
    development_probation_extend(case=case, months=6, decided_on=TODAY, by=None)
    with pytest.raises(ValidationError) as again:
        development_probation_extend(case=case, months=6, decided_on=TODAY, by=None)
    assert "once" in again.value.messages[0] or "一次" in again.value.messages[0]
    case.refresh_from_db()
    # The vote on full membership waits for the extended end (1 year + 6 months from the branch vote).
    assert add_months(ends, 6) > TODAY
    with pytest.raises(ValidationError):
        development_step_record(case=case, number=23, done_on=TODAY, by=None)


def test_extension_outside_6_to_12_months_refused(cast):
    case = _walk(_voted(cast.branch_a, add_months(TODAY, -3)), 17, {}, default=add_months(TODAY, -3))
    for months in (5, 13):
        with pytest.raises(ValidationError):
            development_probation_extend(case=case, months=months, decided_on=TODAY, by=None)
    development_probation_extend(case=case, months=12, decided_on=TODAY, by=None)


def test_full_membership_after_probation_and_the_case_closes(cast):
    vote = datetime.date(2023, 6, 1)
    case = _walk(_voted(cast.branch_a, vote), 22, {}, default=vote)
    with pytest.raises(ValidationError) as early:
        development_step_record(case=case, number=23, done_on=datetime.date(2024, 5, 31), by=None)
    assert "2024年6月1日" in early.value.messages[0]
    _walk(case, 25, {23: datetime.date(2024, 6, 1), 24: datetime.date(2024, 7, 1)}, default=vote)
    member = Member.objects.get(pk=case.member_id)
    assert member.stage == Member.Stage.FULL and member.full_on == datetime.date(2024, 6, 1)
    assert DevelopmentCase.objects.get(pk=case.pk).status == DevelopmentCase.Status.DONE
    # History kept: one historical row per stage change at least.
    assert member.history.filter(stage=Member.Stage.PROBATIONARY).exists()


# --- order, dates, permissions ----------------------------------------------------------------------------------


def test_steps_in_order_and_not_twice_nor_in_the_future(cast):
    case = _applicant(cast.branch_a, applied_on=TODAY - D(days=10))
    with pytest.raises(ValidationError):
        development_step_record(case=case, number=3, done_on=TODAY, by=None)
    with pytest.raises(ValidationError):
        development_step_record(case=case, number=1, done_on=TODAY, by=None)
    with pytest.raises(ValidationError):
        development_step_record(case=case, number=2, done_on=TODAY + D(days=1), by=None)
    with pytest.raises(ValidationError):
        development_step_record(case=case, number=2, done_on=TODAY - D(days=11), by=None)
    development_step_record(case=case, number=2, done_on=TODAY, by=None)


def test_contacts_one_or_two(cast):
    case = _walk(_applicant(cast.branch_a, applied_on=TODAY - D(days=30)), 4, {}, default=TODAY - D(days=20))
    with pytest.raises(ValidationError):
        development_step_record(case=case, number=5, done_on=TODAY, by=None)
    with pytest.raises(ValidationError):
        development_step_record(case=case, number=5, done_on=TODAY, by=None, people_names="甲,乙,丙")
    development_step_record(
        case=case, number=5, done_on=TODAY, by=None, people=[cast.alice_member], people_names="乙"
    )


def test_service_refuses_another_branchs_secretary(cast):
    case = _applicant(cast.branch_a, applied_on=TODAY - D(days=5), by=cast.alice)
    with pytest.raises(PermissionDenied):
        development_step_record(case=case, number=2, done_on=TODAY, by=cast.charlie)
    with pytest.raises(PermissionDenied):
        _applicant(cast.branch_a, applied_on=TODAY, by=cast.charlie)


def test_rules_table_has_the_national_defaults(db):
    limits = rules()
    assert limits["min_age_years"] == 18 and limits["approval_within_months"] == 3
    assert limits["approval_max_months"] == 6
    assert LifecycleRule.objects.count() == len(LifecycleRule.Key.values)


# --- pages ---------------------------------------------------------------------------------------------------------


def test_secretary_adds_an_applicant_and_records_the_talk(cast, as_alice):
    url = reverse("members:development", args=[cast.branch_a.pk])
    assert as_alice.get(url).status_code == 200
    response = as_alice.post(
        url,
        {
            "name": "王小明",
            "gender": "M",
            "birth_date": "2004-01-01",
            "category": "student",
            "applied_on": (TODAY - D(days=3)).isoformat(),
        },
    )
    case = DevelopmentCase.objects.get(member__name="王小明")
    assert response.status_code == 302 and response["Location"] == reverse(
        "members:development_case", args=[case.pk]
    )
    response = as_alice.post(
        reverse("members:development_step", args=[case.pk]),
        {"done_on": TODAY.isoformat(), "people": [cast.alice_member.pk]},
    )
    assert response.status_code == 302
    assert DevelopmentStep.objects.get(case=case, number=2).people.get() == cast.alice_member


def test_underage_applicant_refused_on_the_page(cast, as_alice):
    url = reverse("members:development", args=[cast.branch_a.pk])
    birth = add_years(TODAY, -18) + D(days=1)
    response = as_alice.post(
        url,
        {
            "name": "少年",
            "gender": "M",
            "birth_date": birth.isoformat(),
            "category": "student",
            "applied_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 400
    assert not Member.objects.filter(name="少年").exists()


def test_charlie_cannot_see_or_touch_branch_as_cases(cast, as_charlie, as_bob):
    case = _applicant(cast.branch_a, applied_on=TODAY - D(days=3))
    assert as_charlie.get(reverse("members:development", args=[cast.branch_a.pk])).status_code == 403
    assert as_charlie.get(reverse("members:development_case", args=[case.pk])).status_code == 404
    response = as_charlie.post(
        reverse("members:development_step", args=[case.pk]), {"done_on": TODAY.isoformat()}
    )
    assert response.status_code == 404
    assert as_bob.get(reverse("members:development_case", args=[case.pk])).status_code == 404
    assert as_charlie.post(reverse("members:development", args=[cast.branch_a.pk]), {}).status_code == 403
    case.refresh_from_db()
    assert case.last_step == 1


def test_wrong_method_and_anonymous(cast, as_alice, anonymous):
    case = _applicant(cast.branch_a, applied_on=TODAY - D(days=3))
    assert as_alice.get(reverse("members:development_step", args=[case.pk])).status_code == 405
    assert anonymous.get(reverse("members:development_case", args=[case.pk])).status_code == 302


def test_officer_above_sees_the_committee_counts(cast, as_officer):
    _applicant(cast.branch_a, applied_on=TODAY - D(days=3))
    response = as_officer.get(reverse("members:development", args=[cast.c1.pk]))
    assert response.status_code == 200
    row = response.context["counts"][0]
    assert row["unit"] == cast.branch_a and row["stages"]["applicant"] == 1


def test_development_list_query_count_is_fixed(cast, as_alice, django_assert_num_queries):
    url = reverse("members:development", args=[cast.branch_a.pk])
    # 1 session, 2 user, 3 the unit, 4 view permission, 5 manage permission, 6 the cases with people,
    # 7 stage counts (grouped), then the template: 8 breadcrumb; with cases, 9 the flags beside their names
    # (members.flags: the 民主评议 source's approved entries, whatever the number of cases).
    with django_assert_num_queries(8):
        as_alice.get(url)
    for i in range(5):
        _applicant(cast.branch_a, applied_on=TODAY - D(days=3 + i))
    with django_assert_num_queries(9):
        response = as_alice.get(url)
    assert len(response.context["cases"]) == 5


def test_case_page_query_count_is_fixed(cast, as_alice, django_assert_num_queries):
    case = _walk(_applicant(cast.branch_a, applied_on=TODAY - D(days=30)), 5, {}, default=TODAY - D(days=20))
    url = reverse("members:development_case", args=[case.pk])
    # 1 session, 2 user, 3 the case with person and branch, 4 view permission, 5 rules, 6 manage permission,
    # 7 steps, 8 their people, 9 their documents; template: 10 breadcrumb, 11 the member's flags (the
    # 民主评议 source's approved entries), 12 the people to choose from.
    with django_assert_num_queries(12):
        response = as_alice.get(url)
    assert response.status_code == 200


def test_lifecycle_panel_fragment_and_its_queries(cast, as_alice, as_charlie, django_assert_num_queries):
    case = _applicant(cast.branch_a, applied_on=TODAY - D(days=40))
    url = reverse("members:lifecycle_due", args=[cast.branch_a.pk])
    # 1 session, 2 user, 3 the unit, 4 view permission, lifecycle_due: 5 rules, 6 development cases,
    # 7 transfers, 8 dues lapses, 9 care occasions, 10 terms, 11 dues exemptions awaiting the unit's decision.
    with django_assert_num_queries(11):
        response = as_alice.get(url)
    assert f"development:{case.pk}:2" in str(response.context["items"])
    assert as_charlie.get(url).status_code == 204
    # The unit page carries only the placeholder.
    page = as_alice.get(reverse("members:unit", args=[cast.branch_a.pk])).content.decode()
    assert reverse("members:lifecycle_due", args=[cast.branch_a.pk]) in page


def test_a_step_keeps_its_scanned_documents_for_the_branchs_managers(
    cast, as_alice, as_charlie, as_bob, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from members.models import DevelopmentDocument

    settings.MEDIA_ROOT = tmp_path
    case = _applicant(cast.branch_a, applied_on=TODAY - D(days=3))
    url = reverse("members:development_step", args=[case.pk])
    exe = SimpleUploadedFile("入党申请书.pdf", b"MZ\x90\x00" + b"\x00" * 64, content_type="application/pdf")
    response = as_alice.post(
        url, {"done_on": TODAY.isoformat(), "people": [cast.alice_member.pk], "files": [exe]}
    )
    assert response.status_code == 400 and "入党申请书.pdf" in response.content.decode()
    assert not DevelopmentStep.objects.filter(case=case, number=2).exists()  # refused whole: no step, no file
    pdf = SimpleUploadedFile(
        "谈话记录.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", content_type="application/pdf"
    )
    with django_capture_on_commit_callbacks(execute=True):  # the file is written when the step commits
        response = as_alice.post(
            url, {"done_on": TODAY.isoformat(), "people": [cast.alice_member.pk], "files": [pdf]}
        )
    assert response.status_code == 302
    document = DevelopmentDocument.objects.get(step__case=case, step__number=2)
    assert document.content_type == "application/pdf" and document.name == "谈话记录.pdf"
    download = reverse("members:development_document", args=[document.pk])
    assert download in as_alice.get(reverse("members:development_case", args=[case.pk])).content.decode()
    response = as_alice.get(download)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert as_charlie.get(download).status_code == 403  # another branch
    assert as_bob.get(download).status_code == 403  # a member of the branch who does not manage it
