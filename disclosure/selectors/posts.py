"""Reads of posts: who may see, write or check one, and the public site's pages (index, unit page, section
lists, one post, feed, search), each filtered to what the visitor may see, with a fixed number of queries.

Who sees what:

* public — everyone, anonymous visitors included;
* members of the university — anyone logged in (the portal's accounts are the university's people);
* restricted — the unit's managers (manage_members on the unit or above).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User as AuthUser
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Window
from django.db.models.functions import Length, RowNumber, Substr

from branches.models import Organization
from branches.selectors import (
    MANAGE_MEMBERS,
    MANAGE_UNITS,
    organization_permission_holds,
    organizations_with_permission,
)
from disclosure.models import Post, PublishingRule
from disclosure.search import search_filter

User = AuthUser | AnonymousUser

# Units with a public page: the university, its secondary committees / general branches and the branches.
POST_UNIT_KINDS = (
    Organization.Kind.UNIVERSITY,
    Organization.Kind.COMMITTEE,
    Organization.Kind.GENERAL_BRANCH,
    Organization.Kind.BRANCH,
)
UNIT_PAGE_LATEST = 6  # posts per section on a unit's page
SECTION_PAGE_SIZE = 20
FEED_SIZE = 30
SEARCH_PAGE_SIZE = 20


# --- permissions ---------------------------------------------------------------------------------------


def post_check_required(*, organization: Organization) -> bool:
    """The nearest PublishingRule on the unit or above decides (none: no check). One query."""
    rule = (
        PublishingRule.objects.filter(organization__path__in=organization.ancestor_paths())
        .order_by("-organization__depth")
        .values_list("check_required", flat=True)
        .first()
    )
    return bool(rule)


def _parent(organization: Organization) -> Organization | None:
    if organization.depth <= 1:
        return None
    return Organization(path=organization.path[: -Organization.steplen], depth=organization.depth - 1)


def post_may_check(*, user: User, post: Post) -> bool:
    """The confidentiality check is done by the unit above (manage_units there, e.g. the committee's
    organizer or 组织部 for a committee's own posts). One query."""
    parent = _parent(post.organization)
    return parent is not None and organization_permission_holds(
        user=user, organization=parent, codename=MANAGE_UNITS
    )


def post_may_manage(*, user: User, organization: Organization) -> bool:
    return organization_permission_holds(user=user, organization=organization, codename=MANAGE_MEMBERS)


def visible_posts(*, user: User, can_manage: bool = False) -> QuerySet[Post]:
    """Published posts the visitor may see within one unit (``can_manage``: may see its restricted ones)."""
    allowed = [Post.Visibility.PUBLIC]
    if user.is_authenticated:
        allowed.append(Post.Visibility.UNIVERSITY)
        if can_manage:
            allowed.append(Post.Visibility.RESTRICTED)
    return Post.objects.published().filter(visibility__in=allowed)


def visible_posts_anywhere(*, user: User) -> QuerySet[Post]:
    """Published posts the visitor may see across all units (restricted ones only of units they manage:
    a subquery in the same statement)."""
    if not user.is_authenticated:
        return Post.objects.published().filter(visibility=Post.Visibility.PUBLIC)
    managed = organizations_with_permission(user=user, codename=MANAGE_MEMBERS)
    return Post.objects.published().filter(
        Q(visibility__in=[Post.Visibility.PUBLIC, Post.Visibility.UNIVERSITY])
        | Q(visibility=Post.Visibility.RESTRICTED, organization__in=managed.values("pk"))
    )


def post_may_view(*, user: User, post: Post) -> bool:
    if post.status != Post.Status.PUBLISHED:
        return post_may_manage(user=user, organization=post.organization) or (
            post.status == Post.Status.PENDING and post_may_check(user=user, post=post)
        )
    if post.visibility == Post.Visibility.PUBLIC:
        return True
    if post.visibility == Post.Visibility.UNIVERSITY:
        return user.is_authenticated
    return post_may_manage(user=user, organization=post.organization)


# --- the public site -------------------------------------------------------------------------------------


@dataclass
class UnitRow:
    unit: Organization
    count: int = 0
    last: object = None  # datetime of the newest visible post


def public_units() -> QuerySet[Organization]:
    return Organization.objects.filter(kind__in=POST_UNIT_KINDS, is_active=True)


def _post_stats(posts: QuerySet[Post]) -> dict[int, tuple[int, object]]:
    return {
        row["organization_id"]: (row["n"], row["last"])
        for row in posts.order_by()
        .values("organization_id")
        .annotate(n=Count("pk"), last=Max("published_at"))
    }


INDEX_UNIVERSITIES_PER_PAGE = 5  # universities shown with their committees on one page of the index


@dataclass
class PublicIndex:
    universities: list[dict]  # this page's: {"row": UnitRow, "committees": [...], "branches": [...]}
    page: Page  # over every university (their names: the index's directory when there are several pages)


def public_index(*, user: User, page: str | int | None = None) -> PublicIndex:
    """One page of the index: up to ``INDEX_UNIVERSITIES_PER_PAGE`` universities, each with its committees (and
    the branches directly under it), each with the count of posts the visitor may see and the time of the
    newest. A committee's branches are on the committee's own page: listed here, a university's 300 branches
    made the page 80 kB and 0.3 s to render. A province's hundred universities are paged: all on one page they
    made it 1.3 MB and 1.6–2.2 s (issue 17). Three queries: the universities, the units of this page's, the
    counts of their own posts."""
    everyone = list(
        public_units()
        .filter(kind=Organization.Kind.UNIVERSITY)
        .order_by("path")
        .only("pk", "path", "code", "name")
    )
    shown = Paginator(everyone, INDEX_UNIVERSITIES_PER_PAGE).get_page(page)
    if not shown.object_list:
        return PublicIndex([], shown)
    under_university = Exists(
        Organization.objects.filter(
            kind=Organization.Kind.UNIVERSITY,
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organization.steplen),
        )
    )
    within = Q()
    for university in shown.object_list:
        within |= Q(path__startswith=university.path)
    units = list(
        public_units()
        .filter(within)
        .filter(
            Q(kind__in=[Organization.Kind.UNIVERSITY, *Organization.SECONDARY_KINDS])
            | Q(under_university, kind=Organization.Kind.BRANCH)
        )
        .order_by("path")
    )
    stats = _post_stats(visible_posts_anywhere(user=user).filter(organization__in=[u.pk for u in units]))
    universities: list[dict] = []
    by_path: dict[str, dict] = {}
    for unit in units:
        n, last = stats.get(unit.pk, (0, None))
        row = UnitRow(unit, n, last)
        if unit.kind == Organization.Kind.UNIVERSITY:
            entry = {"row": row, "committees": []}
            universities.append(entry)
            by_path[unit.path] = entry
        elif unit.kind in Organization.SECONDARY_KINDS:
            parent = by_path.get(unit.path[: -Organization.steplen])
            entry = {"row": row, "branches": []}
            by_path[unit.path] = entry
            if parent is not None and "committees" in parent:
                parent["committees"].append(entry)
        else:
            # A branch sits under a committee (or directly under the university: a 直属党支部).
            for cut in range(len(unit.path) - Organization.steplen, 0, -Organization.steplen):
                parent = by_path.get(unit.path[:cut])
                if parent is not None:
                    parent.setdefault("branches", []).append(row)
                    break
    return PublicIndex(universities, shown)


