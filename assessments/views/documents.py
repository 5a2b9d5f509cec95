"""Word downloads of the July-1 cycle (issue 21): a unit's assessment report, a committee's 考核评估总结 and
the 组织部's report on the year's assessment. Each is authorised as the page it prints: the report as the
report page, the summary as the committee's page, the year's report as the 组织部's verification."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET

from assessments import documents
from assessments.selectors import assessment as selectors
from assessments.selectors import documents as document_selectors
from assessments.services.assessment import may_verify
from branches.access import checked_by
from branches.documents import docx_response
from branches.models import Organization
from branches.selectors import require_organization_permission


def _cycle(request: HttpRequest, year: int):
    cycle = selectors.cycles_for(user=request.user).filter(year=year).first()
    if cycle is None:
        raise Http404
    return cycle


@login_required
@require_GET
@checked_by(document_selectors.report_assessment_for)
def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's 考核结果报告, for whoever may read its report page."""
    assessment = document_selectors.report_assessment_for(user=request.user, pk=pk)
    if assessment is None:
        raise Http404
    content = documents.unit_report_document(
        assessment=assessment,
        groups=selectors.assessment_groups(assessment=assessment),
        reviewer=document_selectors.parent_of(assessment.organization),
        today=timezone.localdate(),
    )
    unit = assessment.organization
    return docx_response(content, f"考核结果报告-{assessment.cycle.year}-{unit.code or unit.pk}.docx")


@login_required
@require_GET
@checked_by(selectors.cycles_for, require_organization_permission)
def committee_summary_docx(request: HttpRequest, year: int, org: int) -> HttpResponse:
    """A committee's 考核评估总结 of its branches, for the committee and the units above it."""
    cycle = _cycle(request, year)
    committee = get_object_or_404(
        Organization,
        pk=org,
        path__startswith=cycle.root.path,
        kind__in=Organization.SECONDARY_KINDS,
    )
    require_organization_permission(user=request.user, organization=committee)
    data = document_selectors.committee_summary(cycle=cycle, committee=committee)
    content = documents.committee_summary_document(data=data, year=year, today=timezone.localdate())
    return docx_response(content, f"考核评估总结-{year}-{committee.code or committee.pk}.docx")


@login_required
@require_GET
@checked_by(selectors.cycles_for, may_verify)
def university_report_docx(request: HttpRequest, year: int) -> HttpResponse:
    """The 组织部's report to the university committee on the year's assessment, for the 组织部 (those who
    verify the cycle: the university's officers and the units above it)."""
    cycle = _cycle(request, year)
    if not may_verify(user=request.user, cycle=cycle):
        raise PermissionDenied
    data = document_selectors.university_report(cycle=cycle)
    content = documents.university_report_document(data=data, today=timezone.localdate())
    return docx_response(content, f"考核评估工作情况报告-{year}.docx")
