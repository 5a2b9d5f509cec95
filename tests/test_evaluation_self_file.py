"""The 个人自评's optional file (issue 19) through the one attachment layer: checked by its bytes (type, size,
a name that lies about its content) with a Chinese message, a new file replaces the old, and only the member and
their branch's own committee download it."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models.evaluation import MemberEvaluation
from assessments.models.evaluation_files import EvaluationFile
from assessments.services import evaluation as services
from branches.models import Role
from branches.services import role_assign
from tests.conftest import login
from tests.crawl.world import PDF
from tests.factories import MemberFactory, UserFactory

TODAY = datetime.date(2026, 12, 10)


@pytest.fixture
def evaluation(cast) -> MemberEvaluation:
    MemberFactory(branch=cast.branch_a)
    return services.evaluation_open(branch=cast.branch_a, year=2026, by=cast.alice, today=TODAY)


def _send(client, evaluation, upload, text="本年度认真履行党员义务。"):
    return client.post(
        reverse("evaluation:vote", args=[evaluation.pk]), {"self_text": text, "self_file": upload}
    )


def test_member_attaches_and_replaces_a_file(cast, evaluation, settings, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = settings.MEDIA_ROOT / "self-file-test"
    bob = login(cast.bob)
    with django_capture_on_commit_callbacks(execute=True):
        assert _send(bob, evaluation, SimpleUploadedFile("自评.pdf", PDF)).status_code == 302
    first = EvaluationFile.objects.get()
    assert (first.name, first.content_type, first.entry.member) == (
        "自评.pdf",
        "application/pdf",
        cast.bob_member,
    )
    assert "自评" not in first.file.name  # stored under a random name
    page = bob.get(reverse("evaluation:vote", args=[evaluation.pk])).content.decode()
    assert "自评.pdf" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert _send(bob, evaluation, SimpleUploadedFile("自评（修改）.pdf", PDF)).status_code == 302
    assert list(EvaluationFile.objects.values_list("name", flat=True)) == ["自评（修改）.pdf"]
    download = bob.get(reverse("evaluation:self_file", args=[first.entry_id]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("script.pdf", b"<script>alert(1)</script>", "不是"),  # not what a PDF holds
        ("photo.png", PDF, "扩展名与文件内容"),  # a PDF named as an image
    ],
)
def test_hostile_files_refused_in_chinese(cast, evaluation, name, content, message):
    page = _send(login(cast.bob), evaluation, SimpleUploadedFile(name, content))
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not EvaluationFile.objects.exists()


@pytest.mark.parametrize(("extra", "ok"), [(0, True), (1, False)])
def test_size_limit_exactly_and_one_byte_over(
    cast, evaluation, settings, django_capture_on_commit_callbacks, extra, ok
):
    settings.MEDIA_ROOT = settings.MEDIA_ROOT / "self-file-test"
    settings.EVALUATION_FILE_MAX_BYTES = len(PDF) + 10
    content = PDF + b"\n" * (10 + extra)
    with django_capture_on_commit_callbacks(execute=True):
        page = _send(login(cast.bob), evaluation, SimpleUploadedFile("自评.pdf", content))
    assert EvaluationFile.objects.exists() is ok
    if not ok:
        assert "大于" in page.content.decode() or "超过" in page.content.decode()


def test_closed_evaluation_refuses_the_file(cast, evaluation):
    MemberEvaluation.objects.filter(pk=evaluation.pk).update(status=MemberEvaluation.Status.COUNTED)
    entry = services.entry_of(evaluation=evaluation, user=cast.bob)
    with pytest.raises(Exception):
        services.self_evaluation_file_store(entry=entry, upload=SimpleUploadedFile("a.pdf", PDF), by=cast.bob)
    assert not EvaluationFile.objects.exists()


def test_only_the_member_and_the_branch_committee_download(
    cast, evaluation, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = settings.MEDIA_ROOT / "self-file-test"
    with django_capture_on_commit_callbacks(execute=True):
        _send(login(cast.bob), evaluation, SimpleUploadedFile("自评.pdf", PDF))
    entry = EvaluationFile.objects.get().entry
    url = reverse("evaluation:self_file", args=[entry.pk])
    organiser = UserFactory(username="zuzhi")
    role_assign(user=organiser, organization=cast.branch_a, kind=Role.Kind.ORGANIZER)
    colleague = UserFactory(username="colleague")
    MemberFactory(branch=cast.branch_a, user=colleague)
    assert login(cast.bob).get(url).status_code == 200  # the member
    assert login(cast.alice).get(url).status_code == 200  # the branch's secretary
    assert login(organiser).get(url).status_code == 200  # a member of the branch committee
    assert login(colleague).get(url).status_code == 404  # another member of the branch
    assert login(cast.officer).get(url).status_code == 404  # the committee above: not the branch committee
    assert login(cast.charlie).get(url).status_code == 404  # another branch
    assert login(cast.alice).get(reverse("evaluation:self_file", args=[entry.pk + 999])).status_code == 404
    # the evaluation page links the file for the branch committee, not for the committee above
    detail = reverse("evaluation:detail", args=[evaluation.pk])
    assert f'data-self-file="{entry.pk}"' in login(cast.alice).get(detail).content.decode()
    above = login(cast.officer).get(detail)
    assert above.status_code == 200 and f'data-self-file="{entry.pk}"' not in above.content.decode()
