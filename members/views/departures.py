"""逝世 and 出党 (issue 21): the member's branch (or a unit above it) records a death or departure; the member
leaves the active roster from that date, the statistics count it, the record and its history stay."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_http_methods

from branches import bounds
from branches.access import checked_by
from branches.once import OnceField
from members.forms import DateInput
from members.models import Departure, Member
from members.services.departures import may_record_departure, member_depart


class DepartureForm(forms.Form):
    request_key = OnceField()
    reason = forms.ChoiceField(
        label=gettext_lazy("What happened"),
        choices=[(r.value, r.label) for r in Member.DEPARTURE_REASONS],
    )
    left_on = bounds.DateField(
        future=False, label=gettext_lazy("Date of death or departure"), widget=DateInput()
    )
    document = forms.CharField(
        label=gettext_lazy("Decision or certificate"),
        max_length=200,
        help_text=gettext_lazy("E.g. the committee's decision and its number, or the death certificate."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I confirm: the member leaves the active roster from this date."), required=True
    )


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(may_record_departure)
def member_depart_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.select_related("branch"), pk=pk)
    if not may_record_departure(user=request.user, member=member):
        raise PermissionDenied
    departure = Departure.objects.filter(member=member).first()
    form = DepartureForm(request.POST or None)
    if request.method == "POST" and departure is None and form.is_valid():
        data = form.cleaned_data
        try:
            member_depart(
                member=member,
                reason=data["reason"],
                left_on=data["left_on"],
                document=data["document"],
                note=data["note"],
                by=request.user,
                request_key=data["request_key"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(
                request, _("%(name)s is no longer on the active roster.") % {"name": member.name}
            )
            return redirect(reverse("members:detail", args=[member.pk]))
    return render(
        request,
        "members/departure/form.html",
        {
            "member": member,
            "unit": member.branch,
            "form": form,
            "departure": departure,
            "may_depart": departure is None and member.is_active and member.is_party_member,
        },
        status=400 if form.errors else 200,
    )
