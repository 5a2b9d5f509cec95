"""Every view declares its permission check (issue 15, DESIGN §10).

Walking every URL pattern, a view must carry ``branches.access``'s mark — ``unit_access`` (the unit in the
address, checked through the tree), ``record_access`` (the record in the address, loaded and checked on its
unit or by its app's rule) or ``checked_by`` (the record in the address, checked by its app's rule) —
or be listed in ``EXEMPT`` with the reason it needs none. A new view with neither fails here, named."""

from __future__ import annotations

import pytest
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, path
from django.views.decorators.http import require_GET

from branches.access import AccessRule, access_rule_of, checked_by, record_access, unit_access
from branches.models import Organization
from members.models import Member
from branches.selectors import MANAGE_MEMBERS, MANAGE_UNITS, VIEW, organization_permission_holds
from tests.factories import UserFactory

# Django's admin checks its own staff permissions on every page of its own.
EXCLUDED_NAMESPACES = {"admin"}

_PUBLIC = "the public 党务公开 site (/open/): what every visitor may read, no unit permission"
_ACCOUNT = "the signed-in user's own account (sign-in, sign-out, password): no unit in it"
_CODE = "a code holder's page: the one-time code in the request is the credential, not a role"

# Views that need no unit permission, by their dotted name, each with why. Keep it to pages of that kind: a
# page with a unit's or a record's data in it declares its check instead.
EXEMPT: dict[str, str] = {
    "config.views.healthz": "the load balancer's probe: answers ok or not, no data",
    "config.cas.PortalLoginView": _ACCOUNT,
    "config.cas.PortalLogoutView": _ACCOUNT,
    "config.cas.CampusLoginView": _ACCOUNT,
    "config.views.PasswordResetView": _ACCOUNT,
    "config.views.PasswordResetConfirmView": _ACCOUNT,
    "django.contrib.auth.views.PasswordChangeView": _ACCOUNT,
    "django.contrib.auth.views.PasswordChangeDoneView": _ACCOUNT,
    "django.contrib.auth.views.PasswordResetDoneView": _ACCOUNT,
    "django.contrib.auth.views.PasswordResetCompleteView": _ACCOUNT,
    "disclosure.views.public.open_index": _PUBLIC,
    "disclosure.views.public.open_search": _PUBLIC,
    "disclosure.views.public.open_benchmark": _PUBLIC,
    "disclosure.views.public.open_unit": _PUBLIC,
    "disclosure.views.public.open_feed": _PUBLIC,
    "disclosure.views.public.open_section": _PUBLIC,
    "disclosure.views.public.open_post": _PUBLIC,
    "disclosure.views.public.open_attachment": _PUBLIC,
    "assessments.views.commendation_public.public_list": _PUBLIC + " (the 七一表彰 公示 under way)",
    "assessments.views.commendation_public.public_notice": _PUBLIC + " (the 七一表彰 公示)",
    "assessments.views.commendation_public.public_objection": _PUBLIC + " (an objection to the 公示)",
    "assessments.views.commendation.public_notice": "a permanent redirect to the public 公示 (old links)",
    "assessments.views.ratings.code_entry": _CODE,
    "assessments.views.ratings.code_done": _CODE + " (the thank-you page, nothing in it)",
    "assessments.views.evaluation_remarks.opinion_entry": _CODE,
    "assessments.views.evaluation_remarks.opinion_done": _CODE + " (the thank-you page, nothing in it)",
    "members.views.records.member_me": "the signed-in member's own record, found by their login: no unit",
}


def dotted(callback) -> str:
    view = getattr(callback, "view_class", callback)
    return f"{view.__module__}.{view.__qualname__}"


