"""The 换届 决议 from the recorded election (issue 21): the elected, their roles and votes as recorded on the
terms page, read back with python-docx; with no election recorded for the current term the document says
so plainly and leaves the table for hand-filling."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

import docx
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from branches.dates import add_years
from members.models import ElectedSeat, TermElection
from members.services.terms import term_election_record
from tests.conftest import login


# The clock is pinned (before the cast, so its roles start that day too) and the election is held that day;
# the term being renewed began three years ago. Every date the document prints is computed from these.
TODAY = datetime.date(2026, 6, 15)
pytestmark = pytest.mark.usefixtures("pinned")


@pytest.fixture
def pinned():
    with time_machine.travel(
        datetime.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        yield


def _today() -> datetime.date:
    return TODAY


def _chinese(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.fixture
def unit(cast):
    cast.branch_a.term_started_on, cast.branch_a.term_years = add_years(_today(), -3), 3
    cast.branch_a.save(update_fields=["term_started_on", "term_years"])
    return cast


def _resolution(client, org) -> tuple[str, list[list[str]]]:
    response = client.get(reverse("members:term_docx", args=[org.pk, "term-resolution"]))
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    return text, rows


def _record(client, cast, **votes):
    """The committee above branch A records A's election on its terms page."""
    return client.post(
        reverse("members:terms", args=[cast.c1.pk]),
        {
            "organization": cast.branch_a.pk,
            "elected_on": _today().isoformat(),
            "term_years": 3,
            "voters": 10,
            "secretary": "bob",
            "member_1": "alice",
            "role_1": "organizer",
            "member_2": "officer",
            "role_2": "publicity",
            **votes,
        },
    )


def test_without_a_recorded_election_the_resolution_says_so(unit):
    text, rows = _resolution(login(unit.alice), unit.branch_a)
    assert "关于选举结果的决议" in text
    assert "尚未在系统中登记" in text and "手工填写" in text
    assert rows[0] == ["姓名", "职务", "得票数"]
    assert rows[1:] == [["", "", ""]] * 3  # the seats by the branch-shape rule, to be written in
    # An election of an earlier term is not this term's: still none recorded.
    TermElection.objects.create(
        organization=unit.branch_a, elected_on=datetime.date(2020, 6, 1), term_years=3
    )
    assert "尚未在系统中登记" in _resolution(login(unit.alice), unit.branch_a)[0]


def test_the_recorded_election_fills_the_resolution(unit):
    officer = login(unit.officer)
    response = _record(officer, unit, secretary_votes=9, votes_1=8, votes_2=6)
    assert response.status_code == 302, response.content.decode()[:500]
    election = TermElection.objects.get(organization=unit.branch_a)
    assert election.voters == 10
    assert sorted(ElectedSeat.objects.values_list("user__username", "votes")) == [
        ("alice", 8),
        ("bob", 9),
        ("officer", 6),
    ]
    text, rows = _resolution(login(unit.bob), unit.branch_a)
    assert "尚未在系统中登记" not in text
    assert f"{_chinese(_today())}召开，实到会有选举权的党员10名" in text
    assert "新一届委员会委员3名（鲍勃、艾丽、" in text
    assert "当选人得票均超过实到会有选举权党员人数的一半" in text and "选举结果有效" in text
    assert text.rstrip().endswith(_chinese(_today()))  # dated the meeting day
    assert rows[0] == ["姓名", "职务", "得票数"]
    assert rows[1][0] == "鲍勃" and rows[1][2] == "9票" and "书记" in rows[1][1]
    assert rows[2][0] == "艾丽" and rows[2][2] == "8票" and "组织委员" in rows[2][1]
    assert rows[3][2] == "6票" and "宣传委员" in rows[3][1]
    assert len(rows) == 4


def test_votes_not_recorded_or_short_of_half_are_said(unit):
    term_election_record(
        organization=unit.branch_a,
        elected_on=_today(),
        seats=[(unit.bob, "secretary"), (unit.alice, "organizer")],
        votes={unit.bob.pk: 5},
        voters=10,
        by=unit.officer,
    )
    text, rows = _resolution(login(unit.bob), unit.branch_a)
    assert "艾丽的得票数未在系统中登记" in text
    assert "注意：鲍勃的得票未超过实到会有选举权党员人数的一半" in text
    assert rows[1] == ["鲍勃", "书记", "5票"] and rows[2][2] == ""


@pytest.mark.parametrize(
    "votes, voters",
    [
        ({"bob": 11}, 10),  # more votes than voters present
        ({"charlie": 3}, 10),  # votes for someone not elected
        ({"bob": -1}, None),
        ({}, 0),
        ({}, 100_001),
    ],
)
def test_the_tally_is_bounded(unit, votes, voters):
    users = {"bob": unit.bob, "charlie": unit.charlie}
    with pytest.raises(ValidationError):
        term_election_record(
            organization=unit.branch_a,
            elected_on=_today(),
            seats=[(unit.bob, "secretary")],
            votes={users[name].pk: n for name, n in votes.items()},
            voters=voters,
            by=unit.officer,
        )
    assert not TermElection.objects.exists()


def test_the_form_refuses_votes_out_of_bounds(unit):
    response = _record(login(unit.officer), unit, secretary_votes=11)
    assert response.status_code == 400 and not TermElection.objects.exists()
    response = _record(login(unit.officer), unit, votes_1=-3)
    assert response.status_code == 400 and "votes_1" in response.context["form"].errors
