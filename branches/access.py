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

A view whose address names one record that it loads and checks the way ``unit_access`` checks a unit says so
with ``record_access``: it loads the record (404 when there is none), asks the question on the record's unit
(``unit=``, through ``organization_permission_holds``) or the app's own rule (``allow=``), answers 404 (the
default: another unit's record is not for them to learn of) or 403 (``refuse=PermissionDenied``), and passes
the record to the view in place of the id::

    @login_required
    @require_POST
    @record_access(CASES, unit=lambda case: case.member.branch, codename=MANAGE_MEMBERS, to="case")
    def development_step(request, case): ...
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from branches.models import Organization
from branches.selectors import VIEW, organization_permission_holds, require_organization_permission

ACCESS_MARK = "access_rule"


@dataclass(frozen=True)
class AccessRule:
    """What a view checks: ``codename`` on the unit in its ``kwarg`` (``unit_access``), the named object
    rules its loader applies (``checked_by``, codename None), or the ``record`` (a model's label) in its
    ``kwarg``, by ``codename`` on its unit or by ``checks``, refused with ``refused`` (404 or 403,
    ``record_access``)."""

    codename: str | None
    kwarg: str | None = None
    kinds: tuple[str, ...] = ()
    on_parent: bool = False
    checks: tuple[str, ...] = ()
    record: str | None = None
    refused: int | None = None


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


def _name(check: Callable[..., Any]) -> str:
    return f"{check.__module__}.{check.__qualname__}"


def record_access(
    source: type[Model] | QuerySet | Callable[..., QuerySet],
    *,
    unit: Callable[[Any], Organization] | None = None,
    codename: str = VIEW,
    allow: Callable[..., object] | None = None,
    refuse: type[Http404] | type[PermissionDenied] = Http404,
    kwarg: str = "pk",
    to: str = "record",
    grant: str | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Load the record whose id is the address's ``kwarg`` from ``source`` (404 if none), check the user may
    have it, and call the view with it as ``to`` in place of the id.

    ``source``: a model, a queryset (its ``select_related`` is the page's), or a selector called as
    ``source(user=...)`` returning the records the user may see (one outside it is not found: the selector is
    the check, or the first of two).
    The check, one of: ``unit`` — the record's unit, on which (or an ancestor) the user must hold
    ``codename``; ``allow`` — the app's rule, called as ``allow(user=..., <to>=record)``, admitting on a
    truthy answer. A refusal raises ``refuse``: Http404 (the record is not told to exist) or PermissionDenied.
    ``grant``: the view also receives ``allow``'s answer under this name (e.g. which roles the user has on
    the record), so it need not ask again."""
    if unit is not None and allow is not None:
        raise TypeError("record_access checks by unit or by allow, not both")
    scoped = callable(source) and not isinstance(source, type) and not isinstance(source, QuerySet)
    if unit is None and allow is None and not scoped:
        raise TypeError("record_access needs its check: unit, allow, or a selector of what the user may see")
    if grant is not None and allow is None:
        raise TypeError("grant passes allow's answer: it needs allow")
    if isinstance(source, type):
        model = source
    elif isinstance(source, QuerySet):
        model = source.model
    else:
        model = None
    checks = tuple(_name(check) for check in ((source,) if scoped else ()) + ((allow,) if allow else ()))

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            pk = kwargs.pop(kwarg)
            if scoped:
                queryset = source(user=request.user)
            elif isinstance(source, QuerySet):
                queryset = source.all()  # a fresh clone per request: the module's queryset never caches
            else:
                queryset = source._default_manager.all()
            record = get_object_or_404(queryset, pk=pk)
            granted: object = True
            if unit is not None:
                granted = organization_permission_holds(
                    user=request.user, organization=unit(record), codename=codename
                )
            elif allow is not None:
                granted = allow(user=request.user, **{to: record})
            if not granted:
                raise refuse
            extra = {grant: granted} if grant is not None else {}
            return view(request, *args, **{to: record}, **extra, **kwargs)

        label = model._meta.label if model is not None else None
        _mark(
            checked,
            AccessRule(
                codename=codename if unit is not None else None,
                kwarg=kwarg,
                checks=checks,
                record=label,
                refused=404 if refuse is Http404 else 403,
            ),
        )
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
    names = tuple(_name(check) for check in checks)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        _mark(view, AccessRule(codename=None, checks=names))
        return view

    return decorate
