"""Pages for the minutes: a unit's meetings, the secretary's form, one record with its review, attachments,
the review queue and the yearly work record (printable page and xlsx)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import ExtractYear
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.access import checked_by, unit_access
from branches.attachments import attachment_response
from branches.spreadsheets.export import xlsx_response
from branches.models import Organization
from branches.selectors import (
    MANAGE_MEMBERS,
    MANAGE_UNITS,
    organization_ancestors,
    organization_permission_holds,
    organizations_with_permission,
    require_organization_permission,
)
from disclosure import services
from disclosure.exports import work_record_summary, work_record_xlsx
from disclosure.forms import AttendanceForm, MeetingForm, ReturnForm
from disclosure.services.sign_in import attendance_prefill
from disclosure.models import Attachment, Attendance, Meeting
from disclosure.selectors import (
    meeting_may_edit,
    meeting_may_review,
    meeting_may_view,
    meetings_of,
    review_queue,
)
from members.models import Member

# Units that hold meetings of their own: branches (三会一课) and the committees above them (党委会 …).
MEETING_UNIT_KINDS = (
    Organization.Kind.BRANCH,
    Organization.Kind.COMMITTEE,
    Organization.Kind.GENERAL_BRANCH,
    Organization.Kind.UNIVERSITY,
)
# Two saves of one request (the record, then its derived counts) are one change in the history.
HISTORY_MERGE_SECONDS = 5


def _year_or_404(year: int) -> int:
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise Http404
    return year


def _visible(meetings: QuerySet[Meeting], *, can_manage: bool) -> QuerySet[Meeting]:
    """Restricted minutes are for the unit's secretaries (and their reviewer, who reaches them by the queue)."""
    return meetings if can_manage else meetings.exclude(visibility=Meeting.Visibility.RESTRICTED)


def _sanitized(html: str) -> str:
    # The service stores sanitised HTML; cleaning again on output also covers rows written by other paths
    # (the admin, imports) and costs microseconds.
    return mark_safe(services.sanitize_minutes(html))


# --- a unit's meetings ----------------------------------------------------------------------------------


@login_required
@require_GET
@unit_access(kinds=MEETING_UNIT_KINDS)
def meeting_list(request: HttpRequest, unit: Organization) -> HttpResponse:
    """A unit's records of one year, with status, lateness and lag. Fixed queries: the unit, two
    permissions, the breadcrumb, the years on file and the records."""
    can_manage = organization_permission_holds(user=request.user, organization=unit, codename=MANAGE_MEMBERS)
    today = timezone.localdate()
    raw = request.GET.get("year") or str(today.year)
    # A year that is not a number, or outside the Party's records (1921 to next year), is a 404, not a 500.
    if not raw.isdigit() or not 1921 <= int(raw) <= today.year + 1:
        raise Http404
    year = int(raw)
    years = set(
        Meeting.objects.filter(organization=unit)
        .annotate(year=ExtractYear("held_at", tzinfo=timezone.get_current_timezone()))
        .values_list("year", flat=True)
        .distinct()
        .order_by()
    )
    years |= {today.year, year}
    meetings = _visible(meetings_of(organization=unit, year=year), can_manage=can_manage)
    context = {
        "unit": unit,
        "ancestors": organization_ancestors(organization=unit),
        "meetings": meetings,
        "year": year,
        "years": sorted(years, reverse=True),
        "can_file": can_manage and unit.is_active,
    }
    return render(request, "disclosure/meeting_list.html", context)


# --- the secretary's form ---------------------------------------------------------------------------------


def _groups(unit: Organization) -> list[Organization]:
    if unit.kind != Organization.Kind.BRANCH:
        return []
    return list(
        Organization.objects.filter(
            path__startswith=unit.path, kind=Organization.Kind.GROUP, is_active=True
        ).order_by("path")
    )


def _roster(unit: Organization) -> list[Member]:
    """Who is expected: a branch's active party members (probationary and full, its groups included).

    A committee's own meetings (党委会, 中心组学习 …) are attended by its members, the people holding a
    current role on it, not by the thousands of party members below it (whose rows would also exceed
    DATA_UPLOAD_MAX_NUMBER_FIELDS).
    """
    members = Member.objects.active().party_members().in_subtree(unit)
    if unit.kind != Organization.Kind.BRANCH:
        members = members.filter(
            user__party_roles__organization=unit, user__party_roles__ended_on__isnull=True
        ).distinct()
    return list(members.select_related("party_group").order_by("name", "pk"))


