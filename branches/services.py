"""Writes to the tree and to roles. Each function owns its transaction and leaves an audit trail."""

from __future__ import annotations

import datetime
import secrets

from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from branches.models import Organization, OrganizationUserObjectPermission, Role
from branches.once import once_bind, once_claim
from branches.selectors import MANAGE_MEMBERS, MANAGE_UNITS, organization_permission_holds
from branches.signals import organization_deactivating


def _require_manage_units(*, by: User | None, organization: Organization | None) -> None:
    """``by`` None means a trusted caller (a management command); otherwise manage_units must hold."""
    if by is None:
        return
    if organization is None:
        if not by.is_superuser:
            raise PermissionDenied(_("Only the system administrator may create a top-level unit."))
        return
    if not organization_permission_holds(user=by, organization=organization, codename=MANAGE_UNITS):
        raise PermissionDenied(_("You may not change units under %(unit)s.") % {"unit": organization.name})


def _check_parent(kind: str, parent: Organization | None) -> None:
    allowed = Organization.ALLOWED_PARENTS[kind]
    parent_kind = parent.kind if parent else None
    if parent_kind not in allowed:
        raise ValidationError(
            _("A %(kind)s cannot be placed under %(parent)s.")
            % {
                "kind": Organization.Kind(kind).label,
                "parent": parent.name if parent else _("the top level"),
            }
        )
    if parent is not None and not parent.is_active:
        raise ValidationError(_("%(unit)s has been deactivated.") % {"unit": parent.name})


def _new_code() -> str:
    return "ORG-" + secrets.token_hex(4).upper()


@transaction.atomic
def organization_create(
    *,
    parent: Organization | None,
    kind: str,
    name: str,
    by: User | None = None,
    short_name: str = "",
    code: str = "",
    category: str = "",
    unit_type: str = "",
    founded_on: datetime.date | None = None,
    term_started_on: datetime.date | None = None,
    term_years: int | None = None,
    request_key=None,
) -> Organization:
    """Create a unit under ``parent`` (or a root), checking the kind hierarchy and the actor's permission.
    The form's one-time key sent twice creates the unit once."""
    _require_manage_units(by=by, organization=parent)
    _check_parent(kind, parent)
    if (existing := once_claim(key=request_key, user=by, model=Organization)) is not None:
        return existing
    if kind in (Organization.Kind.BRANCH, Organization.Kind.GROUP):
        if not category and parent is not None and parent.category:
            category = parent.category
        if kind == Organization.Kind.BRANCH and not category:
            raise ValidationError(_("A branch needs a category."))
    else:
        category = ""
    fields = dict(
        kind=kind,
        name=name.strip(),
        short_name=short_name.strip(),
        code=code.strip() or _new_code(),
        category=category,
        unit_type=unit_type,
        founded_on=founded_on,
        term_started_on=term_started_on,
        term_years=term_years or Organization.DEFAULT_TERM_YEARS[kind],
    )
    if Organization.objects.filter(code=fields["code"]).exists():
        raise ValidationError(_("The code %(code)s is already in use.") % {"code": fields["code"]})
    if parent is None:
        org = Organization.objects.add_root(create_kwargs=fields)
    else:
        # treebeard picks the next path from the parent's current numchild: lock the parent so that two
        # units created at once under it never draw the same path.
        parent = Organization.objects.select_for_update().get(pk=parent.pk)
        org = Organization.objects.add_child(parent, create_kwargs=fields)
    once_bind(key=request_key, record=org)
    return org


@transaction.atomic
def organization_rename(
    *, organization: Organization, name: str, short_name: str | None = None, by: User | None = None
) -> Organization:
    """Rename a unit. Structural changes to a unit need manage_units on the unit above it."""
    _require_manage_units(by=by, organization=Organization.objects.get_parent(organization))
    name = name.strip()
    if not name:
        raise ValidationError(_("The name cannot be empty."))
    organization.name = name
    fields = ["name"]
    if short_name is not None:
        organization.short_name = short_name.strip()
        fields.append("short_name")
    organization.save(update_fields=fields)
    return organization


