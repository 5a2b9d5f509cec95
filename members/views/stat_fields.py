"""The 党内统计 fields of a member's record (issue 21), edited by the member's branch or a unit above it."""

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

from branches.access import checked_by
from branches.models import Organization
from members.models import Member
from members.services.stat_fields import ETHNICITY_MAX, may_edit_stat_fields, member_stat_fields_update

BLANK = [("", gettext_lazy("Not recorded"))]


class StatFieldsForm(forms.Form):
    ethnicity = forms.CharField(label=gettext_lazy("Ethnicity"), max_length=ETHNICITY_MAX)
    education = forms.ChoiceField(
        label=gettext_lazy("Education"), choices=BLANK + Member.Education.choices, required=False
    )
    occupation = forms.ChoiceField(
        label=gettext_lazy("Occupation"), choices=BLANK + Member.Occupation.choices, required=False
    )
    student_level = forms.ChoiceField(
        label=gettext_lazy("Student level"), choices=BLANK + Member.StudentLevel.choices, required=False
    )

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        if member.category != Organization.Category.STUDENT:
            del self.fields["student_level"]


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(may_edit_stat_fields)
def member_stat_fields(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.select_related("branch"), pk=pk)
    if not may_edit_stat_fields(user=request.user, member=member):
        raise PermissionDenied
    initial = {
        field: getattr(member, field) for field in ("ethnicity", "education", "occupation", "student_level")
    }
    form = StatFieldsForm(request.POST or None, initial=initial, member=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = member_stat_fields_update(
                member=member,
                by=request.user,
                ethnicity=data["ethnicity"],
                education=data["education"],
                occupation=data["occupation"],
                student_level=data.get("student_level", ""),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(
                request,
                _("The statistics fields of %(name)s are saved.") % {"name": member.name}
                if changed
                else _("Nothing changed."),
            )
            return redirect(reverse("members:detail", args=[member.pk]))
    history = member.history.filter(history_change_reason="statistics fields").select_related("history_user")[
        :10
    ]
    return render(
        request,
        "members/stat_fields/form.html",
        {"member": member, "unit": member.branch, "form": form, "history": history},
        status=400 if form.errors else 200,
    )
