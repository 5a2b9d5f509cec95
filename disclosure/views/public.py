"""The public site (晾晒 / 党务公开) under /open/: the index of all units, a unit's page with its four
sections, a section's list, one post, a unit's Atom feed, search, and benchmarking (对标).

No login needed; what a visitor sees depends on who they are (disclosure.selectors.posts). Anonymous
visitors' responses are served from memory by ``disclosure.middleware.PublicPageCacheMiddleware`` until
something is published, so these pages must not depend on anything else about the request than its URL
and whether the visitor is logged in, and must carry no inline script (no CSP nonce).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from branches.attachments import attachment_response
from branches.selectors import organization_ancestors
from disclosure import services
from disclosure.models import Post, PostAttachment
from disclosure.selectors import (
    feed_posts,
    post_may_manage,
    post_may_view,
    public_index,
    public_post,
    public_unit,
    search_posts,
    section_posts,
    unit_children,
    unit_sections,
)
from disclosure.selectors.benchmark import (
    PERIODS,
    benchmark_chart_data,
    benchmark_committee,
    benchmark_shared,
)
from disclosure.selectors.posts import SEARCH_PAGE_SIZE, SECTION_PAGE_SIZE
from disclosure.showcase import render_showcase_blocks


def _unit(code: str):
    unit = public_unit(code=code)
    if unit is None:
        raise Http404
    return unit


def _can_manage(request: HttpRequest, unit) -> bool:
    # Anonymous visitors manage nothing: no query for them (their pages are the cached ones).
    return request.user.is_authenticated and post_may_manage(user=request.user, organization=unit)


@require_safe
def open_index(request: HttpRequest) -> HttpResponse:
    """The universities, a page of them at a time, each with its committees, their last update and how many
    posts each has. Three queries (plus the session's)."""
    index = public_index(user=request.user, page=request.GET.get("page"))
    return render(
        request, "disclosure/public/index.html", {"universities": index.universities, "page": index.page}
    )


@require_safe
def open_unit(request: HttpRequest, code: str) -> HttpResponse:
    """A unit's page: the four sections with their newest posts, the showcase blocks of other apps, the
    units below it."""
    unit = _unit(code)
    can_manage = _can_manage(request, unit)
    sections = unit_sections(unit=unit, user=request.user, can_manage=can_manage)
    context = {
        "unit": unit,
        "ancestors": list(organization_ancestors(organization=unit)),
        "sections": list(sections.values()),
        "showcase_blocks": render_showcase_blocks(request, unit),
        "children": unit_children(unit=unit, user=request.user),
        "can_manage": can_manage,
    }
    return render(request, "disclosure/public/unit.html", context)


@require_safe
def open_section(request: HttpRequest, code: str, section: str) -> HttpResponse:
    if section not in Post.Section.values:
        raise Http404
    unit = _unit(code)
    posts = section_posts(
        unit=unit, section=section, user=request.user, can_manage=_can_manage(request, unit)
    )
    page = Paginator(posts, SECTION_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "unit": unit,
        "section": section,
        "section_label": Post.Section(section).label,
        "page": page,
        "ancestors": list(organization_ancestors(organization=unit)),
    }
    return render(request, "disclosure/public/section.html", context)


@require_safe
def open_post(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    unit = _unit(code)
    post = public_post(unit=unit, pk=pk)
    if post is None:
        raise Http404
    if not post_may_view(user=request.user, post=post):
        if post.visibility == Post.Visibility.UNIVERSITY and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404  # restricted: nothing tells an outsider it exists
    context = {
        "unit": unit,
        "post": post,
        "body": mark_safe(services.sanitize_minutes(post.body)),
        "attachments": list(post.attachments.all()),
        "ancestors": list(organization_ancestors(organization=unit)),
        "can_manage": _can_manage(request, unit),
    }
    return render(request, "disclosure/public/post.html", context)


@require_safe
def open_attachment(request: HttpRequest, code: str, pk: int, attachment: int) -> FileResponse:
    unit = _unit(code)
    post = public_post(unit=unit, pk=pk)
    if post is None or not post_may_view(user=request.user, post=post):
        raise Http404
    return attachment_response(attachment=get_object_or_404(PostAttachment, pk=attachment, post=post))


@require_safe
def open_feed(request: HttpRequest, code: str) -> HttpResponse:
    """The unit's Atom feed: its newest public posts (never the internal or restricted ones)."""
    unit = _unit(code)
    link = request.build_absolute_uri(reverse("disclosure:open_unit", args=[unit.code]))
    feed = feedgenerator.Atom1Feed(
        title=_("%(unit)s · public pages") % {"unit": unit.name},
        link=link,
        description=_("What %(unit)s publishes.") % {"unit": unit.name},
        language="zh-hans",
        feed_url=request.build_absolute_uri(),
        feed_guid=link,
    )
    for post in feed_posts(unit=unit):
        url = request.build_absolute_uri(reverse("disclosure:open_post", args=[unit.code, post.pk]))
        feed.add_item(
            title=post.title,
            link=url,
            description=Truncator(strip_tags(post.body)).chars(200),
            unique_id=url,
            pubdate=post.published_at,
            updateddate=max(post.published_at, post.updated_at),
            categories=[str(post.get_section_display()), post.category.name],
            author_name=unit.name,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


@require_safe
def open_search(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:100]
    unit = public_unit(code=request.GET["unit"]) if request.GET.get("unit") else None
    page = None
    if query:
        page = Paginator(search_posts(user=request.user, query=query, unit=unit), SEARCH_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    return render(request, "disclosure/public/search.html", {"query": query, "unit": unit, "page": page})


@require_safe
def open_benchmark(request: HttpRequest) -> HttpResponse:
    """对标: every unit side by side for a chosen period. Six queries whatever the number of units, none while
    the comparison of this publish generation is cached (``benchmark_shared``)."""
    bench = benchmark_shared(period=request.GET.get("period", ""), university_code=request.GET.get("u"))
    committee, branch_rows = benchmark_committee(bench, request.GET.get("c"))
    context = {
        "bench": bench,
        "committee": committee,
        "branch_rows": branch_rows,
        "periods": list(PERIODS.items()),
        "chart": benchmark_chart_data(bench),
        "filing_days": settings.MINUTES_FILING_DAYS,
        "today": timezone.localdate(),
    }
    return render(request, "disclosure/public/benchmark.html", context)
