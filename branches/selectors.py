"""Reads of the tree, already filtered by what the user may see or manage.

A permission held on an organization holds on its whole subtree: "may the user do X on node N" is
"does the user hold X on N or on one of N's ancestors", and ancestors are path prefixes.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Permission, User as AuthUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from branches.models import (
    Organization,
    OrganizationGroupObjectPermission,
    OrganizationUserObjectPermission,
    Role,
    UnitFigures,
)

User = AuthUser | AnonymousUser

VIEW = "view_organization"
MANAGE_MEMBERS = "manage_members"
MANAGE_UNITS = "manage_units"


def _grants(user: AuthUser, codename: str) -> tuple[QuerySet, QuerySet]:
    # The permission as a scalar subquery: PostgreSQL runs it once (an InitPlan). Joined by codename instead
    # (auth_permission has no index on it), every candidate organisation's EXISTS scanned the ~560 permissions
    # again: 0.3 s for a member holding no grant on a 710-unit tree, on every page that asks (issue 17).
    permission = Subquery(
        Permission.objects.filter(codename=codename, content_type__app_label="branches")
        .order_by("pk")
        .values("pk")[:1]
    )
    user_grants = OrganizationUserObjectPermission.objects.filter(user_id=user.pk, permission_id=permission)
    group_grants = OrganizationGroupObjectPermission.objects.filter(
        group__user=user.pk, permission_id=permission
    )
    return user_grants, group_grants


def organizations_with_permission(*, user: User, codename: str) -> QuerySet[Organization]:
    """Every organization on which ``user`` holds ``codename``, directly or through an ancestor. One query."""
    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    user_grants, group_grants = _grants(user, codename)
    # Driven from the grants (a handful of rows), not from the candidates: each granted node's subtree is a range
    # of paths, [its path, its path + "z"), read from the path's index ("z" sorts after every character of
    # treebeard's alphabet, 0-9A-Z, compared byte by byte: PostgreSQL's pattern operators, SQLite's BINARY).
    # Probing every organisation for a grant over its prefixes instead cost one probe per unit of the tree,
    # 0.9 s for a province of 69,000 units wherever the set was used as ``organization__in`` (issue 17).
    granted = user_grants.values(p=F("content_object__path")).union(
        group_grants.values(p=F("content_object__path"))
    )
    sql, params = granted.query.sql_with_params()
    table = connection.ops.quote_name(Organization._meta.db_table)
    within = (
        "o.path ~>=~ r.p AND o.path ~<~ (r.p || 'z')"
        if connection.vendor == "postgresql"
        else "o.path >= r.p AND o.path < (r.p || 'z')"
    )
    return Organization.objects.filter(
        pk__in=RawSQL(f"SELECT o.id FROM ({sql}) r JOIN {table} o ON {within}", params)
    )


def permission_roots(*, user: User, codename: str) -> QuerySet[Organization]:
    """The organizations on which ``user`` holds ``codename`` directly (the tops of what
    ``organizations_with_permission`` covers): a handful of rows however large the tree. One query."""
    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.filter(depth=1)
    user_grants, group_grants = _grants(user, codename)
    return Organization.objects.filter(
        Q(pk__in=user_grants.values("content_object_id")) | Q(pk__in=group_grants.values("content_object_id"))
    )


def holds_near(*, user: User, codename: str, path: OuterRef) -> Exists | Q:
    """For a query over rows that name an organisation (``path``: an ``OuterRef`` to its path): whether ``user``
    holds ``codename`` on that organisation, an ancestor of it or a unit below it — "some unit the user may
    see lies in its subtree or above it". Tested against the handful of granted nodes only (their paths
    against the row's path and its prefixes), however large the tree."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q(pk__isnull=False)  # always (an empty Q() would vanish from an OR)
    prefixes = [Substr(path, 1, Organization.steplen * level) for level in range(1, _MAX_DEPTH + 1)]
    near = Q(content_object__path__startswith=path) | Q(content_object__path__in=prefixes)
    user_grants, group_grants = _grants(user, codename)  # read from the grants' user index, a few rows
    return Exists(user_grants.filter(near)) | Exists(group_grants.filter(near))


def _longest_chain(kind: str | None) -> int:
    below = [k for k, parents in Organization.ALLOWED_PARENTS.items() if kind in parents]
    return 1 + max((_longest_chain(k) for k in below), default=0) if kind else max(map(_longest_chain, below))


# How deep the tree can go (province → university → committee → general branch → branch → group: 6).
_MAX_DEPTH = _longest_chain(None)


def organizations_visible_to(*, user: User) -> QuerySet[Organization]:
    """Organizations whose internal pages (roster, statistics) the user may see."""
    return organizations_with_permission(user=user, codename=VIEW)


def organizations_managed_by(*, user: User) -> QuerySet[Organization]:
    """Organizations whose members the user may manage (edit, import, see unmasked)."""
    return organizations_with_permission(user=user, codename=MANAGE_MEMBERS)