def views(patterns=None, namespace: str = "") -> list[tuple[str, object]]:
    """Every routed view of the project as ``(namespace:name, callback)``, walking the includes."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += views(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            found.append((namespace + (pattern.name or str(pattern.pattern)), pattern.callback))
    return found


def undeclared(patterns=None) -> list[str]:
    """The views with neither a declared check nor a listed exemption, each as ``name (dotted.view)``."""
    return sorted(
        {
            f"{name} ({dotted(callback)})"
            for name, callback in views(patterns)
            if access_rule_of(callback) is None and dotted(callback) not in EXEMPT
        }
    )


def test_every_view_declares_its_check():
    missing = undeclared()
    assert not missing, (
        "These views declare no permission check: decorate each with branches.access.unit_access (a unit in "
        "the address) or checked_by (a record checked by its app's rule), or list it in EXEMPT with why it "
        "needs none:\n  " + "\n  ".join(missing)
    )


def test_the_exemptions_name_routed_views_without_a_mark():
    routed = {dotted(callback): callback for _name, callback in views()}
    stale = sorted(name for name in EXEMPT if name not in routed)
    assert not stale, f"exempt but not routed (take them off): {stale}"
    marked = sorted(name for name in EXEMPT if access_rule_of(routed[name]) is not None)
    assert not marked, f"exempt but declaring their check (take them off the list): {marked}"


def _throwaway(request, pk):  # a new view that forgot its check
    return HttpResponse("secret")


def test_a_new_view_without_its_check_fails_named():
    patterns = [
        *get_resolver().url_patterns,
        path("throwaway/<int:pk>/", login_required(require_GET(_throwaway)), name="throwaway"),
    ]
    assert undeclared(patterns) == [f"throwaway ({__name__}._throwaway)"]


def test_the_mark_survives_djangos_decorators():
    @login_required
    @require_GET
    @unit_access(MANAGE_MEMBERS, kinds=[Organization.Kind.BRANCH])
    def page(request, unit):
        return HttpResponse(unit.name)

    @login_required
    @checked_by(organization_permission_holds)
    def other(request, pk):
        return HttpResponse()

    assert access_rule_of(page) == AccessRule(
        codename=MANAGE_MEMBERS, kwarg="pk", kinds=(Organization.Kind.BRANCH,)
    )
    assert access_rule_of(other) == AccessRule(
        codename=None, checks=("branches.selectors.organization_permission_holds",)
    )
    with pytest.raises(TypeError):
        checked_by()


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@unit_access(MANAGE_MEMBERS, kinds=[Organization.Kind.BRANCH])
def _branch_page(request, unit):
    return HttpResponse(unit.code)


def test_unit_access_passes_the_unit_it_checked(cast, django_assert_num_queries):
    # The unit, then the permission through the tree.
    with django_assert_num_queries(2):
        response = _branch_page(_request(cast.alice), pk=cast.branch_a.pk)
    assert response.content == b"A"


def test_unit_access_refuses_another_units_secretary(cast):
    with pytest.raises(PermissionDenied):
        _branch_page(_request(cast.charlie), pk=cast.branch_a.pk)


def test_unit_access_finds_no_unit_of_another_kind_or_none(cast):
    # Not found comes before forbidden, as in the wrappers it replaces: charlie may not see C1 either.
    for user in (cast.alice, cast.charlie):
        with pytest.raises(Http404):
            _branch_page(_request(user), pk=cast.c1.pk)
        with pytest.raises(Http404):
            _branch_page(_request(user), pk=10**9)


def test_unit_access_on_the_parent(cast):
    @unit_access(MANAGE_UNITS, on_parent=True, to="child")
    def rename(request, child):
        return HttpResponse(child.code)

    # The root has no parent: only a superuser may act on it.
    with pytest.raises(PermissionDenied):
        rename(_request(cast.officer), pk=cast.university.pk)
    root = UserFactory(username="root", is_superuser=True)
    assert rename(_request(root), pk=cast.university.pk).content == b"U1"
    # A branch's secretary does not manage the committee above: renaming the branch is not theirs.
    with pytest.raises(PermissionDenied):
        rename(_request(cast.alice), pk=cast.branch_a.pk)


def test_unit_access_defaults_to_view(cast):
    @unit_access()
    def overview(request, unit):
        return HttpResponse(unit.code)

    assert access_rule_of(overview).codename == VIEW
    assert overview(_request(cast.officer), pk=cast.branch_a.pk).content == b"A"
    with pytest.raises(PermissionDenied):
        overview(_request(cast.charlie), pk=cast.branch_a.pk)


# --- record_access: the record in the address, checked on its unit or by the app's rule -----------------

MEMBERS = Member.objects.select_related("branch")


def _member_branch(member: Member) -> Organization:
    return member.branch


@record_access(MEMBERS, unit=_member_branch, codename=MANAGE_MEMBERS, to="member")
def _member_page(request, member):
    return HttpResponse(member.name)


def test_record_access_passes_the_record_it_checked(cast, django_assert_num_queries):
    # The member with their branch, then the permission through the tree.
    with django_assert_num_queries(2):
        response = _member_page(_request(cast.alice), pk=cast.bob_member.pk)
    assert response.content.decode() == "鲍勃"
    # The committee above the branch holds it there too.
    assert _member_page(_request(cast.officer), pk=cast.bob_member.pk).status_code == 200


def test_record_access_does_not_tell_another_units_record_exists(cast):
    # Another branch's record and no record at all: the same 404.
    for pk in (cast.bob_member.pk, 10**9):
        with pytest.raises(Http404):
            _member_page(_request(cast.charlie), pk=pk)


def test_record_access_refuses_with_403_where_asked(cast):
    @record_access(Member, unit=_member_branch, refuse=PermissionDenied, to="member")
    def page(request, member):
        return HttpResponse(member.name)

    with pytest.raises(PermissionDenied):
        page(_request(cast.charlie), pk=cast.bob_member.pk)
    with pytest.raises(Http404):  # none at all is still not found
        page(_request(cast.charlie), pk=10**9)
    assert page(_request(cast.alice), pk=cast.bob_member.pk).content.decode() == "鲍勃"


def _own_record(*, user, member) -> bool:
    return member.user_id == user.pk


def _members_of_my_branch(*, user):
    return Member.objects.filter(branch_id__in=Member.objects.filter(user_id=user.pk).values("branch_id"))


def test_record_access_by_the_apps_rule_and_its_answer(cast):
    @record_access(Member, allow=_own_record, grant="mine", to="member")
    def own(request, member, mine):
        return HttpResponse(f"{member.name} {mine}")

    assert own(_request(cast.bob), pk=cast.bob_member.pk).content.decode() == "鲍勃 True"
    with pytest.raises(Http404):
        own(_request(cast.alice), pk=cast.bob_member.pk)

    # A selector of what the user may see: one outside it is not found; then the rule, refused with 403.
    @record_access(_members_of_my_branch, allow=_own_record, refuse=PermissionDenied, to="member")
    def scoped(request, member):
        return HttpResponse(member.name)

    with pytest.raises(Http404):
        scoped(_request(cast.charlie), pk=cast.bob_member.pk)
    with pytest.raises(PermissionDenied):
        scoped(_request(cast.alice), pk=cast.bob_member.pk)
    assert scoped(_request(cast.bob), pk=cast.bob_member.pk).content.decode() == "鲍勃"


def test_record_access_marks_the_view_through_djangos_decorators():
    page = login_required(require_GET(_member_page))
    assert access_rule_of(page) == AccessRule(
        codename=MANAGE_MEMBERS, kwarg="pk", record="members.Member", refused=404
    )

    @login_required
    @record_access(_members_of_my_branch, allow=_own_record, refuse=PermissionDenied)
    def scoped(request, record):
        return HttpResponse()

    assert access_rule_of(scoped) == AccessRule(
        codename=None,
        kwarg="pk",
        checks=(f"{__name__}._members_of_my_branch", f"{__name__}._own_record"),
        refused=403,
    )


def test_record_access_needs_one_check():
    with pytest.raises(TypeError):
        record_access(Member)  # no check at all
    with pytest.raises(TypeError):
        record_access(Member, unit=_member_branch, allow=_own_record)
    with pytest.raises(TypeError):
        record_access(Member, unit=_member_branch, grant="mine")
