"""The attachment layer (branches/attachments.py, issue 15): files follow the transaction, one download, the
orphans command. The meeting's attachments stand for all four kinds (meeting, post, grant, development step):
they share the model and the service."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from branches.attachments import AttachmentBase, attachment_models, attachment_orphans, attachment_response
from disclosure.models import Attachment, Meeting
from disclosure.services import attachment_delete, meeting_save

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


class Boom(Exception):
    pass


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _meeting(cast, *, attachments=()) -> Meeting:
    held = timezone.localtime() - datetime.timedelta(days=1)
    return meeting_save(
        by=cast.alice,
        organization=cast.branch_a,
        attendance=[],
        attachments=attachments,
        data={
            "kind": "general_assembly",
            "held_at": held,
            "place": "会议室",
            "topics": "学习党章",
            "minutes": "<p>讨论</p>",
            "takes_vote": False,
        },
    )


def _pdf(name="纪要.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _stored(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_the_attachment_kinds_share_the_base():
    labels = {model._meta.label for model in attachment_models()}
    assert labels == {
        "disclosure.Attachment",
        "disclosure.PostAttachment",
        "projects.GrantFile",
        "members.DevelopmentDocument",
        "assessments.EvaluationFile",  # the 个人自评's file (issue 19)
    }
    assert all(issubclass(model, AttachmentBase) and model.storage_folder for model in attachment_models())


def test_a_committed_upload_writes_its_file_under_a_random_name(
    cast, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _meeting(cast, attachments=(_pdf(),))
    attachment = meeting.attachments.get()
    assert attachment.name == "纪要.pdf" and attachment.content_type == "application/pdf"
    assert attachment.file.name.startswith(f"meetings/{meeting.pk}/") and "纪要" not in attachment.file.name
    assert _stored(settings) == [attachment.file.name]
    assert attachment.file.read() == PDF


def test_a_rolled_back_upload_leaves_no_file(cast, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Boom), transaction.atomic():
            _meeting(cast, attachments=(_pdf(),))
            raise Boom  # e.g. a later step of the same request fails
    assert not Attachment.objects.exists()
    assert _stored(settings) == []
    assert callbacks == []  # the write was discarded with the savepoint, never run


def test_a_refused_file_stores_nothing(cast, settings, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        _meeting(cast, attachments=(_pdf(), SimpleUploadedFile("a.pdf", b"MZ\x90\x00" + b"\x00" * 64)))
    assert not Attachment.objects.exists() and _stored(settings) == []


def test_a_rolled_back_delete_keeps_the_file_and_a_committed_one_removes_it(
    cast, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _meeting(cast, attachments=(_pdf(),))
    attachment = meeting.attachments.get()
    pk, name = attachment.pk, attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(Boom), transaction.atomic():
            attachment_delete(attachment=attachment, by=cast.alice)
            raise Boom
    assert Attachment.objects.filter(pk=pk).exists()
    assert _stored(settings) == [name]  # the row and its file, both kept

    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(attachment=Attachment.objects.get(pk=pk), by=cast.alice)
        assert _stored(settings) == [name]  # still there until the commit
    assert not Attachment.objects.exists() and _stored(settings) == []


def test_a_cascade_takes_the_files_on_commit_and_a_rollback_keeps_them(
    cast, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _meeting(cast, attachments=(_pdf(), _pdf("二.pdf")))
    assert len(_stored(settings)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(Boom), transaction.atomic():
            Meeting.objects.filter(pk=meeting.pk).delete()
            raise Boom
    assert len(_stored(settings)) == 2 and Attachment.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        Meeting.objects.filter(pk=meeting.pk).delete()  # the record's cascade, as the admin's delete does
    assert _stored(settings) == [] and not Attachment.objects.exists()


def test_the_download_is_an_uncached_typed_attachment_or_404(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _meeting(cast, attachments=(_pdf("会议 纪要.pdf"),))
    attachment = meeting.attachments.get()
    response = attachment_response(attachment=attachment, user=cast.alice, may_view=lambda user: True)
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and "filename*=utf-8''" in response["Content-Disposition"]
    )
    assert (
        response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "private, no-store"
    )
    assert b"".join(response.streaming_content) == PDF
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        attachment_response(attachment=attachment, user=cast.bob, may_view=lambda user: False)
    attachment.file.storage.delete(attachment.file.name)
    with pytest.raises(Http404):
        attachment_response(attachment=Attachment.objects.get(pk=attachment.pk))


def test_attachments_orphans_lists_by_default_and_deletes_on_request(
    cast, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _meeting(cast, attachments=(_pdf(), _pdf("二.pdf")))
    kept, gone = meeting.attachments.all()
    storage = kept.file.storage
    orphan = storage.save("posts/999/abandoned", ContentFile(b"x"))  # e.g. from before files followed deletes
    outside = storage.save("exports/keep.txt", ContentFile(b"x"))  # not an attachment folder: never touched
    gone.file.storage.delete(gone.file.name)  # a row whose file is missing

    found = attachment_orphans()
    assert [name for _s, name in found.files] == [orphan]
    assert found.missing == [("disclosure.Attachment", gone.pk, gone.file.name)]

    out = io.StringIO()
    call_command("attachments_orphans", stdout=out)
    assert f"orphan file: {orphan}" in out.getvalue() and "Dry run" in out.getvalue()
    assert storage.exists(orphan)

    out = io.StringIO()
    call_command("attachments_orphans", "--delete", stdout=out)
    assert "1 orphaned file(s) deleted" in out.getvalue()
    assert not storage.exists(orphan) and storage.exists(outside) and storage.exists(kept.file.name)
    assert Attachment.objects.filter(pk=gone.pk).exists()  # a row is for a person to decide on
