"""Word downloads of disclosure's records (issue 21): a meeting's minutes and a unit's yearly work record.
Authorised as the pages they print: whoever may read the minutes may download them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from branches.access import checked_by, unit_access
from branches.documents import docx_response
from branches.models import Organization
from disclosure import documents
from disclosure.selectors import meeting_may_view
from disclosure.views.meetings import (
    MEETING_UNIT_KINDS,
    _meeting_for_view,
    _work_record_meetings,
    _year_or_404,
)


@login_required
@require_GET
@checked_by(meeting_may_view)
def meeting_minutes_docx(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for_view(request, pk)
    return docx_response(documents.minutes_document(meeting=meeting), f"会议记录-{meeting.pk}.docx")


@login_required
@require_GET
@unit_access(kinds=MEETING_UNIT_KINDS)
def work_record_docx(request: HttpRequest, unit: Organization, year: int) -> HttpResponse:
    year = _year_or_404(year)
    meetings = _work_record_meetings(request, unit, year)
    return docx_response(
        documents.work_record_document(unit=unit, year=year, meetings=meetings),
        f"工作纪实-{unit.code or unit.pk}-{year}.docx",
    )