@transaction.atomic
def organization_move(
    *, organization: Organization, new_parent: Organization, by: User | None = None
) -> Organization:
    """Move a unit with its whole subtree under ``new_parent``; permissions travel with the nodes."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    _require_manage_units(by=by, organization=Organization.objects.get_parent(organization))
    _require_manage_units(by=by, organization=new_parent)
    if new_parent.path.startswith(organization.path):
        raise ValidationError(_("A unit cannot be moved under itself or its own subunits."))
    _check_parent(organization.kind, new_parent)
    Organization.objects.move(organization, new_parent, pos="last-child")
    organization.refresh_from_db()
    # treebeard rewrites the subtree's paths with a bulk UPDATE: record every moved node's new place.
    organization.save()
    descendants = list(Organization.objects.subtree_of(organization).exclude(pk=organization.pk))
    Organization.history.bulk_history_create(descendants, update=True, default_change_reason="move")
    return organization


@transaction.atomic
def organization_deactivate(*, organization: Organization, by: User | None = None) -> int:
    """Deactivate a unit and everything below it. Receivers of ``organization_deactivating`` may veto
    (members does while active members remain). Returns how many units were deactivated."""
    _require_manage_units(by=by, organization=Organization.objects.get_parent(organization))
    subtree = Organization.objects.subtree_of(organization).filter(is_active=True)
    organization_deactivating.send(sender=Organization, organizations=subtree)
    nodes = list(subtree)
    for node in nodes:
        node.is_active = False
    bulk_update_with_history(nodes, Organization, ["is_active"], default_change_reason="deactivate")
    return len(nodes)


def _permissions(codenames: tuple[str, ...]) -> list[Permission]:
    return list(Permission.objects.filter(content_type__app_label="branches", codename__in=codenames))


@transaction.atomic
def role_assign(
    *,
    user: User,
    organization: Organization,
    kind: str,
    started_on: datetime.date | None = None,
    by: User | None = None,
) -> Role:
    """Give ``user`` a role on ``organization`` and the object permissions that role carries."""
    parent = Organization.objects.get_parent(organization) if by is not None else None
    _require_manage_units(by=by, organization=parent or organization)
    if Role.objects.current().filter(user=user, organization=organization, kind=kind).exists():
        raise ValidationError(_("This person already holds this role."))
    role = Role.objects.create(
        user=user, organization=organization, kind=kind, started_on=started_on or timezone.localdate()
    )
    for permission in _permissions(role.granted_permissions()):
        OrganizationUserObjectPermission.objects.get_or_create(
            user=user, permission=permission, content_object=organization
        )
    return role


def roles_assign_bulk(roles: list[Role], *, reason: str = "") -> list[Role]:
    """``role_assign`` for many new roles at once, unchecked (a loader's, e.g. ``load_demo``): the roles, their
    history rows and the object permissions each carries, in a few inserts. Skipped permissions never exist:
    a codename missing from the database is an error, as it would be for a role given one at a time."""
    Role.objects.bulk_create(roles, batch_size=5000)
    Role.history.bulk_history_create(roles, batch_size=5000, default_change_reason=reason)
    permissions = {p.codename: p for p in Permission.objects.filter(content_type__app_label="branches")}
    OrganizationUserObjectPermission.objects.bulk_create(
        [
            OrganizationUserObjectPermission(
                user=role.user, permission=permissions[codename], content_object=role.organization
            )
            for role in roles
            for codename in dict.fromkeys(role.granted_permissions())
        ],
        batch_size=5000,
    )
    return roles


def _withdraw_permissions(role: Role) -> None:
    """Remove the object permissions ``role`` granted that no other current role of the user still grants."""
    still_granted: set[str] = set()
    others = Role.objects.current().filter(user=role.user, organization=role.organization).exclude(pk=role.pk)
    for other in others.select_related("organization"):
        still_granted.update(other.granted_permissions())
    withdraw = set(role.granted_permissions()) - still_granted
    OrganizationUserObjectPermission.objects.filter(
        user=role.user, content_object=role.organization, permission__codename__in=withdraw
    ).delete()


@transaction.atomic
def role_end(*, role: Role, ended_on: datetime.date | None = None, by: User | None = None) -> Role:
    """End a role and withdraw the permissions no other current role of the user still grants there."""
    parent = Organization.objects.get_parent(role.organization) if by is not None else None
    _require_manage_units(by=by, organization=parent or role.organization)
    role.ended_on = ended_on or timezone.localdate()
    role.save(update_fields=["ended_on"])
    _withdraw_permissions(role)
    return role


@transaction.atomic
def role_delete(*, role: Role) -> None:
    """Delete a role entered by mistake (the admin's delete), withdrawing its permissions like role_end."""
    _withdraw_permissions(role)
    role.delete()


def organization_theme_day_set(
    *, organization: Organization, day: int | None, by: User | None = None
) -> Organization:
    """Fix (or clear, ``day`` None) a branch's monthly theme party day (主题党日, issue 18): the branch decides
    it, so its own secretaries and the units above (manage_members) may set it; the compliance table then
    marks a theme day held on another day, and the month's to-do falls due on it. History keeps each change."""
    if by is not None and not organization_permission_holds(
        user=by, organization=organization, codename=MANAGE_MEMBERS
    ):
        raise PermissionDenied(_("You may not change this branch's theme party day."))
    if organization.kind != Organization.Kind.BRANCH:
        raise ValidationError(_("Only a branch has a theme party day."))
    if day is not None and not 1 <= day <= 31:
        raise ValidationError(_("Give a day of the month from 1 to 31."))
    organization.theme_day = day
    organization.save(update_fields=["theme_day"])
    return organization
