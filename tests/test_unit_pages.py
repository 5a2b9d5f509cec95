"""The drill-down pages: home by role, unit overview, roster, member record. Permissions and query counts."""

import pytest
from django.urls import reverse

from branches.models import Organization
from tests.factories import MemberFactory, make_org

K = Organization.Kind


# --- home, by role ---------------------------------------------------------------------------------


def test_home_sends_each_role_where_their_work_is(cast, as_officer, as_alice, as_bob, anonymous):
    assert as_officer.get("/")["Location"] == reverse("members:unit", args=[cast.c1.pk])
    assert as_alice.get("/")["Location"] == reverse("members:unit", args=[cast.branch_a.pk])
    assert as_bob.get("/")["Location"] == reverse("members:me")
    assert anonymous.get("/")["Location"].startswith(reverse("login"))


def test_home_for_a_login_without_role_or_record(cast, client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x-12345678"))
    response = client.get("/")
    assert response.status_code == 200
    assert "members/no_role.html" in [t.name for t in response.templates]


# --- unit overview ---------------------------------------------------------------------------------


def test_officer_sees_their_committee_with_its_figures(cast, as_officer):
    response = as_officer.get(reverse("members:unit", args=[cast.c1.pk]))
    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats["party_members"] == 2 and stats["branches_by_category"]["teacher"] == 1
    children = list(response.context["children"])
    assert [(c.code, c.party_member_count, c.branch_count) for c in children] == [("A", 2, 1)]
    assert response.context["can_manage_units"] is True
    assert cast.branch_a.name in response.content.decode()


def test_officer_drills_down_to_the_branch(cast, as_officer):
    assert as_officer.get(reverse("members:unit", args=[cast.branch_a.pk])).status_code == 200
    assert as_officer.get(reverse("members:roster", args=[cast.branch_a.pk])).status_code == 200


@pytest.mark.parametrize(
    "who,unit,status",
    [
        ("as_officer", "university", 403),  # above their committee
        ("as_officer", "c2", 403),  # a sibling committee
        ("as_officer", "branch_b", 403),
        ("as_alice", "c1", 403),  # a secretary does not see the committee above
        ("as_alice", "branch_b", 403),  # nor another branch
        ("as_alice", "branch_a", 200),
        ("as_bob", "branch_a", 403),  # a plain member sees only their own record
        ("as_charlie", "branch_a", 403),
    ],
)
def test_unit_page_permissions(cast, request, who, unit, status):
    client = request.getfixturevalue(who)
    assert client.get(reverse("members:unit", args=[getattr(cast, unit).pk])).status_code == status


def test_unit_page_refuses_anonymous_and_wrong_method(cast, anonymous, as_officer):
    url = reverse("members:unit", args=[cast.c1.pk])
    assert anonymous.get(url).status_code == 302
    assert as_officer.post(url).status_code == 405


def test_forbidden_page_is_in_chinese(cast, as_alice):
    response = as_alice.get(reverse("members:unit", args=[cast.branch_b.pk]))
    assert response.status_code == 403
    assert "权限" in response.content.decode()


def _grow(parent, n_branches, members_each):
    for i in range(n_branches):
        branch = make_org(parent, K.BRANCH, f"扩充第{i}党支部", category="student")
        for _ in range(members_each):
            MemberFactory(branch=branch, category="student")


def test_unit_page_query_count_does_not_grow_with_the_tree(cast, as_officer, django_assert_num_queries):
    from branches.figures import figures_refresh

    url = reverse("members:unit", args=[cast.c1.pk])
    figures_refresh()
    # 1 session, 2 user, 3 the unit, 4 view permission, 5 the snapshot rows of C1 and its children (the
    # figures and the subunits' counts: the members are not scanned), 6 manage_units permission, 7 the parent
    # unit, 8 manage_units on the parent (may they rename/move C1? no),
    # panels (disclosure.panels): +1 manage_units (the main actions, issue 22), 9 the user's open to-dos; the committee's compliance (bounded by the
    # committee): 10 its branches, 11 the meeting rules, 12 full members per branch, 13 meetings by branch,
    # kind and month; 14 manage_units (may review), 15 records waiting at C1, 16 filing lag summary,
    # 17 manage_members (may file the committee's own minutes); projects.showcase: 18 manage_members (may see
    # the unit's grants), 19 the grants it leads or joins; +1 the unit's own 七一 honours (assessments, issue 19);
    # +1 the snapshot rows of the units behind and what moved (assessments.first_screen, issue 22);
    # then the template: 20 breadcrumb.
    with django_assert_num_queries(23):
        as_officer.get(url)
    _grow(cast.c1, 6, 4)
    figures_refresh()
    with django_assert_num_queries(23):
        response = as_officer.get(url)
    assert len(response.context["children"]) == 7
    assert [c.party_member_count for c in response.context["children"]][1:] == [4] * 6
    assert response.context["stats"]["party_members"] == 2 + 24
    assert "分钟前" in response.content.decode()  # the figures' age


def test_unit_page_before_the_first_snapshot_counts_live(cast, as_officer, django_assert_num_queries):
    # No snapshot yet (a new unit, or before the first refresh): the page counts live, one query more than
    # with it (the snapshot rows it looked for; then party_stats's two scans and the children's counts);
    # +1 the main actions' manage_units (issue 22); +1 the unit's 七一 honours (issue 19); +1 the snapshot rows
    # the units-behind panel looked for (none yet: it shows nothing).
    with django_assert_num_queries(26):
        response = as_officer.get(reverse("members:unit", args=[cast.c1.pk]))
    assert response.context["figures_at"] is None and response.context["stats"]["party_members"] == 2


@pytest.fixture
def as_zzb(cast, client, django_user_model):
    from branches.models import Role
    from branches.services import role_assign

    zzb = django_user_model.objects.create_user("zzb", password="x-12345678")
    role_assign(user=zzb, organization=cast.university, kind=Role.Kind.OFFICER)
    client.force_login(zzb)
    return client


def test_university_pages_cost_no_more_queries_than_a_branchs(cast, as_zzb):
    """Issue 17: the pages that summarise a subtree read snapshots, so the university's cost no more queries
    than a branch's, however large the university grows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from branches.figures import figures_refresh

    for n in range(3):
        committee = make_org(cast.university, K.COMMITTEE, f"扩充第{n}党委")
        _grow(committee, 4, 3)
    figures_refresh()

    def queries(name, unit):
        with CaptureQueriesContext(connection) as captured:
            response = as_zzb.get(reverse(name, args=[unit.pk]))
        assert response.status_code == 200
        return len(captured), response

    university, response = queries("members:unit", cast.university)
    branch, _response = queries("members:unit", cast.branch_a)
    assert university <= branch, (university, branch)
    from members.selectors import party_stats

    live = party_stats(organization=cast.university)
    assert {k: v for k, v in response.context["stats"].items() if k != "as_of"} == {
        k: v for k, v in live.items() if k != "as_of"
    }
    assert "分钟前" in response.content.decode()
    due_university, response = queries("members:lifecycle_due", cast.university)
    due_branch, _response = queries("members:lifecycle_due", cast.branch_a)
    assert due_university <= due_branch, (due_university, due_branch)
    assert 'id="lifecycle-due-table"' in response.content.decode()


def test_branch_page_query_count_is_fixed(cast, as_alice, django_assert_num_queries):
    from disclosure.models import Todo

    url = reverse("members:unit", args=[cast.branch_a.pk])
    # 1 session, 2 user, 3 the unit, 4 view permission, 5 organizations grouped, 6 members grouped,
    # 7 manage_units (a branch secretary holds none, so no parent queries), +1 the branch committee's size
    # (the branch-shape warning, issue 18),
    # panels: +1 manage_members (the main actions, issue 22), 8 the user's open to-dos; the branch's compliance: 9 the branch, 10 the meeting rules,
    # 11 full members, 12 meetings by kind and month; 13 manage_members (may file); projects.showcase:
    # 14 manage_members (may see the branch's grants), 15 its grants; +1 the branch's 七一 honours (issue 19);
    # +1 the branch's snapshot row, compared with itself (units behind / what moved, issue 22);
    # then the template: 16 breadcrumb, 17 children (party groups).
    with django_assert_num_queries(21):
        as_alice.get(url)
    make_org(cast.branch_a, K.GROUP, "第一党小组")
    for i in range(3):
        Todo.objects.create(
            user=cast.alice,
            kind="meeting_missing",
            key=f"k{i}",
            organization=cast.branch_a,
            text="召开支部党员大会",
        )
    for _ in range(8):
        MemberFactory(branch=cast.branch_a)
    with django_assert_num_queries(21):
        response = as_alice.get(url)
    assert response.content.decode().count('data-todo="meeting_missing"') == 3


# --- roster ----------------------------------------------------------------------------------------


def test_secretary_sees_full_id_numbers_and_phones(cast, as_alice):
    response = as_alice.get(reverse("members:roster", args=[cast.branch_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "420102199105170013" in body and "13800002222" in body


def test_a_viewer_who_does_not_manage_sees_masked_values(cast, as_alice):
    # Give alice a view-only role on branch B: she sees its roster, masked.
    from branches.services import role_assign

    role_assign(user=cast.alice, organization=cast.branch_b, kind="publicity")
    response = as_alice.get(reverse("members:roster", args=[cast.branch_b.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "420102200005170014" not in body and "**************0014" in body
    assert "13800003333" not in body and "138****3333" in body
    # The birth date would give the masked middle of the ID number back: only the year is shown.
    assert "1990-05-17" not in body and "19900517" not in body and "1990年" in body


def test_member_record_is_masked_for_a_view_only_viewer(cast, as_alice):
    from branches.services import role_assign

    role_assign(user=cast.alice, organization=cast.branch_b, kind="publicity")
    body = as_alice.get(reverse("members:detail", args=[cast.charlie_member.pk])).content.decode()
    assert "420102200005170014" not in body and "**************0014" in body
    assert "13800003333" not in body and "1990-05-17" not in body


def test_roster_of_another_branch_is_refused(cast, as_alice, as_charlie, as_bob):
    assert as_alice.get(reverse("members:roster", args=[cast.branch_b.pk])).status_code == 403
    assert as_charlie.get(reverse("members:roster", args=[cast.branch_a.pk])).status_code == 403
    assert as_bob.get(reverse("members:roster", args=[cast.branch_a.pk])).status_code == 403


def test_roster_only_for_branches_and_only_get(cast, as_officer):
    assert as_officer.get(reverse("members:roster", args=[cast.c1.pk])).status_code == 404
    assert as_officer.post(reverse("members:roster", args=[cast.branch_a.pk])).status_code == 405


def test_roster_search_and_htmx_partial(cast, as_alice):
    url = reverse("members:roster", args=[cast.branch_a.pk])
    response = as_alice.get(url, {"q": "鲍"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "鲍勃" in body and "艾丽" not in body
    assert "<html" not in body  # only the table fragment


def test_roster_query_count_is_fixed(cast, as_alice, django_assert_num_queries):
    url = reverse("members:roster", args=[cast.branch_a.pk])
    # 1 session, 2 user, 3 the branch, 4 view permission, 5 manage permission, 6 the roster with groups,
    # 7 breadcrumb.
    with django_assert_num_queries(7):
        as_alice.get(url)
    group = make_org(cast.branch_a, K.GROUP, "第一党小组")
    for _ in range(15):
        MemberFactory(branch=cast.branch_a, party_group=group)
    with django_assert_num_queries(7):
        response = as_alice.get(url)
    assert len(response.context["rows"]) == 17


# --- member record ---------------------------------------------------------------------------------


def test_member_sees_their_own_record_unmasked(cast, as_bob):
    response = as_bob.get(reverse("members:me"))
    assert response.status_code == 200
    assert "420102199105170013" in response.content.decode()
    assert as_bob.get(reverse("members:detail", args=[cast.bob_member.pk])).status_code == 200


def test_member_cannot_see_another_members_record(cast, as_bob, as_charlie):
    assert as_bob.get(reverse("members:detail", args=[cast.alice_member.pk])).status_code == 403
    assert as_charlie.get(reverse("members:detail", args=[cast.bob_member.pk])).status_code == 403


def test_secretary_and_officer_see_records_in_their_units(cast, as_alice, as_officer):
    assert as_alice.get(reverse("members:detail", args=[cast.bob_member.pk])).status_code == 200
    assert as_officer.get(reverse("members:detail", args=[cast.bob_member.pk])).status_code == 200
    assert as_officer.get(reverse("members:detail", args=[cast.charlie_member.pk])).status_code == 403


def test_member_pages_refuse_other_methods(cast, as_bob):
    assert as_bob.post(reverse("members:me")).status_code == 405
    assert as_bob.post(reverse("members:detail", args=[cast.bob_member.pk])).status_code == 405


def test_member_pages_send_anonymous_to_login(cast, anonymous):
    assert anonymous.get(reverse("members:me")).status_code == 302
    assert anonymous.get(reverse("members:detail", args=[cast.bob_member.pk])).status_code == 302


def test_member_record_query_count(cast, as_alice, django_assert_num_queries):
    # 1 session, 2 user, 3 the member with branch and group, 4 view permission on the branch,
    # 5 manage permission (unmasked or not), the record's sections (members.record): 6 the member's
    # 民主评议 grades (issue 19), +1 their 七一 honours (issue 19), 7 their 党纪处分 — one query each,
    # whatever the record holds; +1 may the viewer record a sanction (the 党纪处分 section's link, 32219c6).
    with django_assert_num_queries(9):
        as_alice.get(reverse("members:detail", args=[cast.bob_member.pk]))
    # 1 session, 2 user, 3 the member by login; the record's sections: 4 民主评议 grades, 5 七一 honours,
    # 6 党纪处分; the member's first screen (issue 22): 7 the 测评 open for them, 8 their branch's 民主评议 open,
    # 9–10 their dues declaration and this year's lines, 11 this month's approved dues exemption, 12–15 the
    # branch's tasks this month (the branch, the meeting rules, the full members, the meetings held), 16 their
    # open to-dos (the home lists them first: a member has no unit page). Fixed, whatever the member's history
    # holds.
    with django_assert_num_queries(16):
        as_alice.get(reverse("members:me"))
