"""A unit's yearly work record (工作记录): a summary by meeting type and every record of the year, as xlsx.

The printable page (templates/disclosure/work_record.html) and the spreadsheet show the same rows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

from branches.models import Organization
from disclosure.models import Meeting

# A cell starting like a formula would run as one when the file is opened in Excel.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
        summary.append(KindSummary(
            kind=kind,
            label=str(kind.label),
            records=len(of_kind),
            approved=sum(1 for m in of_kind if m.status == Meeting.Status.APPROVED),
            late=sum(1 for m in of_kind if m.is_late),
            average_lag=round(sum(lags) / len(lags), 1) if lags else None,
        ))
    return summary


def _text(value: str) -> str:
    text = ILLEGAL_CHARACTERS_RE.sub("", value or "").strip()
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return text


def _absentees(meeting: Meeting) -> str:
    people = getattr(meeting, "absentees", None)
    if people is None:  # not prefetched: nothing rather than a query per row
        return ""
    return "；".join(f"{a.member.name}（{a.get_status_display()}：{a.reason}）" for a in people)


HEADER_FILL = PatternFill("solid", fgColor="FBF3DC")


def _header(sheet, titles: list[str], widths: list[int]) -> None:
    sheet.append(titles)
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"


def work_record_xlsx(*, unit: Organization, year: int, meetings: list[Meeting]) -> bytes:
    """Two sheets: every record of the year (one row each) and the summary by meeting type."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Meetings")[:31]
    _header(
        sheet,
        [_("Date"), _("Time"), _("Meeting type"), _("Party group"), _("Place"), _("Chair"), _("Recorder"),
         _("Lecturer"), _("Topics"), _("Decisions"), _("Expected"), _("Present"), _("On leave"), _("Absent"),
         _("Absentees and reasons"), _("Status"), _("Filed on"), _("Filing lag (days)"), _("Filed late")],
        [12, 8, 18, 14, 16, 10, 10, 10, 40, 30, 8, 8, 8, 8, 30, 10, 12, 10, 8],
    )
    wrap = Alignment(wrap_text=True, vertical="top")
    for meeting in meetings:
        held = timezone.localtime(meeting.held_at)
        filed = timezone.localtime(meeting.first_submitted_at).date() if meeting.first_submitted_at else None
        sheet.append([
            held.date(), held.strftime("%H:%M"), str(meeting.get_kind_display()),
            _text(meeting.party_group.name if meeting.party_group else ""), _text(meeting.place),
            _text(meeting.chair), _text(meeting.recorder), _text(meeting.lecturer), _text(meeting.topics),
            _text(meeting.decisions), meeting.expected_count, meeting.present_count, meeting.leave_count,
            meeting.absent_count, _text(_absentees(meeting)), str(meeting.get_status_display()), filed,
            meeting.filing_lag_days, _("Yes") if meeting.is_late else _("No"),
        ])
        row = sheet.max_row
        sheet.cell(row=row, column=1).number_format = "yyyy-mm-dd"
        sheet.cell(row=row, column=17).number_format = "yyyy-mm-dd"
        for column in (9, 10, 15):
            sheet.cell(row=row, column=column).alignment = wrap

    summary = book.create_sheet(_("Summary")[:31])
    _header(summary, [_("Meeting type"), _("Records"), _("Approved"), _("Filed late"), _("Average lag (days)")],
            [22, 10, 10, 10, 16])
    for item in work_record_summary(unit=unit, meetings=meetings):
        summary.append([item.label, item.records, item.approved, item.late, item.average_lag])
    summary.append([])
    summary.append([_text(f"{unit.name} · {year}")])

    book.properties.title = _text(f"{unit.name} {year}")
    book.properties.creator = "Party Building Portal"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

