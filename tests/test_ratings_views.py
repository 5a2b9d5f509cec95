"""双述双评 pages: the rater's and the code holder's forms, throttling, the managers' pages with the cast
(cross-unit access refused), query counts pinned, the results and the export."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import Ballot, RaterEligibility, RatingCampaign, SealedBallot
from assessments.services import ratings as services
from tests.conftest import login
from tests.factories import UserFactory
from tests.ratings_helpers import answers, eligible, make_campaign, people, roster_xlsx, target_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    zzb, dw1, dw2 = people(cast)
    campaign = make_campaign(cast, by=zzb)
    student = UserFactory(username="2023001", first_name="王小明")
    eligible(campaign, student, cast.branch_b)
    return cast, zzb, campaign, student


# --- the rater -------------------------------------------------------------------------------------------


def test_student_rates_both_secretaries_then_is_refused(world):
    cast, zzb, campaign, student = world
    client = login(student)
    url = reverse("assessments:rate", args=[campaign.pk])
    page = client.get(url)
    assert page.status_code == 200
    b, c2 = target_of(campaign, cast.branch_b), target_of(campaign, cast.c2)
    assert f'data-target="{b.pk}"' in page.text and f'data-target="{c2.pk}"' in page.text
    assert f'data-target="{target_of(campaign, cast.branch_a).pk}"' not in page.text
    form = answers([b, c2], campaign)
    response = client.post(url, form)
    assert response.status_code == 302
    again = client.post(url, form)
    assert again.status_code == 409 and "只能评价一次" in again.text
    assert Ballot.objects.count() == 2 and SealedBallot.objects.count() == 2
    assert "您已评价完所有可评价的书记" in client.get(url).text


def test_rate_page_is_404_for_someone_not_on_a_roster(world):
    cast, zzb, campaign, student = world
    assert login(cast.bob).get(reverse("assessments:rate", args=[campaign.pk])).status_code == 404
    assert (
        login(cast.bob)
        .post(
            reverse("assessments:rate", args=[campaign.pk]),
            answers([target_of(campaign, cast.branch_b)], campaign),
        )
        .status_code
        == 404
    )
    assert not Ballot.objects.exists()


def test_rate_page_needs_a_login(world):
    cast, zzb, campaign, student = world
    response = login(student).__class__().get(reverse("assessments:rate", args=[campaign.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_rating_home_lists_campaigns_and_reports(world, django_assert_num_queries):
    cast, zzb, campaign, student = world
    client = login(student)
    # session, user, campaigns to rate (with counts), my reports, campaigns I run, may-create check
    with django_assert_num_queries(6):
        page = client.get(reverse("assessments:home"))
    assert f'data-campaign="{campaign.pk}"' in page.text and "已评 0 / 2" in page.text
    charlie_page = login(cast.charlie).get(reverse("assessments:home"))
    assert (
        reverse("assessments:report_edit", args=[target_of(campaign, cast.branch_b).pk]) in charlie_page.text
    )


def test_rate_page_query_count(world, django_assert_num_queries):
    cast, zzb, campaign, student = world
    client = login(student)
    # session, user, campaign, roster check, targets with "rated", dimensions
    with django_assert_num_queries(6):
        assert client.get(reverse("assessments:rate", args=[campaign.pk])).status_code == 200


def test_submissions_per_account_are_throttled(world, settings):
    cast, zzb, campaign, student = world
    settings.RATING_SUBMITS_PER_USER = 2
    client = login(student)
    url = reverse("assessments:rate", args=[campaign.pk])
    incomplete = {"nothing": "x"}
    assert client.post(url, incomplete).status_code == 409
    assert client.post(url, incomplete).status_code == 409
    third = client.post(url, answers([target_of(campaign, cast.branch_b)], campaign))
    assert third.status_code == 429 and "尝试次数过多" in third.text
    assert not Ballot.objects.exists()


# --- the code holder -----------------------------------------------------------------------------------------


def test_code_holder_rates_once_without_logging_in(world, client, django_assert_num_queries):
    cast, zzb, campaign, student = world
    code, other = services.codes_generate(campaign=campaign, unit=cast.branch_a, count=2, by=zzb)
    url = reverse("assessments:code_entry")  # one URL for everyone: the code travels in bodies only
    # the code (with campaign and unit), dimensions, the targets
    with django_assert_num_queries(3):
        page = client.post(url, {"code": code})
    assert page.status_code == 200 and "csrfmiddlewaretoken" not in page.text
    assert f'name="code" value="{code}"' in page.text and 'name="step" value="rate"' in page.text
    form = answers([target_of(campaign, cast.branch_a), target_of(campaign, cast.c1)], campaign)
    # One transaction (a savepoint inside the test's): claim the code (UPDATE … FROM campaign … RETURNING),
    # this process's first form for the unit (scale and ballot box, dimensions, the unit's path, the
    # targets), the ballots, the sealed choices; savepoint and release
    with django_assert_num_queries(9):
        response = client.post(url, {"code": code, "step": "rate", **form})
    assert response.status_code == 302 and response["Location"] == reverse("assessments:code_done")
    # The next code of the unit: the claim and the two INSERTs (the form is this process's copy)
    with django_assert_num_queries(5):
        assert client.post(url, {"code": other, "step": "rate", **form}).status_code == 302
    second = client.post(url, {"code": code, "step": "rate", **form})
    assert second.status_code == 409 and "只能使用一次" in second.text
    assert "只能使用一次" in client.post(url, {"code": code}).text
    assert Ballot.objects.count() == 4 and Ballot.objects.filter(rater__isnull=True).count() == 4
    assert SealedBallot.objects.count() == 4


def test_code_entry_form_normalises_and_shows_the_form(world, client):
    cast, zzb, campaign, student = world
    code = services.codes_generate(campaign=campaign, unit=cast.branch_a, count=1, by=zzb)[0]
    typed = "-".join(code[i : i + 4] for i in range(0, 16, 4)).lower()
    response = client.post(reverse("assessments:code_entry"), {"code": typed})
    assert response.status_code == 200 and f'name="code" value="{code}"' in response.text
    # A code in the query string is not read (it would be in every log): the plain entry form.
    assert 'id="rate-form"' not in client.get(reverse("assessments:code_entry"), {"code": code}).text


def test_wrong_codes_are_throttled_per_address(world, client, settings):
    settings.RATING_CODE_FAILURES_PER_IP = 3
    url, wrong = reverse("assessments:code_entry"), {"code": "ABCDEFGHJKMNPQRS"}
    for _ in range(3):
        response = client.post(url, wrong)
        assert response.status_code == 404 and "测评码无效" in response.text
    blocked = client.post(url, wrong)
    assert blocked.status_code == 429 and "尝试次数过多" in blocked.text
    assert blocked["Retry-After"] == str(settings.RATING_THROTTLE_WINDOW)
    # Another address is not affected.
    other = client.post(url, wrong, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 404


def test_code_submissions_are_throttled_per_address(world, client, settings):
    cast, zzb, campaign, student = world
    settings.RATING_SUBMITS_PER_IP = 1
    codes = services.codes_generate(campaign=campaign, unit=cast.branch_a, count=2, by=zzb)
    form = answers([target_of(campaign, cast.branch_a), target_of(campaign, cast.c1)], campaign)
    url = reverse("assessments:code_entry")
    assert client.post(url, {"code": codes[0], "step": "rate", **form}).status_code == 302
    assert client.post(url, {"code": codes[1], "step": "rate", **form}).status_code == 429
    assert Ballot.objects.count() == 2


def test_code_after_close_is_refused(world, client):
    cast, zzb, campaign, student = world
    code = services.codes_generate(campaign=campaign, unit=cast.branch_a, count=1, by=zzb)[0]
    services.campaign_close(campaign=campaign, by=zzb)
    response = client.post(
        reverse("assessments:code_entry"),
        {
            "code": code,
            "step": "rate",
            **answers([target_of(campaign, cast.branch_a), target_of(campaign, cast.c1)], campaign),
        },
    )
    assert response.status_code == 409 and "测评已结束" in response.text
    assert not Ballot.objects.exists()


# --- managers ----------------------------------------------------------------------------------------------------


def test_campaign_page_shows_participation_only_to_managers(world, django_assert_num_queries):
    cast, zzb, campaign, student = world
    services.ballot_cast(
        campaign=campaign, rater=student, answers=answers([target_of(campaign, cast.branch_b)], campaign)
    )
    client = login(zzb)
    url = reverse("assessments:campaign", args=[campaign.pk])
    # session, user, the campaign (managed), visible targets, managed units, ballots per target, raters per
    # unit, codes per unit, may-manage check, dimensions
    with django_assert_num_queries(10):
        page = client.get(url)
    assert page.status_code == 200
    assert f'data-target="{target_of(campaign, cast.branch_b).pk}">1<' in page.text
    assert reverse("assessments:results", args=[campaign.pk]) not in page.text
    # C1's organizer sees C1's units only; branch secretaries and members see nothing.
    officer_page = login(cast.officer).get(url)
    assert officer_page.status_code == 200 and "文学院" not in officer_page.text
    for user in (cast.alice, cast.bob, cast.charlie, student):
        assert login(user).get(url).status_code == 404


def test_results_are_hidden_until_close(world):
    cast, zzb, campaign, student = world
    url = reverse("assessments:results", args=[campaign.pk])
    assert login(zzb).get(url).status_code == 404
    assert login(zzb).get(reverse("assessments:results_xlsx", args=[campaign.pk])).status_code == 404


def _closed_with_results(cast, zzb, campaign):
    a, c1 = target_of(campaign, cast.branch_a), target_of(campaign, cast.c1)
    for grade in ["good", "good", "fairly_good", "good", "good", "fair"]:
        user = UserFactory()
        eligible(campaign, user, cast.branch_a)
        services.ballot_cast(campaign=campaign, rater=user, answers=answers([a, c1], campaign, grade))
    services.offline_scores_set(target=a, rows=[("王伟", Decimal(60)), ("李娜", Decimal(64))], by=zzb)
    services.offline_scores_set(target=c1, rows=[("王伟", Decimal(90))], by=zzb)
    services.campaign_close(campaign=campaign, by=zzb)
    return a, c1


def test_results_page_after_close(world, django_assert_num_queries):
    cast, zzb, campaign, student = world
    a, c1 = _closed_with_results(cast, zzb, campaign)
    client = login(zzb)
    url = reverse("assessments:results", args=[campaign.pk])
    # session, user, the campaign (managed, with its box), visible targets, dimensions, the tallies, offline
    with django_assert_num_queries(7):
        page = client.get(url)
    assert page.status_code == 200
    assert 'id="ratings-chart-data"' in page.text and "<script>" not in page.text.replace('<script src="', "")
    assert "data-flag" in page.text  # A: online 90 vs offline 62
    assert "评价人数少于 5 人" in page.text  # B, C2: nobody rated
    # C1's organizer sees C1's secretaries only; alice (a branch secretary) nothing.
    officer_page = login(cast.officer).get(url)
    assert officer_page.status_code == 200 and "文学院" not in officer_page.text
    assert login(cast.alice).get(url).status_code == 404


def test_results_export(world):
    cast, zzb, campaign, student = world
    _closed_with_results(cast, zzb, campaign)
    response = login(zzb).get(reverse("assessments:results_xlsx", args=[campaign.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("单位", "书记", "线上评价人数")
    by_unit = {r[0]: r for r in rows[1:] if r and r[0]}
    branch_a = by_unit["计算机学院教工第一党支部"]
    assert branch_a[2] == 6 and branch_a[7] == 90.0 and branch_a[9] == 62.0 and branch_a[11] == "是"
    assert "少于5人" in by_unit["文学院学生第一党支部"][7]
    # Nothing in the export names a rater.
    flat = " ".join(str(v) for r in rows for v in r if v is not None)
    assert "2023001" not in flat and "王小明" not in flat


def test_publish_and_close_need_the_scope(world):
    cast, zzb, _campaign, student = world
    draft = make_campaign(cast, by=zzb, publish=False)
    assert (
        login(cast.officer).post(reverse("assessments:campaign_publish", args=[draft.pk])).status_code == 403
    )
    assert login(cast.alice).post(reverse("assessments:campaign_publish", args=[draft.pk])).status_code == 404
    assert login(zzb).get(reverse("assessments:campaign_publish", args=[draft.pk])).status_code == 405
    assert login(zzb).post(reverse("assessments:campaign_publish", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.status == RatingCampaign.Status.PUBLISHED
    assert login(cast.officer).post(reverse("assessments:campaign_close", args=[draft.pk])).status_code == 403
    assert login(zzb).post(reverse("assessments:campaign_close", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.status == RatingCampaign.Status.CLOSED


def test_offline_page_for_the_scope_only(world):
    cast, zzb, campaign, student = world
    url = reverse("assessments:offline_scores", args=[campaign.pk])
    assert login(cast.officer).get(url).status_code == 403
    a = target_of(campaign, cast.branch_a)
    bad = login(zzb).post(url, {f"target_{a.pk}": "王伟 abc"})
    assert bad.status_code == 200 and "不是数字" in bad.text
    ok = login(zzb).post(url, {f"target_{a.pk}": "王伟 90\n李娜 80"})
    assert ok.status_code == 302
    assert a.offline_scores.count() == 2


def test_roster_import_page(world):
    cast, zzb, campaign, student = world
    url = reverse("assessments:roster_import", args=[campaign.pk])
    client = login(cast.officer)
    bad = client.post(
        url,
        {
            "unit": cast.branch_a.pk,
            "file": SimpleUploadedFile("名单.xlsx", roster_xlsx([("2023300", "", "学生", "", "")])),
        },
    )
    assert (
        bad.status_code == 200 and "第 2 行" in bad.text and "此单元格必填" in bad.text
    )  # the layer's words for an empty required cell
    assert not RaterEligibility.objects.filter(unit=cast.branch_a).exists()
    good = client.post(
        url,
        {
            "unit": cast.branch_a.pk,
            "file": SimpleUploadedFile("名单.xlsx", roster_xlsx([("2023300", "赵六", "学生", "", "")])),
        },
    )
    assert good.status_code == 302
    assert RaterEligibility.objects.filter(unit=cast.branch_a, user__username="2023300").exists()
    # C1's organizer cannot choose C2's branch.
    other = client.post(
        url,
        {
            "unit": cast.branch_b.pk,
            "file": SimpleUploadedFile("名单.xlsx", roster_xlsx([("2023301", "钱七", "学生", "", "")])),
        },
    )
    assert other.status_code == 200 and not RaterEligibility.objects.filter(user__username="2023301").exists()


def test_code_sheet_with_qr_codes(world):
    cast, zzb, campaign, student = world
    client = login(cast.officer)
    url = reverse("assessments:codes_new", args=[campaign.pk])
    assert client.get(url).status_code == 200
    sheet = client.post(url, {"unit": cast.branch_a.pk, "count": 3})
    assert sheet.status_code == 200 and sheet.text.count('class="code-qr"') == 3
    assert sheet.text.count("data:image/svg+xml") == 3
    assert "no-store" in sheet["Cache-Control"] or "no-cache" in sheet["Cache-Control"]
    assert (
        client.post(url, {"unit": cast.branch_b.pk, "count": 3}).status_code == 200
    )  # form error, not a sheet
    assert campaign.codes.count() == 3


def test_report_edit_and_download(world, client):
    cast, zzb, campaign, student = world
    b = target_of(campaign, cast.branch_b)
    url = reverse("assessments:report_edit", args=[b.pk])
    assert login(cast.alice).get(url).status_code == 403
    exe = SimpleUploadedFile("report.exe", b"MZ\x90\x00" + b"\x00" * 100)
    refused = login(cast.charlie).post(url, {"report_text": "一年来……", "report_file": exe})
    assert refused.status_code == 200 and not type(b).objects.get(pk=b.pk).report_text
    saved = login(cast.charlie).post(
        url, {"report_text": "一年来，支部……", "report_file": SimpleUploadedFile("述职.pdf", PDF)}
    )
    assert saved.status_code == 302
    download = reverse("assessments:report_file", args=[b.pk])
    assert login(student).get(download).status_code == 200  # on B's roster
    assert login(cast.bob).get(download).status_code == 404  # not on a roster for B
    assert client.get(download).status_code == 404  # anonymous without a code
    code = services.codes_generate(campaign=campaign, unit=cast.branch_b, count=1, by=zzb)[0]
    assert client.post(download, {"code": code}).status_code == 200  # the code in the body
    assert client.get(download, {"code": code}).status_code == 404  # never read from the URL
    code_a = services.codes_generate(campaign=campaign, unit=cast.branch_a, count=1, by=zzb)[0]
    assert client.post(download, {"code": code_a}).status_code == 404
    assert "一年来，支部" in login(student).get(reverse("assessments:rate", args=[campaign.pk])).text


def _backends() -> list[str]:
    """The local-memory cache always; Redis too when the suite runs with REDIS_URL (as CI's second run does)."""
    import os

    return ["locmem"] + (["redis"] if os.environ.get("REDIS_URL") else [])


@pytest.mark.parametrize("backend", _backends())
def test_throttle_counts_every_hit_under_concurrency(settings, backend):
    import os
    import threading

    from assessments import throttle

    if backend == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": os.environ["REDIS_URL"],
            }
        }
    cache.delete(throttle._key("test", "10.0.0.1"))
    results: list[bool] = []

    def work():
        for _ in range(25):
            results.append(throttle.hit("test", "10.0.0.1", limit=150, window=60))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 150 and results.count(False) == 50
    assert cache.get(throttle._key("test", "10.0.0.1")) == 200
    assert throttle.over("test", "10.0.0.1", limit=150)
    cache.delete(throttle._key("test", "10.0.0.1"))


@pytest.mark.parametrize("backend", _backends())
def test_gate_checks_failures_and_counts_submissions(settings, backend):
    import os

    from assessments import throttle

    if backend == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": os.environ["REDIS_URL"],
            }
        }
    who = "10.0.0.2"
    for kind in ("fail", "submit"):
        cache.delete(throttle._key(kind, who))
    assert [throttle.gate(who, blocked=("fail", 2), counted=("submit", 3)) for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    cache.delete(throttle._key("submit", who))
    throttle.hit("fail", who, limit=2)
    assert throttle.gate(who, blocked=("fail", 2), counted=("submit", 3))
    throttle.hit("fail", who, limit=2)
    assert not throttle.gate(who, blocked=("fail", 2), counted=("submit", 3))  # two wrong codes: blocked
    for kind in ("fail", "submit"):
        cache.delete(throttle._key(kind, who))
