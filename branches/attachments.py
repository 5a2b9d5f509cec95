"""The attachment layer every app's files use (DESIGN §10, STYLE 14, issue 15): one abstract model and one service.

* ``AttachmentBase`` holds what every attached file records: the name it was uploaded under (the stored name is
  a random one in the owner's folder, so a name never reaches the disk or a URL), the type sniffed from its
  bytes, its size, who uploaded it and when. A subclass adds its owner (meeting, post, grant, development step)
  and its ``file`` field, whose ``upload_to`` names the owner's folder under ``storage_folder``.
* Files follow the transaction. ``attachment_store`` saves the row with the name the file will have and writes
  the bytes in ``transaction.on_commit``: a rolled-back upload leaves neither row nor file. ``attachment_remove``
  deletes the row and the file only on commit: a rolled-back delete keeps both. (Before, the file went first, so
  a rollback left a row pointing at nothing.) Any delete of an attachment row, a record's cascade or the admin's
  included, takes its file on commit through a post_delete receiver.
* ``attachment_response`` is the one download: always an attachment (never opened in the page), typed as
  sniffed at upload, not cached by shared caches, 404 when the file is gone. Who may download is the caller's
  permission hook (``may_view``), as each owner's rule differs.
* ``attachment_orphans`` finds stored files no row names (a crash between the commit and the write or the delete,
  files from before this layer, a database restored from an older copy) and rows whose file is missing;
  ``manage.py attachments_orphans`` reports them.

This module imports no other app: the owners' models are found through ``AttachmentBase``'s subclasses.
"""

from __future__ import annotations

import posixpath
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _

from branches.uploads import upload_check


class AttachmentBase(models.Model):
    """A file attached to a record. Subclasses declare ``file = models.FileField(_("file"), upload_to=…)`` with
    their folder's path function and set ``storage_folder`` (the first part of every stored name)."""

    storage_folder: str = ""

    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


def _file_field(model: type[models.Model]) -> Any:
    """The model's ``file`` field (each subclass declares its own, with its folder's ``upload_to``)."""
    return model._meta.get_field("file")


@dataclass(frozen=True)
class Checked:
    """An upload that passed the content check, with the type sniffed from its bytes."""

    upload: Any  # an UploadedFile
    content_type: str


def attachments_check(uploads: Iterable, *, max_bytes: int | None = None) -> list[Checked]:
    """Every upload through the content check (``branches.uploads.upload_check``) before any is stored, so a
    refused file leaves nothing half-recorded. ``max_bytes`` defaults to the minutes' limit."""
    limit = max_bytes if max_bytes is not None else settings.MEETING_ATTACHMENT_MAX_BYTES
    return [Checked(upload, upload_check(upload, max_bytes=limit)) for upload in uploads]


def _spool(upload: Any) -> File:
    """A copy of the upload's bytes that outlives the request. The request closes (and for a large upload,
    deletes) its files when the response is sent, which may come before the commit (a caller's outer atomic
    block); the copy stays in memory up to Django's upload threshold and goes to a temporary file beyond."""
    copy = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)
    upload.seek(0)
    for chunk in upload.chunks():
        copy.write(chunk)
    copy.seek(0)
    return File(copy, name=upload.name)


def _write(model: Any, pk: int, name: str, content: File) -> None:
    field = _file_field(model)
    with content:
        saved = field.storage.save(name, content, max_length=field.max_length)
    if saved != name:  # the storage chose another name (one was taken): the row follows it
        model.objects.filter(pk=pk).update(file=saved)


def attachment_store(*, model: Any, checked: Checked, by: Any, **owner: Any) -> AttachmentBase:
    """Record one checked upload on its owner (``meeting=…``, ``post=…``, ``grant=…, report=…``, ``step=…``).
    The row is saved now with the name the file will have; the bytes are written when the transaction commits."""
    upload = checked.upload
    attachment = model(
        **owner,
        name=(upload.name or "")[:200],
        content_type=checked.content_type,
        size=upload.size,
        uploaded_by=by,
    )
    attachment.file.name = _file_field(model).generate_filename(attachment, upload.name or "")
    attachment.save()
    pk, name, content = attachment.pk, attachment.file.name, _spool(upload)
    transaction.on_commit(lambda: _write(model, pk, name, content))
    return attachment


def _file_follows_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    """post_delete of every attachment model: the file goes when the delete commits (a rollback keeps it)."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def connect_file_deletes() -> None:
    """Connected per concrete model (branches' AppConfig.ready), never for every sender: a receiver without a
    sender would turn off Django's fast delete for every model of the portal."""
    for model in attachment_models():
        post_delete.connect(
            _file_follows_delete, sender=model, dispatch_uid=f"attachment-file:{model._meta.label}"
        )


def attachments_remove(attachments: models.QuerySet | Iterable[AttachmentBase]) -> int:
    """Delete the rows now (a queryset in one statement); their files go when the transaction commits (the
    post_delete receiver above, which a record's cascade triggers too). Returns how many rows were removed."""
    if isinstance(attachments, models.QuerySet):
        return attachments.delete()[1].get(attachments.model._meta.label, 0)
    count = 0
    for attachment in attachments:
        attachment.delete()
        count += 1
    return count


def attachment_remove(*, attachment: Any) -> None:
    """One attachment: the row now, its file on commit (a rolled-back delete keeps both)."""
    attachments_remove([attachment])


def attachment_response(
    *, attachment: Any, user: Any = None, may_view: Callable[[Any], bool] | None = None
) -> FileResponse:
    """The download: ``may_view(user)`` decides (PermissionDenied otherwise); always an attachment under its
    uploaded name, typed as sniffed, ``nosniff`` so a browser never reinterprets it, and ``no-store`` so a shared
    cache or the next user of a campus computer does not keep it."""
    if may_view is not None and not may_view(user):
        raise PermissionDenied
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- orphans ---------------------------------------------------------------------------------------------------


def attachment_models() -> list[Any]:
    """Every concrete attachment model of the installed apps."""
    return [model for model in apps.get_models() if issubclass(model, AttachmentBase)]


def _walk(storage: Any, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield posixpath.join(folder, name)
    for sub in folders:
        yield from _walk(storage, posixpath.join(folder, sub))


@dataclass
class Orphans:
    files: list[tuple[Any, str]] = field(default_factory=list)  # (storage, name): stored, no row names it
    missing: list[tuple[str, int, str]] = field(default_factory=list)  # (model label, pk, name): row, no file


def attachment_orphans() -> Orphans:
    """Stored files under the attachment folders that no row names, and rows whose file is gone.

    The files are listed *before* the rows are read: a file is written only after its row committed, so any
    file seen here has its row visible to the query that follows, and an upload in flight is never taken for
    an orphan."""
    found = Orphans()
    by_storage: dict[int, tuple[Any, set[str], set[str]]] = {}
    for model in attachment_models():
        storage = _file_field(model).storage
        entry = by_storage.setdefault(id(storage), (storage, set(), set()))
        if model.storage_folder:
            entry[1].update(_walk(storage, model.storage_folder))
    for model in attachment_models():
        storage = _file_field(model).storage
        stored = by_storage[id(storage)][1]
        named = by_storage[id(storage)][2]
        for pk, name in model.objects.values_list("pk", "file").iterator():
            named.add(name)
            if name not in stored and not storage.exists(name):
                found.missing.append((model._meta.label, pk, name))
    for storage, stored, named in by_storage.values():
        found.files.extend((storage, name) for name in sorted(stored - named))
    return found
