"""The secretaries' side of the posts: the desk (my units' posts and the checks waiting for me), the form,
one post with its confidentiality check, withdrawing, attachments and "publish the minutes to 支部生活"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.access import checked_by, unit_access
from branches.attachments import attachment_response
from branches.models import Organization
from branches.selectors import MANAGE_MEMBERS, organization_ancestors, require_organization_permission
from disclosure import services
from disclosure.forms import PostForm, ReturnForm
from disclosure.models import Meeting, Post, PostAttachment
from disclosure.selectors import (
    POST_UNIT_KINDS,
    check_queue,
    meeting_may_view,
    post_check_required,
    post_may_check,
    post_may_manage,
    post_may_view,
    posts_of,
    units_posting_for,
)


@login_required
@require_GET
@checked_by(units_posting_for, check_queue)
def post_desk(request: HttpRequest) -> HttpResponse:
    """发布: the units whose posts I write, and the posts waiting for my confidentiality check."""
    context = {
        "units": list(units_posting_for(user=request.user)[:50]),
        "queue": list(check_queue(user=request.user)[:100]),
    }
    return render(request, "disclosure/posts/desk.html", context)


@login_required
@require_GET
@unit_access(MANAGE_MEMBERS, kinds=POST_UNIT_KINDS)
def post_list(request: HttpRequest, unit: Organization) -> HttpResponse:
    """A unit's posts in every status, for its secretaries."""
    context = {
        "unit": unit,
        "ancestors": organization_ancestors(organization=unit),
        "posts": list(posts_of(organization=unit)[:200]),
        "check_required": post_check_required(organization=unit),
    }
    return render(request, "disclosure/posts/list.html", context)


