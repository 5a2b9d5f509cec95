"""Issue 20.2: the notifications app. Digests from the registered sources (the to-do list, rating campaigns),
reported once, escalated once, quiet hours, and delivery through a real SMTP server (aiosmtpd) and local HTTP
servers speaking 企业微信's and the SMS gateways' documented formats (tests/notify_servers.py), with their
error codes, rate limits, retries and back-off. The clock is an argument: every run names its day and time."""

from __future__ import annotations

import datetime
import socket
import zoneinfo

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from branches.models import Role
from branches.services import role_assign
from disclosure.models import Todo
from notifications import services
from notifications.models import (
    Delivery,
    DeliveryAttempt,
    Digest,
    Escalation,
    Preference,
    ReportedItem,
    SourceSetting,
)
from tests.conftest import login
from tests.factories import UserFactory
from tests.notify_servers import SmsGateway, SmtpInbox, WeComServer

pytestmark = pytest.mark.django_db
BJ = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2027, 3, 10)
MORNING = datetime.datetime(2027, 3, 10, 7, 30, tzinfo=BJ)


def _todo(user, org, key, *, due_on=None, kind=Todo.Kind.MEETING_MISSING, text=None):
    return Todo.objects.create(
        user=user, kind=kind, key=key, organization=org, text=text or f"待办 {key}", due_on=due_on
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people(cast):
    cast.alice.email = "alice@uni.example"
    cast.alice.save(update_fields=["email"])
    cast.officer.email = "officer@uni.example"
    cast.officer.save(update_fields=["email"])
    zzb = UserFactory(username="zzb", email="zzb@uni.example")
    role_assign(user=zzb, organization=cast.university, kind=Role.Kind.OFFICER)
    cast.zzb = zzb
    return cast


@pytest.fixture
def smtp():
    inbox = SmtpInbox().start()
    try:
        with override_settings(
            NOTIFY_DELIVERY="send",
            NOTIFY_EMAIL=True,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=inbox.port,
            EMAIL_USE_TLS=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            DEFAULT_FROM_EMAIL="dangjian@uni.example",
        ):
            yield inbox
    finally:
        inbox.stop()


@pytest.fixture
def wecom():
    server = WeComServer(
        corp_id="ww1234567890", secret="s3cret-app", agent_id=1000002, users={"alice", "zzb", "officer"}
    ).start()
    try:
        with override_settings(
            NOTIFY_DELIVERY="send",
            WECOM_API_BASE=server.url,
            WECOM_CORP_ID="ww1234567890",
            WECOM_AGENT_ID="1000002",
            WECOM_SECRET="s3cret-app",
            NOTIFY_RETRY_SECONDS=60,
        ):
            yield server
    finally:
        server.stop()


def _prefer(user, **fields):
    defaults = {"email": False, "wecom": False, "sms": False}
    defaults.update(fields)
    return Preference.objects.update_or_create(user=user, defaults=defaults)[0]


def _send_all(now):
    """What the sweeper would send at ``now``, tried in order (the task's body, without a broker)."""
    return [
        services.delivery_attempt(delivery_id=pk, now=now).outcome for pk in services.deliveries_due(now=now)
    ]


# --- the digest --------------------------------------------------------------------------------------------------


def test_one_digest_per_person_by_real_smtp_and_nothing_reported_twice(people, smtp):
    _todo(
        people.alice,
        people.branch_a,
        "meeting:a:1",
        due_on=TODAY + datetime.timedelta(days=3),
        text="召开三月支部党员大会",
    )
    _todo(
        people.alice,
        people.branch_a,
        "lifecycle:dues:7:2027-01",
        kind=Todo.Kind.MEMBER_AFFAIRS,
        due_on=TODAY,
        text="鲍勃 已 6 个月未交党费",
    )
    result = services.digest_run(today=TODAY, now=MORNING)
    assert result == {"items": 2, "digests": 1, "deliveries": 1, "escalations": 0}
    assert _send_all(MORNING) == ["sent"]
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["X-Envelope-To"] == "alice@uni.example"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "召开三月支部党员大会" in body and "已 6 个月未交党费" in body
    assert "2 项" in mail["Subject"]

    # The same day again, and the next day with nothing new: no digest, no mail.
    assert services.digest_run(today=TODAY, now=MORNING)["digests"] == 0
    assert services.digest_run(today=TODAY + datetime.timedelta(days=1), now=MORNING)["digests"] == 0
    # A new item: a digest of that item alone.
    _todo(people.alice, people.branch_a, "meeting:a:2", text="召开四月支委会")
    assert services.digest_run(today=TODAY + datetime.timedelta(days=2), now=MORNING)["items"] == 1
    assert _send_all(MORNING + datetime.timedelta(days=2)) == ["sent"]
    second = smtp.messages[1].get_body(preferencelist=("plain",)).get_content()
    assert "召开四月支委会" in second and "召开三月支部党员大会" not in second
    delivery = Delivery.objects.order_by("pk").first()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1
    assert list(delivery.tries.values_list("outcome", flat=True)) == ["sent"]


def test_no_message_when_nothing_is_due(people, smtp):
    done = _todo(people.alice, people.branch_a, "meeting:a:done")
    Todo.objects.filter(pk=done.pk).update(done_at=MORNING)
    assert services.digest_run(today=TODAY, now=MORNING) == {
        "items": 0,
        "digests": 0,
        "deliveries": 0,
        "escalations": 0,
    }
    assert not Digest.objects.exists() and not smtp.messages


def test_the_embedded_default_keeps_messages_in_the_outbox_and_prints_nothing(people, capsys, mailoutbox):
    _todo(people.alice, people.branch_a, "meeting:a:1")
    with override_settings(NOTIFY_DELIVERY="outbox"):
        services.digest_run(today=TODAY, now=MORNING)
        assert _send_all(MORNING) == []
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.OUTBOX and delivery.attempts == 0
    assert not mailoutbox
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_a_smtp_refusal_is_permanent_and_recorded(people, smtp):
    smtp.refuse.add("alice@uni.example")
    _todo(people.alice, people.branch_a, "meeting:a:1")
    services.digest_run(today=TODAY, now=MORNING)
    assert _send_all(MORNING) == ["failed"]
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and "alice@uni.example" in delivery.last_error
    assert not smtp.messages


def test_an_unreachable_smtp_server_is_retried_with_backoff(people, smtp):
    _todo(people.alice, people.branch_a, "meeting:a:1")
    services.digest_run(today=TODAY, now=MORNING)
    with socket.socket() as probe:  # a port nobody listens on: the server is down
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    with override_settings(EMAIL_PORT=closed):
        assert _send_all(MORNING) == ["retry"]
        delivery = Delivery.objects.get()
        assert delivery.status == Delivery.Status.PENDING and "SMTP" in delivery.last_error
        assert delivery.not_before == MORNING + datetime.timedelta(seconds=60)
        assert _send_all(MORNING + datetime.timedelta(seconds=30)) == []  # its back-off has not passed
    assert _send_all(MORNING + datetime.timedelta(seconds=61)) == ["sent"]
    assert [t.outcome for t in Delivery.objects.get().tries.all()] == ["retry", "sent"]


# --- 企业微信 -----------------------------------------------------------------------------------------------------


def test_wecom_token_once_then_expired_token_refreshed(people, wecom):
    _prefer(people.alice, wecom=True)
    _todo(people.alice, people.branch_a, "meeting:a:1", text="召开三月支部党员大会")
    services.digest_run(today=TODAY, now=MORNING)
    assert _send_all(MORNING) == ["sent"]
    assert wecom.token_requests == 1
    sent = wecom.messages[0]
    assert sent["touser"] == "alice" and sent["agentid"] == 1000002 and sent["msgtype"] == "text"
    assert "召开三月支部党员大会" in sent["text"]["content"]

    # The cached token expires on the server (42001): a new one is fetched and the message sent once.
    wecom.expire_tokens()
    _todo(people.alice, people.branch_a, "meeting:a:2")
    services.digest_run(today=TODAY + datetime.timedelta(days=1), now=MORNING + datetime.timedelta(days=1))
    assert _send_all(MORNING + datetime.timedelta(days=1)) == ["sent"]
    assert wecom.token_requests == 2 and len(wecom.messages) == 2


def test_wecom_rate_limit_45009_is_retried_with_doubling_backoff(people, wecom):
    _prefer(people.alice, wecom=True)
    _todo(people.alice, people.branch_a, "meeting:a:1")
    services.digest_run(today=TODAY, now=MORNING)
    wecom.script += [{"errcode": 45009, "errmsg": "api freq out of limit"}] * 2
    assert _send_all(MORNING) == ["retry"]
    first = Delivery.objects.get()
    assert first.not_before == MORNING + datetime.timedelta(seconds=60) and "45009" in first.last_error
    second_try = MORNING + datetime.timedelta(seconds=60)
    assert _send_all(second_try) == ["retry"]
    assert Delivery.objects.get().not_before == second_try + datetime.timedelta(seconds=120)  # doubled
    assert _send_all(second_try + datetime.timedelta(seconds=120)) == ["sent"]
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 3 and delivery.provider_id
    assert [t.outcome for t in delivery.tries.all()] == ["retry", "retry", "sent"]


def test_wecom_gives_up_after_the_last_attempt(people, wecom):
    _prefer(people.alice, wecom=True)
    _todo(people.alice, people.branch_a, "meeting:a:1")
    with override_settings(NOTIFY_MAX_ATTEMPTS=2):
        services.digest_run(today=TODAY, now=MORNING)
        wecom.script += [{"errcode": -1, "errmsg": "system busy"}] * 5
        assert _send_all(MORNING) == ["retry"]
        assert _send_all(MORNING + datetime.timedelta(hours=1)) == ["failed"]
        assert _send_all(MORNING + datetime.timedelta(days=1)) == []
    assert Delivery.objects.get().status == Delivery.Status.FAILED


def test_wecom_unknown_user_81013_and_wrong_secret_are_permanent(people, wecom):
    _prefer(people.charlie, wecom=True)  # not a member of the corp
    _todo(people.charlie, people.branch_b, "meeting:b:1")
    services.digest_run(today=TODAY, now=MORNING)
    assert _send_all(MORNING) == ["failed"]
    assert "81013" in Delivery.objects.get().last_error
    _prefer(people.alice, wecom=True)
    _todo(people.alice, people.branch_a, "meeting:a:1")
    cache.clear()
    with override_settings(WECOM_SECRET="wrong"):
        services.digest_run(today=TODAY, now=MORNING)
        assert _send_all(MORNING) == ["failed"]
    assert "40001" in Delivery.objects.get(digest__user=people.alice).last_error


# --- SMS ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def sms_json():
    gateway = SmsGateway(
        key="gw-key", templates={"SMS_DIGEST_01"}, signature="江城大学党委", per_phone=1
    ).start()
    try:
        with override_settings(
            NOTIFY_DELIVERY="send",
            SMS_PROVIDER="json",
            SMS_GATEWAY_URL=f"{gateway.url}/sms/send",
            SMS_TEMPLATE_DIGEST="SMS_DIGEST_01",
            SMS_SIGNATURE="江城大学党委",
            SMS_ACCESS_KEY_SECRET="gw-key",
        ):
            yield gateway
    finally:
        gateway.stop()


def test_sms_json_gateway_sends_the_template_and_honours_429_retry_after(people, sms_json):
    _prefer(people.alice, sms=True, phone="13800001111")
    _todo(people.alice, people.branch_a, "meeting:a:1")
    services.digest_run(today=TODAY, now=MORNING)
    assert _send_all(MORNING) == ["sent"]
    sent = sms_json.sent[0]
    assert sent["phone"] == "13800001111" and sent["template_id"] == "SMS_DIGEST_01"
    assert sent["sign_name"] == "江城大学党委" and sent["params"]["count"] == "1"
    # The gateway's per-phone limit: 429 with Retry-After 120, longer than the first back-off (60 s).
    _todo(people.alice, people.branch_a, "meeting:a:2")
    day2 = MORNING + datetime.timedelta(days=1)
    services.digest_run(today=TODAY + datetime.timedelta(days=1), now=day2)
    assert _send_all(day2) == ["retry"]
    delivery = Delivery.objects.filter(digest__day=TODAY + datetime.timedelta(days=1)).get()
    assert delivery.not_before == day2 + datetime.timedelta(seconds=120) and "429" in delivery.last_error
    sms_json.counts.clear()
    assert _send_all(day2 + datetime.timedelta(seconds=120)) == ["sent"]


def test_sms_json_refused_template_is_permanent(people, sms_json):
    _prefer(people.alice, sms=True, phone="13800001111")
    _todo(people.alice, people.branch_a, "meeting:a:1")
    with override_settings(SMS_TEMPLATE_DIGEST="SMS_NOT_APPROVED"):
        services.digest_run(today=TODAY, now=MORNING)
        assert _send_all(MORNING) == ["failed"]
    assert "40401" in Delivery.objects.get().last_error and not sms_json.sent


def test_sms_aliyun_signed_request_and_flow_control(people):
    gateway = SmsGateway(
        key="ali-secret", key_id="LTAI-test", templates={"SMS_123456"}, signature="江城大学", per_phone=1
    ).start()
    try:
        with override_settings(
            NOTIFY_DELIVERY="send",
            SMS_PROVIDER="aliyun",
            SMS_GATEWAY_URL=f"{gateway.url}/aliyun",
            SMS_TEMPLATE_DIGEST="SMS_123456",
            SMS_SIGNATURE="江城大学",
            SMS_ACCESS_KEY_ID="LTAI-test",
            SMS_ACCESS_KEY_SECRET="ali-secret",
        ):
            _prefer(people.alice, sms=True, phone="13800001111")
            _todo(people.alice, people.branch_a, "meeting:a:1")
            services.digest_run(today=TODAY, now=MORNING)
            assert _send_all(MORNING) == ["sent"]
            assert gateway.sent[0]["PhoneNumbers"] == "13800001111"
            _todo(people.alice, people.branch_a, "meeting:a:2")
            day2 = MORNING + datetime.timedelta(days=1)
            services.digest_run(today=TODAY + datetime.timedelta(days=1), now=day2)
            assert _send_all(day2) == ["retry"]  # isv.BUSINESS_LIMIT_CONTROL
            assert (
                "BUSINESS_LIMIT_CONTROL"
                in Delivery.objects.get(digest__day=TODAY + datetime.timedelta(days=1)).last_error
            )
            with override_settings(SMS_ACCESS_KEY_SECRET="not-the-secret"):
                gateway.counts.clear()
                assert _send_all(day2 + datetime.timedelta(minutes=5)) == ["failed"]  # SignatureDoesNotMatch
    finally:
        gateway.stop()


# --- quiet hours, escalation, preferences ------------------------------------------------------------------------


def test_quiet_hours_hold_the_delivery_until_they_end(people, smtp):
    pref = _prefer(
        people.alice, email=True, quiet_from=datetime.time(22, 0), quiet_until=datetime.time(7, 45)
    )
    _todo(people.alice, people.branch_a, "meeting:a:1")
    late = datetime.datetime(2027, 3, 10, 23, 15, tzinfo=BJ)
    services.digest_run(today=TODAY, now=late)
    delivery = Delivery.objects.get()
    assert delivery.not_before == datetime.datetime(2027, 3, 11, 7, 45, tzinfo=BJ)
    assert _send_all(datetime.datetime(2027, 3, 11, 6, 0, tzinfo=BJ)) == [] and not smtp.messages
    assert _send_all(datetime.datetime(2027, 3, 11, 7, 46, tzinfo=BJ)) == ["sent"]
    # Outside the window: at once; a window within one day holds until it ends the same day.
    eight = datetime.datetime(2027, 3, 10, 8, 0, tzinfo=BJ)
    assert services.quiet_until(preference=pref, now=eight) == eight
    pref.quiet_from, pref.quiet_until = datetime.time(12, 0), datetime.time(14, 0)
    noon = datetime.datetime(2027, 3, 10, 12, 30, tzinfo=BJ)
    assert services.quiet_until(preference=pref, now=noon) == datetime.datetime(2027, 3, 10, 14, 0, tzinfo=BJ)


def test_overdue_item_escalates_once_to_the_unit_above(people, smtp):
    SourceSetting.objects.create(source="minutes_due", escalate_after_days=5)
    _todo(
        people.alice,
        people.branch_a,
        "meeting:a:late",
        due_on=TODAY - datetime.timedelta(days=5),
        text="召开一月支部党员大会",
    )
    _todo(people.alice, people.branch_a, "meeting:a:recent", due_on=TODAY - datetime.timedelta(days=4))
    result = services.digest_run(today=TODAY, now=MORNING)
    assert result["escalations"] == 1
    escalation = Escalation.objects.get()
    assert escalation.organization == people.branch_a and escalation.escalated_to == people.c1
    # The officer of C1 (the unit above A) is told, with the unit and the days late; nobody of C2 is.
    officer_items = ReportedItem.objects.filter(user=people.officer)
    assert [(i.escalated, i.text) for i in officer_items] == [(True, "召开一月支部党员大会")]
    body = Digest.objects.get(user=people.officer).body
    assert "计算机学院教工第一党支部" in body and "5" in body
    assert not ReportedItem.objects.filter(user=people.charlie).exists()
    # Later days: still overdue, never escalated again.
    for n in (1, 2, 30):
        assert services.digest_run(today=TODAY + datetime.timedelta(days=n), now=MORNING)["escalations"] == (
            1 if n == 1 else 0
        )  # the "recent" one reaches 5 days on day 1
    assert Escalation.objects.count() == 2
    assert ReportedItem.objects.filter(user=people.officer, escalated=True).count() == 2


def test_escalation_off_for_a_source_and_sources_disabled(people, smtp):
    SourceSetting.objects.create(source="minutes_due", escalate_after_days=None)
    SourceSetting.objects.create(source="reviews_waiting", enabled=False)
    _todo(people.alice, people.branch_a, "meeting:a:late", due_on=TODAY - datetime.timedelta(days=90))
    _todo(people.alice, people.branch_a, "review:9", kind=Todo.Kind.REVIEW_WAITING)
    assert services.digest_run(today=TODAY, now=MORNING) == {
        "items": 1,
        "digests": 1,
        "deliveries": 1,
        "escalations": 0,
    }


def test_rating_campaign_raters_who_have_not_rated_are_reminded(people):
    from assessments.models import RaterEligibility, RatingCampaign
    from assessments.services.ratings import campaign_create

    campaign = campaign_create(
        by=people.zzb,
        scope=people.university,
        name="2027年度双述双评",
        year=2027,
        opens_at=MORNING - datetime.timedelta(days=1),
        closes_at=MORNING + datetime.timedelta(days=3),
    )
    RatingCampaign.objects.filter(pk=campaign.pk).update(status=RatingCampaign.Status.PUBLISHED)
    RaterEligibility.objects.create(
        campaign=campaign, user=people.bob, unit=people.branch_a, kind=RaterEligibility.Kind.values[0]
    )
    with override_settings(NOTIFY_DELIVERY="outbox"):
        services.digest_run(today=TODAY, now=MORNING)
    item = ReportedItem.objects.get(user=people.bob)
    assert item.source == "ratings" and "2027年度双述双评" in item.text


# --- pages -------------------------------------------------------------------------------------------------------


def test_preferences_page_saves_channels_and_quiet_hours(people):
    client = login(people.alice)
    url = reverse("notifications:preferences")
    page = client.get(url)
    assert page.status_code == 200 and "免打扰" in page.content.decode()
    response = client.post(
        url,
        {
            "email": "on",
            "wecom": "on",
            "phone": "13800001111",
            "wecom_user_id": "",
            "quiet_from": "22:00",
            "quiet_until": "07:30",
        },
    )
    assert response.status_code == 302
    pref = Preference.objects.get(user=people.alice)
    assert pref.channels() == ["email", "wecom"] and pref.quiet_from == datetime.time(22, 0)
    # Half a window, SMS without a number, a malformed number: refused, field by field.
    bad = client.post(url, {"sms": "on", "phone": "", "quiet_from": "22:00", "quiet_until": ""})
    assert bad.status_code == 200 and bad.context["form"].errors.keys() == {"quiet_until", "phone"}
    assert client.post(url, {"phone": "138-0000"}).context["form"].errors.keys() == {"phone"}
    assert client.put(url).status_code == 405
    assert login(people.bob).get(url).status_code == 200  # everyone has their own
    assert type(login(people.bob)).__name__ and Preference.objects.count() == 1


def test_preferences_page_needs_sign_in(people, client):
    assert client.get(reverse("notifications:preferences")).status_code == 302


def _outbox_rows(people, n, start=0):
    for i in range(start, start + n):
        _todo(people.alice, people.branch_a, f"meeting:a:{i}")
        services.digest_run(
            today=TODAY + datetime.timedelta(days=i), now=MORNING + datetime.timedelta(days=i)
        )


def test_outbox_page_for_the_organisation_department_with_pinned_queries(people, django_assert_num_queries):
    _prefer(people.alice, email=True, sms=True)  # no phone: the SMS delivery fails, recorded
    with override_settings(NOTIFY_DELIVERY="outbox"):
        _outbox_rows(people, 3)
    client = login(people.zzb)
    url = reverse("notifications:outbox")
    client.get(url)
    # session, user, "is a 组织部" (exists), count, the page of deliveries with digest and person
    with django_assert_num_queries(5):
        page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("data-delivery=") == 6 and "保存在发件箱" in text
    with override_settings(NOTIFY_DELIVERY="outbox"):
        _outbox_rows(people, 6, start=3)  # more rows: the same queries
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200
    failed = client.get(url, {"status": "failed"})
    assert failed.content.decode().count('data-status="failed"') == failed.content.decode().count(
        "data-delivery="
    )
    assert client.get(url, {"status": "nonsense"}).status_code == 404
    assert client.get(url, {"page": "x"}).status_code == 404
    assert client.get(url, {"page": "99"}).status_code == 404
    delivery = Delivery.objects.filter(status=Delivery.Status.FAILED).order_by("pk").first()
    detail = client.get(reverse("notifications:delivery", args=[delivery.pk]))
    assert detail.status_code == 200 and "待办 meeting:a:0" in detail.content.decode()


def test_outbox_is_refused_to_others(people):
    with override_settings(NOTIFY_DELIVERY="outbox"):
        _outbox_rows(people, 1)
    delivery = Delivery.objects.get()
    for user in (people.alice, people.officer, people.bob):
        client = login(user)
        assert client.get(reverse("notifications:outbox")).status_code == 403
        assert client.get(reverse("notifications:delivery", args=[delivery.pk])).status_code == 403
    assert login(people.zzb).post(reverse("notifications:outbox")).status_code == 405


def test_another_universitys_officer_sees_none_of_it(people):
    from branches.models import Organization
    from tests.factories import make_org

    other = make_org(None, Organization.Kind.UNIVERSITY, "中共江夏大学委员会", code="U2")
    stranger = UserFactory(username="zzb2")
    role_assign(user=stranger, organization=other, kind=Role.Kind.OFFICER)
    with override_settings(NOTIFY_DELIVERY="outbox"):
        _outbox_rows(people, 1)
    client = login(stranger)
    assert "data-delivery=" not in client.get(reverse("notifications:outbox")).content.decode()
    assert client.get(reverse("notifications:delivery", args=[Delivery.objects.get().pk])).status_code == 404


def test_backoff_doubles_and_is_capped():
    with override_settings(NOTIFY_RETRY_SECONDS=60, NOTIFY_RETRY_MAX_SECONDS=600):
        assert [services.backoff_seconds(attempts=n) for n in (1, 2, 3, 4, 5)] == [60, 120, 240, 480, 600]
        assert services.backoff_seconds(attempts=1, retry_after=300) == 300


def test_a_dead_workers_half_sent_delivery_goes_back_to_the_queue(people, smtp):
    _todo(people.alice, people.branch_a, "meeting:a:1")
    services.digest_run(today=TODAY, now=MORNING)
    Delivery.objects.update(status=Delivery.Status.SENDING)
    assert services.deliveries_due(now=MORNING + datetime.timedelta(minutes=10)) == []
    assert _send_all(MORNING + datetime.timedelta(minutes=31)) == ["sent"]
    assert DeliveryAttempt.objects.count() == 1


def test_the_demo_step_fills_the_outbox_with_sent_and_failed_records(people):
    from disclosure import notify_demo
    from members.demo import DemoBuilder

    for n in range(7):
        user = UserFactory(username=f"demo-sec-{n}", email=f"s{n}@uni.example")
        _todo(user, people.branch_a, f"meeting:demo:{n}")
    line = notify_demo.load(DemoBuilder(seed=1, scale=1, today=TODAY))
    assert "7 digests" in line
    statuses = sorted(Delivery.objects.values_list("status", flat=True))
    assert statuses.count("sent") == 3 and statuses.count("failed") == 3 and statuses.count("outbox") == 1
    failed = Delivery.objects.filter(status=Delivery.Status.FAILED).first()
    assert [t.outcome for t in failed.tries.all()] == ["retry", "failed"]
    notify_demo.clear()
    assert not Delivery.objects.exists()


def _digest_queries(people, n: int, day: datetime.date) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(n):
        user = UserFactory(username=f"q{day:%j}-{i}", email=f"q{i}@uni.example")
        _prefer(
            user, email=True, wecom=True, quiet_from=datetime.time(22, 0), quiet_until=datetime.time(6, 0)
        )
        _todo(user, people.branch_a, f"meeting:q:{day}:{i}", due_on=day - datetime.timedelta(days=30))
        _todo(user, people.branch_b, f"lifecycle:dues:{day}:{i}", kind=Todo.Kind.MEMBER_AFFAIRS, due_on=day)
    with override_settings(NOTIFY_DELIVERY="outbox"), CaptureQueriesContext(connection) as queries:
        result = services.digest_run(today=day, now=MORNING)
    assert result["digests"] >= n
    return len(queries)


def test_the_digest_costs_the_same_queries_for_3_or_30_people(people):
    # Per run, whatever the number of people and items: the source settings; one query per registered
    # source (13: eleven to-do kinds — the member evaluation's the eleventh —, the raters not yet rated, the
    # commendations' steps); escalations already made, the units, their parents, the role holders above, and the
    # escalation insert; the reported items, the people, their preferences, the items' units and their
    # universities; the inserts of digests, reported items and deliveries — plus the savepoint pair.
    small = _digest_queries(people, 3, TODAY)
    large = _digest_queries(people, 30, TODAY + datetime.timedelta(days=1))
    assert small == large == 29
