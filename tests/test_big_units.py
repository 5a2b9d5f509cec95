"""Big units (issue 14 item 5): a meeting of a unit with far more than 490 people saves — as the page's script
sends it (only the rows that are not "present") and as a browser without the script sends it (every row). The
form's load time for 2,000 people is measured by bench/meeting_form.py, not here."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from disclosure.models import Attendance, Meeting
from members.models import Member

pytestmark = pytest.mark.django_db

PEOPLE = 900  # 1,800 fields with every row sent: past Django's default limit of 1,000


@pytest.fixture
def big_branch(cast):
    joined = datetime.date(2020, 6, 1)
    Member.objects.bulk_create(
        Member(
            name=f"学生{i:04d}",
            gender="F",
            birth_date=datetime.date(2001, 1, 1),
            category="student",
            stage=Member.Stage.FULL,
            branch=cast.branch_a,
            joined_on=joined,
            full_on=joined,
        )
        for i in range(PEOPLE)
    )
    return list(
        Member.objects.active().party_members().filter(branch=cast.branch_a).values_list("pk", flat=True)
    )


def _data(**extra) -> dict:
    held = timezone.localtime() - datetime.timedelta(days=1)
    return {
        "kind": "general_assembly",
        "held_at": held.strftime("%Y-%m-%dT%H:%M"),
        "topics": "学习党章",
        "visibility": "internal",
        "action": "save",
    } | extra


def test_the_scripts_post_of_exceptions_only_saves_everyone(cast, as_alice, big_branch):
    away, absent = big_branch[0], big_branch[1]
    data = _data(
        **{
            f"att-status_{away}": "leave",
            f"att-reason_{away}": "病假",
            f"att-status_{absent}": "absent",
            f"att-reason_{absent}": "出差",
        }
    )
    response = as_alice.post(reverse("disclosure:create", args=[cast.branch_a.pk]), data)
    assert response.status_code == 302
    meeting = Meeting.objects.get(organization=cast.branch_a)
    assert meeting.expected_count == len(big_branch) == PEOPLE + 2  # alice and bob too
    assert (meeting.present_count, meeting.leave_count, meeting.absent_count) == (len(big_branch) - 2, 1, 1)
    assert Attendance.objects.filter(meeting=meeting).count() == len(big_branch)
    assert Attendance.objects.get(meeting=meeting, member_id=away).reason == "病假"


def test_a_browser_without_the_script_sends_every_row_and_it_saves(cast, as_alice, big_branch):
    data = _data()
    for pk in big_branch:
        data[f"att-status_{pk}"], data[f"att-reason_{pk}"] = "present", ""
    assert len(data) > 1000
    response = as_alice.post(reverse("disclosure:create", args=[cast.branch_a.pk]), data)
    assert response.status_code == 302
    assert Meeting.objects.get(organization=cast.branch_a).present_count == len(big_branch)


def test_a_missing_reason_is_still_asked_for_and_nothing_typed_is_lost(cast, as_alice, big_branch):
    away = big_branch[5]
    data = _data(minutes="<p>会议纪要全文</p>", **{f"att-status_{away}": "absent"})
    response = as_alice.post(reverse("disclosure:create", args=[cast.branch_a.pk]), data)
    assert response.status_code == 200 and not Meeting.objects.exists()
    body = response.content.decode()
    assert "会议纪要全文" in body  # the typed minutes come back in the form
    assert f'name="att-status_{away}" id="id_att-status_{away}"' in body
    row = body.split(f'data-member="{away}"')[1].split("</tr>")[0]
    assert '<option value="absent" selected>' in row and "field-error" in row
