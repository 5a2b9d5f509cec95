"""Term renewals (issue 8): reminders 6 and 3 months before, overdue, recording an election."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from branches.dates import add_years, prose_date
from branches.models import Organization, Role
from members.models import TermElection
from members.rules import add_months
from members.selectors.lifecycle import terms_due
from members.services.terms import term_election_record

TODAY = timezone.localdate()


def _term(org, ends_on):
    org.term_years = 3
    org.term_started_on = add_years(ends_on, -3)
    org.save()


def test_reminder_levels(cast):
    _term(cast.branch_a, add_months(TODAY, 5))
    _term(cast.branch_b, add_months(TODAY, 2))
    _term(cast.c2, TODAY - datetime.timedelta(days=1))
    _term(cast.c1, add_months(TODAY, 7))
    levels = {org.code: level for org, _e, level in terms_due(organization=cast.university, today=TODAY)}
    assert levels == {"A": "6", "B": "3", "C2": "overdue"}


def test_election_updates_the_term_and_the_roles(cast):
    _term(cast.branch_a, TODAY - datetime.timedelta(days=10))
    election_day = TODAY - datetime.timedelta(days=2)
    with pytest.raises(PermissionDenied):  # a branch secretary does not record her own branch's election
        term_election_record(
            organization=cast.branch_a,
            elected_on=election_day,
            by=cast.alice,
            seats=[(cast.bob, Role.Kind.SECRETARY)],
        )
    term_election_record(
        organization=cast.branch_a,
        elected_on=election_day,
        by=cast.officer,
        seats=[(cast.bob, Role.Kind.SECRETARY), (cast.alice, Role.Kind.ORGANIZER)],
    )
    branch = Organization.objects.get(pk=cast.branch_a.pk)
    assert branch.term_started_on == election_day and branch.term_ends_on == add_years(election_day, 3)
    current = set(Role.objects.current().filter(organization=branch).values_list("user__username", "kind"))
    assert current == {("bob", "secretary"), ("alice", "organizer")}
    # Her role began today in the cast, so it ends today rather than before it began.
    assert Role.objects.filter(user=cast.alice, kind="secretary", ended_on__isnull=False).exists()
    assert TermElection.objects.get().previous_term_started_on is not None
    with pytest.raises(ValidationError):  # needs exactly one secretary
        term_election_record(organization=cast.branch_a, elected_on=TODAY, by=cast.officer, seats=[])


def test_terms_page(cast, as_officer, as_charlie, django_assert_num_queries):
    _term(cast.branch_a, TODAY)
    url = reverse("members:terms", args=[cast.c1.pk])
    response = as_officer.get(url)
    assert response.status_code == 200 and len(response.context["rows"]) == 1
    assert as_charlie.get(url).status_code == 403
    response = as_officer.post(
        url,
        {
            "organization": cast.branch_a.pk,
            "elected_on": TODAY.isoformat(),
            "term_years": 3,
            "secretary": "bob",
            "member_1": "alice",
            "role_1": "organizer",
            "member_2": "officer",
            "role_2": "publicity",
        },
    )
    assert response.status_code == 302
    branch = Organization.objects.get(pk=cast.branch_a.pk)
    assert branch.term_started_on == TODAY
    told = as_officer.get(response.url).content.decode()  # the message, its date in prose (issue 22)
    assert f"已登记换届选举，新一届任期至{prose_date(branch.term_ends_on)}。" in told
    seats = set(
        Role.objects.current().filter(organization=cast.branch_a).values_list("user__username", "kind")
    )
    assert {("bob", "secretary"), ("alice", "organizer"), ("officer", "publicity")} <= seats


def test_the_election_form_names_roles_in_chinese_and_reports_bad_rows(cast, as_officer):
    url = reverse("members:terms", args=[cast.c1.pk])
    body = as_officer.get(url).content.decode()
    assert "组织委员" in body and "宣传委员" in body and 'name="member_8"' in body
    response = as_officer.post(
        url,
        {
            "organization": cast.branch_a.pk,
            "elected_on": TODAY.isoformat(),
            "term_years": 3,
            "secretary": "bob",
            "member_1": "alice",
            "member_2": "nobody",
            "role_2": "deputy",
            "role_3": "discipline",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["role_1"] and form.errors["member_3"]
    assert Organization.objects.get(pk=cast.branch_a.pk).term_started_on != TODAY


def test_terms_page_query_count_is_fixed(cast, as_officer, django_assert_num_queries):
    url = reverse("members:terms", args=[cast.c1.pk])
    # 1 session, 2 user, 3 unit, 4 view, 5 rules, 6 terms due, 7 manage_members on the unit, 8 parent (may
    # record?), 9 manage_units there, 10 the next election's candidates; template: 11 breadcrumb, 12 the units
    # to choose from, 13 the full members to choose a candidate from.
    with django_assert_num_queries(13):
        as_officer.get(url)
    _term(cast.branch_a, TODAY)
    from tests.factories import make_org

    for i in range(3):
        _term(
            make_org(cast.c1, Organization.Kind.BRANCH, f"支部{i}", code=f"X{i}", category="teacher"), TODAY
        )
    with django_assert_num_queries(13):
        response = as_officer.get(url)
    assert len(response.context["rows"]) == 4
