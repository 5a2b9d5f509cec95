"""Writes of the notifications app: the daily digest (collect, report once, escalate once), a delivery's
try and its outcome, and a person's preferences."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from branches.models import Organization, Role
from branches.dates import prose_date
from notifications import channels
from notifications.models import (
    Delivery,
    DeliveryAttempt,
    Digest,
    Escalation,
    Preference,
    ReportedItem,
    SourceSetting,
)
from notifications.sources import Due, sources

logger = logging.getLogger(__name__)

# Who hears of a unit's overdue item: the people who run the unit above.
ESCALATION_ROLES = (Role.Kind.SECRETARY, Role.Kind.DEPUTY, Role.Kind.ORGANIZER, Role.Kind.OFFICER)
CLAIM_SLACK = datetime.timedelta(seconds=5)  # a retry's countdown may fire a moment before not_before


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Line:
    source: str
    title: str
    due: Due
    escalated: bool = False
    overdue_days: int = 0
    unit: str = ""


def quiet_until(*, preference: Preference | None, now: datetime.datetime) -> datetime.datetime:
    """``now``, or the end of the person's quiet hours when ``now`` falls inside them (Beijing time; a window
    may wrap midnight)."""
    if preference is None or preference.quiet_from is None or preference.quiet_from == preference.quiet_until:
        return now
    local = timezone.localtime(now)
    start, end, clock = preference.quiet_from, preference.quiet_until, local.time()
    assert end is not None  # both or neither (the model's check constraint), and quiet_from is set
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if not inside:
        return now
    end_at = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if end_at <= local:
        end_at += datetime.timedelta(days=1)
    return end_at


def backoff_seconds(*, attempts: int, retry_after: int | None = None) -> int:
    """After the ``attempts``-th failed try: the base doubled each time, capped; a provider's own
    Retry-After when it asks for longer."""
    seconds = min(settings.NOTIFY_RETRY_SECONDS * 2 ** (attempts - 1), settings.NOTIFY_RETRY_MAX_SECONDS)
    return max(seconds, retry_after or 0)


def _escalation_days() -> dict[str, int | None]:
    configured = {s.source: s for s in SourceSetting.objects.all()}
    days: dict[str, int | None] = {}
    for registered in sources():
        setting = configured.get(registered.key)
        if setting is not None and not setting.enabled:
            continue
        if not registered.escalates:
            days[registered.key] = None
        elif setting is not None:
            days[registered.key] = setting.escalate_after_days
        else:
            days[registered.key] = settings.NOTIFY_ESCALATE_AFTER_DAYS
    return days


def _render(lines: list[_Line], *, user, today: datetime.date) -> tuple[str, str]:
    subject = ngettext(
        "Party work reminder: %(count)d item due", "Party work reminder: %(count)d items due", len(lines)
    ) % {"count": len(lines)}
    rows = []
    for line in sorted(lines, key=lambda ln: (ln.escalated, ln.due.due_on or today, ln.source)):
        due = line.due
        text = due.text
        if line.escalated:
            text = _("%(unit)s is %(days)d days late: %(text)s") % {
                "unit": line.unit,
                "days": line.overdue_days,
                "text": text,
            }
        if due.due_on:
            text = _("%(text)s (due %(date)s)") % {"text": text, "date": prose_date(due.due_on)}
        rows.append(f"· [{line.title}] {text}")
        if due.link and settings.NOTIFY_SITE_URL:
            rows.append(f"  {settings.NOTIFY_SITE_URL}{due.link}")
    greeting = _("Hello %(name)s, as of %(date)s:") % {
        "name": user.get_full_name() or user.get_username(),
        "date": prose_date(today),
    }
    footer = _("You can change how you are reached on the notification settings page.")
    return subject[:120], "\n".join([greeting, *rows, "", footer])


def _address(channel: str, user, preference: Preference | None) -> str:
    if channel == "email":
        return user.email
    if channel == "wecom":
        return (preference.wecom_user_id if preference else "") or user.get_username()
    return preference.phone if preference else ""


@transaction.atomic
def digest_run(
    *, today: datetime.date, now: datetime.datetime, keep_in_outbox: bool = False
) -> dict[str, int]:
    """The daily digest: every registered source's items due on ``today``; each (person, item) not reported
    before goes into one digest per person; an item overdue by its source's days goes, once, to the people who
    run the unit above. A person with nothing new gets nothing. Deliveries are queued on commit, or kept in
    the outbox (``NOTIFY_DELIVERY=outbox``, or ``keep_in_outbox`` for the demo).

    Idempotent: the reported items and escalations are unique, so a second run the same day adds nothing
    (a racing second run fails on the unique keys and rolls back whole)."""
    days = _escalation_days()
    collected: list[_Line] = []
    for registered in sources():
        if registered.key not in days:
            continue
        collected += [_Line(registered.key, str(registered.title), due) for due in registered.collect(today)]
    if not collected:
        return {"items": 0, "digests": 0, "deliveries": 0, "escalations": 0}

    # Escalations: one per item key, to the unit above its unit.
    overdue: dict[str, _Line] = {}
    for line in collected:
        limit = days[line.source]
        if limit is None or line.due.due_on is None:
            continue
        late = (today - line.due.due_on).days
        if late >= limit:
            overdue.setdefault(line.due.key, _Line(line.source, line.title, line.due, True, late))
    done = set()
    for keys in _chunks(sorted(overdue)):
        done |= set(Escalation.objects.filter(key__in=keys).values_list("key", flat=True))
    fresh = {key: line for key, line in overdue.items() if key not in done}
    units = Organization.objects.in_bulk({line.due.organization_id for line in fresh.values()})
    parents_by_path = {}
    parent_paths = {unit.path[: -Organization.steplen] for unit in units.values() if unit.depth > 1}
    if parent_paths:
        parents_by_path = {org.path: org for org in Organization.objects.filter(path__in=parent_paths)}
    holders: dict[int, set[int]] = defaultdict(set)
    for user_id, org_id in (
        Role.objects.current()
        .filter(
            organization__in=list(parents_by_path.values()), kind__in=ESCALATION_ROLES, user__isnull=False
        )
        .values_list("user_id", "organization_id")
    ):
        holders[org_id].add(user_id)
    escalations = []
    for key, line in fresh.items():
        unit = units.get(line.due.organization_id)
        parent = parents_by_path.get(unit.path[: -Organization.steplen]) if unit is not None else None
        if parent is None:
            continue
        line.unit = unit.display_name
        assert line.due.due_on is not None  # only items with a due day become overdue (above)
        escalations.append(
            Escalation(
                key=key,
                source=line.source,
                organization=unit,
                escalated_to=parent,
                due_on=line.due.due_on,
                escalated_on=today,
            )
        )
        for user_id in holders.get(parent.pk, ()):
            collected.append(
                _Line(
                    line.source,
                    line.title,
                    Due(
                        user_id=user_id,
                        key=f"escalated:{key}",
                        text=line.due.text,
                        organization_id=line.due.organization_id,
                        due_on=line.due.due_on,
                        link=line.due.link,
                    ),
                    True,
                    line.overdue_days,
                    line.unit,
                )
            )
    Escalation.objects.bulk_create(escalations, batch_size=500)

    # What each person has not been told yet.
    pairs = {(line.due.user_id, line.due.key) for line in collected}
    keys = sorted({key for _user, key in pairs})
    reported = set()
    for chunk in _chunks(keys):
        reported |= set(ReportedItem.objects.filter(key__in=chunk).values_list("user_id", "key"))
    new: dict[int, dict[str, _Line]] = defaultdict(dict)
    for line in collected:
        if (line.due.user_id, line.due.key) not in reported:
            new[line.due.user_id].setdefault(line.due.key, line)
    if not new:
        return {"items": 0, "digests": 0, "deliveries": 0, "escalations": len(escalations)}

    users = get_user_model().objects.in_bulk(list(new))
    preferences = {p.user_id: p for p in Preference.objects.filter(user_id__in=list(new))}
    org_ids = {line.due.organization_id for lines in new.values() for line in lines.values()}
    roots = {
        org.pk: org.path[: Organization.steplen]
        for org in Organization.objects.filter(pk__in=org_ids).only("path")
    }
    university_by_path = dict(
        Organization.objects.filter(path__in=set(roots.values())).values_list("path", "pk")
    )
    digests, lines_of = [], []
    for user_id, lines in sorted(new.items()):
        user = users.get(user_id)
        if user is None or not user.is_active:
            continue
        subject, body = _render(list(lines.values()), user=user, today=today)
        first = min(lines.values(), key=lambda ln: ln.due.key)
        digests.append(
            Digest(
                user=user,
                day=today,
                subject=subject,
                body=body,
                item_count=len(lines),
                university_id=university_by_path.get(roots.get(first.due.organization_id)),
            )
        )
        lines_of.append(lines)
    if not digests:
        return {"items": 0, "digests": 0, "deliveries": 0, "escalations": len(escalations)}
    Digest.objects.bulk_create(digests, batch_size=500)  # ids returned on SQLite ≥ 3.35 and PostgreSQL
    ReportedItem.objects.bulk_create(
        [
            ReportedItem(
                user_id=digest.user_id,
                key=key,
                digest=digest,
                source=line.source,
                text=line.due.text[:240],
                due_on=line.due.due_on,
                escalated=line.escalated,
            )
            for digest, lines in zip(digests, lines_of, strict=True)
            for key, line in lines.items()
        ],
        batch_size=1000,
    )

    offered = set(channels.available())
    deliveries = []
    for digest in digests:
        preference = preferences.get(digest.user_id)
        chosen = preference.channels() if preference else ["email"]
        start = quiet_until(preference=preference, now=now)
        for channel in chosen:
            if channel not in offered:
                continue
            address = _address(channel, users[digest.user_id], preference)
            delivery = Delivery(digest=digest, channel=channel, address=address[:254], not_before=start)
            if not address:
                delivery.status, delivery.last_error = (
                    Delivery.Status.FAILED,
                    _("No address for this channel"),
                )
            elif keep_in_outbox or not channels.sending():
                delivery.status = Delivery.Status.OUTBOX
            deliveries.append(delivery)
    Delivery.objects.bulk_create(deliveries, batch_size=500)
    due_now = [d.pk for d in deliveries if d.status == Delivery.Status.PENDING and d.not_before <= now]
    if due_now:
        transaction.on_commit(lambda: _queue(due_now))
    return {
        "items": sum(len(lines) for lines in lines_of),
        "digests": len(digests),
        "deliveries": len(deliveries),
        "escalations": len(escalations),
    }


def _queue(delivery_ids: list[int]) -> None:
    from notifications.tasks import delivery_send

    for pk in delivery_ids:
        delivery_send.delay(pk)


@dataclass(frozen=True)
class AttemptResult:
    outcome: str  # "sent", "retry", "failed", or "skipped" when nothing was claimed
    retry_in: int | None = None


def delivery_attempt(*, delivery_id: int, now: datetime.datetime) -> AttemptResult:
    """Try one delivery once: claim it (a conditional update, so two workers never send it twice), send outside
    any transaction, record the attempt. A transient failure is tried again after ``backoff_seconds`` until
    ``NOTIFY_MAX_ATTEMPTS``; a permanent one fails at once."""
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, not_before__lte=now + CLAIM_SLACK
    ).update(status=Delivery.Status.SENDING, attempts=F("attempts") + 1, not_before=now)
    if not claimed:
        return AttemptResult("skipped")
    delivery = Delivery.objects.select_related("digest__user").get(pk=delivery_id)
    user = delivery.digest.user
    message = channels.Message(
        subject=delivery.digest.subject,
        body=delivery.digest.body,
        item_count=delivery.digest.item_count,
        name=user.get_full_name() or user.get_username(),
    )
    retry_in = None
    try:
        provider_id = channels.send(delivery.channel, delivery.address, message)
    except channels.Transient as exc:
        detail = str(exc)
        if delivery.attempts < settings.NOTIFY_MAX_ATTEMPTS:
            outcome, retry_in = (
                DeliveryAttempt.Outcome.RETRY,
                backoff_seconds(attempts=delivery.attempts, retry_after=exc.retry_after),
            )
        else:
            outcome = DeliveryAttempt.Outcome.FAILED
    except channels.Permanent as exc:
        detail, outcome = str(exc), DeliveryAttempt.Outcome.FAILED
    except Exception as exc:  # a bug in an adapter: recorded and retried like a transient failure
        logger.exception("notification delivery %s raised", delivery_id)
        detail = f"{exc.__class__.__name__}: {exc}"[:300]
        outcome = (
            DeliveryAttempt.Outcome.RETRY
            if delivery.attempts < settings.NOTIFY_MAX_ATTEMPTS
            else DeliveryAttempt.Outcome.FAILED
        )
        retry_in = (
            backoff_seconds(attempts=delivery.attempts) if outcome == DeliveryAttempt.Outcome.RETRY else None
        )
    else:
        detail, outcome = provider_id[:300], DeliveryAttempt.Outcome.SENT
    with transaction.atomic():
        DeliveryAttempt.objects.create(delivery=delivery, at=now, outcome=outcome, detail=detail[:300])
        if outcome == DeliveryAttempt.Outcome.SENT:
            delivery.status, delivery.sent_at, delivery.provider_id, delivery.last_error = (
                Delivery.Status.SENT,
                now,
                provider_id[:100],
                "",
            )
        elif outcome == DeliveryAttempt.Outcome.RETRY:
            delivery.status, delivery.last_error = Delivery.Status.PENDING, detail[:300]
            assert retry_in is not None  # set with every RETRY outcome above
            delivery.not_before = now + datetime.timedelta(seconds=retry_in)
        else:
            delivery.status, delivery.last_error = Delivery.Status.FAILED, detail[:300]
        delivery.save(update_fields=["status", "sent_at", "provider_id", "last_error", "not_before"])
    return AttemptResult(str(outcome), retry_in)


def deliveries_due(
    *, now: datetime.datetime, stale_after: datetime.timedelta = datetime.timedelta(minutes=30)
) -> list[int]:
    """The deliveries whose time has come (quiet hours over, back-off elapsed), and those left SENDING by a
    worker that died mid-send longer than ``stale_after`` ago, put back to PENDING. For the sweeper."""
    Delivery.objects.filter(status=Delivery.Status.SENDING, not_before__lte=now - stale_after).update(
        status=Delivery.Status.PENDING
    )
    return list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, not_before__lte=now)
        .order_by("not_before")
        .values_list("pk", flat=True)[:5000]
    )


@transaction.atomic
def preference_save(
    *,
    user,
    email: bool,
    wecom: bool,
    sms: bool,
    wecom_user_id: str,
    phone: str,
    quiet_from: datetime.time | None,
    quiet_until: datetime.time | None,
) -> Preference:
    """A person's own channels, addresses and quiet hours (both times or neither)."""
    if (quiet_from is None) != (quiet_until is None):
        from django.core.exceptions import ValidationError

        raise ValidationError({"quiet_until": _("Give both ends of the quiet hours, or neither.")})
    preference, _created = Preference.objects.select_for_update().get_or_create(user=user)
    preference.email, preference.wecom, preference.sms = email, wecom, sms
    preference.wecom_user_id, preference.phone = wecom_user_id, phone
    preference.quiet_from, preference.quiet_until = quiet_from, quiet_until
    preference.save()
    return preference
