"""Word downloads of disclosure's records (issue 21): a meeting's minutes and a unit's yearly work record.
Authorised as the pages they print: whoever may read the minutes may download them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from branches.documents import docx_response
from branches.selectors import require_organization_permission
from disclosure import documents
from disclosure.views.meetings import _meeting_for_view, _unit_or_404, _work_record_meetings, _year_or_404


@login_required
@require_GET
def meeting_minutes_docx(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for_view(request, pk)
    return docx_response(documents.minutes_document(meeting=meeting), f"会议记录-{meeting.pk}.docx")


@login_required
@require_GET
def work_record_docx(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    unit = _unit_or_404(pk)
    require_organization_permission(user=request.user, organization=unit)
    year = _year_or_404(year)
    meetings = _work_record_meetings(request, unit, year)
    return docx_response(
        documents.work_record_document(unit=unit, year=year, meetings=meetings),
        f"工作纪实-{unit.code or unit.pk}-{year}.docx",
    )
