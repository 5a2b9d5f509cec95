"""The 七一表彰's 公示 on the public site (issue 19), under /open/commendations/ like the other public disclosure
pages: anyone, signed in or not, reads the nominees while the notice runs and may raise an objection (by name or
anonymously), which 组织部 then looks into on the nomination's page.

The page carries a form (and its CSRF cookie) only while the notice runs, so the public page cache
(``disclosure.middleware``) never keeps it then; before the notice it is a 404, after it a short page that
says the notice has ended."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from assessments import throttle
from assessments.models.commendation import Commendation, HonourKind, Nomination
from assessments.selectors import commendation as selectors
from assessments.services import commendation as services


def objections_per_address() -> int:
    """Objections one address may send in an hour (a campus NAT puts many people behind one address)."""
    return settings.COMMENDATION_OBJECTIONS_PER_IP


class PublicObjectionForm(forms.Form):
    nomination = forms.ModelChoiceField(queryset=Nomination.objects.none(), label=gettext_lazy("Nominee"))
    text = forms.CharField(
        label=gettext_lazy("Objection"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    raised_by = forms.CharField(
        label=gettext_lazy("Your name and how to reach you (may be left empty)"),
        max_length=60,
        required=False,
    )

    def __init__(self, *args, nominations: list[Nomination], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["nomination"]
        field.queryset = Nomination.objects.filter(pk__in=[n.pk for n in nominations])
        field.choices = [("", "---------")] + [
            (n.pk, f"{n.nominee_name} · {n.get_kind_display()}") for n in nominations
        ]


def _commendation(pk: int) -> Commendation:
    commendation = get_object_or_404(Commendation.objects.select_related("root"), pk=pk)
    if commendation.status == Commendation.Status.NOMINATING:
        raise Http404  # nothing is public before the notice
    return commendation


def _page(request: HttpRequest, commendation: Commendation, form: PublicObjectionForm | None = None):
    today = timezone.localdate()
    running = services.notice_running(commendation=commendation, today=today)
    nominations = selectors.notice_nominations(commendation=commendation) if running else []
    groups = [(label, [n for n in nominations if n.kind == value]) for value, label in HonourKind.choices]
    if running and form is None:
        form = PublicObjectionForm(nominations=nominations)
    return render(
        request,
        "assessments/commendation/notice.html",
        {
            "commendation": commendation,
            "unit": commendation.root,
            "running": running,
            "groups": groups,
            "form": form if running else None,
        },
    )


@require_safe
def public_list(request: HttpRequest) -> HttpResponse:
    """The public site's list of the 公示: those running now first, then the recent ones (ended, decided or
    with their results published, linked to the results notice when it is public)."""
    today = timezone.localdate()
    rows = []
    for c in selectors.public_notices(today=today):
        post = (
            c.post if c.post_id and c.post.status == "published" and c.post.visibility == "public" else None
        )
        rows.append(
            {"commendation": c, "running": services.notice_running(commendation=c, today=today), "post": post}
        )
    rows.sort(key=lambda r: not r["running"])  # stable: newest first within each
    return render(request, "assessments/commendation/public_list.html", {"rows": rows})


@require_safe
def public_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The 公示, open to everyone while it runs; after it, a page that says it has ended."""
    return _page(request, _commendation(pk))


@require_POST
def public_objection(request: HttpRequest, pk: int) -> HttpResponse:
    """An objection from the public page (then back to it); refused with the page again, status 200, outside the
    notice or beyond the address's hourly limit."""
    commendation = _commendation(pk)
    if not services.notice_running(commendation=commendation):
        # the page as it is now (it says the notice has ended), with the refusal
        messages.error(request, _("The public notice is not running: objections are no longer taken here."))
        return _page(request, commendation)
    nominations = selectors.notice_nominations(commendation=commendation)
    form = PublicObjectionForm(request.POST, nominations=nominations)
    if not throttle.hit(
        "commendation-objection",
        throttle.client_address(request),
        limit=objections_per_address(),
        window=3600,
    ):
        form.add_error(None, _("Too many objections from this address; please try again in an hour."))
        return _page(request, commendation, form)
    if not form.is_valid():
        return _page(request, commendation, form)
    try:
        services.objection_submit(
            nomination=form.cleaned_data["nomination"],
            text=form.cleaned_data["text"],
            raised_by=form.cleaned_data["raised_by"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _page(request, commendation, form)
    messages.success(request, _("Your objection is received; the organisation department will look into it."))
    return redirect("open_commendation:notice", pk)
