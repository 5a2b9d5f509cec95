"""QR sign-in at meetings (issue 20): the rotating code, a member's sign-in, the minutes' attendance pre-filled
from the sign-ins with the secretary's corrections kept, and a 500-person meeting at a fixed number of queries."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disclosure.models import Attendance, AttendanceCorrection, Meeting, SignIn
from disclosure.services.sign_in import (
    NOT_SIGNED_IN,
    SignInRefused,
    meeting_sign_in,
    sign_in_token,
    sign_in_token_check,
)
from members.models import Member
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
# 19:00 on a weekday evening in Beijing; the tests run "during the meeting", at 19:10.
HELD = datetime.datetime(2027, 3, 10, 19, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
DURING = HELD + datetime.timedelta(minutes=10)


@pytest.fixture
def clock():
    with time_machine.travel(DURING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def meeting(cast, clock):
    return Meeting.objects.create(
        organization=cast.branch_a,
        kind=Meeting.Kind.GENERAL_ASSEMBLY,
        held_at=HELD,
        topics="学习党章",
        created_by=cast.alice,
    )


def _link(meeting) -> str:
    return reverse("disclosure:sign_in", kwargs={"pk": meeting.pk, "token": sign_in_token(meeting=meeting)})


# --- the code --------------------------------------------------------------------------------------------


def test_the_code_rotates_and_a_passed_on_photo_goes_stale(settings, meeting, clock):
    first = sign_in_token(meeting=meeting)
    sign_in_token_check(meeting=meeting, token=first)
    clock.shift(settings.MEETING_SIGN_IN_ROTATE_SECONDS)
    assert sign_in_token(meeting=meeting) != first  # the screen shows a new one
    sign_in_token_check(
        meeting=meeting, token=first
    )  # a code just read still works while its holder signs on
    clock.shift(settings.MEETING_SIGN_IN_TOKEN_SECONDS)
    with pytest.raises(SignInRefused) as refused:
        sign_in_token_check(meeting=meeting, token=first)
    assert refused.value.reason == "stale_code"


def test_a_code_is_only_its_meetings_and_only_in_the_meetings_hour(settings, cast, meeting, clock):
    other = Meeting.objects.create(organization=cast.branch_a, kind=Meeting.Kind.PARTY_LECTURE, held_at=HELD)
    for token in (
        sign_in_token(meeting=other),
        "",
        "x-y",
        "99999999999999-abc",
        sign_in_token(meeting=meeting) + "0",
    ):
        with pytest.raises(SignInRefused) as refused:
            sign_in_token_check(meeting=meeting, token=token)
        assert refused.value.reason == "bad_code"
    clock.move_to(HELD + datetime.timedelta(minutes=settings.MEETING_SIGN_IN_MINUTES, seconds=1))
    with pytest.raises(SignInRefused) as refused:
        sign_in_token_check(meeting=meeting, token=sign_in_token(meeting=meeting))
    assert refused.value.reason == "closed"
    clock.move_to(HELD - datetime.timedelta(minutes=settings.MEETING_SIGN_IN_EARLY_MINUTES))
    sign_in_token_check(meeting=meeting, token=sign_in_token(meeting=meeting))  # opens before the start
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.SUBMITTED)
    meeting.refresh_from_db()
    with pytest.raises(SignInRefused) as refused:
        sign_in_token_check(meeting=meeting, token=sign_in_token(meeting=meeting))
    assert refused.value.reason == "closed"


# --- the pages -------------------------------------------------------------------------------------------


def test_the_secretary_shows_the_code_and_others_cannot(
    cast, meeting, as_alice, as_bob, as_charlie, anonymous
):
    url = reverse("disclosure:sign_in_code", args=[meeting.pk])
    page = as_alice.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html and "data-sign-in-link" in html
    assert re.search(r'data-signed-count="0"', html)
    fragment = as_alice.get(url, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert as_bob.get(url).status_code == 403  # a member, not the secretary
    assert as_charlie.get(url).status_code == 403  # another branch's secretary
    assert as_alice.post(url).status_code == 405
    assert anonymous.get(url).status_code == 302


def test_a_member_signs_in_once_and_strangers_are_refused(cast, meeting, as_bob, as_charlie, anonymous):
    link = _link(meeting)
    assert anonymous.get(link).url.startswith(reverse("login"))  # sign on first, then back to the link
    page = as_bob.get(link)
    assert page.status_code == 200 and "data-sign-in-button" in page.content.decode()
    assert not SignIn.objects.exists()  # opening the link signs no one in

    done = as_bob.post(link)
    assert done.status_code == 200 and "data-signed-in" in done.content.decode()
    again = as_bob.post(link)
    assert again.status_code == 200
    assert SignIn.objects.filter(meeting=meeting).count() == 1
    assert SignIn.objects.get().member == cast.bob_member

    refused = as_charlie.post(link)  # branch B's secretary is not expected at branch A's meeting
    assert refused.status_code == 403 and "data-sign-in-refused" in refused.content.decode()
    bad = as_bob.post(reverse("disclosure:sign_in", kwargs={"pk": meeting.pk, "token": "1-abc"}))
    assert bad.status_code == 403
    assert as_bob.put(link).status_code == 405


def test_the_minutes_start_from_the_sign_ins_and_corrections_are_kept(cast, meeting, as_alice):
    meeting_sign_in(meeting=meeting, user=cast.bob, token=sign_in_token(meeting=meeting))
    form = as_alice.get(reverse("disclosure:edit", args=[meeting.pk])).content.decode()
    bob_row = re.search(rf'<tr data-member="{cast.bob_member.pk}".*?</tr>', form, re.S).group(0)
    alice_row = re.search(rf'<tr data-member="{cast.alice_member.pk}".*?</tr>', form, re.S).group(0)
    assert '<option value="present" selected>' in bob_row
    assert '<option value="absent" selected>' in alice_row and NOT_SIGNED_IN in alice_row

    # The secretary corrects: she was there (she did not scan), and bob left for a class (on leave).
    data = {
        "kind": "general_assembly",
        "held_at": "2027-03-10T19:00",
        "topics": "学习党章",
        "visibility": "internal",
        "action": "save",
        f"att-status_{cast.bob_member.pk}": "leave",
        f"att-reason_{cast.bob_member.pk}": "上课",
        f"att-status_{cast.alice_member.pk}": "present",
    }
    assert as_alice.post(reverse("disclosure:edit", args=[meeting.pk]), data).status_code == 302
    corrections = {c.member_id: c for c in AttendanceCorrection.objects.filter(meeting=meeting)}
    assert set(corrections) == {cast.bob_member.pk, cast.alice_member.pk}
    bob = corrections[cast.bob_member.pk]
    assert (bob.signed_in, bob.status, bob.reason, bob.corrected_by) == (True, "leave", "上课", cast.alice)
    assert corrections[cast.alice_member.pk].signed_in is False

    # The form shows the corrections from now on, not the sign-ins again.
    form = as_alice.get(reverse("disclosure:edit", args=[meeting.pk])).content.decode()
    bob_row = re.search(rf'<tr data-member="{cast.bob_member.pk}".*?</tr>', form, re.S).group(0)
    assert '<option value="leave" selected>' in bob_row
    # Saved again unchanged, a correction keeps its time.
    first_time = bob.corrected_at
    with time_machine.travel(DURING + datetime.timedelta(minutes=5), tick=False):
        assert as_alice.post(reverse("disclosure:edit", args=[meeting.pk]), data).status_code == 302
    assert (
        AttendanceCorrection.objects.get(meeting=meeting, member=cast.bob_member).corrected_at == first_time
    )
    meeting.refresh_from_db()
    assert (meeting.present_count, meeting.leave_count) == (1, 1)


def test_without_sign_ins_the_form_is_as_before(cast, meeting, as_alice):
    form = as_alice.get(reverse("disclosure:edit", args=[meeting.pk])).content.decode()
    assert NOT_SIGNED_IN not in form


# --- a 500-person meeting ---------------------------------------------------------------------------------

PEOPLE = 500


@pytest.fixture
def big_meeting(cast, meeting):
    joined = datetime.date(2020, 6, 1)
    users = UserFactory._meta.model.objects.bulk_create(
        UserFactory._meta.model(username=f"s{i:04d}", password="!") for i in range(PEOPLE)
    )
    if users[0].pk is None:
        users = list(UserFactory._meta.model.objects.filter(username__in=[u.username for u in users]))
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
            user=user,
        )
        for i, user in enumerate(users)
    )
    return users


def test_a_500_person_meeting_signs_in_and_prefills_at_fixed_query_counts(
    cast, meeting, big_meeting, as_alice, django_assert_num_queries
):
    members = list(Member.objects.filter(user__in=big_meeting).order_by("pk"))
    # Everyone but the last signs in (as 499 phones would); the last one through the page, counted.
    SignIn.objects.bulk_create(
        SignIn(meeting=meeting, member=m, signed_at=timezone.now()) for m in members[:-1]
    )
    phone = login(big_meeting[-1])
    link = _link(meeting)
    phone.get(link)
    # 1 session, 2 user, 3 meeting (+ unit), 4 the member (+ branch, user), 5 savepoint, 6 insert, 7 release.
    with django_assert_num_queries(7):
        assert phone.post(link).status_code == 200
    assert SignIn.objects.filter(meeting=meeting).count() == PEOPLE

    url = reverse("disclosure:edit", args=[meeting.pk])
    with CaptureQueriesContext(connection) as with_sign_ins:
        form = as_alice.get(url)
    assert form.status_code == 200
    html = form.content.decode()
    assert html.count('<option value="present" selected>') == PEOPLE  # every one who scanned
    assert html.count(NOT_SIGNED_IN) == 2  # alice and bob, who did not
    # Pre-filling costs two queries whatever the size: the sign-ins (asked on every form) and, once there are
    # some, the corrections. The same page without sign-ins is one query shorter, and no longer with 500.
    SignIn.objects.filter(meeting=meeting).delete()
    with CaptureQueriesContext(connection) as without:
        as_alice.get(url)
    assert len(with_sign_ins) - len(without) == 1
    sign_in_queries = [
        q["sql"]
        for q in with_sign_ins.captured_queries
        if "disclosure_signin" in q["sql"] or "disclosure_attendancecorrection" in q["sql"]
    ]
    assert len(sign_in_queries) == 2

    # Saving the 500 records the corrections in a fixed number of queries too (nobody corrected: none written).
    data = {
        "kind": "general_assembly",
        "held_at": "2027-03-10T19:00",
        "topics": "学习党章",
        "visibility": "internal",
        "action": "save",
    }
    SignIn.objects.bulk_create(SignIn(meeting=meeting, member=m, signed_at=timezone.now()) for m in members)
    for m in (cast.alice_member, cast.bob_member):
        data[f"att-status_{m.pk}"], data[f"att-reason_{m.pk}"] = "absent", NOT_SIGNED_IN
    assert as_alice.post(url, data).status_code == 302
    assert not AttendanceCorrection.objects.filter(meeting=meeting).exists()
    meeting.refresh_from_db()
    assert (meeting.expected_count, meeting.present_count, meeting.absent_count) == (PEOPLE + 2, PEOPLE, 2)
    assert Attendance.objects.filter(meeting=meeting).count() == PEOPLE + 2
