"""What every app's uploads share: the content check (size first, then the type sniffed from the bytes, never
trusted from the name or the browser) and a form field for several files. It sits in the lowest app so that
``members`` (development documents), ``disclosure`` (minutes, posts) and higher apps use one check.
"""

from __future__ import annotations

import zipfile

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

OFFICE_ZIP_PARTS = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def sniff(head: bytes, upload) -> str | None:
    """The content type of an allowed file, or None: PDF, PNG, JPEG, GIF, Office (OOXML and legacy)."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: .doc, .xls, .ppt
        return "application/x-ole-storage"
    if head.startswith(b"PK\x03\x04"):
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            for prefix, content_type in OFFICE_ZIP_PARTS.items():
                if any(name.startswith(prefix) for name in names):
                    return content_type
    return None


# The names each sniffed type may carry. A browser, and the person who downloads the file later, go by the
# name: GIF bytes named x.html would be served as an attachment but opened as a page once saved.
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "application/x-ole-storage": (".doc", ".xls", ".ppt", ".wps", ".et", ".dps"),
    OFFICE_ZIP_PARTS["word/"]: (".docx",),
    OFFICE_ZIP_PARTS["xl/"]: (".xlsx",),
    OFFICE_ZIP_PARTS["ppt/"]: (".pptx",),
}


def upload_check(upload, *, max_bytes: int) -> str:
    """Refuse a file over ``max_bytes``, one that is not a PDF, an image or an Office document *by content*
    (an .exe renamed .pdf is refused), or one whose name's extension disagrees with its content (GIF bytes named
    x.html). Returns the sniffed content type to store and serve it with."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("%(name)s is larger than %(mb)d MB.") % {"name": upload.name, "mb": max_bytes // (1024 * 1024)}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff(head, upload)
    if content_type is None:
        raise ValidationError(
            _("%(name)s is not a PDF, an image (PNG, JPEG, GIF) or an Office document.")
            % {"name": upload.name}
        )
    name = (upload.name or "").lower()
    if not name.endswith(EXTENSIONS[content_type]):
        raise ValidationError(
            _("%(name)s does not end in what it contains (%(expected)s): rename it or choose the right file.")
            % {"name": upload.name, "expected": " / ".join(EXTENSIONS[content_type])}
        )
    return content_type


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type="file" multiple>`` (Django docs, "Uploading multiple files")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        if isinstance(data, (list, tuple)):
            return [single_file_clean(item, initial) for item in data if item]
        cleaned = single_file_clean(data, initial)
        return [cleaned] if cleaned else []
