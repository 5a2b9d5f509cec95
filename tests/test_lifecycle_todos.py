"""The member lifecycle's due items become to-dos in the daily step (issue 8, wired in disclosure.services.todos):
for the unit's secretaries, once per item, closed when the cause is gone, linked to the page that handles it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse

from assessments.services import cycles_advance
from disclosure.models import Todo
from members.services.dues import dues_declare, dues_record
from tests.conftest import login

TODAY = datetime.date(2026, 3, 10)


def _affairs(user) -> dict[str, Todo]:
    return {t.key: t for t in Todo.objects.open().filter(user=user, kind=Todo.Kind.MEMBER_AFFAIRS)}


def test_dues_lapse_becomes_a_to_do_for_the_secretary_and_closes_when_paid(cast):
    result = cycles_advance(today=TODAY)
    lapsed = {
        key: t
        for key, t in _affairs(cast.alice).items()
        if key.startswith(f"lifecycle:dues:{cast.bob_member.pk}:")
    }
    assert len(lapsed) == 1 and result["member_affairs"]["created"] >= 1
    todo = next(iter(lapsed.values()))
    assert todo.organization == cast.branch_a and "鲍勃" in todo.text
    assert not _affairs(cast.bob) and not _affairs(cast.officer)  # secretaries of the branch only
    # charlie is reminded of his own branch's members, never of branch A's.
    charlie_members = {
        key.split(":")[2] for key in _affairs(cast.charlie) if key.startswith("lifecycle:dues:")
    }
    assert charlie_members == {str(cast.charlie_member.pk)}
    assert {t.organization_id for t in _affairs(cast.charlie).values()} == {cast.branch_b.pk}

    # The link opens the branch's dues ledger.
    response = login(cast.alice).get(reverse("members:unit", args=[cast.branch_a.pk]))
    assert reverse("members:dues", args=[cast.branch_a.pk]) in response.content.decode()

    # Running again the same day creates nothing; paying closes it the next day.
    assert cycles_advance(today=TODAY)["member_affairs"] == {"created": 0, "closed": 0}
    dues_declare(
        member=cast.bob_member,
        kind="employee",
        base=Decimal("6000"),
        valid_from=datetime.date(2026, 1, 1),
        by=cast.alice,
    )
    dues_record(
        member=cast.bob_member,
        month=datetime.date(2026, 3, 1),
        status="paid",
        by=cast.alice,
        paid_on=TODAY,
        today=TODAY,
    )
    assert cycles_advance(today=TODAY + datetime.timedelta(days=1))["member_affairs"]["closed"] >= 1
    assert not any(key.startswith(f"lifecycle:dues:{cast.bob_member.pk}:") for key in _affairs(cast.alice))


def test_the_year_dues_list_is_published_as_one_internal_notice(cast, as_alice, as_charlie, anonymous):
    from disclosure.models import Post

    dues_declare(
        member=cast.bob_member,
        kind="employee",
        base=Decimal("6000"),
        valid_from=datetime.date(2026, 1, 1),
        by=cast.alice,
    )
    dues_record(
        member=cast.bob_member,
        month=datetime.date(2026, 1, 1),
        status="paid",
        by=cast.alice,
        paid_on=datetime.date(2026, 1, 5),
        today=datetime.date(2026, 1, 5),
    )
    url = reverse("disclosure:dues_list_publish", args=[cast.branch_a.pk, 2026])
    page = as_alice.get(reverse("members:dues_year", args=[cast.branch_a.pk, 2026])).content.decode()
    assert f'action="{url}"' in page
    assert as_charlie.post(url).status_code == 403  # another branch's secretary
    assert (
        f'action="{url}"'
        not in as_charlie.get(reverse("members:dues_year", args=[cast.branch_b.pk, 2026])).content.decode()
    )
    response = as_alice.post(url)
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "disclosure:post_detail", args=[post.pk]
    )
    assert (post.section, post.visibility, post.status) == ("notices", "university", "published")
    assert "鲍勃" in post.body and "90.00" in post.body  # 1.5 % of 6000 for January
    assert (
        as_alice.post(url).status_code == 302 and Post.objects.count() == 1
    )  # again: the same notice, updated
    # Members of the university, not the public.
    public = anonymous.get(reverse("disclosure:open_post", args=[cast.branch_a.code, post.pk]))
    assert public.status_code in (302, 404) and "鲍勃" not in public.content.decode()
