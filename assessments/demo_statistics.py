"""Demo (issue 21.1): last year's 党内统计 computed again once this app's data of that year is in — members'
statistics step runs before the 民主评议 and 七一表彰 demo steps, so its kept reports would show those tables
empty. Imported at the end of ``demo_evaluation`` so that it registers after both."""

from __future__ import annotations

import datetime

from members.demo import DemoBuilder, DemoStep, register_demo_step


def _load(builder: DemoBuilder) -> str:
    from members.models import StatReport
    from members.services.statistics import stat_report_compute

    as_of = datetime.date(builder.today.year - 1, 12, 31)
    reports = list(StatReport.objects.filter(as_of=as_of).select_related("organization"))
    for report in reports:
        stat_report_compute(report_id=report.pk, again=True)
        # And this year's so far, where the terms that ended this year show as overdue.
        now, _created = StatReport.objects.get_or_create(
            organization=report.organization, as_of=builder.today
        )
        stat_report_compute(report_id=now.pk, again=True)
    return (
        f"with evaluations, commendations and committees: {len(reports)} report(s) as of "
        f"{as_of.isoformat()}, and as of {builder.today.isoformat()}"
    )


def _clear() -> None:
    """Nothing of its own: members' statistics step deletes the reports."""


register_demo_step(DemoStep(name="statistics_assessments", load=_load, clear=_clear, analyze_first=True))
