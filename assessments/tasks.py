"""Celery adapters: take plain arguments, call a service."""

from celery import shared_task


@shared_task
def advance_cycles(today: str | None = None) -> dict[str, dict[str, int]]:
    """The daily cycle step; run every day at 02:00 by beat (config/celery.py). ``today`` is an ISO date
    (default: today in Beijing time), for a manual catch-up run."""
    import datetime

    from django.utils import timezone

    from assessments.services import cycles_advance

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return cycles_advance(today=day)
