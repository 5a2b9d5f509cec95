"""The file a member may attach to their 个人自评 (issue 19), through the one attachment layer
(``branches.attachments``): checked by content on upload, written on commit, downloaded by the member and their
branch's committee only (``assessments.services.evaluation.self_file_may_view``)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models.evaluation import EvaluationEntry
from branches.attachments import AttachmentBase


def self_file_path(instance: EvaluationFile, filename: str) -> str:
    # A random stored name in the evaluation's folder: the uploaded name never reaches the disk or a URL.
    return f"evaluations/{instance.entry.evaluation_id}/{uuid.uuid4().hex}"


class EvaluationFile(AttachmentBase):
    """One optional file of a member's self-evaluation; a new upload replaces it."""

    entry = models.OneToOneField(
        EvaluationEntry,
        on_delete=models.CASCADE,
        related_name="self_file",
        verbose_name=_("evaluation entry"),
    )
    storage_folder = "evaluations"
    file = models.FileField(_("file"), upload_to=self_file_path, max_length=300)

    class Meta(AttachmentBase.Meta):
        verbose_name = _("self-evaluation file")
        verbose_name_plural = _("self-evaluation files")
