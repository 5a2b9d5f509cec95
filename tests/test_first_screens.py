"""Issue 22: what each person finds on their first screen, and the fixes found on the way (money, titles,
to-dos, the review menu, the summary's confirmation, returned minutes, the funding overview's export)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from branches.models import Role
from branches.money import format_yuan
from branches.services import role_assign
from disclosure.models import Meeting, Post, Todo
from disclosure.services.posts import meeting_summary_text
from disclosure.templatetags.review_menu import menu_may_review  # noqa: F401  (the tag library loads)
from members.services.dues import dues_declare
from tests.conftest import login
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Decimal("1234"), 2, "¥1,234.00"),
        (Decimal("175000"), 2, "¥175,000.00"),
        (Decimal("0.2"), 2, "¥0.20"),
        (Decimal("-1234567.891"), 2, "-¥1,234,567.89"),
        (175000, 0, "¥175,000"),
        (None, 2, ""),
    ],
)
def test_yuan_has_thousands_separators(value, places, text):
    assert format_yuan(value, places) == text


def _meeting(cast, *, status="approved", kind="general_assembly", days=3, **extra):
    held = timezone.now() - datetime.timedelta(days=days)
    return Meeting.objects.create(
        organization=cast.branch_a,
        kind=kind,
        status=status,
        held_at=held,
        topics="学习党章",
        expected_count=10,
        present_count=8,
        leave_count=2,
        **extra,
    )


def test_the_secretarys_main_actions_come_first_on_the_branch_page(cast, as_alice):
    page = as_alice.get(reverse("members:unit", args=[cast.branch_a.pk])).content.decode()
    actions = page.index('id="main-actions"')
    assert actions < page.index('id="figures-heading"')
    assert page.index(reverse("disclosure:create", args=[cast.branch_a.pk])) > actions
    assert "登记会议" in page and "发布信息" in page and "审核" in page
    # A branch reviews nobody: its 审核 leads to its own records and their review status.
    assert 'id="action-review"' in page
    assert reverse("disclosure:list", args=[cast.branch_a.pk]) in page[actions : actions + 1200]
    # A member of the branch (no role) sees no actions.
    assert (
        'id="main-actions"'
        not in login(cast.bob).get(reverse("members:unit", args=[cast.branch_a.pk])).content.decode()
    )


def test_reviewers_find_the_review_queue_in_the_menu_and_on_their_unit(cast, as_officer, as_alice):
    queue = reverse("disclosure:review_queue")
    committee = as_officer.get(reverse("members:unit", args=[cast.c1.pk])).content.decode()
    assert f'href="{queue}"' in committee.split('id="main"')[0]  # the menu, above the page's content
    assert 'id="action-review"' in committee and committee.count(f'href="{queue}"') >= 2
    branch = as_alice.get(reverse("members:unit", args=[cast.branch_a.pk])).content.decode()
    assert f'href="{queue}"' not in branch  # nothing to review: no menu entry that would answer 403


def test_the_meeting_list_shows_the_status_beside_the_type(cast, as_alice):
    meeting = _meeting(cast, status="returned", return_reason="缺少请假原因")
    # The list shows one year (this one by default): ask for the meeting's, which on 1 January is last year.
    page = as_alice.get(
        reverse("disclosure:list", args=[cast.branch_a.pk]), {"year": meeting.held_on.year}
    ).content.decode()
    head = page[page.index('id="meeting-table"') :]
    # Status is the third column, never hidden on a phone; the secondary ones are.
    headers = head[: head.index("</thead>")]
    assert headers.index("状态") < headers.index("d-none")
    assert 'data-col="status"' in head


def test_a_reviewer_does_not_edit_a_branchs_returned_minutes(cast, as_officer, as_alice):
    meeting = _meeting(cast, status="returned", return_reason="缺少请假原因")
    meeting.reviewer = cast.c1
    meeting.save(update_fields=["reviewer"])
    detail = reverse("disclosure:detail", args=[meeting.pk])
    assert 'data-action="edit"' in as_alice.get(detail).content.decode()
    assert 'data-action="edit"' not in as_officer.get(detail).content.decode()
    assert as_officer.get(reverse("disclosure:edit", args=[meeting.pk])).status_code in (403, 404)


def test_reviewer_to_dos_carry_the_meeting_date(cast):
    from disclosure.services.meetings import _review_todo_rows

    first = _meeting(
        cast,
        status="submitted",
        kind="branch_committee",
        days=10,
        reviewer=cast.c1,
        submitted_at=timezone.now(),
    )
    second = _meeting(
        cast,
        status="submitted",
        kind="branch_committee",
        days=3,
        reviewer=cast.c1,
        submitted_at=timezone.now(),
    )
    rows = [row for row in _review_todo_rows([first, second]) if row.user_id == cast.officer.pk]
    assert len(rows) == 2 and rows[0].text != rows[1].text
    day = timezone.localtime(first.held_at).date()
    assert f"{day.year}年{day.month}月{day.day}日" in rows[0].text
    assert rows[0].kind == Todo.Kind.REVIEW_WAITING


def test_the_summary_title_does_not_double_the_branch(cast):
    meeting = _meeting(cast)
    title, _text = meeting_summary_text(meeting)
    assert "支部支部" not in title
    assert title.startswith("计算机学院教工第一党支部党员大会")


def test_a_public_summary_is_confirmed_after_seeing_what_will_be_public(cast, as_alice):
    meeting = _meeting(cast, visibility="internal", minutes="<p>内部讨论细节</p>")
    url = reverse("disclosure:publish_summary", args=[meeting.pk])
    preview = as_alice.post(url)
    html = preview.content.decode()
    assert preview.status_code == 200 and 'id="summary-preview"' in html and "学习党章" in html
    assert "内部讨论细节" not in html and "任何人无需登录即可阅读" in html
    assert not Post.objects.filter(source_meeting=meeting).exists()
    assert as_alice.post(url, {"confirm": "1"}).status_code == 302
    post = Post.objects.get(source_meeting=meeting)
    assert post.visibility == Post.Visibility.PUBLIC
    # The post's page has its breadcrumb (no empty strip under the menu).
    assert (
        'class="breadcrumb mb-0"'
        in as_alice.get(reverse("disclosure:post_detail", args=[post.pk])).content.decode()
    )


def test_the_members_home_shows_their_dues_and_the_branchs_tasks(cast, as_bob):
    dues_declare(
        member=cast.bob_member,
        kind="employee",
        base=Decimal("90000"),
        valid_from=datetime.date(2024, 1, 1),
        by=None,
    )
    response = as_bob.get(reverse("members:me"))
    page = response.content.decode()
    home = page.index('id="member-home"')
    assert home < page.index('id="personal-heading"')
    assert 'id="home-ratings"' in page and "待我参加的测评" in page
    assert 'id="home-dues"' in page and "¥1,800.00" in page
    assert 'id="home-tasks"' in page and "本支部本月任务" in page


@pytest.fixture
def midyear_2026():
    """The clock on 2026-06-15 10:00 in Beijing; asked for before ``cast`` so the cast is made on that day."""
    with time_machine.travel(
        datetime.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        yield


def test_the_members_home_offers_their_branchs_open_evaluation(midyear_2026, cast, as_bob):
    """dy001's home named only the 双述双评 open for them (issue 22): their branch's 民主评议 while it is open is
    there too, linked to their self-evaluation and vote, and gone once the vote is counted."""
    from assessments.services import evaluation as evaluations

    # On the pinned 2026-06-15 (midyear_2026, set before the cast): an evaluation is for this year or the last,
    # so a 2026 one opened on the machine's date was refused from 2028 on (red on the sweep's 2028-02-29).
    evaluation = evaluations.evaluation_open(branch=cast.branch_a, year=2026, by=cast.alice)
    page = as_bob.get(reverse("members:me")).content.decode()
    panel = page[page.index('id="home-ratings"') : page.index('id="home-dues"')]
    assert f'data-evaluation="{evaluation.pk}"' in panel and "2026 民主评议党员" in panel
    assert reverse("evaluation:vote", args=[evaluation.pk]) in panel
    assert "目前没有" not in panel
    evaluations.vote_close(evaluation=evaluation, by=cast.alice)
    panel = as_bob.get(reverse("members:me")).content.decode()
    assert f'data-evaluation="{evaluation.pk}"' not in panel


def test_member_home_query_count(cast, as_bob, django_assert_num_queries):
    # 1 session, 2 user, 3 the member by login, panels: 4 ratings open for the user (assessments), +1 their
    # branch's 民主评议 open (issue 19);
    # dues (members): 5 the declarations, 6 this year's lines, +1 the approved exemptions (issue 22); the
    # branch's tasks (disclosure, compliance):
    # 7 the branch, 8 the meeting rules, 9 full members, 10 meetings by kind and month.
    # Others' sections of the record add theirs below (issue 19's evaluations, issue 18's records).
    url = reverse("members:me")
    as_bob.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        as_bob.get(url)
    dues_declare(
        member=cast.bob_member,
        kind="employee",
        base=Decimal("4000"),
        valid_from=datetime.date(2024, 1, 1),
        by=None,
    )
    with django_assert_num_queries(len(first)):
        as_bob.get(url)  # the same whatever the member's dues and the branch's meetings
    for days in (1, 2, 3):
        _meeting(cast, days=days)
    with django_assert_num_queries(len(first)):
        as_bob.get(url)


def test_the_funding_overview_has_a_chart_and_an_export(cast):
    zzb = UserFactory(username="zzb")
    role_assign(user=zzb, organization=cast.university, kind=Role.Kind.OFFICER)
    client = login(zzb)
    page = client.get(reverse("projects:overview")).content.decode()
    assert reverse("projects:overview_xlsx") in page
    response = client.get(reverse("projects:overview_xlsx"))
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 2
    assert login(cast.alice).get(reverse("projects:overview_xlsx")).status_code == 403


def test_a_members_home_lists_their_own_to_dos(cast, as_bob, as_alice):
    """dy001 has no unit page (a 403 on /org/…/), so their 个人自评 / 测评 to-dos and the grade notice were shown
    nowhere (issue 22's review): the member's home lists their own open to-dos, first; never someone else's."""
    Todo.objects.create(
        user=cast.bob_member.user,
        kind=Todo.Kind.MEETING_MISSING,
        key="home:bob:1",
        organization=cast.branch_a,
        text="写个人自评",
    )
    page = as_bob.get(reverse("members:me")).content.decode()
    home = page[page.index('id="member-home"') :]
    assert 'id="home-todos"' in home and "写个人自评" in home
    assert home.index('id="home-todos"') < home.index('id="home-dues"')
    other = as_alice.get(reverse("members:detail", args=[cast.bob_member.pk])).content.decode()
    assert "写个人自评" not in other
