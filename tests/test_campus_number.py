"""The campus number (学号/工号, issue 20) on the member record: imported through the spreadsheet layer with
its checks, and the rating roster's number linking the rater's account to the member it names."""

from __future__ import annotations

import pytest

from assessments import services as rating_services
from members.models import Member
from members.services import member_import
from tests.ratings_helpers import make_campaign, people, roster_xlsx
from tests.xlsx_helpers import HEADERS, build_xlsx, member_row

pytestmark = pytest.mark.django_db
CAMPUS_HEADERS = (*HEADERS, "学号/工号")


def _import(cast, rows):
    return member_import(
        data=build_xlsx(rows, headers=CAMPUS_HEADERS), filename="members.xlsx", scope=cast.university, by=None
    )


def test_the_import_stores_campus_numbers_and_refuses_duplicates(cast):
    report = _import(
        cast,
        [
            member_row(0, branch_code="A", **{"学号/工号": "T2001"}),
            member_row(1, branch_code="A", **{"学号/工号": 2023001.0}),
        ],
    )
    assert report.ok, report.errors
    assert set(Member.objects.exclude(campus_number="").values_list("campus_number", flat=True)) == {
        "T2001",
        "2023001",
    }

    bad = _import(
        cast,
        [
            member_row(2, branch_code="A", **{"学号/工号": "T2001"}),  # another member's
            member_row(3, branch_code="A", **{"学号/工号": "X1"}),
            member_row(4, branch_code="A", **{"学号/工号": "X1"}),  # twice in the file
            member_row(5, branch_code="A", **{"学号/工号": "a b"}),
        ],
    )  # not a number's shape
    assert not bad.ok
    rows = sorted(e.row for e in bad.errors)
    assert rows == [2, 4, 5], bad.errors
    assert Member.objects.filter(campus_number="X1").count() == 0  # nothing of a bad file is written

    # The member's own number, imported again, is not "another member's".
    assert _import(cast, [member_row(0, branch_code="A", **{"学号/工号": "T2001"})]).ok


def test_the_roster_links_the_member_its_number_names(cast):
    zzb, _dw1, _dw2 = people(cast)
    campaign = make_campaign(cast, by=zzb)
    member = Member.objects.create(
        name="王小明",
        gender="M",
        birth_date="1990-01-01",
        category="teacher",
        stage="full",
        joined_on="2010-07-01",
        branch=cast.branch_a,
        campus_number="2023100",
    )
    report = rating_services.rater_roster_import(
        campaign=campaign,
        unit=cast.c1,
        data=roster_xlsx([("2023100", "王小明", "教职工", "A", "")]),
        filename="名单.xlsx",
        by=cast.officer,
    )
    assert report.ok, report.errors
    assert report.members_linked == 1
    member.refresh_from_db()
    assert member.user.username == "2023100"
