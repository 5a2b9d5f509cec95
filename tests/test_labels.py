"""One English word, two meanings (issue 14 item 8): 换届 is not 申报要求, and a person's 姓名 is not a unit's 名称.

The catalogue keeps both meanings apart with pgettext contexts ("election" / "grant call", "person"); these
pages are where a reader saw the wrong one.
"""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"<[^>]+>", " ", response.content.decode())


def test_the_terms_pages_say_huanjie(cast, as_alice):
    for name in ("members:terms", "members:unit"):
        body = _text(as_alice.get(reverse(name, args=[cast.branch_a.pk])))
        assert "申报要求" not in body
    terms = as_alice.get(reverse("members:terms", args=[cast.branch_a.pk])).content.decode()
    assert re.search(r"<title>\s*换届", terms)


def test_a_persons_name_reads_xingming(cast, as_alice):
    pages = [
        reverse("members:detail", args=[cast.bob_member.pk]),
        reverse("members:roster", args=[cast.branch_a.pk]),
        reverse("disclosure:create", args=[cast.branch_a.pk]),
        reverse("members:development", args=[cast.branch_a.pk]),
    ]
    for url in pages:
        body = _text(as_alice.get(url))
        assert "姓名" in body, url
        assert "名称" not in body, url


def test_a_units_name_still_reads_mingcheng(cast, as_officer):
    body = _text(as_officer.get(reverse("members:unit", args=[cast.c1.pk])))  # its subunits' table
    assert "名称" in body and "姓名" not in body