def _post_form(request: HttpRequest, unit: Organization, post: Post | None) -> HttpResponse:
    check_required = post_check_required(organization=unit)
    if request.method == "POST":
        form = PostForm(request.POST, request.FILES)
        publish = request.POST.get("action") == "publish"
        if form.is_valid():
            try:
                saved = services.post_save(
                    by=request.user,
                    organization=unit,
                    data=form.post_data(),
                    attachments=tuple(form.cleaned_data["attachments"]),
                    post=post,
                    publish=publish,
                    request_key=form.cleaned_data.get("request_key"),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                if saved.status == Post.Status.PUBLISHED:
                    messages.success(request, _("The post is published."))
                elif saved.status == Post.Status.PENDING:
                    messages.success(request, _("The post has been sent for the confidentiality check."))
                else:
                    messages.success(request, _("The draft has been saved."))
                return redirect("disclosure:post_detail", pk=saved.pk)
    else:
        form = PostForm(initial=PostForm.initial_for(post))
    context = {
        "unit": unit,
        "ancestors": organization_ancestors(organization=unit),
        "post": post,
        "form": form,
        "check_required": check_required,
        "attachments": list(post.attachments.all()) if post is not None else [],
        "files_dropped": request.method == "POST" and bool(request.FILES),
    }
    return render(request, "disclosure/posts/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@unit_access(MANAGE_MEMBERS, kinds=POST_UNIT_KINDS)
def post_create(request: HttpRequest, unit: Organization) -> HttpResponse:
    if not unit.is_active:
        raise PermissionDenied
    return _post_form(request, unit, None)


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(require_organization_permission)
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post.objects.select_related("organization"), pk=pk)
    require_organization_permission(
        user=request.user, organization=post.organization, codename=MANAGE_MEMBERS
    )
    if not post.editable:
        messages.info(request, _("This post is awaiting the confidentiality check and cannot be changed."))
        return redirect("disclosure:post_detail", pk=post.pk)
    return _post_form(request, post.organization, post)


def _post_for_desk(request: HttpRequest, pk: int) -> Post:
    post = get_object_or_404(Post.objects.select_related("organization", "category", "author"), pk=pk)
    if not post_may_view(user=request.user, post=post):
        # Someone who may not see it learns nothing about it: the same 404 as a missing post.
        raise Http404
    return post


def _detail_context(request: HttpRequest, post: Post, return_form: ReturnForm | None = None) -> dict:
    can_manage = post_may_manage(user=request.user, organization=post.organization)
    can_check = post.status == Post.Status.PENDING and post_may_check(user=request.user, post=post)
    return {
        "post": post,
        "unit": post.organization,
        "ancestors": organization_ancestors(organization=post.organization),
        "body": mark_safe(services.sanitize_minutes(post.body)),
        "attachments": list(post.attachments.all()),
        "can_manage": can_manage,
        "can_check": can_check,
        "return_form": return_form or ReturnForm(),
        "history": list(post.history.select_related("history_user").order_by("history_date")[:50])
        if can_manage or can_check
        else [],
    }


@login_required
@require_GET
@checked_by(post_may_view)
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_for_desk(request, pk)
    return render(request, "disclosure/posts/detail.html", _detail_context(request, post))


@login_required
@require_POST
@checked_by(post_may_view, services.post_check_approve)
def post_approve(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_for_desk(request, pk)
    try:
        services.post_check_approve(post=post, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The check is passed and the post is published."))
    return redirect("disclosure:post_detail", pk=post.pk)


@login_required
@require_POST
@checked_by(post_may_view, post_may_check)
def post_return(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_for_desk(request, pk)
    if not post_may_check(user=request.user, post=post):
        raise PermissionDenied  # before the form: a reader who may not check gets no form message either
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.post_check_return(post=post, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("The post has been returned to its unit."))
            return redirect("disclosure:post_desk")
    return render(request, "disclosure/posts/detail.html", _detail_context(request, post, form), status=400)


@login_required
@require_POST
@checked_by(post_may_view, services.post_withdraw)
def post_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_for_desk(request, pk)
    try:
        services.post_withdraw(post=post, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The post has been withdrawn from the public pages."))
    return redirect("disclosure:post_detail", pk=post.pk)


@login_required
@require_POST
@checked_by(services.post_attachment_delete)
def post_attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(PostAttachment.objects.select_related("post__organization"), pk=pk)
    services.post_attachment_delete(attachment=attachment, by=request.user)
    messages.success(request, _("The attachment has been removed."))
    return redirect("disclosure:post_edit", pk=attachment.post_id)


@login_required
@require_GET
@checked_by(post_may_view)
def post_attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(PostAttachment.objects.select_related("post__organization"), pk=pk)
    if not post_may_view(user=request.user, post=attachment.post):
        raise Http404  # a post the user may not see does not exist for them
    return attachment_response(attachment=attachment)


@login_required
@require_POST
@checked_by(meeting_may_view, require_organization_permission)
def meeting_publish_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """发布到支部生活: one click on approved minutes; the summary can be edited afterwards."""
    meeting = get_object_or_404(Meeting.objects.select_related("organization"), pk=pk)
    if not meeting_may_view(user=request.user, meeting=meeting):
        raise Http404
    require_organization_permission(
        user=request.user, organization=meeting.organization, codename=MANAGE_MEMBERS
    )
    if request.POST.get("confirm") != "1" and not Post.objects.filter(source_meeting=meeting).exists():
        # The summary goes to the public site, whatever the minutes' own visibility: show exactly what will be
        # public and publish only on a second, explicit click (issue 22).
        title, text = services.meeting_summary_text(meeting)
        return render(
            request,
            "disclosure/posts/summary_confirm.html",
            {"meeting": meeting, "title": title, "paragraphs": text.split("\n\n")},
        )
    try:
        post = services.meeting_publish_summary(meeting=meeting, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("disclosure:detail", pk=meeting.pk)
    if post.status == Post.Status.PUBLISHED:
        messages.success(request, _("The summary is published in Branch life; you can still edit it."))
    else:
        messages.success(request, _("The summary has been sent for the confidentiality check."))
    return redirect("disclosure:post_detail", pk=post.pk)


@login_required
@require_POST
@unit_access(MANAGE_MEMBERS, kinds=[Organization.Kind.BRANCH], to="branch")
def dues_list_publish(request: HttpRequest, branch: Organization, year: int) -> HttpResponse:
    """张榜公布: the branch's dues list of ``year`` as an internal notice (published again: brought up to date)."""
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404
    try:
        post = services.dues_list_publish(branch=branch, year=year, by=request.user)
    except PermissionDenied as exc:  # a unit above: it reads the list, the branch publishes it (issue 22)
        return render(request, "403.html", {"reason": " ".join(map(str, exc.args))}, status=403)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("members:dues_year", pk=branch.pk, year=year)
    if post.status == Post.Status.PUBLISHED:
        messages.success(request, _("The dues list is published as an internal notice."))
    else:
        messages.success(request, _("The dues list has been sent for the confidentiality check."))
    return redirect("disclosure:post_detail", pk=post.pk)
