"""换届 candidates (issue 21.3): a unit records the candidates of its next election on its terms page; the
ballot and the tally sheet list them (read back with python-docx); the list of an election held stays as
its record. Permissions with the cast, the one-time key, bounds, the page's query count."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

import docx
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.models import Member, TermCandidate
from members.selectors.lifecycle import term_candidates
from members.services.terms import term_candidate_add, term_candidate_remove, term_election_record
from tests.conftest import login
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

TERM_STARTED = datetime.date(2023, 6, 1)


@pytest.fixture
def unit(cast, time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    cast.branch_a.term_started_on = TERM_STARTED
    cast.branch_a.save(update_fields=["term_started_on"])
    return cast


def _key(client, unit) -> str:
    page = client.get(reverse("members:terms", args=[unit.pk]))
    assert page.status_code == 200
    return str(page.context["candidate_form"]["request_key"].value())


def _tables(client, unit, key) -> list[list[list[str]]]:
    response = client.get(reverse("members:term_docx", args=[unit.pk, key]))
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def test_candidates_are_added_once_listed_and_printed(unit, as_alice):
    c = unit
    url = reverse("members:term_candidates", args=[c.branch_a.pk])
    key = _key(as_alice, c.branch_a)
    assert as_alice.post(url, {"member": c.bob_member.pk, "request_key": key}).status_code == 302
    # The same form sent twice (a double click): one candidate.
    assert as_alice.post(url, {"member": c.bob_member.pk, "request_key": key}).status_code == 302
    assert (
        as_alice.post(
            url, {"member": c.alice_member.pk, "request_key": _key(as_alice, c.branch_a)}
        ).status_code
        == 302
    )
    assert [x.member.name for x in term_candidates(organization=c.branch_a)] == ["鲍勃", "艾丽"]
    again = as_alice.post(url, {"member": c.bob_member.pk, "request_key": _key(as_alice, c.branch_a)})
    assert again.status_code == 400 and "鲍勃已是候选人" in again.content.decode()
    candidate = TermCandidate.objects.get(member=c.bob_member)
    assert candidate.term_started_on == TERM_STARTED and candidate.recorded_by == c.alice
    assert candidate.history.count() == 1 and candidate.history.get().history_user == c.alice
    # The ballot: one column per candidate, a row to mark; the tally: one row per candidate.
    assert _tables(as_alice, c.branch_a, "term-ballot") == [[["鲍勃", "艾丽"], ["", ""]]]
    assert _tables(as_alice, c.branch_a, "term-tally") == [
        [
            ["候选人", "赞成", "不赞成", "弃权", "另选他人"],
            ["鲍勃", "", "", "", ""],
            ["艾丽", "", "", "", ""],
        ]
    ]
    page = as_alice.get(reverse("members:terms", args=[c.branch_a.pk])).content.decode()
    assert 'id="term-candidates"' in page and "鲍勃" in page
    for key in ("term-request", "term-election-rules", "term-ballot", "term-tally", "term-resolution"):
        assert reverse("members:term_docx", args=[c.branch_a.pk, key]) in page


def test_a_candidate_is_a_full_member_of_the_unit(unit, as_alice):
    c = unit
    probationary = MemberFactory(branch=c.branch_a, name="叶预备", stage=Member.Stage.PROBATIONARY)
    left = MemberFactory(branch=c.branch_a, name="罗离校", is_active=False)
    url = reverse("members:term_candidates", args=[c.branch_a.pk])
    for member in (probationary, left, c.charlie_member):  # not offered: the form refuses them
        response = as_alice.post(url, {"member": member.pk, "request_key": _key(as_alice, c.branch_a)})
        assert response.status_code == 400
    with pytest.raises(ValidationError, match="正式党员|full member"):
        term_candidate_add(organization=c.branch_a, member=probationary, by=c.alice)
    assert not TermCandidate.objects.exists()
    assert as_alice.post(url, {"member": "x", "request_key": "not-a-key"}).status_code == 400


def test_the_list_is_bounded(unit):
    c = unit
    TermCandidate.MAX_PER_ELECTION, saved = 2, TermCandidate.MAX_PER_ELECTION
    try:
        term_candidate_add(organization=c.branch_a, member=c.alice_member, by=c.alice)
        term_candidate_add(organization=c.branch_a, member=c.bob_member, by=c.alice)
        third = MemberFactory(branch=c.branch_a, name="何第三")
        with pytest.raises(ValidationError, match="2"):
            term_candidate_add(organization=c.branch_a, member=third, by=c.alice)
    finally:
        TermCandidate.MAX_PER_ELECTION = saved


def test_who_keeps_the_list(unit, as_alice, as_charlie):
    c = unit
    url = reverse("members:term_candidates", args=[c.branch_a.pk])
    data = {"member": c.bob_member.pk}
    assert as_charlie.post(url, data).status_code == 403  # another committee's branch
    assert login(c.bob).post(url, data).status_code == 403  # a member without a role
    assert as_alice.get(url).status_code == 405
    assert login(c.officer).post(url, data).status_code == 302  # the committee above
    candidate = TermCandidate.objects.get()
    # Taken off by its unit; through another unit's address it is not found.
    other = reverse("members:term_candidates", args=[c.branch_b.pk])
    assert as_charlie.post(other, {"remove": candidate.pk}).status_code == 404
    assert as_alice.post(url, {"remove": "x"}).status_code == 404
    assert as_alice.post(url, {"remove": candidate.pk}).status_code == 302
    assert not TermCandidate.objects.exists()


def test_an_election_held_keeps_its_list_and_the_next_starts_empty(unit, as_alice):
    c = unit
    candidate = term_candidate_add(organization=c.branch_a, member=c.bob_member, by=c.alice)
    term_election_record(
        organization=c.branch_a,
        elected_on=datetime.date(2026, 5, 18),
        seats=[(c.bob, "secretary")],
        by=c.officer,
    )
    c.branch_a.refresh_from_db()
    assert list(term_candidates(organization=c.branch_a)) == []
    assert TermCandidate.objects.get().term_started_on == TERM_STARTED  # the record of who stood
    with pytest.raises(ValidationError, match="已举行|been held"):
        term_candidate_remove(candidate=candidate, by=c.bob)  # the new secretary
    # None recorded for the next: the ballot leaves one blank more than the seats (3) for the names.
    assert _tables(login(c.bob), c.branch_a, "term-ballot") == [[["", "", "", ""], ["", "", "", ""]]]
    page = login(c.bob).get(reverse("members:terms", args=[c.branch_a.pk])).content.decode()
    assert 'id="no-candidates"' in page


def test_the_terms_page_reads_the_candidates_in_fixed_queries(unit, as_alice, django_assert_num_queries):
    c = unit
    url = reverse("members:terms", args=[c.branch_a.pk])
    term_candidate_add(organization=c.branch_a, member=c.alice_member, by=c.alice)
    as_alice.get(url)
    # 1 session, 2 user, 3 unit, 4 view, 5 rules, 6 terms due, 7 manage_members on the unit, 8 parent (may
    # record?), 9 manage_units there, 10 the candidates with their members; template: 11 breadcrumb, 12 the
    # full members to choose a candidate from (a branch's secretary records no election: no units to choose)
    with django_assert_num_queries(12):
        first = as_alice.get(url)
    for name in ("何一", "何二"):
        term_candidate_add(
            organization=c.branch_a, member=MemberFactory(branch=c.branch_a, name=name), by=None
        )
    with django_assert_num_queries(12):
        more = as_alice.get(url)
    assert len(first.context["candidates"]) == 1 and len(more.context["candidates"]) == 3
