"""双述双评 services and selectors: exactly once, windows, eligibility, codes, minimum raters, offline
scores, the comparison, the roster import, and secrecy by construction."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from assessments.models import (
    Ballot,
    OfflineScore,
    RaterEligibility,
    RatingCampaign,
    RatingCode,
    SealedBallot,
)
from assessments.models.ballots import BallotTally
from assessments.sealing import SEALED_SIZE
from assessments.models.ratings import CODE_ALPHABET, code_digest, code_normalize
from assessments.selectors import ratings as selectors
from assessments.services import cycles_advance
from assessments.services import ratings as services
from tests.factories import UserFactory
from tests.ratings_helpers import answers, eligible, make_campaign, people, roster_xlsx, target_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(cast):
    zzb, dw1, dw2 = people(cast)
    campaign = make_campaign(cast, by=zzb)
    return cast, zzb, campaign


def test_campaign_takes_every_current_secretary_of_rated_units(setup):
    cast, zzb, campaign = setup
    targets = {
        t.organization.code: t.user.username for t in campaign.targets.select_related("organization", "user")
    }
    assert targets == {"C1": "dw1", "C2": "dw2", "A": "alice", "B": "charlie"}
    assert [d.name for d in campaign.dimensions.all()] == ["政治建设", "履职尽责", "工作实绩", "作风形象"]
    assert campaign.min_raters == 5


def test_campaign_create_needs_the_scope(cast):
    people(cast)
    with pytest.raises(PermissionDenied):
        make_campaign(cast, by=cast.officer)  # organizer of C1 only, not of the university


def test_student_rates_own_branch_and_committee_once(setup):
    cast, zzb, campaign = setup
    student = UserFactory(username="2023001")
    eligible(campaign, student, cast.branch_b)
    rateable = {t.organization.code for t in services.targets_for_rater(campaign=campaign, rater=student)}
    assert rateable == {"B", "C2"}
    targets = [target_of(campaign, cast.branch_b), target_of(campaign, cast.c2)]
    assert services.ballot_cast(campaign=campaign, rater=student, answers=answers(targets, campaign)) == 2
    with pytest.raises(services.RatingRefused) as refused:
        services.ballot_cast(campaign=campaign, rater=student, answers=answers(targets[:1], campaign, "fair"))
    assert refused.value.reason == "already"
    assert "只能评价一次" in str(refused.value)
    assert Ballot.objects.count() == 2 and SealedBallot.objects.count() == 2
    assert {len(c) for c in SealedBallot.objects.values_list("ciphertext", flat=True)} == {SEALED_SIZE}


def test_student_of_c2_cannot_rate_c1_secretaries(setup):
    cast, zzb, campaign = setup
    student = UserFactory(username="2023002")
    eligible(campaign, student, cast.branch_b)
    with pytest.raises(services.RatingRefused) as refused:
        services.ballot_cast(
            campaign=campaign, rater=student, answers=answers([target_of(campaign, cast.c1)], campaign)
        )
    assert refused.value.reason == "not_eligible"
    assert not Ballot.objects.exists() and not SealedBallot.objects.exists()


def test_a_refused_target_keeps_nothing_of_the_submission(setup):
    cast, zzb, campaign = setup
    student = UserFactory(username="2023003")
    eligible(campaign, student, cast.branch_b)
    b = target_of(campaign, cast.branch_b)
    services.ballot_cast(campaign=campaign, rater=student, answers=answers([b], campaign))
    # B again together with C2: the whole submission is refused, C2 stays unrated.
    with pytest.raises(services.RatingRefused):
        services.ballot_cast(
            campaign=campaign, rater=student, answers=answers([b, target_of(campaign, cast.c2)], campaign)
        )
    assert Ballot.objects.count() == 1 and SealedBallot.objects.count() == 1


def test_incomplete_or_off_scale_answers_are_refused(setup):
    cast, zzb, campaign = setup
    student = UserFactory(username="2023004")
    eligible(campaign, student, cast.branch_b)
    b = target_of(campaign, cast.branch_b)
    partial = answers([b], campaign)
    partial.pop(next(iter(partial)))
    with pytest.raises(services.RatingRefused, match="每一项"):
        services.ballot_cast(campaign=campaign, rater=student, answers=partial)
    with pytest.raises(services.RatingRefused):
        services.ballot_cast(campaign=campaign, rater=student, answers=answers([b], campaign, "excellent"))
    assert not Ballot.objects.exists()


def test_points_scale_and_weighted_overall(cast):
    zzb, _dw1, _dw2 = people(cast)
    campaign = make_campaign(cast, by=zzb, scale=RatingCampaign.Scale.POINTS, min_raters=1)
    student = UserFactory(username="2023005")
    eligible(campaign, student, cast.branch_b)
    b = target_of(campaign, cast.branch_b)
    form = {}
    for d, value in zip(campaign.dimensions.all(), ["100", "80", "60", "40"]):  # weights 30/30/25/15
        form[f"t{b.pk}-d{d.pk}"] = value
    services.ballot_cast(campaign=campaign, rater=student, answers=form)
    with pytest.raises(services.RatingRefused):
        services.ballot_cast(campaign=campaign, rater=UserFactory(), answers={k: "101" for k in form})
    services.campaign_close(campaign=campaign, by=zzb)
    campaign.refresh_from_db()
    row = next(r for r in selectors.campaign_results(campaign=campaign, targets=[b]).rows)
    assert row.overall == 75.0 and row.by_dimension == [
        100.0,
        80.0,
        60.0,
        40.0,
    ]  # (3000 + 2400 + 1500 + 600) / 100


def test_window_before_opening_and_after_closing(cast):
    zzb, _dw1, _dw2 = people(cast)
    now = timezone.now()
    later = make_campaign(
        cast, by=zzb, opens=now + datetime.timedelta(hours=1), closes=now + datetime.timedelta(hours=5)
    )
    student = UserFactory(username="2023006")
    eligible(later, student, cast.branch_b)
    with pytest.raises(services.RatingRefused, match="尚未开始"):
        services.ballot_cast(
            campaign=later, rater=student, answers=answers([target_of(later, cast.branch_b)], later)
        )
    services.campaign_close(campaign=later, by=zzb)
    later.refresh_from_db()
    with pytest.raises(services.RatingRefused, match="已结束"):
        services.ballot_cast(
            campaign=later, rater=student, answers=answers([target_of(later, cast.branch_b)], later)
        )


def test_draft_campaign_takes_no_ballots(cast):
    zzb, _dw1, _dw2 = people(cast)
    campaign = make_campaign(cast, by=zzb, publish=False)
    student = UserFactory(username="2023007")
    eligible(campaign, student, cast.branch_b)
    with pytest.raises(services.RatingRefused):
        services.ballot_cast(
            campaign=campaign, rater=student, answers=answers([target_of(campaign, cast.branch_b)], campaign)
        )


# --- codes --------------------------------------------------------------------------------------------


def test_codes_are_unambiguous_long_and_stored_hashed(setup):
    cast, zzb, campaign = setup
    codes = services.codes_generate(campaign=campaign, unit=cast.branch_a, count=20, by=zzb)
    assert len(set(codes)) == 20
    for code in codes:
        assert len(code) == 16 and set(code) <= set(CODE_ALPHABET)
        assert not set(code) & set("ILOU")
    assert len(CODE_ALPHABET) ** 16 >= 2**80
    stored = set(RatingCode.objects.values_list("digest", flat=True))
    assert stored == {code_digest(c) for c in codes}
    assert not any(c in stored for c in codes)


def test_code_input_is_forgiving():
    assert code_normalize("abcd-efgh oi1l-0000") == "ABCDEFGH0111" + "0000"


def test_code_rates_its_unit_and_above_once(setup):
    cast, zzb, campaign = setup
    code = services.codes_generate(campaign=campaign, unit=cast.branch_a, count=1, by=zzb)[0]
    targets = [target_of(campaign, cast.branch_a), target_of(campaign, cast.c1)]
    assert services.code_ballot_cast(code=code.lower(), answers=answers(targets, campaign)) == 2
    with pytest.raises(services.RatingRefused) as refused:
        services.code_ballot_cast(code=code, answers=answers(targets, campaign))
    assert refused.value.reason == "already"
    assert RatingCode.objects.get().used
    assert Ballot.objects.filter(code__isnull=False).count() == 2 and SealedBallot.objects.count() == 2


def test_code_must_rate_all_its_secretaries_and_no_others(setup):
    cast, zzb, campaign = setup
    code = services.codes_generate(campaign=campaign, unit=cast.branch_a, count=1, by=zzb)[0]
    with pytest.raises(services.RatingRefused):
        services.code_ballot_cast(code=code, answers=answers([target_of(campaign, cast.branch_a)], campaign))
    with pytest.raises(services.RatingRefused) as refused:
        services.code_ballot_cast(
            code=code,
            answers=answers(
                [
                    target_of(campaign, cast.branch_a),
                    target_of(campaign, cast.c1),
                    target_of(campaign, cast.c2),
                ],
                campaign,
            ),
        )
    assert refused.value.reason == "not_eligible"
    assert not RatingCode.objects.get().used and not Ballot.objects.exists()


def test_unknown_code_is_refused(setup):
    with pytest.raises(services.RatingRefused) as refused:
        services.code_ballot_cast(code="0000-0000-0000-0000", answers={})
    assert refused.value.reason == "invalid_code"


def test_codes_only_for_units_one_manages(setup):
    cast, zzb, campaign = setup
    with pytest.raises(PermissionDenied):
        services.codes_generate(
            campaign=campaign, unit=cast.branch_b, count=5, by=cast.officer
        )  # C1's organizer
    assert services.codes_generate(campaign=campaign, unit=cast.branch_a, count=2, by=cast.officer)
    with pytest.raises(PermissionDenied):
        services.codes_generate(
            campaign=campaign, unit=cast.branch_a, count=2, by=cast.alice
        )  # a branch role


# --- results ----------------------------------------------------------------------------------------------


def _rate(campaign, unit, targets, grades):
    for i, grade in enumerate(grades):
        user = UserFactory()
        eligible(campaign, user, unit)
        services.ballot_cast(campaign=campaign, rater=user, answers=answers(targets, campaign, grade))


def test_results_hide_means_below_the_minimum_and_compare_with_offline(setup):
    cast, zzb, campaign = setup
    a, c1 = target_of(campaign, cast.branch_a), target_of(campaign, cast.c1)
    b, c2 = target_of(campaign, cast.branch_b), target_of(campaign, cast.c2)
    _rate(campaign, cast.branch_a, [a, c1], ["good"] * 4 + ["fair"])  # 5 raters: a and c1 shown
    _rate(campaign, cast.branch_b, [b, c2], ["poor"] * 4)  # 4 raters: b and c2 hidden
    _rate(campaign, cast.c2, [c2], ["fairly_good"])  # c2 now 5
    for target, scores in ((a, [90, 94]), (c1, [60, 70]), (c2, [50, 52]), (b, [88])):
        services.offline_scores_set(
            target=target, rows=[(f"委员{i}", Decimal(s)) for i, s in enumerate(scores)], by=zzb
        )
    services.campaign_close(campaign=campaign, by=zzb)
    campaign.refresh_from_db()
    targets = list(selectors.visible_targets(user=zzb, campaign=campaign))
    results = selectors.campaign_results(campaign=campaign, targets=targets)
    rows = {r.target.organization.code: r for r in results.rows}
    assert rows["A"].raters == 5 and rows["A"].overall == 92.0 and rows["A"].by_dimension == [92.0] * 4
    assert rows["B"].raters == 4 and not rows["B"].shown and rows["B"].overall is None
    assert rows["B"].by_dimension == [] and rows["B"].difference is None
    assert rows["C2"].raters == 5 and rows["C2"].overall == 48.0 and rows["C2"].offline == 51.0
    assert rows["A"].offline == 92.0 and rows["A"].difference == 0.0 and not rows["A"].flagged
    assert rows["C1"].overall == 92.0 and rows["C1"].difference == 27.0 and rows["C1"].flagged
    assert results.compared == 3
    # online 92, 92, 48 vs offline 92, 65, 51: ranks (1.5, 1.5, 3) vs (1, 2, 3)
    assert results.spearman == pytest.approx(0.866, abs=0.001)


def test_committee_organizer_sees_only_own_units(setup):
    cast, zzb, campaign = setup
    codes = {t.organization.code for t in selectors.visible_targets(user=cast.officer, campaign=campaign)}
    assert codes == {"C1", "A"}
    assert selectors.campaigns_managed_by(user=cast.officer).filter(pk=campaign.pk).exists()
    assert not selectors.campaigns_managed_by(user=cast.charlie).exists()


def test_spearman():
    assert selectors.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert selectors.spearman([1, 2, 3, 4], [40, 30, 20, 10]) == pytest.approx(-1.0)
    assert selectors.spearman([1, 2], [1, 2]) is None
    assert selectors.spearman([5, 5, 5], [1, 2, 3]) is None


def test_offline_scores_are_parsed_audited_and_replaced(setup):
    cast, zzb, campaign = setup
    a = target_of(campaign, cast.branch_a)
    rows = services.offline_lines_parse("王伟 92\n李娜，88.5\n\n张强:75")
    assert rows == [("王伟", Decimal("92")), ("李娜", Decimal("88.5")), ("张强", Decimal("75"))]
    services.offline_scores_set(target=a, rows=rows, by=zzb)
    services.offline_scores_set(target=a, rows=[("王伟", Decimal("95")), ("李娜", Decimal("88.5"))], by=zzb)
    assert dict(OfflineScore.objects.values_list("assessor", "score")) == {
        "王伟": Decimal("95.00"),
        "李娜": Decimal("88.50"),
    }
    history = OfflineScore.history.order_by("history_id")
    assert [h.history_type for h in history] == ["+", "+", "+", "-", "~"]
    assert {h.history_user_id for h in history} == {zzb.pk}
    with pytest.raises(ValidationError) as bad:
        services.offline_lines_parse("王伟 abc\n李娜 120\n张强\n王伟 80\n王伟 81")
    assert len(bad.value.messages) == 4 and "第1行" in bad.value.messages[0]
    with pytest.raises(PermissionDenied):
        services.offline_scores_set(target=a, rows=[], by=cast.officer)


def test_the_daily_step_closes_due_campaigns_server_custody_is_tallied_trustees_wait(setup):
    cast, zzb, campaign = setup
    a, c1 = target_of(campaign, cast.branch_a), target_of(campaign, cast.c1)
    _rate(campaign, cast.branch_a, [a, c1], ["good", "fair", "poor", "good", "fairly_good", "good"])
    sealed = make_campaign(cast, by=zzb, custody="trustees")
    assert SealedBallot.objects.count() == 12
    RatingCampaign.objects.filter(pk__in=[campaign.pk, sealed.pk]).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    first = cycles_advance(today=timezone.localdate())
    assert first["ratings"] == {"closed": 1, "awaiting": 1}
    # idempotent: nothing more
    assert cycles_advance(today=timezone.localdate())["ratings"] == {"closed": 0, "awaiting": 0}
    campaign.refresh_from_db()
    sealed.refresh_from_db()
    assert (
        campaign.status == RatingCampaign.Status.CLOSED
        and campaign.box.opened
        and not campaign.box.wrapped_key
    )
    assert sealed.status == RatingCampaign.Status.AWAITING and sealed.awaits_trustees()
    assert not sealed.results_visible() and not sealed.accepts_ballots()
    assert not SealedBallot.objects.filter(box=campaign.box).exists()  # the ciphertexts are gone
    # Only aggregates: 6 raters × 4 dimensions of a and of c1, by value.
    tallies = {
        (t.subject, t.value): t.count
        for t in BallotTally.objects.filter(box=campaign.box, question=campaign.dimensions.first().pk)
    }
    assert tallies == {
        (a.pk, 100): 3,
        (a.pk, 80): 1,
        (a.pk, 60): 1,
        (a.pk, 40): 1,
        (c1.pk, 100): 3,
        (c1.pk, 80): 1,
        (c1.pk, 60): 1,
        (c1.pk, 40): 1,
    }


def test_a_future_today_never_closes_a_running_campaign(setup):
    cast, zzb, campaign = setup
    assert cycles_advance(today=timezone.localdate() + datetime.timedelta(days=30))["ratings"] == {
        "closed": 0,
        "awaiting": 0,
    }
    campaign.refresh_from_db()
    assert campaign.status == RatingCampaign.Status.PUBLISHED


# --- secrecy by construction --------------------------------------------------------------------------------


def test_the_store_cannot_name_a_rater_a_ballot_a_subject_or_a_time():
    sealed = {f.name: f for f in SealedBallot._meta.get_fields()}
    assert set(sealed) == {"id", "box", "ciphertext"}
    assert isinstance(sealed["id"], models.UUIDField)
    tally = {f.name for f in BallotTally._meta.get_fields()}
    assert tally == {"id", "box", "subject", "question", "value", "count"}
    for model in (SealedBallot, BallotTally, Ballot):
        assert not any(isinstance(f, (models.DateField, models.TimeField)) for f in model._meta.get_fields())
        assert not hasattr(model, "history")
    ballot_fields = {f.name for f in Ballot._meta.get_fields()}
    assert ballot_fields == {"id", "campaign", "target", "rater", "code"}


def test_nothing_in_history_or_admin_links_raters_to_choices(setup):
    from django.contrib import admin

    for model in (SealedBallot, BallotTally, Ballot):
        assert model not in admin.site._registry
    cast, zzb, campaign = setup
    student = UserFactory(username="2023008")
    eligible(campaign, student, cast.branch_b)
    services.ballot_cast(
        campaign=campaign, rater=student, answers=answers([target_of(campaign, cast.branch_b)], campaign)
    )
    from simple_history.models import registered_models

    for model in (SealedBallot, BallotTally, Ballot):
        assert model not in registered_models.values()


def test_no_log_line_names_the_rater(setup, caplog):
    cast, zzb, campaign = setup
    student = UserFactory(username="2023009")
    eligible(campaign, student, cast.branch_b)
    with caplog.at_level("DEBUG"):
        services.ballot_cast(
            campaign=campaign, rater=student, answers=answers([target_of(campaign, cast.branch_b)], campaign)
        )
    assert "2023009" not in caplog.text and str(student.pk) not in " ".join(
        r.getMessage() for r in caplog.records if not r.name.startswith("django.db")
    )


# --- the roster -----------------------------------------------------------------------------------------------


def test_roster_import_links_and_creates_accounts(setup):
    cast, zzb, campaign = setup
    data = roster_xlsx(
        [
            ("bob", cast.bob.first_name, "教职工", "A", ""),
            ("2023100", "王小明", "学生", "A", "start-pass-1"),
            (2023101, "李小红", "学生", "", ""),
        ]
    )
    report = services.rater_roster_import(
        campaign=campaign, unit=cast.c1, data=data, filename="名单.xlsx", by=cast.officer
    )
    assert report.ok, report.errors
    assert (report.added, report.accounts_created, report.accounts_without_password) == (3, 2, 1)
    rows = {e.user.username: e.unit.code for e in RaterEligibility.objects.select_related("user", "unit")}
    assert rows == {"bob": "A", "2023100": "A", "2023101": "C1"}
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="2023100").check_password("start-pass-1")
    assert not get_user_model().objects.get(username="2023101").has_usable_password()
    again = services.rater_roster_import(
        campaign=campaign, unit=cast.c1, data=data, filename="名单.xlsx", by=cast.officer
    )
    assert (again.added, again.kept, again.accounts_created) == (0, 3, 0)


def test_roster_import_refuses_a_bad_file_whole(setup):
    cast, zzb, campaign = setup
    data = roster_xlsx(
        [
            ("2023200", "张三", "学生", "A", ""),
            ("", "李四", "学生", "A", ""),
            ("2023200", "王五", "老师", "B", "short"),
            ("bob", "别人", "教职工", "A", ""),
        ]
    )
    report = services.rater_roster_import(
        campaign=campaign, unit=cast.c1, data=data, filename="名单.xlsx", by=cast.officer
    )
    found = {(e.row, e.column.split("（")[0]) for e in report.errors}
    assert {(3, "A"), (4, "A"), (4, "C"), (4, "D"), (4, "E")} <= found
    assert any("B" in e.message and "计算机学院党委" in e.message for e in report.errors)
    assert not RaterEligibility.objects.exists()
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="2023200").exists()
    # The name check runs once the rows are valid.
    report = services.rater_roster_import(
        campaign=campaign,
        unit=cast.c1,
        data=roster_xlsx([("bob", "别人", "教职工", "A", "")]),
        filename="x.xlsx",
        by=cast.officer,
    )
    assert report.errors[0].row == 2 and not RaterEligibility.objects.exists()


def test_roster_import_file_level_errors(setup):
    cast, zzb, campaign = setup
    assert (
        "xlsx"
        in services.rater_roster_import(
            campaign=campaign, unit=cast.c1, data=b"a,b", filename="x.csv", by=cast.officer
        )
        .errors[0]
        .message
    )
    report = services.rater_roster_import(
        campaign=campaign,
        unit=cast.c1,
        data=roster_xlsx([], headers=("姓名",)),
        filename="x.xlsx",
        by=cast.officer,
    )
    assert "学号/工号" in report.errors[0].message
    with pytest.raises(PermissionDenied):
        services.rater_roster_import(
            campaign=campaign, unit=cast.c2, data=b"", filename="x.xlsx", by=cast.officer
        )
