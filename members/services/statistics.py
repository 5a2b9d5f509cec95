"""Writes of the 党内统计 reports (issue 21): asking for a report and computing it (the Celery task's body)."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from branches.bounds import date_problem
from branches.models import Organization
from branches.once import once_bind, once_claim
from branches.selectors import VIEW, organization_permission_holds
from members import statistics
from members.models import StatReport


def stat_report_request(
    *, organization: Organization, as_of: datetime.date, by: User | None, request_key=None
) -> StatReport:
    """Ask for the tables of ``organization`` as of ``as_of``: one report per unit and date, recomputed in
    place when asked again. The computation runs in a Celery task queued after the commit."""
    if by is not None and not organization_permission_holds(
        user=by, organization=organization, codename=VIEW
    ):
        raise PermissionDenied
    problem = date_problem(as_of, future=False)
    if problem:
        raise ValidationError(problem)
    with transaction.atomic():
        repeated = once_claim(key=request_key, user=by, model=StatReport)
        if repeated is not None:
            return repeated  # the same form sent twice: one computation
        report, _created = StatReport.objects.select_for_update().get_or_create(
            organization=organization, as_of=as_of, defaults={"requested_by": by}
        )
        once_bind(key=request_key, record=report)
        if report.status in (StatReport.Status.QUEUED, StatReport.Status.RUNNING) and not _created:
            return report  # already on its way: a second click queues nothing more
        report.status = StatReport.Status.QUEUED
        report.done_tables = 0
        report.total_tables = statistics.active_tables().count()
        report.result = {}
        report.error = ""
        report.requested_by = by
        report.finished_at = None
        report.save(
            update_fields=[
                "status",
                "done_tables",
                "total_tables",
                "result",
                "error",
                "requested_by",
                "finished_at",
            ]
        )
        from members.tasks import stat_report_compute as task

        transaction.on_commit(lambda: task.delay(report.pk))
    return report


def stat_report_compute(*, report_id: int, again: bool = False) -> StatReport:
    """Compute every active table of the report, saving the progress after each. Idempotent: a report
    already done is left as it is, unless ``again`` (the demo, once the later apps' data of the year is in)."""
    with transaction.atomic():
        report = StatReport.objects.select_for_update().select_related("organization").get(pk=report_id)
        if report.status == StatReport.Status.DONE and not again:
            return report
        report.status = StatReport.Status.RUNNING
        tables = list(statistics.active_tables())
        report.total_tables = len(tables)
        report.done_tables = 0
        report.save(update_fields=["status", "total_tables", "done_tables"])
    result: dict = {"tables": []}
    try:
        for table in tables:
            cells = statistics.compute_table(table=table, unit=report.organization, as_of=report.as_of)
            result["tables"].append(statistics.table_snapshot(table, cells))
            StatReport.objects.filter(pk=report.pk).update(done_tables=len(result["tables"]))
    except Exception as exc:  # the report says it failed rather than staying "running" for ever
        StatReport.objects.filter(pk=report.pk).update(
            status=StatReport.Status.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        raise
    StatReport.objects.filter(pk=report.pk).update(
        status=StatReport.Status.DONE, result=result, done_tables=len(tables), finished_at=timezone.now()
    )
    report.refresh_from_db()
    return report