def organization_permission_holds(*, user: User, organization: Organization, codename: str) -> bool:
    """Whether ``user`` holds ``codename`` on ``organization`` or an ancestor. One query (none for superusers)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    prefixes = organization.ancestor_paths()
    user_grants, group_grants = _grants(user, codename)
    # Anchored on the root row (always present) so both EXISTS run in one statement.
    return Organization.objects.filter(
        Exists(user_grants.filter(content_object__path__in=prefixes))
        | Exists(group_grants.filter(content_object__path__in=prefixes)),
        path=prefixes[0],
    ).exists()


def refuse_unless(allowed: bool) -> None:
    """The services' guard for a rule already decided (``refuse_unless(may_x(...))``): PermissionDenied unless
    ``allowed``. The one place a boolean rule becomes a refusal."""
    if not allowed:
        raise PermissionDenied


def require_organization_permission(*, user: User, organization: Organization, codename: str = VIEW) -> None:
    """The views' and services' guard: PermissionDenied (a 403 page) unless ``organization_permission_holds``."""
    refuse_unless(organization_permission_holds(user=user, organization=organization, codename=codename))


def current_roles(*, user: User) -> QuerySet[Role]:
    """The user's current roles with their organizations, highest level first."""
    if not user.is_authenticated:
        return Role.objects.none()
    return (
        Role.objects.current()
        .filter(user_id=user.pk)
        .select_related("organization")
        .order_by("organization__depth", "organization__path")
    )


def organization_children(*, organization: Organization) -> QuerySet[Organization]:
    """Direct children with their own child counts, in tree order. One query."""
    return Organization.objects.filter(
        path__startswith=organization.path, depth=organization.depth + 1
    ).order_by("path")


def organization_ancestors(*, organization: Organization) -> QuerySet[Organization]:
    """The breadcrumb: ancestors root first, excluding the node itself. One query."""
    return Organization.objects.filter(path__in=organization.ancestor_paths()[:-1]).order_by("depth")


def organization_breakdown(*, organization: Organization) -> list[dict]:
    """Active organizations in the subtree grouped by kind, category and unit type. One query."""
    return list(
        Organization.objects.subtree_of(organization)
        .filter(is_active=True)
        .values("kind", "category", "unit_type")
        .annotate(n=Count("pk"))
        .order_by()
    )


MAX_DEPTH = 8  # the tree's levels are province → university → committee → general branch → branch → group


def organization_visible_chain(
    *, user: User, pk: int, codename: str = VIEW, exclude_kinds: tuple[str, ...] = ()
) -> tuple[Organization | None, list[Organization]]:
    """The organization ``pk`` and the ancestors of it that ``user`` may see (root first), each annotated with
    ``figures_at`` (its dashboard snapshot's time, or None). Returns ``(None, [])`` for an unknown organization
    or one of ``exclude_kinds``, and ``(organization, [])`` when the user may not see it.

    One query, written as SQL: the dashboard runs it on every page, and building the equivalent ORM queries
    (the node, then two EXISTS over the permission tables) cost three times running them. The ancestors are
    the rows whose path is one of the node's path prefixes, each an index lookup."""
    if not 0 < pk < 2**63:  # beyond the id column (a path like /dashboard/9223372036854775808/): no such unit
        return None, []
    table = Organization._meta.db_table
    figures = UnitFigures._meta.db_table
    step = Organization.steplen
    prefixes = ", ".join(f"SUBSTR(u.path, 1, {step * n})" for n in range(1, MAX_DEPTH + 1))
    if user.is_authenticated and user.is_active and user.is_superuser:
        granted = "TRUE"
        params: list = []
    elif user.is_authenticated and user.is_active:
        user_perms = OrganizationUserObjectPermission._meta.db_table
        group_perms = OrganizationGroupObjectPermission._meta.db_table
        user_groups = get_user_model().groups.through._meta.db_table
        permissions = Permission._meta.db_table
        granted = (
            f"(EXISTS (SELECT 1 FROM {user_perms} up JOIN {permissions} ap ON ap.id = up.permission_id"
            f" WHERE up.content_object_id = o.id AND up.user_id = %s AND ap.codename = %s)"
            f" OR EXISTS (SELECT 1 FROM {group_perms} gp JOIN {permissions} ap ON ap.id = gp.permission_id"
            f" JOIN {user_groups} ug ON ug.group_id = gp.group_id"
            f" WHERE gp.content_object_id = o.id AND ug.user_id = %s AND ap.codename = %s))"
        )
        params = [user.pk, codename, user.pk, codename]
    else:
        granted = "FALSE"
        params = []
    sql = (
        f"SELECT o.*, f.computed_at AS figures_at, {granted} AS granted FROM {table} u"
        f" JOIN {table} o ON o.path IN ({prefixes}) LEFT JOIN {figures} f ON f.organization_id = o.id"
        f" WHERE u.id = %s ORDER BY o.depth"
    )
    chain = list(Organization.objects.raw(sql, [*params, pk]))
    if not chain or chain[-1].kind in exclude_kinds:
        return None, []
    node = chain[-1]
    for row in chain:  # SQLite gives the column as naive UTC (text or datetime); PostgreSQL an aware datetime
        at = row.figures_at
        if isinstance(at, str):
            at = parse_datetime(at)
        if at is not None and timezone.is_naive(at):
            at = timezone.make_aware(at, datetime.UTC)
        row.figures_at = at
    first = next((i for i, row in enumerate(chain) if row.granted), None)
    return node, ([] if first is None else chain[first:])
