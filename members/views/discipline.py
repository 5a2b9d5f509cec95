"""党纪处分 (issue 19): the committee above a member's branch (or the 组织部) records a sanction; it then shows
in the member's record (``members.record.discipline_section``) with its history."""

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
from members.models import DisciplinaryRecord, Member
from members.services.discipline import discipline_record, may_record_discipline


class DisciplineForm(forms.Form):
    request_key = OnceField()
    kind = forms.ChoiceField(label=gettext_lazy("Sanction"), choices=DisciplinaryRecord.Kind.choices)
    decided_on = bounds.DateField(future=False, label=gettext_lazy("Decided on"), widget=DateInput())
    decided_by_unit = forms.CharField(label=gettext_lazy("Decided by (committee)"), max_length=120)
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(may_record_discipline)
def discipline_new(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.select_related("branch"), pk=pk)
    if not may_record_discipline(user=request.user, member=member):
        raise PermissionDenied
    form = DisciplineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            discipline_record(
                member=member,
                kind=data["kind"],
                decided_on=data["decided_on"],
                decided_by_unit=data["decided_by_unit"],
                reason=data["reason"],
                by=request.user,
                request_key=data["request_key"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("The sanction is on %(name)s's record.") % {"name": member.name})
            return redirect(reverse("members:detail", args=[member.pk]))
    records = DisciplinaryRecord.objects.filter(member=member).order_by("-decided_on", "-pk")
    return render(
        request,
        "members/discipline/form.html",
        {"member": member, "unit": member.branch, "form": form, "records": records},
    )
