"""Care visits (issue 8): occasions as data, visits, overdue occasions, the report once per half-year."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from members.models import CareOccasionKind
from members.selectors.lifecycle import care_occasions, lifecycle_due
from members.services.care import care_occasion_note, care_report_submit, care_visit_record

TODAY = timezone.localdate()
D = datetime.timedelta


def test_four_occasions_are_data(db):
    assert set(CareOccasionKind.objects.values_list("code", flat=True)) == {
        "illness",
        "hardship",
        "bereavement",
        "old_member",
    }


def test_unvisited_occasion_turns_overdue_and_a_visit_clears_it(cast):
    illness = CareOccasionKind.objects.get(code="illness")
    occasion = care_occasion_note(
        member=cast.bob_member, kind=illness, noted_on=TODAY - D(days=8), by=cast.alice
    )
    assert care_occasions(organization=cast.branch_a, today=TODAY)[0]["overdue"]
    assert any(
        i.topic == "care" and i.overdue for i in lifecycle_due(organization=cast.branch_a, today=TODAY)
    )
    with pytest.raises(ValidationError):
        care_visit_record(occasion=occasion, visited_on=TODAY - D(days=9), visitors="艾丽", by=cast.alice)
    with pytest.raises(PermissionDenied):
        care_visit_record(occasion=occasion, visited_on=TODAY, visitors="查理", by=cast.charlie)
    care_visit_record(
        occasion=occasion, visited_on=TODAY, visitors="艾丽", help_given="慰问金", by=cast.alice
    )
    assert not care_occasions(organization=cast.branch_a, today=TODAY)[0]["overdue"]
    assert not [i for i in lifecycle_due(organization=cast.branch_a, today=TODAY) if i.topic == "care"]


def test_report_once_per_half_year(cast):
    care_report_submit(branch=cast.branch_a, year=2026, half=1, text="走访3人次", by=cast.alice)
    with pytest.raises(ValidationError):
        care_report_submit(branch=cast.branch_a, year=2026, half=1, text="again", by=cast.alice)


def test_care_page(cast, as_alice, as_charlie):
    url = reverse("members:care", args=[cast.branch_a.pk])
    kind = CareOccasionKind.objects.get(code="hardship")
    response = as_alice.post(
        url,
        {"action": "occasion", "member": cast.bob_member.pk, "kind": kind.pk, "noted_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    assert as_alice.get(url).status_code == 200
    assert as_charlie.get(url).status_code == 403


def test_care_page_query_count_is_fixed(cast, as_alice, django_assert_num_queries):
    url = reverse("members:care", args=[cast.branch_a.pk])
    illness = CareOccasionKind.objects.get(code="illness")
    care_occasion_note(member=cast.bob_member, kind=illness, noted_on=TODAY, by=None)
    # 1 session, 2 user, 3 unit, 4 view, 5 manage, 6 occasions with person and kind, 7 their visits
    # (skipped by Django when there is no occasion), 8 the branch's reports; template: 9 breadcrumb,
    # 10 member choices, 11 occasion kinds.
    with django_assert_num_queries(11):
        as_alice.get(url)
    for _ in range(3):
        occasion = care_occasion_note(member=cast.bob_member, kind=illness, noted_on=TODAY, by=None)
        care_visit_record(occasion=occasion, visited_on=TODAY, visitors="艾丽", by=None)
    care_report_submit(branch=cast.branch_a, year=2025, half=2, text="走访", by=None)
    with django_assert_num_queries(11):
        response = as_alice.get(url)
    assert len(response.context["rows"]) == 4
