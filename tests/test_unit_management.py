"""Create, rename, move and deactivate units through the web pages."""

import pytest
from django.urls import reverse

from branches.models import Organization

K = Organization.Kind


def test_officer_creates_a_branch_in_their_committee(cast, as_officer):
    url = reverse("branches:create", args=[cast.c1.pk])
    assert as_officer.get(url).status_code == 200
    response = as_officer.post(
        url, {"kind": "branch", "name": "计算机学院学生第一党支部", "category": "student"}
    )
    created = Organization.objects.get(name="计算机学院学生第一党支部")
    assert response.status_code == 302 and response["Location"] == reverse("members:unit", args=[created.pk])
    assert Organization.objects.get_parent(created) == cast.c1


def test_create_form_errors_are_shown_not_saved(cast, as_officer):
    url = reverse("branches:create", args=[cast.c1.pk])
    response = as_officer.post(url, {"kind": "branch", "name": "无类别支部"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Organization.objects.filter(name="无类别支部").exists()


def test_creation_is_refused_outside_the_subtree(cast, as_officer, as_alice, anonymous):
    for client, unit in ((as_officer, cast.c2), (as_alice, cast.branch_a), (as_officer, cast.university)):
        assert client.get(reverse("branches:create", args=[unit.pk])).status_code == 403
    assert anonymous.get(reverse("branches:create", args=[cast.c1.pk])).status_code == 302


def test_rename_move_and_deactivate(cast, as_officer):
    new = Organization.objects.get(code="A")
    response = as_officer.post(reverse("branches:rename", args=[new.pk]), {"name": "计算机学院教工党支部"})
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.name == "计算机学院教工党支部"

    general = Organization.objects.add_child(
        cast.c1, create_kwargs={"kind": K.GENERAL_BRANCH, "name": "总支", "code": "G"}
    )
    response = as_officer.post(reverse("branches:move", args=[new.pk]), {"new_parent": general.pk})
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.path.startswith(general.path)

    # Members remain, so deactivation is refused with the reason, and nothing changes.
    response = as_officer.post(reverse("branches:deactivate", args=[new.pk]), follow=True)
    new.refresh_from_db()
    assert new.is_active
    message = list(response.context["messages"])[-1]  # after "renamed" and "moved"
    assert message.level_tag == "error"
    assert str(message) == "该组织仍有 2 名在册人员，请先办理组织关系转接。"


def test_move_offers_only_units_the_officer_manages(cast, as_officer):
    response = as_officer.get(reverse("branches:move", args=[cast.branch_a.pk]))
    choices = list(response.context["form"].fields["new_parent"].queryset)
    assert cast.c2 not in choices and cast.c1 in choices
    response = as_officer.post(reverse("branches:move", args=[cast.branch_a.pk]), {"new_parent": cast.c2.pk})
    assert response.status_code == 200 and response.context["form"].errors


def test_deactivate_is_post_only(cast, as_officer):
    assert as_officer.get(reverse("branches:deactivate", args=[cast.branch_a.pk])).status_code == 405


def test_empty_branch_is_deactivated(cast, as_officer):
    empty = Organization.objects.add_child(
        cast.c1, create_kwargs={"kind": K.BRANCH, "name": "空支部", "code": "E", "category": "teacher"}
    )
    response = as_officer.post(reverse("branches:deactivate", args=[empty.pk]))
    assert response.status_code == 302
    empty.refresh_from_db()
    assert not empty.is_active


@pytest.mark.parametrize("name", ["branches:rename", "branches:move"])
def test_rename_and_move_refuse_other_methods(cast, as_officer, name):
    url = reverse(name, args=[cast.branch_a.pk])
    assert as_officer.put(url).status_code == 405
    assert as_officer.delete(url).status_code == 405


@pytest.mark.parametrize(
    "who,unit",
    [
        ("as_officer", "branch_b"),  # another committee's branch
        ("as_officer", "c1"),  # their own committee: changing it is the university's business
        ("as_alice", "branch_a"),  # a branch secretary does not restructure their own branch
        ("as_bob", "branch_a"),
    ],
)
@pytest.mark.parametrize("name", ["branches:rename", "branches:move", "branches:deactivate"])
def test_structural_changes_are_refused_outside_the_rights(cast, request, who, unit, name):
    client = request.getfixturevalue(who)
    target = getattr(cast, unit)
    before = Organization.objects.get(pk=target.pk)
    response = client.post(reverse(name, args=[target.pk]), {"name": "改名", "new_parent": cast.c1.pk})
    assert response.status_code == 403
    after = Organization.objects.get(pk=target.pk)
    assert (after.name, after.path, after.is_active) == (before.name, before.path, before.is_active)


def test_anonymous_is_sent_to_login_for_every_management_page(cast, anonymous):
    for name in ("branches:create", "branches:rename", "branches:move"):
        assert anonymous.get(reverse(name, args=[cast.branch_a.pk])).status_code == 302
    assert anonymous.post(reverse("branches:deactivate", args=[cast.branch_a.pk])).status_code == 302
    assert Organization.objects.get(pk=cast.branch_a.pk).is_active
