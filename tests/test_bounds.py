"""Every date, length and number bounded (issue 14 item 3), on SQLite as on PostgreSQL.

A meeting dated 0001-01-01 was accepted and then broke its page and the committee's review queue; SQLite
stored over-long text and a ¥1e20 dues line silently. Forms refuse values outside the window with a message;
whatever slips past a form (a service called by an import, the admin, a script) is refused by the save guard
with a ValidationError, which the views show as a form message — never a 500, never a stored row.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from branches.dates import add_years
from branches.bounds import DateField, bounds_errors, date_window
from disclosure.models import Meeting
from members.models import DuesPayment, Member
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")


def _meeting(cast, held: str) -> dict:
    return {
        "kind": "general_assembly",
        "held_at": held,
        "topics": "学习党章",
        "visibility": "internal",
        "action": "save",
        f"att-status_{cast.alice_member.pk}": "present",
    }


@pytest.mark.parametrize("held", ["0001-01-01T10:00", "1921-06-30T10:00", "9999-12-31T10:00"])
def test_a_meeting_outside_the_window_is_a_form_message(cast, as_alice, held):
    response = as_alice.post(reverse("disclosure:create", args=[cast.branch_a.pk]), _meeting(cast, held))
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert "日期不能" in response.content.decode()


def test_a_meeting_tomorrow_is_refused_and_today_is_accepted(cast, as_alice):
    tomorrow = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT09:00")
    response = as_alice.post(reverse("disclosure:create", args=[cast.branch_a.pk]), _meeting(cast, tomorrow))
    assert response.status_code == 200 and "日期不能晚于今天" in response.content.decode()
    now = timezone.localtime() - datetime.timedelta(minutes=1)
    response = as_alice.post(
        reverse("disclosure:create", args=[cast.branch_a.pk]), _meeting(cast, now.strftime("%Y-%m-%dT%H:%M"))
    )
    assert response.status_code == 302 and Meeting.objects.count() == 1


def test_the_date_pickers_know_the_window(cast, as_alice, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 4, 10, tzinfo=BEIJING), tick=False)
    body = as_alice.get(reverse("members:development", args=[cast.branch_a.pk])).content.decode()
    assert 'name="applied_on"' in body and 'min="1921-07-01" max="2026-12-04"' in body
    assert 'min="1900-01-01" max="2026-12-04"' in body  # birth dates may be older than the Party


def test_the_date_pickers_move_on_at_midnight_in_beijing(cast, as_alice, time_machine):
    # The forms' classes were built at import, long before this; the latest day is read per request.
    time_machine.move_to(datetime.datetime(2026, 12, 4, 23, 59, 59, tzinfo=BEIJING), tick=False)
    before = as_alice.get(reverse("members:development", args=[cast.branch_a.pk])).content.decode()
    time_machine.move_to(datetime.datetime(2026, 12, 5, 0, 0, 1, tzinfo=BEIJING), tick=False)
    after = as_alice.get(reverse("members:development", args=[cast.branch_a.pk])).content.decode()
    assert 'min="1921-07-01" max="2026-12-04"' in before and 'max="2026-12-05"' not in before
    assert 'min="1921-07-01" max="2026-12-05"' in after and 'max="2026-12-04"' not in after


def test_the_window_is_a_setting(settings):
    settings.DATE_EARLIEST = datetime.date(1949, 10, 1)
    settings.DATE_YEARS_AHEAD = 2
    earliest, latest = date_window()
    assert earliest == datetime.date(1949, 10, 1) and latest == add_years(timezone.localdate(), 2)
    with pytest.raises(ValidationError):
        DateField().clean("1949-09-30")
    assert DateField().clean("1949-10-01") == datetime.date(1949, 10, 1)


def test_over_long_text_is_refused_on_every_backend(cast):
    member = MemberFactory(branch=cast.branch_a)
    member.name = "长" * 51  # the column holds 50
    with pytest.raises(ValidationError) as refused:
        member.save()
    assert "name" in refused.value.message_dict and "最多50个字符" in refused.value.message_dict["name"][0]
    assert Member.objects.get(pk=member.pk).name != member.name
    member.name = "𠀀" * 50  # rare CJK outside the BMP: 50 characters, whatever their bytes
    member.save()


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("1e20"),
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        Decimal("1000000.00"),
        Decimal("0.001"),
    ],
)
def test_a_dues_amount_that_does_not_fit_its_column_is_refused(cast, amount):
    line = DuesPayment(
        member=cast.bob_member,
        branch=cast.branch_a,
        month=datetime.date(2025, 3, 1),
        status="paid",
        amount=amount,
    )
    with pytest.raises(ValidationError) as refused:
        line.save()
    assert "amount" in refused.value.message_dict
    assert not DuesPayment.objects.exists()


def test_what_fits_is_stored(cast):
    line = DuesPayment(
        member=cast.bob_member,
        branch=cast.branch_a,
        month=datetime.date(2025, 3, 1),
        status="paid",
        amount=Decimal("999999.99"),
    )
    assert bounds_errors(line) == {}
    line.save()
    assert DuesPayment.objects.get().amount == Decimal("999999.99")


def test_a_date_far_outside_the_window_is_refused_by_the_save_guard(cast):
    member = MemberFactory(branch=cast.branch_a)
    member.joined_on = datetime.date(1, 1, 1)
    with pytest.raises(ValidationError) as refused:
        member.save()
    assert "joined_on" in refused.value.message_dict


def test_an_integer_past_its_column_is_refused(cast):
    meeting = Meeting(
        organization=cast.branch_a, kind="general_assembly", held_at=timezone.now(), expected_count=2**40
    )
    assert "expected_count" in bounds_errors(meeting)
