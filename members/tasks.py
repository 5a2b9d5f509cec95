"""Celery adapters: take ids, call a service."""

from celery import shared_task


@shared_task
def stats_snapshot_take(organization_id: int, taken_on: str | None = None) -> int:
    """Snapshot one unit's statistics (idempotent per unit and day). Returns the snapshot id."""
    import datetime

    from members.services import stats_snapshot_take as take

    day = datetime.date.fromisoformat(taken_on) if taken_on else None
    return take(organization_id=organization_id, taken_on=day).pk


@shared_task
def stats_snapshot_take_all() -> int:
    """Snapshot every root and secondary committee; run daily by beat (config/celery.py)."""
    from members.services import stats_snapshot_take_all as take_all

    return take_all()


@shared_task
def stat_report_compute(report_id: int) -> int:
    """Compute one 党内统计 report (issue 21), its progress saved table by table. Returns the report id."""
    from members.services.statistics import stat_report_compute as compute

    return compute(report_id=report_id).pk