def _meeting_form(request: HttpRequest, unit: Organization, meeting: Meeting | None) -> HttpResponse:
    groups = _groups(unit)
    members = _roster(unit)
    recorded = {a.member_id: a for a in meeting.attendance.all()} if meeting is not None else {}
    if request.method == "POST":
        form = MeetingForm(request.POST, request.FILES, unit=unit, groups=groups)
        attendance = AttendanceForm(request.POST, members=members, recorded=recorded)
        submit = request.POST.get("action") == "submit"
        if form.is_valid() and attendance.is_valid():
            try:
                saved = services.meeting_save(
                    by=request.user,
                    organization=unit,
                    data=form.meeting_data(),
                    attendance=attendance.entries(),
                    attachments=tuple(form.cleaned_data["attachments"]),
                    meeting=meeting,
                    submit=submit,
                    request_key=form.cleaned_data.get("request_key"),
                )
            except ValidationError as exc:
                # Nothing was saved (one transaction): show why, above the form, with everything typed kept.
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                if not submit:
                    messages.success(request, _("The draft has been saved."))
                    return redirect("disclosure:edit", pk=saved.pk)
                messages.success(request, _("The record has been submitted for review."))
                if saved.is_late:
                    messages.warning(
                        request,
                        _("It was filed %(days)d days after the meeting and is marked late.")
                        % {"days": saved.filing_lag_days},
                    )
                return redirect("disclosure:detail", pk=saved.pk)
    else:
        initial = MeetingForm.initial_for(meeting)
        kind = request.GET.get("kind")
        if meeting is None and kind:
            initial["kind"] = (
                kind  # from a to-do "hold and record …"; an unknown value is simply not selected
            )
        form = MeetingForm(initial=initial, unit=unit, groups=groups)
        if meeting is not None and meeting.editable:
            # Members who scanned the QR code are present, the others absent until the secretary says why.
            recorded, signed = attendance_prefill(meeting=meeting, members=members, recorded=recorded)
            if signed:
                messages.info(
                    request,
                    _(
                        "Attendance is filled in from the QR sign-ins (%(n)d signed in); "
                        "correct it where needed."
                    )
                    % {"n": signed},
                )
        attendance = AttendanceForm(members=members, recorded=recorded)
    context = {
        "unit": unit,
        "ancestors": organization_ancestors(organization=unit),
        "meeting": meeting,
        "form": form,
        "attendance": attendance,
        "attachments": list(meeting.attachments.all()) if meeting is not None else [],
        # A browser cannot refill a file input: say so when files were sent with a form that failed.
        "files_dropped": request.method == "POST" and bool(request.FILES),
    }
    return render(request, "disclosure/meeting_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@unit_access(MANAGE_MEMBERS, kinds=MEETING_UNIT_KINDS)
def meeting_create(request: HttpRequest, unit: Organization) -> HttpResponse:
    if not unit.is_active:
        raise PermissionDenied
    return _meeting_form(request, unit, None)


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(meeting_may_edit)
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.select_related("organization"), pk=pk)
    if not meeting_may_edit(user=request.user, meeting=meeting):
        if meeting.editable:
            raise PermissionDenied
        # Submitted or approved: frozen. Its own secretary is told why; anyone else is refused.
        require_organization_permission(
            user=request.user, organization=meeting.organization, codename=MANAGE_MEMBERS
        )
        messages.info(request, _("This record has been submitted and can no longer be changed."))
        return redirect("disclosure:detail", pk=meeting.pk)
    return _meeting_form(request, meeting.organization, meeting)


# --- one record -------------------------------------------------------------------------------------------

ATTENDANCE_ORDER = {Attendance.Status.ABSENT: 0, Attendance.Status.LEAVE: 1, Attendance.Status.PRESENT: 2}


