"""Unit management pages: create, rename, move and deactivate units (committee officers and the admin)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from branches import services
from branches.access import unit_access
from branches.forms import OrganizationCreateForm, OrganizationMoveForm, OrganizationRenameForm, ThemeDayForm
from branches.models import Organization
from branches.selectors import (
    MANAGE_MEMBERS,
    MANAGE_UNITS,
    organizations_with_permission,
)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def _form_errors(form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


@login_required
@require_http_methods(["GET", "POST"])
@unit_access(MANAGE_UNITS)
def unit_create(request: HttpRequest, unit: Organization) -> HttpResponse:
    parent = unit
    form = OrganizationCreateForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.organization_create(parent=parent, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("%(unit)s has been created.") % {"unit": unit.name})
            return redirect("members:unit", pk=unit.pk)
    return render(request, "branches/unit_form.html", {"form": form, "unit": parent, "action": "create"})


@login_required
@require_http_methods(["GET", "POST"])
@unit_access(MANAGE_UNITS, on_parent=True)
def unit_rename(request: HttpRequest, unit: Organization) -> HttpResponse:
    form = OrganizationRenameForm(
        request.POST or None, initial={"name": unit.name, "short_name": unit.short_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_rename(organization=unit, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The unit has been renamed."))
            return redirect("members:unit", pk=unit.pk)
    return render(request, "branches/unit_form.html", {"form": form, "unit": unit, "action": "rename"})


@login_required
@require_http_methods(["GET", "POST"])
@unit_access(MANAGE_UNITS, on_parent=True)
def unit_move(request: HttpRequest, unit: Organization) -> HttpResponse:
    parent_kinds = [k for k in Organization.ALLOWED_PARENTS[unit.kind] if k]
    candidates = (
        organizations_with_permission(user=request.user, codename=MANAGE_UNITS)
        .filter(kind__in=parent_kinds, is_active=True)
        .exclude(path__startswith=unit.path)
        .order_by("path")
    )
    form = OrganizationMoveForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_move(
                organization=unit, new_parent=form.cleaned_data["new_parent"], by=request.user
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The unit has been moved."))
            return redirect("members:unit", pk=unit.pk)
    return render(request, "branches/unit_form.html", {"form": form, "unit": unit, "action": "move"})


@login_required
@require_POST
@unit_access(MANAGE_UNITS, on_parent=True)
def unit_deactivate(request: HttpRequest, unit: Organization) -> HttpResponse:
    parent = Organization.objects.get_parent(unit)
    try:
        count = services.organization_deactivate(organization=unit, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("members:unit", pk=unit.pk)
    messages.success(request, _("%(count)d units have been deactivated.") % {"count": count})
    return redirect("members:unit", pk=parent.pk if parent else unit.pk)


@login_required
@require_http_methods(["GET", "POST"])
@unit_access(MANAGE_MEMBERS, kinds=[Organization.Kind.BRANCH])
def unit_theme_day(request: HttpRequest, unit: Organization) -> HttpResponse:
    """A branch's fixed theme party day (issue 18): its secretaries and the units above set it here."""
    form = ThemeDayForm(request.POST or None, initial={"theme_day": unit.theme_day})
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_theme_day_set(
                organization=unit, day=form.cleaned_data["theme_day"], by=request.user
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The theme party day has been saved."))
            return redirect("members:unit", pk=unit.pk)
    return render(request, "branches/theme_day_form.html", {"form": form, "unit": unit})
