"""The tree, its permissions through the subtree, and the unit-management services."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from branches.models import Organization, OrganizationUserObjectPermission, Role
from branches.selectors import (
    MANAGE_MEMBERS,
    MANAGE_UNITS,
    VIEW,
    organization_permission_holds,
    organizations_managed_by,
    organizations_visible_to,
)
from branches.services import (
    organization_create,
    organization_deactivate,
    organization_move,
    organization_rename,
    role_assign,
    role_end,
)
from tests.factories import MemberFactory, UserFactory, make_org

K = Organization.Kind


def test_subtree_and_ancestors_are_path_queries(cast, django_assert_num_queries):
    with django_assert_num_queries(1):  # one range scan on the path index
        subtree = set(Organization.objects.subtree_of(cast.c1).values_list("code", flat=True))
    assert subtree == {"C1", "A"}
    assert cast.branch_a.ancestor_paths() == [cast.university.path, cast.c1.path, cast.branch_a.path]


def test_permission_on_a_committee_holds_on_its_branches(cast):
    assert organization_permission_holds(
        user=cast.officer, organization=cast.branch_a, codename=MANAGE_MEMBERS
    )
    assert not organization_permission_holds(user=cast.officer, organization=cast.branch_b, codename=VIEW)
    assert not organization_permission_holds(user=cast.officer, organization=cast.university, codename=VIEW)


def test_what_each_member_of_the_cast_sees(cast, django_assert_num_queries):
    with django_assert_num_queries(1):  # one query, whatever the size of the tree
        officer_sees = set(organizations_visible_to(user=cast.officer).values_list("code", flat=True))
    assert officer_sees == {"C1", "A"}
    assert set(organizations_visible_to(user=cast.alice).values_list("code", flat=True)) == {"A"}
    assert set(organizations_visible_to(user=cast.charlie).values_list("code", flat=True)) == {"B"}
    assert not organizations_visible_to(user=cast.bob).exists()  # a plain member holds no unit permission
    assert not organizations_visible_to(user=AnonymousUser()).exists()


def test_permission_check_is_one_query(cast, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert organization_permission_holds(
            user=cast.alice, organization=cast.branch_a, codename=MANAGE_MEMBERS
        )


def test_branch_secretaries_do_not_get_structural_rights(cast):
    assert organization_permission_holds(user=cast.alice, organization=cast.branch_a, codename=MANAGE_MEMBERS)
    assert not organization_permission_holds(
        user=cast.alice, organization=cast.branch_a, codename=MANAGE_UNITS
    )
    assert organizations_managed_by(user=cast.alice).count() == 1


def test_superuser_sees_everything(cast):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert organizations_visible_to(user=admin).count() == Organization.objects.count()


def test_permissions_are_stored_in_the_direct_foreign_key_table(cast):
    rows = OrganizationUserObjectPermission.objects.filter(user=cast.officer)
    assert {r.permission.codename for r in rows} == {VIEW, MANAGE_MEMBERS, MANAGE_UNITS}
    assert {r.content_object_id for r in rows} == {cast.c1.pk}


def test_ending_a_role_withdraws_its_permissions(cast):
    role = Role.objects.get(user=cast.alice, organization=cast.branch_a)
    role_end(role=role)
    assert not organization_permission_holds(user=cast.alice, organization=cast.branch_a, codename=VIEW)
    assert role.history.count() == 2


def test_ending_one_of_two_roles_keeps_what_the_other_grants(cast):
    extra = role_assign(user=cast.alice, organization=cast.branch_a, kind=Role.Kind.PUBLICITY)
    role_end(role=Role.objects.get(user=cast.alice, kind=Role.Kind.SECRETARY))
    assert organization_permission_holds(user=cast.alice, organization=cast.branch_a, codename=VIEW)
    assert not organization_permission_holds(
        user=cast.alice, organization=cast.branch_a, codename=MANAGE_MEMBERS
    )
    assert extra.ended_on is None


def test_a_role_cannot_be_held_twice(cast):
    with pytest.raises(ValidationError):
        role_assign(user=cast.alice, organization=cast.branch_a, kind=Role.Kind.SECRETARY)


def test_officer_creates_renames_moves_and_deactivates_in_their_subtree(cast):
    new = organization_create(
        parent=cast.c1, kind=K.BRANCH, name="计算机学院学生第一党支部", category="student", by=cast.officer
    )
    assert Organization.objects.get_parent(new) == cast.c1 and new.term_years == 3
    organization_rename(organization=new, name="计算机学院本科生第一党支部", by=cast.officer)
    new.refresh_from_db()
    assert new.name == "计算机学院本科生第一党支部"
    assert new.history.count() == 2
    general = organization_create(
        parent=cast.c1, kind=K.GENERAL_BRANCH, name="计算机学院研究生党总支", by=cast.officer
    )
    organization_move(organization=new, new_parent=general, by=cast.officer)
    new.refresh_from_db()
    assert Organization.objects.get_parent(new) == general and new.path.startswith(general.path)
    assert new.history.first().path == new.path  # the move is in the history
    assert organization_permission_holds(user=cast.officer, organization=new, codename=MANAGE_UNITS)
    assert organization_deactivate(organization=general, by=cast.officer) == 2
    new.refresh_from_db()
    assert not new.is_active


def test_officer_cannot_touch_another_committee_or_their_own(cast):
    with pytest.raises(PermissionDenied):
        organization_create(parent=cast.c2, kind=K.BRANCH, name="x", category="student", by=cast.officer)
    with pytest.raises(PermissionDenied):
        organization_rename(organization=cast.branch_b, name="x", by=cast.officer)
    with pytest.raises(PermissionDenied):  # changing C1 itself is the university's business
        organization_rename(organization=cast.c1, name="x", by=cast.officer)
    with pytest.raises(PermissionDenied):
        organization_move(organization=cast.branch_a, new_parent=cast.c2, by=cast.officer)
    with pytest.raises(PermissionDenied):
        organization_create(parent=cast.branch_a, kind=K.GROUP, name="第一党小组", by=cast.alice)


def test_kind_hierarchy_is_enforced(cast):
    with pytest.raises(ValidationError):
        organization_create(parent=cast.branch_a, kind=K.BRANCH, name="x", category="teacher")
    with pytest.raises(ValidationError):
        organization_create(parent=cast.c1, kind=K.COMMITTEE, name="x")
    with pytest.raises(ValidationError):
        organization_create(parent=cast.c1, kind=K.BRANCH, name="no category")
    with pytest.raises(ValidationError, match="不能设在"):  # a committee under a branch: the kind rule
        organization_move(organization=cast.c2, new_parent=cast.branch_a)
    with pytest.raises(ValidationError, match="下级组织之下"):  # under its own subunit
        organization_move(organization=cast.c1, new_parent=cast.branch_a)


def test_deactivation_is_refused_while_members_remain(cast):
    with pytest.raises(ValidationError) as excinfo:
        organization_deactivate(organization=cast.c1)
    assert " 2 " in excinfo.value.messages[0]  # "该组织仍有 2 名在册人员…"
    assert Organization.objects.get(pk=cast.branch_a.pk).is_active


def test_group_inherits_branch_category(cast):
    group = make_org(cast.branch_a, K.GROUP, "第一党小组")
    assert group.category == "teacher"


def test_member_factory_and_party_member_queryset(cast):
    MemberFactory(branch=cast.branch_a, stage="applicant", joined_on=None, full_on=None)
    assert cast.branch_a.members.count() == 3
    assert cast.branch_a.members.party_members().count() == 2


def test_moving_a_unit_records_the_new_place_of_everything_below_it(cast):
    group = make_org(cast.branch_a, K.GROUP, "第一党小组")
    organization_move(organization=cast.branch_a, new_parent=cast.c2)
    group.refresh_from_db()
    assert group.path.startswith(cast.c2.path)
    assert group.history.first().path == group.path and group.history.count() == 2


def test_group_permissions_hold_on_the_subtree(cast):
    from django.contrib.auth.models import Group, Permission

    from branches.models import OrganizationGroupObjectPermission

    auditors = Group.objects.create(name="审计")
    OrganizationGroupObjectPermission.objects.create(
        group=auditors, permission=Permission.objects.get(codename=VIEW), content_object=cast.c2
    )
    reader = UserFactory(username="reader")
    reader.groups.add(auditors)
    assert set(organizations_visible_to(user=reader).values_list("code", flat=True)) == {"C2", "B"}
    assert organization_permission_holds(user=reader, organization=cast.branch_b, codename=VIEW)
    assert not organization_permission_holds(user=reader, organization=cast.branch_a, codename=VIEW)


def test_an_inactive_user_holds_nothing(cast):
    cast.officer.is_active = False
    cast.officer.save()
    assert not organizations_visible_to(user=cast.officer).exists()
    assert not organization_permission_holds(user=cast.officer, organization=cast.c1, codename=VIEW)


def test_managed_units_is_one_query(cast, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert set(organizations_managed_by(user=cast.officer).values_list("code", flat=True)) == {"C1", "A"}