def _history_rows(records) -> list[dict]:
    """The record's changes, oldest first: who, when, the status after it and what it was.

    One save by the secretary writes two history rows (the record, then its derived counts), so rows by the
    same person moments apart are one change: a row that leaves the status as it was folds into the one
    before it, and a plain edit just before a status change by the same person is part of that change.
    """
    rows: list[dict] = []

    def close(previous: dict, record) -> bool:
        return (
            previous["record"].history_user_id == record.history_user_id
            and (record.history_date - previous["date"]).total_seconds() < HISTORY_MERGE_SECONDS
        )

    for record in records:
        last = rows[-1] if rows else None
        if last is not None and close(last, record) and record.status == last["status"]:
            last["date"] = record.history_date
            last["record"] = record
            continue
        row = {
            "record": record,
            "user": record.history_user,
            "date": record.history_date,
            "status": record.status,
            "previous": last["status"] if last else None,
            "created": record.history_type == "+",
        }
        if (
            last is not None
            and close(last, record)
            and not last["created"]
            and last["status"] == last["previous"]
        ):
            row["previous"] = last["previous"]
            rows[-1] = row
        else:
            rows.append(row)
    for row in rows:
        status, previous = row["status"], row["previous"]
        if row["created"]:
            row["action"] = _("Created")
        elif status != previous and status == Meeting.Status.SUBMITTED:
            row["action"] = (
                _("Resubmitted") if previous == Meeting.Status.RETURNED else _("Submitted for review")
            )
        elif status != previous and status == Meeting.Status.RETURNED:
            row["action"] = _("Returned")
        elif status != previous and status == Meeting.Status.APPROVED:
            row["action"] = _("Approved")
        else:
            row["action"] = _("Edited")
        row["status_label"] = Meeting.Status(status).label
    return rows


def _detail_context(request: HttpRequest, meeting: Meeting, return_form: ReturnForm | None = None) -> dict:
    attendance = sorted(
        meeting.attendance.select_related("member"), key=lambda a: (ATTENDANCE_ORDER[a.status], a.member.name)
    )
    may_review = meeting_may_review(user=request.user, meeting=meeting)
    can_review = may_review and meeting.status == Meeting.Status.SUBMITTED
    history = meeting.history.select_related("history_user").order_by("history_date", "history_id")
    # Approved minutes can be published to 支部生活 as a summary (two more queries, approved records only).
    summary_post = can_publish_summary = None
    if meeting.status == Meeting.Status.APPROVED:
        summary_post = meeting.summary_posts.first()
        can_publish_summary = summary_post is None and organization_permission_holds(
            user=request.user, organization=meeting.organization, codename=MANAGE_MEMBERS
        )
    return {
        "summary_post": summary_post,
        "can_publish_summary": can_publish_summary,
        "meeting": meeting,
        "unit": meeting.organization,
        "ancestors": organization_ancestors(organization=meeting.organization),
        "minutes_html": _sanitized(meeting.minutes),
        "attendance": attendance,
        "absentees": [a for a in attendance if a.status != Attendance.Status.PRESENT],
        "attachments": list(meeting.attachments.all()),
        "history": _history_rows(history),
        "can_edit": meeting_may_edit(user=request.user, meeting=meeting),
        "can_review": can_review,
        "may_review": may_review,
        "return_form": return_form or (ReturnForm() if can_review else None),
    }


def _meeting_for_view(request: HttpRequest, pk: int) -> Meeting:
    meeting = get_object_or_404(
        Meeting.objects.select_related(
            "organization", "party_group", "reviewer", "reviewed_by", "created_by"
        ),
        pk=pk,
    )
    if not meeting_may_view(user=request.user, meeting=meeting):
        raise PermissionDenied
    return meeting


@login_required
@require_GET
@checked_by(meeting_may_view)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for_view(request, pk)
    return render(request, "disclosure/meeting_detail.html", _detail_context(request, meeting))


def _meeting_for_review(request: HttpRequest, pk: int) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("organization", "reviewer"), pk=pk)
    if not meeting_may_review(user=request.user, meeting=meeting):
        raise PermissionDenied
    return meeting


