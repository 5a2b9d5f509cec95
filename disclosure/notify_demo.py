"""The demo's outbox (issue 20): one digest run over the demo's to-dos, kept in the outbox (nothing is sent),
with a few deliveries marked as sent and a few as failed after retries, so the 组织部's outbox page shows every
outcome. Registered from ``disclosure.notify`` (``notifications`` imports only ``branches``)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from members.demo import DemoBuilder, DemoStep, register_demo_step


def load(builder: DemoBuilder) -> str:
    from notifications.models import Delivery, DeliveryAttempt
    from notifications.services import digest_run

    if builder.scale > 1:  # a province: the beat's first run builds the digests, the demo stays fast
        return "skipped at this scale"
    now = timezone.make_aware(datetime.datetime.combine(builder.today, datetime.time(7, 30)))
    counts = digest_run(today=builder.today, now=now, keep_in_outbox=True)
    picked = list(Delivery.objects.order_by("pk").values_list("pk", flat=True)[:6])
    sent, failed = picked[:3], picked[3:]
    tries = []
    with transaction.atomic():
        for n, pk in enumerate(sent):
            at = now + datetime.timedelta(seconds=n + 1)
            Delivery.objects.filter(pk=pk).update(
                status=Delivery.Status.SENT, attempts=1, sent_at=at, provider_id=f"demo-{pk}"
            )
            tries.append(
                DeliveryAttempt(
                    delivery_id=pk, at=at, outcome=DeliveryAttempt.Outcome.SENT, detail=f"demo-{pk}"
                )
            )
        for pk in failed:
            error = "WeCom message/send errcode 81013: user & party & tag all invalid"
            Delivery.objects.filter(pk=pk).update(
                status=Delivery.Status.FAILED, channel="wecom", attempts=2, last_error=error
            )
            tries += [
                DeliveryAttempt(
                    delivery_id=pk,
                    at=now,
                    outcome=DeliveryAttempt.Outcome.RETRY,
                    detail="WeCom message/send errcode 45009: api freq out of limit",
                ),
                DeliveryAttempt(
                    delivery_id=pk,
                    at=now + datetime.timedelta(minutes=1),
                    outcome=DeliveryAttempt.Outcome.FAILED,
                    detail=error,
                ),
            ]
        DeliveryAttempt.objects.bulk_create(tries)
    return (
        f"{counts['digests']} digests of {counts['items']} items ({counts['escalations']} escalations) in the "
        f"outbox, {len(sent)} marked sent, {len(failed)} failed"
    )


def clear() -> None:
    from notifications.models import Digest, Escalation, Preference

    Digest.objects.all().delete()  # with their deliveries, attempts and reported items
    Escalation.objects.all().delete()
    Preference.objects.all().delete()


def register() -> None:
    register_demo_step(DemoStep(name="notifications", load=load, clear=clear))