def public_unit(*, code: str) -> Organization | None:
    return public_units().filter(code=code).first()


def unit_sections(*, unit: Organization, user: User, can_manage: bool) -> dict[str, dict]:
    """The four sections of a unit's page: the newest posts of each (one query, a window per section)
    and how many each holds (one query)."""
    posts = visible_posts(user=user, can_manage=can_manage).filter(organization=unit)
    latest = (
        posts.annotate(
            rank=Window(
                RowNumber(), partition_by=[F("section")], order_by=[F("published_at").desc(), F("pk").desc()]
            )
        )
        .filter(rank__lte=UNIT_PAGE_LATEST)
        .select_related("category")
        .order_by("-published_at", "-pk")
    )
    counts = dict(posts.order_by().values_list("section").annotate(n=Count("pk")))
    sections = {
        value: {"value": value, "label": label, "posts": [], "count": counts.get(value, 0)}
        for value, label in Post.Section.choices
    }
    for post in latest:
        sections[post.section]["posts"].append(post)
    return sections


def unit_children(*, unit: Organization, user: User) -> list[UnitRow]:
    """The units right below with their visible post counts and last update. Two queries."""
    children = list(public_units().filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path"))
    if not children:
        return []
    stats = _post_stats(visible_posts_anywhere(user=user).filter(organization__in=[c.pk for c in children]))
    return [UnitRow(c, *stats.get(c.pk, (0, None))) for c in children]


def section_posts(*, unit: Organization, section: str, user: User, can_manage: bool) -> QuerySet[Post]:
    return (
        visible_posts(user=user, can_manage=can_manage)
        .filter(organization=unit, section=section)
        .select_related("category")
        .order_by("-published_at", "-pk")
    )


def public_post(*, unit: Organization, pk: int) -> Post | None:
    """A published post of the unit with its category and attachments (two queries), visible or not:
    the view decides (404 or the login page)."""
    return (
        Post.objects.published()
        .filter(organization=unit, pk=pk)
        .select_related("category", "organization")
        .prefetch_related("attachments")
        .first()
    )


def feed_posts(*, unit: Organization) -> list[Post]:
    """The Atom feed: the unit's newest public posts only (feed readers are anonymous). One query."""
    return list(
        Post.objects.published()
        .filter(organization=unit, visibility=Post.Visibility.PUBLIC)
        .select_related("category", "author")
        .order_by("-published_at", "-pk")[:FEED_SIZE]
    )


def search_posts(*, user: User, query: str, unit: Organization | None = None) -> QuerySet[Post]:
    """Every post the visitor may see whose title or text contains every word of ``query`` (Chinese words
    inside sentences included: disclosure.search), newest first. The view pages it: one query for the true
    count, one for the page."""
    posts = visible_posts_anywhere(user=user)
    if unit is not None:
        posts = posts.filter(organization__path__startswith=unit.path)
    return (
        search_filter(posts, query)
        .select_related("organization", "category")
        .order_by("-published_at", "-pk")
    )


# --- the secretaries' side -------------------------------------------------------------------------------


def posts_of(*, organization: Organization) -> QuerySet[Post]:
    """A unit's posts in every status, newest change first (for its managers). One query."""
    return (
        Post.objects.filter(organization=organization)
        .select_related("category")
        .order_by("-updated_at", "-pk")
    )


def check_queue(*, user: User) -> QuerySet[Post]:
    """Posts awaiting this user's confidentiality check: units whose parent the user manages. One query."""
    managed = organizations_with_permission(user=user, codename=MANAGE_UNITS)
    parent_path = Substr("organization__path", 1, Length("organization__path") - Organization.steplen)
    return (
        Post.objects.filter(status=Post.Status.PENDING, organization__depth__gt=1)
        .annotate(parent_path=parent_path)
        .filter(Exists(managed.filter(path=OuterRef("parent_path"))))
        .select_related("organization", "category")
        .order_by("updated_at", "pk")
    )


def units_posting_for(*, user: User) -> QuerySet[Organization]:
    """Units whose posts the user writes (manage_members there), for the desk page. One query."""
    return (
        organizations_with_permission(user=user, codename=MANAGE_MEMBERS)
        .filter(kind__in=POST_UNIT_KINDS, is_active=True)
        .order_by("path")
    )