@login_required
@require_POST
@checked_by(meeting_may_review)
def meeting_approve(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for_review(request, pk)
    try:
        services.meeting_approve(meeting=meeting, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The record has been approved."))
    return redirect("disclosure:detail", pk=meeting.pk)


@login_required
@require_POST
@checked_by(meeting_may_review)
def meeting_return(request: HttpRequest, pk: int) -> HttpResponse:
    """退回: back to the secretary with a reason (required)."""
    meeting = _meeting_for_review(request, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_return(meeting=meeting, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The record has been returned to the secretary."))
        return redirect("disclosure:detail", pk=meeting.pk)
    meeting = _meeting_for_view(request, pk)
    return render(
        request, "disclosure/meeting_detail.html", _detail_context(request, meeting, form), status=400
    )


# --- attachments ------------------------------------------------------------------------------------------


@login_required
@require_GET
@checked_by(meeting_may_view)
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Always a download, typed as sniffed at upload, never from a public media URL."""
    attachment = get_object_or_404(
        Attachment.objects.select_related("meeting__organization", "meeting__reviewer"), pk=pk
    )
    return attachment_response(
        attachment=attachment,
        user=request.user,
        may_view=lambda user: meeting_may_view(user=user, meeting=attachment.meeting),
    )


@login_required
@require_POST
@checked_by(meeting_may_edit)
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(Attachment.objects.select_related("meeting__organization"), pk=pk)
    meeting = attachment.meeting
    if not meeting_may_edit(user=request.user, meeting=meeting):
        raise PermissionDenied
    services.attachment_delete(attachment=attachment, by=request.user)
    messages.success(request, _("%(name)s has been removed.") % {"name": attachment.name})
    return redirect("disclosure:edit", pk=meeting.pk)


# --- review queue -----------------------------------------------------------------------------------------


@login_required
@require_GET
@checked_by(organizations_with_permission)
def meeting_review_queue(request: HttpRequest) -> HttpResponse:
    """Records waiting for this user's review, oldest first. Two queries after the session: may the user
    review anywhere, and the queue."""
    if not organizations_with_permission(user=request.user, codename=MANAGE_UNITS).exists():
        raise PermissionDenied
    today = timezone.localdate()
    rows = [
        {"meeting": m, "waiting_days": (today - timezone.localtime(m.submitted_at).date()).days}
        for m in review_queue(user=request.user)
    ]
    return render(request, "disclosure/review_queue.html", {"rows": rows})


# --- yearly work record -----------------------------------------------------------------------------------


def _work_record_meetings(request: HttpRequest, unit: Organization, year: int) -> list[Meeting]:
    """The year's records in date order, drafts left out (they are not records yet)."""
    can_manage = organization_permission_holds(user=request.user, organization=unit, codename=MANAGE_MEMBERS)
    meetings = (
        _visible(meetings_of(organization=unit, year=year), can_manage=can_manage)
        .exclude(status=Meeting.Status.DRAFT)
        .order_by("held_at", "pk")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.exclude(status=Attendance.Status.PRESENT)
                .select_related("member")
                .order_by("member__name"),
                to_attr="absentees",
            )
        )
    )
    return list(meetings)


@login_required
@require_GET
@unit_access(kinds=MEETING_UNIT_KINDS)
def work_record(request: HttpRequest, unit: Organization, year: int) -> HttpResponse:
    year = _year_or_404(year)
    meetings = _work_record_meetings(request, unit, year)
    for meeting in meetings:
        meeting.minutes_html = _sanitized(meeting.minutes)
    context = {
        "unit": unit,
        "ancestors": organization_ancestors(organization=unit),
        "year": year,
        "meetings": meetings,
        "summary": work_record_summary(unit=unit, meetings=meetings),
        "printed_on": timezone.localdate(),
    }
    return render(request, "disclosure/work_record.html", context)


@login_required
@require_GET
@unit_access(kinds=MEETING_UNIT_KINDS)
def work_record_export(request: HttpRequest, unit: Organization, year: int) -> HttpResponse:
    year = _year_or_404(year)
    meetings = _work_record_meetings(request, unit, year)
    return xlsx_response(
        work_record_xlsx(unit=unit, year=year, meetings=meetings), f"work-record-{unit.code}-{year}.xlsx"
    )
