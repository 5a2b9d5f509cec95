"""The one upload check (branches.uploads): by size, by content, and by a name that agrees with the content."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from branches.uploads import upload_check

GIF = b"GIF89a" + b"\x00" * 40
PDF = b"%PDF-1.7\n" + b"0" * 40


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("会议照片.gif", GIF, "image/gif"),
        ("纪要.PDF", PDF, "application/pdf"),
        ("scan.jpeg", b"\xff\xd8\xff\xe0" + b"0" * 20, "image/jpeg"),
    ],
)
def test_a_file_whose_name_matches_its_content_is_accepted(name, data, content_type):
    assert upload_check(SimpleUploadedFile(name, data), max_bytes=10_000) == content_type


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("x.html", GIF),
        ("x.svg", GIF),
        ("纪要.pdf", GIF),
        ("photo.gif", PDF),
        ("noextension", PDF),
        ("report.pdf.html", PDF),
    ],
)
def test_a_name_that_disagrees_with_the_content_is_refused(name, data):
    with pytest.raises(ValidationError) as refused:
        upload_check(SimpleUploadedFile(name, data), max_bytes=10_000)
    assert name in refused.value.messages[0]


def test_content_and_size_are_still_checked_first():
    with pytest.raises(ValidationError):
        upload_check(SimpleUploadedFile("x.pdf", b"MZ\x90\x00" + b"\x00" * 100), max_bytes=10_000)
    with pytest.raises(ValidationError):
        upload_check(SimpleUploadedFile("x.pdf", PDF * 1000), max_bytes=1024)
