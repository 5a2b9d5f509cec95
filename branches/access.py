"""The views' permission check, declared on the view (DESIGN §10, STYLE §5; issue 15).

A permission held on an organization holds on its whole subtree (``branches.selectors``). About a dozen
app-local wrappers (``_unit``, ``_unit_or_404`` + ``require_organization_permission``, ``_require``) each
loaded the unit named in the address and asked that one question, a little differently (which kinds are
"not found", whether the load or the check came first). ``unit_access`` is that wrapper once::

    @login_required
    @require_GET
    @unit_access(MANAGE_MEMBERS, kinds=POST_UNIT_KINDS)
    def post_list(request, unit): ...

It loads the unit (404 when there is none, or it is not of ``kinds``), refuses with PermissionDenied (the
403 page) unless the user holds ``codename`` on it or an ancestor, and passes it to the view as ``unit`` in
place of the address's ``pk``. Placed under the method check, as the wrappers were called first thing in the
body, the order a visitor sees is unchanged: login, method, not found, forbidden.

A view whose address names another record (a meeting, a case, a post) checks that record by its own app's
rule (``meeting_may_view`` ...), often with a "not found" for what the user may not learn exists; it says so
with ``checked_by(meeting_may_view)``. Either way the view carries an ``AccessRule`` under ``ACCESS_MARK``,
and ``tests/test_view_access.py`` walks every URL pattern and fails on a view with neither the mark nor a
listed exemption (public pages, sign-in, healthz), so a new view cannot forget its check.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from branches.models import Organization
from branches.selectors import VIEW, require_organization_permission

ACCESS_MARK = "access_rule"


@dataclass(frozen=True)
class AccessRule:
    """What a view checks: ``codename`` on the unit in its ``kwarg`` (``unit_access``), or the named object
    rules its loader applies (``checked_by``, codename None)."""

    codename: str | None
    kwarg: str | None = None
    kinds: tuple[str, ...] = ()
    on_parent: bool = False
    checks: tuple[str, ...] = ()


def _mark(view: Callable[..., Any], rule: AccessRule) -> None:
    setattr(view, ACCESS_MARK, rule)


def access_rule_of(view: Callable[..., Any]) -> AccessRule | None:
    """The rule a view declared, through Django's decorators (``functools.wraps`` copies the mark up)."""
    rule = getattr(view, ACCESS_MARK, None)
    return rule if isinstance(rule, AccessRule) else None


def unit_access(
    codename: str = VIEW,
    *,
    kwarg: str = "pk",
    kinds: Iterable[str] = (),
    on_parent: bool = False,
    to: str = "unit",
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Load the unit whose id is the address's ``kwarg`` (404 if none, or not one of ``kinds``), require
    ``codename`` on it through the tree (403), and call the view with it as ``to`` (``unit``) in place of the
    id. One query to load, one to check (none for a superuser).

    ``on_parent``: the permission is asked on the unit's parent instead (renaming, moving or closing a unit
    is its parent's decision); a root has none, so only a superuser may (one query more, the parent)."""
    kinds = tuple(kinds)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            filters: dict[str, Any] = {"pk": kwargs.pop(kwarg)}
            if kinds:
                filters["kind__in"] = kinds
            unit = get_object_or_404(Organization, **filters)
            checked_on = Organization.objects.get_parent(unit) if on_parent else unit
            if checked_on is None:
                if not request.user.is_superuser:
                    raise PermissionDenied
            else:
                require_organization_permission(user=request.user, organization=checked_on, codename=codename)
            return view(request, *args, **{to: unit}, **kwargs)

        _mark(checked, AccessRule(codename=codename, kwarg=kwarg, kinds=kinds, on_parent=on_parent))
        return checked

    return decorate


def checked_by(
    *checks: Callable[..., Any],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Declare that the view checks the record its address names by ``checks`` (its app's rules, e.g.
    ``meeting_may_view``), applied where it loads the record, or shows only what a selector filters to the
    user (``check_queue``). Records them on the view; changes nothing."""
    if not checks:
        raise TypeError("checked_by needs the rule the view applies")
    names = tuple(f"{check.__module__}.{check.__qualname__}" for check in checks)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        _mark(view, AccessRule(codename=None, checks=names))
        return view

    return decorate
