"""The admin: roles changed there carry their object permissions; member import needs the add permission."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from branches.models import Role
from branches.selectors import VIEW, organization_permission_holds
from tests.conftest import login
from tests.factories import UserFactory


@pytest.fixture
def as_admin(cast):
    return login(UserFactory(username="root", is_superuser=True, is_staff=True))


def test_adding_a_role_in_the_admin_grants_its_permissions(cast, as_admin):
    newcomer = UserFactory(username="newcomer")
    response = as_admin.post(
        reverse("admin:branches_role_add"),
        {
            "user": newcomer.pk,
            "organization": cast.branch_b.pk,
            "kind": "deputy",
            "started_on": "2026-01-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert organization_permission_holds(user=newcomer, organization=cast.branch_b, codename=VIEW)


def test_ending_a_role_in_the_admin_withdraws_its_permissions(cast, as_admin):
    role = Role.objects.get(user=cast.charlie)
    response = as_admin.post(
        reverse("admin:branches_role_change", args=[role.pk]),
        {
            "started_on": role.started_on.isoformat(),
            "ended_on": role.started_on.isoformat(),
        },
    )
    assert response.status_code == 302
    assert not organization_permission_holds(user=cast.charlie, organization=cast.branch_b, codename=VIEW)
    assert login(cast.charlie).get(reverse("members:roster", args=[cast.branch_b.pk])).status_code == 403


def test_deleting_a_role_in_the_admin_withdraws_its_permissions(cast, as_admin):
    role = Role.objects.get(user=cast.charlie)
    response = as_admin.post(reverse("admin:branches_role_delete", args=[role.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Role.objects.filter(pk=role.pk).exists()
    assert login(cast.charlie).get(reverse("members:roster", args=[cast.branch_b.pk])).status_code == 403


def test_bulk_deleting_roles_in_the_admin_withdraws_their_permissions(cast, as_admin):
    roles = Role.objects.filter(user__in=[cast.alice, cast.charlie])
    response = as_admin.post(
        reverse("admin:branches_role_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [r.pk for r in roles],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not organization_permission_holds(user=cast.alice, organization=cast.branch_a, codename=VIEW)
    assert not organization_permission_holds(user=cast.charlie, organization=cast.branch_b, codename=VIEW)


def test_admin_member_import_needs_the_add_permission(cast):
    staff = UserFactory(username="staff", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_member"))
    client = login(staff)
    assert client.get(reverse("admin:members_member_import")).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="add_member"))
    assert client.get(reverse("admin:members_member_import")).status_code == 200


def test_admin_import_records_the_importing_user(cast, as_admin, rf):
    from members.admin import MemberAdmin
    from members.models import Member

    request = rf.get("/")
    request.user = cast.officer
    kwargs = MemberAdmin(Member, None).get_import_resource_kwargs(request)
    assert kwargs["user"] == cast.officer


def test_admin_pages_render(cast, as_admin):
    for name in (
        "admin:branches_organization_changelist",
        "admin:members_member_changelist",
        "admin:branches_role_changelist",
        "admin:branches_unitfigures_changelist",
    ):
        assert as_admin.get(reverse(name)).status_code == 200


def test_dashboard_figures_are_read_only_in_the_admin(cast, as_admin):
    from branches.figures import figures_refresh

    figures_refresh()
    page = as_admin.get(reverse("admin:branches_unitfigures_change", args=[cast.c1.pk]))
    assert page.status_code == 200
    assert "计算机学院党委" in page.content.decode()
    assert as_admin.get(reverse("admin:branches_unitfigures_add")).status_code == 403


def test_an_out_of_range_date_in_the_admin_is_a_field_message_not_a_server_error(cast, as_admin):
    from members.models import DuesPayment

    # A dues line dated in year 1 through the admin: the form says why, nothing is stored.
    url = reverse("admin:members_duespayment_add")
    response = as_admin.post(
        url,
        {
            "member": cast.bob_member.pk,
            "branch": cast.branch_a.pk,
            "month": "0001-01-01",
            "status": "paid",
            "amount": "10.00",
        },
    )
    assert response.status_code == 200 and "日期不能早于" in response.content.decode()
    assert not DuesPayment.objects.exists()
