"""The 党内统计 fields edited on a member's record (issue 21): the branch (or a unit above) edits ethnicity,
education, occupation and a student's level, bounded, with history; 信息完整度 shows the edit at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from members import statistics
from members.models import Member
from members.services.stat_fields import member_stat_fields_update
from tests.conftest import login
from tests.factories import MemberFactory


def _post(client, member, **data):
    return client.post(
        reverse("members:stat_fields", args=[member.pk]),
        {"ethnicity": "回族", "education": "master", "occupation": "professional", **data},
    )


def _filled(unit, field: str) -> int:
    (row,) = statistics.completeness(unit=unit)
    return row.filled[field]


def test_who_may_edit(cast):
    url = reverse("members:stat_fields", args=[cast.bob_member.pk])
    assert login(cast.alice).get(url).status_code == 200  # the branch
    assert login(cast.officer).get(url).status_code == 200  # the committee above
    assert login(cast.charlie).get(url).status_code == 403  # another branch
    assert login(cast.bob).get(url).status_code == 403  # the member himself
    assert _post(login(cast.charlie), cast.bob_member).status_code == 403
    assert login(cast.alice).put(url).status_code == 405
    with pytest.raises(PermissionDenied):
        member_stat_fields_update(
            member=cast.bob_member,
            by=cast.charlie,
            ethnicity="汉族",
            education="",
            occupation="",
            student_level="",
        )
    assert Member.objects.get(pk=cast.bob_member.pk).education == ""


def test_the_branch_edits_and_completeness_shows_it_at_once(cast):
    client = login(cast.alice)
    page = client.get(reverse("members:detail", args=[cast.bob_member.pk])).content.decode()
    assert reverse("members:stat_fields", args=[cast.bob_member.pk]) in page
    before = _filled(cast.branch_a, "education")
    assert _post(client, cast.bob_member).status_code == 302
    member = Member.objects.get(pk=cast.bob_member.pk)
    assert (member.ethnicity, member.education, member.occupation) == ("回族", "master", "professional")
    assert _filled(cast.branch_a, "education") == before + 1
    latest = member.history.first()
    assert latest.history_user == cast.alice and latest.history_change_reason == "statistics fields"
    page = client.get(reverse("members:stat_fields", args=[member.pk])).content.decode()
    assert 'id="stat-fields-history"' in page and "alice" in page
    # Sending the same values again writes nothing.
    count = member.history.count()
    assert _post(client, cast.bob_member).status_code == 302
    assert member.history.count() == count
    # The member sees the fields on his own record, without the link.
    own = login(cast.bob).get(reverse("members:me")).content.decode()
    assert 'id="stat-fields"' in own and reverse("members:stat_fields", args=[member.pk]) not in own


def test_an_applicant_is_edited_the_same_way(cast):
    applicant = MemberFactory(
        branch=cast.branch_b, stage=Member.Stage.APPLICANT, joined_on=None, full_on=None
    )
    response = _post(login(cast.charlie), applicant, student_level="undergraduate", occupation="student")
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert (applicant.student_level, applicant.education) == ("undergraduate", "master")
    # Linked from the development case, where the branch runs the applicant's development.
    from members.models import DevelopmentCase

    case = DevelopmentCase.objects.create(member=applicant)
    page = login(cast.charlie).get(reverse("members:development_case", args=[case.pk])).content.decode()
    assert reverse("members:stat_fields", args=[applicant.pk]) in page and "硕士" in page


def test_bounds(cast):
    client = login(cast.alice)
    for data, field in (
        ({"ethnicity": ""}, "ethnicity"),
        ({"ethnicity": "汉" * 21}, "ethnicity"),
        ({"ethnicity": "Han"}, "ethnicity"),
        ({"education": "phd"}, "education"),
        ({"occupation": "astronaut"}, "occupation"),
    ):
        response = _post(client, cast.bob_member, **data)
        assert response.status_code == 400 and field in response.context["form"].errors, data
    # A teacher has no student level: the form does not offer it and the service refuses it.
    assert (
        "student_level"
        not in login(cast.alice)
        .get(reverse("members:stat_fields", args=[cast.bob_member.pk]))
        .context["form"]
        .fields
    )
    with pytest.raises(ValidationError) as exc:
        member_stat_fields_update(
            member=cast.bob_member,
            by=cast.alice,
            ethnicity="汉族",
            education="",
            occupation="",
            student_level="master",
        )
    assert "student_level" in exc.value.message_dict
    assert Member.objects.get(pk=cast.bob_member.pk).ethnicity == "汉族"
