"""Celery adapters: the daily digest, one delivery (retried with back-off), and the sweeper that sends what
quiet hours or a back-off held back."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from notifications import services


@shared_task
def digest_run() -> dict[str, int]:
    return services.digest_run(today=timezone.localdate(), now=timezone.now())


@shared_task(bind=True, acks_late=True, max_retries=None)
def delivery_send(self, delivery_id: int) -> str:
    """One try; a transient failure is retried by Celery after the back-off the service computed (the service
    counts the tries and stops at NOTIFY_MAX_ATTEMPTS, so Celery's own limit is off)."""
    result = services.delivery_attempt(delivery_id=delivery_id, now=timezone.now())
    if result.retry_in is not None and not settings.CELERY_TASK_ALWAYS_EAGER:
        raise self.retry(countdown=result.retry_in)
    # Eager (tests, no worker): the sweeper sends it once its back-off has passed.
    return result.outcome


@shared_task
def deliveries_sweep() -> int:
    due = services.deliveries_due(now=timezone.now())
    for pk in due:
        delivery_send.delay(pk)
    return len(due)
