"""A unit's yearly work record (工作记录): a summary by meeting type and every record of the year, as xlsx.

The printable page (templates/disclosure/work_record.html) and the spreadsheet show the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization
from branches.spreadsheets.export import Sheet, columns, workbook_bytes
from disclosure.models import Meeting


@dataclass
class KindSummary:
    kind: str
    label: str
    records: int
    approved: int
    late: int
    average_lag: float | None


def work_record_summary(*, unit: Organization, meetings: list[Meeting]) -> list[KindSummary]:
    """Per meeting type the unit holds: records, approved, filed late and the average filing lag."""
    kinds = Meeting.BRANCH_KINDS if unit.kind == Organization.Kind.BRANCH else Meeting.COMMITTEE_KINDS
    summary = []
    for kind in kinds:
        of_kind = [m for m in meetings if m.kind == kind]
        lags = [m.filing_lag_days for m in of_kind if m.filing_lag_days is not None]
        summary.append(
            KindSummary(
                kind=kind,
                label=str(kind.label),
                records=len(of_kind),
                approved=sum(1 for m in of_kind if m.status == Meeting.Status.APPROVED),
                late=sum(1 for m in of_kind if m.is_late),
                average_lag=round(sum(lags) / len(lags), 1) if lags else None,
            )
        )
    return summary


def _absentees(meeting: Meeting) -> str:
    people = getattr(meeting, "absentees", None)
    if people is None:  # not prefetched: nothing rather than a query per row
        return ""
    return "；".join(f"{a.member.name}（{a.get_status_display()}：{a.reason}）" for a in people)


def work_record_xlsx(*, unit: Organization, year: int, meetings: list[Meeting]) -> bytes:
    """Two sheets: every record of the year (one row each) and the summary by meeting type."""
    records = Sheet(
        _("Meetings"),
        columns(
            (_("Date"), 12),
            (_("Time"), 8),
            (_("Meeting type"), 18),
            (_("Party group"), 14),
            (_("Place"), 16),
            (_("Chair"), 10),
            (_("Recorder"), 10),
            (_("Lecturer"), 10),
            (_("Topics"), 40, None, True),
            (_("Decisions"), 30, None, True),
            (_("Expected"), 8),
            (_("Present"), 8),
            (_("On leave"), 8),
            (_("Absent"), 8),
            (_("Absentees and reasons"), 30, None, True),
            (_("Status"), 10),
            (_("Filed on"), 12),
            (_("Filing lag (days)"), 10),
            (_("Filed late"), 8),
        ),
        [_record_row(meeting) for meeting in meetings],
    )
    summary = Sheet(
        _("Summary"),
        columns(
            (_("Meeting type"), 22),
            (_("Records"), 10),
            (_("Approved"), 10),
            (_("Filed late"), 10),
            (_("Average lag (days)"), 16),
        ),
        [
            [item.label, item.records, item.approved, item.late, item.average_lag]
            for item in work_record_summary(unit=unit, meetings=meetings)
        ],
        notes=[f"{unit.name} · {year}"],
    )
    return workbook_bytes([records, summary], title=f"{unit.name} {year}")


def _record_row(meeting: Meeting) -> list:
    held = timezone.localtime(meeting.held_at)
    filed = timezone.localtime(meeting.first_submitted_at).date() if meeting.first_submitted_at else None
    return [
        held.date(),
        held.strftime("%H:%M"),
        meeting.get_kind_display(),
        meeting.party_group.name if meeting.party_group else "",
        meeting.place,
        meeting.chair,
        meeting.recorder,
        meeting.lecturer,
        meeting.topics,
        meeting.decisions,
        meeting.expected_count,
        meeting.present_count,
        meeting.leave_count,
        meeting.absent_count,
        _absentees(meeting),
        meeting.get_status_display(),
        filed,
        meeting.filing_lag_days,
        _("Yes") if meeting.is_late else _("No"),
    ]
