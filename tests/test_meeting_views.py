"""The minutes' pages: the secretary's form, the record and its review, attachments, the review queue, the
work record and the unit-page panels. Per view: happy path, wrong method, missing permission, cross-branch."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from branches.services import role_assign
from disclosure.models import Attachment, Meeting, Todo
from disclosure.services import AttendanceEntry, meeting_approve, meeting_return, meeting_save
from tests.factories import MemberFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def _held() -> datetime.datetime:
    """Two days ago, but never before the start of this quarter (the compliance panel shows this year)."""
    now = timezone.localtime()
    quarter_start = now.replace(
        month=(now.month - 1) // 3 * 3 + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    return max(now - datetime.timedelta(days=2), quarter_start)


def _local(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _party_members(cast):
    return list(cast.branch_a.members.party_members().order_by("pk"))


def _form(cast, *, action="draft", absent=(), reasons=None, **fields) -> dict:
    data = {
        "kind": "general_assembly",
        "held_at": _local(_held()),
        "place": "第一会议室",
        "chair": "艾丽",
        "recorder": "鲍勃",
        "lecturer": "",
        "topics": "学习党章第一章",
        "minutes": "讨论了学习计划。",
        "decisions": "",
        "observers": "",
        "visibility": "internal",
        "action": action,
    } | fields
    reasons = reasons or {}
    for member in _party_members(cast):
        away = member in absent
        data[f"att-status_{member.pk}"] = "absent" if away else "present"
        data[f"att-reason_{member.pk}"] = reasons.get(member.pk, "出差" if away else "")
    return data


def _entries(cast, absent=()):
    return [
        AttendanceEntry(m.pk, "absent" if m in absent else "present", "出差" if m in absent else "")
        for m in _party_members(cast)
    ]


def _record(cast, *, submit=False, **data) -> Meeting:
    fields = {
        "kind": "general_assembly",
        "held_at": _held(),
        "place": "会议室",
        "topics": "学习党章",
        "minutes": "<p>讨论</p>",
        "takes_vote": False,
    } | data
    return meeting_save(
        by=cast.alice, organization=cast.branch_a, data=fields, attendance=_entries(cast), submit=submit
    )


def _with_pdf(cast, meeting: Meeting, absent=()) -> Attachment:
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):  # the file is written when the record commits
        meeting_save(
            by=cast.alice,
            organization=cast.branch_a,
            meeting=meeting,
            data={"kind": meeting.kind, "held_at": meeting.held_at},
            attendance=_entries(cast, absent),
            attachments=(SimpleUploadedFile("纪要.pdf", PDF, content_type="application/pdf"),),
        )
    return meeting.attachments.get()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- the meetings list -------------------------------------------------------------------------------


def test_list_shows_the_units_records_with_status_and_lag(cast, as_alice):
    submitted = _record(cast, submit=True)
    late = _record(cast, held_at=timezone.now() - datetime.timedelta(days=20), submit=True)
    response = as_alice.get(
        reverse("disclosure:list", args=[cast.branch_a.pk]), {"year": timezone.localtime(late.held_at).year}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-meeting="{late.pk}"' in body and 'data-late="1"' in body
    assert 'data-lag="20"' in body
    assert response.context["can_file"] is True
    if timezone.localtime(submitted.held_at).year == timezone.localtime(late.held_at).year:
        assert len(response.context["meetings"]) == 2


def test_list_filters_by_year(cast, as_alice):
    _record(cast)
    response = as_alice.get(reverse("disclosure:list", args=[cast.branch_a.pk]), {"year": 2001})
    assert response.status_code == 200 and list(response.context["meetings"]) == []
    assert 2001 in response.context["years"]
    # A year that is not a number, or not a year of the Party's records, is a 404 (issue 14: ?year=99999 was a 500).
    for year in ("x", "99999", "-1"):
        assert (
            as_alice.get(reverse("disclosure:list", args=[cast.branch_a.pk]), {"year": year}).status_code
            == 404
        )


def test_list_permissions_and_method(cast, as_alice, as_bob, as_charlie, as_officer, anonymous):
    url = reverse("disclosure:list", args=[cast.branch_a.pk])
    assert as_officer.get(url).status_code == 200
    assert as_charlie.get(url).status_code == 403
    assert as_bob.get(url).status_code == 403
    assert anonymous.get(url).status_code == 302
    assert as_alice.post(url).status_code == 405
    # Party groups hold no meetings of their own.
    from tests.factories import make_org

    group = make_org(cast.branch_a, "group", "第一党小组")
    assert as_alice.get(reverse("disclosure:list", args=[group.pk])).status_code == 404


def test_restricted_records_are_hidden_from_view_only_users(cast, client):
    restricted = _record(cast, visibility="restricted")
    viewer = UserFactory(username="publicity")
    role_assign(user=viewer, organization=cast.branch_a, kind="publicity")
    client.force_login(viewer)
    response = client.get(reverse("disclosure:list", args=[cast.branch_a.pk]))
    assert response.status_code == 200 and list(response.context["meetings"]) == []
    assert response.context["can_file"] is False
    assert client.get(reverse("disclosure:detail", args=[restricted.pk])).status_code == 403


def test_list_query_count_is_fixed(cast, as_alice, django_assert_num_queries):
    url = reverse("disclosure:list", args=[cast.branch_a.pk])
    _record(cast)
    # 1 session, 2 user, 3 the unit, 4 view permission, 5 manage permission, 6 years on file,
    # 7 breadcrumb, 8 the records with their party group.
    with django_assert_num_queries(8):
        as_alice.get(url)
    for _ in range(5):
        _record(cast, submit=True)
    with django_assert_num_queries(8):
        response = as_alice.get(url)
    assert len(response.context["meetings"]) == 6


# --- the secretary's form ----------------------------------------------------------------------------


def test_new_form_lists_the_roster_and_the_branch_kinds(cast, as_alice):
    probationary = MemberFactory(branch=cast.branch_a, stage="probationary")
    MemberFactory(branch=cast.branch_a, stage="activist", joined_on=None)  # not a party member
    MemberFactory(branch=cast.branch_a, is_active=False)  # left
    response = as_alice.get(reverse("disclosure:create", args=[cast.branch_a.pk]))
    assert response.status_code == 200
    attendance = response.context["attendance"]
    assert {m.pk for m in attendance.members} == {cast.alice_member.pk, cast.bob_member.pk, probationary.pk}
    assert attendance.totals == {"expected": 3, "present": 3, "leave": 0, "absent": 0}
    form = response.context["form"]
    assert [k for k, _label in form.fields["kind"].choices] == list(Meeting.BRANCH_KINDS)
    assert "party_group" not in form.fields  # branch A has no party groups
    body = response.content.decode()
    assert 'type="datetime-local"' in body and 'type="file"' in body and "multiple" in body
    assert 'name="action" value="draft"' in body and 'name="action" value="submit"' in body


def test_committee_form_offers_committee_kinds_and_groups_only_on_branches(cast, as_officer):
    from tests.factories import make_org

    officer_member = MemberFactory(branch=cast.branch_a, user=cast.officer)
    response = as_officer.get(reverse("disclosure:create", args=[cast.c1.pk]))
    assert response.status_code == 200
    assert [k for k, _l in response.context["form"].fields["kind"].choices] == list(Meeting.COMMITTEE_KINDS)
    # A committee meeting expects the committee's members (role holders), not every party member below it.
    assert response.context["attendance"].members == [officer_member]
    group = make_org(cast.branch_a, "group", "第一党小组")
    response = as_officer.get(reverse("disclosure:create", args=[cast.branch_a.pk]))
    assert (group.pk, group.name) in response.context["form"].fields["party_group"].choices


def test_form_permissions_and_method(cast, as_alice, as_bob, as_charlie, anonymous):
    url = reverse("disclosure:create", args=[cast.branch_a.pk])
    assert as_charlie.get(url).status_code == 403
    assert as_charlie.post(url, _form(cast)).status_code == 403
    assert as_bob.get(url).status_code == 403
    assert anonymous.get(url).status_code == 302
    assert as_alice.put(url).status_code == 405
    assert not Meeting.objects.exists()


def test_save_a_draft_derives_the_counts(cast, as_alice):
    response = as_alice.post(
        reverse("disclosure:create", args=[cast.branch_a.pk]),
        _form(cast, absent=[cast.bob_member], minutes="<p>好</p><script>x</script>"),
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "disclosure:edit", args=[meeting.pk]
    )
    assert meeting.status == "draft" and meeting.created_by == cast.alice
    assert (meeting.expected_count, meeting.present_count, meeting.absent_count) == (2, 1, 1)
    assert meeting.attendance.get(member=cast.bob_member).reason == "出差"
    assert "<script>" not in meeting.minutes
    # The edit page shows what was saved.
    response = as_alice.get(response["Location"])
    assert response.status_code == 200
    # The time comes back as it was typed (local time, minutes), not shifted to UTC.
    assert f'value="{_local(meeting.held_at)}"' in response.content.decode()
    assert response.context["attendance"][f"status_{cast.bob_member.pk}"].value() == "absent"


def test_an_absentee_without_a_reason_keeps_the_input(cast, as_alice):
    data = _form(cast, absent=[cast.bob_member], reasons={cast.bob_member.pk: ""}, topics="务必保留的议题")
    response = as_alice.post(reverse("disclosure:create", args=[cast.branch_a.pk]), data)
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert response.context["attendance"].errors
    body = response.content.decode()
    assert "务必保留的议题" in body and 'id="form-problems"' in body


def test_the_quorum_refusal_is_shown_and_the_input_kept(cast, as_alice):
    extra = [MemberFactory(branch=cast.branch_a) for _ in range(2)]
    away = extra + [cast.bob_member]  # 1 of 4 voting members present
    data = _form(
        cast,
        action="submit",
        absent=away,
        takes_vote="on",
        topics="表决接收预备党员",
        reasons={m.pk: f"病假{i}" for i, m in enumerate(away)},
    )
    response = as_alice.post(reverse("disclosure:create", args=[cast.branch_a.pk]), data)
    assert response.status_code == 200
    assert not Meeting.objects.exists()  # nothing half-saved
    problems = response.context["form"].non_field_errors()
    assert len(problems) == 1 and "4" in problems[0] and "1" in problems[0]
    body = response.content.decode()
    assert problems[0] in body  # shown above the form
    assert "表决接收预备党员" in body and "病假2" in body  # everything typed is kept
    assert response.context["form"]["takes_vote"].value() is True
    assert response.context["attendance"][f"status_{extra[0].pk}"].value() == "absent"


def test_an_oversized_attachment_is_refused_and_nothing_else_lost(cast, as_alice, settings):
    settings.MEETING_ATTACHMENT_MAX_BYTES = 1024
    data = _form(cast, topics="议题保留", absent=[cast.bob_member])
    data["attachments"] = [SimpleUploadedFile("big.pdf", PDF + b"0" * 2048, content_type="application/pdf")]
    response = as_alice.post(reverse("disclosure:create", args=[cast.branch_a.pk]), data)
    assert response.status_code == 200 and not Meeting.objects.exists() and not Attachment.objects.exists()
    assert response.context["form"].errors["attachments"]
    body = response.content.decode()
    assert 'data-problem="attachments"' in body and "big.pdf" in body
    assert "议题保留" in body and response.context["files_dropped"] is True
    assert response.context["attendance"][f"reason_{cast.bob_member.pk}"].value() == "出差"


def test_a_real_thirty_megabyte_upload_gets_the_friendly_message(cast, as_alice):
    data = _form(cast)
    data["attachments"] = [SimpleUploadedFile("scan.pdf", PDF + b"\0" * (30 * 1024 * 1024))]
    response = as_alice.post(reverse("disclosure:create", args=[cast.branch_a.pk]), data)
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert "scan.pdf" in response.context["form"].errors["attachments"][0]
    assert "20" in response.context["form"].errors["attachments"][0]


def test_an_executable_renamed_pdf_is_refused(cast, as_alice):
    data = _form(cast, topics="保留")
    data["attachments"] = [SimpleUploadedFile("纪要.pdf", EXE, content_type="application/pdf")]
    response = as_alice.post(reverse("disclosure:create", args=[cast.branch_a.pk]), data)
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert "纪要.pdf" in response.context["form"].errors["attachments"][0]
    assert "保留" in response.content.decode()


def test_several_attachments_at_once(cast, as_alice):
    data = _form(cast)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
    data["attachments"] = [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.png", png)]
    response = as_alice.post(reverse("disclosure:create", args=[cast.branch_a.pk]), data)
    assert response.status_code == 302
    assert sorted(Attachment.objects.values_list("name", "content_type")) == [
        ("a.pdf", "application/pdf"),
        ("b.png", "image/png"),
    ]


def test_draft_submit_return_resubmit_approve_through_the_views(cast, as_alice, as_officer):
    create = reverse("disclosure:create", args=[cast.branch_a.pk])
    data = _form(cast, absent=[cast.bob_member])
    data["attachments"] = [SimpleUploadedFile("纪要.pdf", PDF)]
    as_alice.post(create, data)
    meeting = Meeting.objects.get()
    edit = reverse("disclosure:edit", args=[meeting.pk])
    detail = reverse("disclosure:detail", args=[meeting.pk])

    response = as_alice.post(edit, _form(cast, action="submit", absent=[cast.bob_member]))
    assert response.status_code == 302 and response["Location"] == detail
    meeting.refresh_from_db()
    assert meeting.status == "submitted" and meeting.reviewer == cast.c1 and meeting.attachments.count() == 1
    # Frozen while under review: the secretary is sent to the record.
    assert as_alice.get(edit)["Location"] == detail
    assert as_alice.post(edit, _form(cast))["Location"] == detail

    queue = as_officer.get(reverse("disclosure:review_queue"))
    assert [row["meeting"] for row in queue.context["rows"]] == [meeting]
    response = as_officer.get(detail)
    assert response.context["can_review"] is True and response.context["return_form"] is not None

    assert (
        as_officer.post(reverse("disclosure:return", args=[meeting.pk]), {"reason": "缺少决议"}).status_code
        == 302
    )
    meeting.refresh_from_db()
    assert meeting.status == "returned" and meeting.return_reason == "缺少决议"
    response = as_alice.get(detail)
    assert response.context["can_edit"] is True and "缺少决议" in response.content.decode()
    assert Todo.objects.open().filter(user=cast.alice, kind="returned").exists()

    response = as_alice.post(
        edit, _form(cast, action="submit", absent=[cast.bob_member], decisions="通过学习计划")
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "submitted" and meeting.decisions == "通过学习计划"
    assert not Todo.objects.open().filter(user=cast.alice, kind="returned").exists()

    assert as_officer.post(reverse("disclosure:approve", args=[meeting.pk])).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "approved" and meeting.reviewed_by == cast.officer

    history = as_alice.get(detail).context["history"]
    assert [row["status"] for row in history] == ["draft", "submitted", "returned", "submitted", "approved"]
    assert [row["user"] for row in history] == [
        cast.alice,
        cast.alice,
        cast.officer,
        cast.alice,
        cast.officer,
    ]
    assert history[2]["record"].return_reason == "缺少决议"


def test_edit_is_refused_across_branches_and_to_members(cast, as_alice, as_bob, as_charlie, anonymous):
    meeting = _record(cast)
    url = reverse("disclosure:edit", args=[meeting.pk])
    assert as_alice.get(url).status_code == 200
    assert as_charlie.get(url).status_code == 403
    assert as_charlie.post(url, _form(cast)).status_code == 403
    assert as_bob.get(url).status_code == 403
    assert anonymous.get(url).status_code == 302
    assert as_alice.delete(url).status_code == 405
    submitted = _record(cast, submit=True)
    assert as_charlie.get(reverse("disclosure:edit", args=[submitted.pk])).status_code == 403


def test_a_todo_opens_the_form_on_the_missing_meeting_type(cast, as_alice):
    response = as_alice.get(reverse("disclosure:create", args=[cast.branch_a.pk]), {"kind": "party_lecture"})
    assert response.context["form"]["kind"].value() == "party_lecture"


# --- the record and its review --------------------------------------------------------------------------


def test_detail_shows_the_record(cast, as_alice):
    meeting = meeting_save(
        by=cast.alice,
        organization=cast.branch_a,
        data={
            "kind": "general_assembly",
            "held_at": _held(),
            "topics": "学习",
            "minutes": "第一段\n\n第二段",
        },
        attendance=_entries(cast, absent=[cast.bob_member]),
    )
    attachment = _with_pdf(cast, meeting, absent=[cast.bob_member])
    response = as_alice.get(reverse("disclosure:detail", args=[meeting.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<p>第一段</p><p>第二段</p>" in body
    assert [a.member for a in response.context["absentees"]] == [cast.bob_member]
    assert 'data-attendance="absent"' in body and "出差" in body
    assert reverse("disclosure:attachment", args=[attachment.pk]) in body
    assert response.context["can_edit"] is True and response.context["can_review"] is False


def test_detail_permissions_and_method(cast, as_alice, as_bob, as_charlie, as_officer, anonymous):
    meeting = _record(cast)
    url = reverse("disclosure:detail", args=[meeting.pk])
    assert as_officer.get(url).status_code == 200  # the committee above sees the unit's records
    assert as_charlie.get(url).status_code == 403
    assert as_bob.get(url).status_code == 403
    assert anonymous.get(url).status_code == 302
    assert as_alice.post(url).status_code == 405
    assert as_alice.get(reverse("disclosure:detail", args=[999999])).status_code == 404


def test_detail_query_count_is_fixed(cast, as_officer, django_assert_num_queries):
    meeting = _record(cast, submit=True)
    _with_pdf_submitted = Attachment.objects.create(
        meeting=meeting,
        file=SimpleUploadedFile("a.pdf", PDF),
        name="a.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    url = reverse("disclosure:detail", args=[meeting.pk])
    # 1 session, 2 user, 3 the record with unit, group, reviewer and people, 4 view permission,
    # 5 review permission (manage_units on the reviewing unit), 6 attendance with members,
    # 7 history with its users, 8 breadcrumb, 9 attachments.
    with django_assert_num_queries(9):
        as_officer.get(url)
    for _ in range(6):
        MemberFactory(branch=cast.branch_a)
    meeting_return(meeting=meeting, by=cast.officer, reason="补充")
    meeting = meeting_save(
        by=cast.alice,
        organization=cast.branch_a,
        meeting=meeting,
        data={"kind": "general_assembly", "held_at": _held()},
        attendance=_entries(cast),
        submit=True,
    )
    with django_assert_num_queries(9):
        response = as_officer.get(url)
    assert len(response.context["attendance"]) == 8 and len(response.context["history"]) >= 3
    assert _with_pdf_submitted in response.context["attachments"]


def test_review_actions_need_the_reviewer_and_post(cast, as_alice, as_charlie, as_officer, anonymous):
    meeting = _record(cast, submit=True)
    approve = reverse("disclosure:approve", args=[meeting.pk])
    send_back = reverse("disclosure:return", args=[meeting.pk])
    assert as_officer.get(approve).status_code == 405
    assert as_officer.get(send_back).status_code == 405
    assert as_alice.post(approve).status_code == 403  # the secretary cannot approve her own minutes
    assert as_charlie.post(approve).status_code == 403
    assert as_charlie.post(send_back, {"reason": "x"}).status_code == 403
    assert anonymous.post(approve).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "submitted"


def test_return_needs_a_reason(cast, as_officer):
    meeting = _record(cast, submit=True)
    response = as_officer.post(reverse("disclosure:return", args=[meeting.pk]), {"reason": "  "})
    assert response.status_code == 400
    assert response.context["return_form"].errors["reason"]
    meeting.refresh_from_db()
    assert meeting.status == "submitted"


def test_only_records_awaiting_review_can_be_approved(cast, as_officer):
    draft = _record(cast)
    assert (
        as_officer.post(reverse("disclosure:approve", args=[draft.pk])).status_code == 403
    )  # no reviewer yet
    approved = _record(cast, submit=True)
    meeting_approve(meeting=approved, by=cast.officer)
    response = as_officer.post(reverse("disclosure:approve", args=[approved.pk]), follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    draft.refresh_from_db()
    assert draft.status == "draft"


# --- attachments ---------------------------------------------------------------------------------------


def test_attachment_download_is_a_permission_checked_attachment(cast, as_alice, as_officer):
    attachment = _with_pdf(cast, _record(cast))
    response = as_alice.get(reverse("disclosure:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF
    assert as_officer.get(reverse("disclosure:attachment", args=[attachment.pk])).status_code == 200
    assert "/media/" not in attachment.file.name and attachment.file.name.startswith("meetings/")


def test_attachment_download_refused_across_branches(cast, as_alice, as_bob, as_charlie, anonymous):
    attachment = _with_pdf(cast, _record(cast))
    url = reverse("disclosure:attachment", args=[attachment.pk])
    assert as_charlie.get(url).status_code == 403
    assert as_bob.get(url).status_code == 403
    assert anonymous.get(url).status_code == 302
    assert as_alice.post(url).status_code == 405


def test_attachment_delete_while_editable_only(cast, as_alice, as_charlie):
    meeting = _record(cast)
    attachment = _with_pdf(cast, meeting)
    url = reverse("disclosure:attachment_delete", args=[attachment.pk])
    assert as_alice.get(url).status_code == 405
    assert as_charlie.post(url).status_code == 403
    response = as_alice.post(url)
    assert response.status_code == 302 and response["Location"] == reverse(
        "disclosure:edit", args=[meeting.pk]
    )
    assert not Attachment.objects.exists()
    attachment = _with_pdf(cast, meeting)
    meeting_save(
        by=cast.alice,
        organization=cast.branch_a,
        meeting=meeting,
        data={"kind": meeting.kind, "held_at": meeting.held_at},
        attendance=_entries(cast),
        submit=True,
    )
    assert as_alice.post(reverse("disclosure:attachment_delete", args=[attachment.pk])).status_code == 403
    assert Attachment.objects.filter(pk=attachment.pk).exists()


# --- review queue --------------------------------------------------------------------------------------


def test_review_queue(cast, as_officer, as_alice, as_bob, anonymous):
    older = _record(cast, submit=True)
    newer = _record(cast, submit=True)
    _record(cast)  # a draft is not waiting
    response = as_officer.get(reverse("disclosure:review_queue"))
    assert response.status_code == 200
    assert [row["meeting"] for row in response.context["rows"]] == [older, newer]
    assert as_alice.get(reverse("disclosure:review_queue")).status_code == 403  # a branch reviews nobody
    assert as_bob.get(reverse("disclosure:review_queue")).status_code == 403
    assert anonymous.get(reverse("disclosure:review_queue")).status_code == 302
    assert as_officer.post(reverse("disclosure:review_queue")).status_code == 405


def test_review_queue_of_another_committee_is_empty(cast, client):
    _record(cast, submit=True)
    other = UserFactory(username="c2officer")
    role_assign(user=other, organization=cast.c2, kind="organizer")
    client.force_login(other)
    assert client.get(reverse("disclosure:review_queue")).context["rows"] == []


def test_review_queue_query_count_is_fixed(cast, as_officer, django_assert_num_queries):
    _record(cast, submit=True)
    # 1 session, 2 user, 3 may the user review anywhere, 4 the queue with units and reviewers.
    with django_assert_num_queries(4):
        as_officer.get(reverse("disclosure:review_queue"))
    for _ in range(4):
        _record(cast, submit=True)
    with django_assert_num_queries(4):
        response = as_officer.get(reverse("disclosure:review_queue"))
    assert len(response.context["rows"]) == 5


# --- work record -----------------------------------------------------------------------------------------


def _year_of_records(cast) -> tuple[int, list[Meeting]]:
    first = _record(cast, submit=True, topics="=SUM(A1)")
    meeting_approve(meeting=first, by=cast.officer)
    second = meeting_save(
        by=cast.alice,
        organization=cast.branch_a,
        data={"kind": "party_lecture", "held_at": _held(), "topics": "党史", "lecturer": "王老师"},
        attendance=_entries(cast, absent=[cast.bob_member]),
        submit=True,
    )
    _record(cast)  # a draft is not part of the record
    return timezone.localtime(first.held_at).year, [first, second]


def test_work_record_page(cast, as_alice):
    year, records = _year_of_records(cast)
    response = as_alice.get(reverse("disclosure:work_record", args=[cast.branch_a.pk, year]))
    assert response.status_code == 200
    assert response.context["meetings"] == sorted(records, key=lambda m: (m.held_at, m.pk))
    summary = {item.kind: item for item in response.context["summary"]}
    assert summary["general_assembly"].records == 1 and summary["general_assembly"].approved == 1
    assert summary["party_lecture"].records == 1 and summary["party_lecture"].approved == 0
    body = response.content.decode()
    assert "data-print" in body and "王老师" in body and "出差" in body


def test_work_record_xlsx_opens_and_has_the_rows(cast, as_alice):
    year, records = _year_of_records(cast)
    response = as_alice.get(reverse("disclosure:work_record_xlsx", args=[cast.branch_a.pk, year]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="work-record-A-{year}.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2
    by_topic = {row[8]: row for row in rows}
    assert "'=SUM(A1)" in by_topic  # a formula-like text stays text
    lecture = by_topic["党史"]
    assert lecture[7] == "王老师" and lecture[10:14] == (2, 1, 0, 1) and "鲍勃" in lecture[14]
    assert lecture[17] == records[1].filing_lag_days
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    summary = list(book.worksheets[1].iter_rows(min_row=2, max_row=8, values_only=True))
    assert [row[1] for row in summary][:4] == [1, 0, 0, 1]  # assembly, committee, group, lecture


def test_work_record_permissions_and_method(cast, as_alice, as_bob, as_charlie, anonymous):
    year = timezone.localdate().year
    for name in ("disclosure:work_record", "disclosure:work_record_xlsx"):
        url = reverse(name, args=[cast.branch_a.pk, year])
        assert as_charlie.get(url).status_code == 403
        assert as_bob.get(url).status_code == 403
        assert anonymous.get(url).status_code == 302
        assert as_alice.post(url).status_code == 405
        assert as_alice.get(reverse(name, args=[cast.branch_a.pk, 1999])).status_code == 404


# --- unit-page panels --------------------------------------------------------------------------------------


def test_branch_page_shows_compliance_month_by_month(cast, as_alice):
    meeting = _record(cast, submit=True)
    meeting_approve(meeting=meeting, by=cast.officer)
    response = as_alice.get(reverse("members:unit", args=[cast.branch_a.pk]))
    body = response.content.decode()
    assert 'id="compliance-table"' in body
    quarter_first = (meeting.held_on.month - 1) // 3 * 3 + 1
    assert (f'data-kind="general_assembly" data-first-month="{quarter_first}" data-state="done"') in body
    assert 'colspan="3"' in body and 'colspan="12"' in body  # quarters and the year span their months
    assert reverse("disclosure:create", args=[cast.branch_a.pk]) in body
    assert reverse("disclosure:work_record", args=[cast.branch_a.pk, timezone.localdate().year]) in body


def test_committee_page_lists_branches_behind_first(cast, as_officer):
    response = as_officer.get(reverse("members:unit", args=[cast.university.pk]), follow=True)
    assert response.status_code == 403  # the officer is below the university
    response = as_officer.get(reverse("members:unit", args=[cast.c1.pk]))
    body = response.content.decode()
    assert 'id="branch-compliance-table"' in body and f'data-branch="{cast.branch_a.pk}"' in body
    assert reverse("disclosure:review_queue") in body


def test_committee_panel_sorts_behind_first(cast, rf):
    from disclosure.panels import committee_compliance_panel

    request = rf.get("/")
    request.user = cast.officer
    with pytest.MonkeyPatch.context() as patch:
        seen = {}

        def capture(template, context, request=None):
            seen.update(context)
            return ""

        patch.setattr("disclosure.panels.render_to_string", capture)
        committee_compliance_panel(request, cast.university)
    missing = [(entry.missing, entry.due) for entry in seen["report"]]
    assert missing == sorted(missing, reverse=True)
    assert seen["may_review"] is False and seen["waiting"] is None


def test_todos_panel_on_the_home_page(cast, as_alice, as_officer):
    meeting = _record(cast, submit=True)
    body = as_officer.get(reverse("members:unit", args=[cast.c1.pk])).content.decode()
    assert 'id="todos"' in body and reverse("disclosure:detail", args=[meeting.pk]) in body
    meeting_return(meeting=meeting, by=cast.officer, reason="补充签到表")
    body = as_alice.get(reverse("members:unit", args=[cast.branch_a.pk])).content.decode()
    assert 'data-todo="returned"' in body and reverse("disclosure:edit", args=[meeting.pk]) in body
    assert 'id="todos"' not in as_officer.get(reverse("members:unit", args=[cast.c1.pk])).content.decode()


def test_missing_meeting_todo_links_to_the_form_on_that_kind(cast, as_alice):
    Todo.objects.create(
        user=cast.alice,
        kind="meeting_missing",
        key=f"missing:{cast.branch_a.pk}:party_lecture:2026-01",
        organization=cast.branch_a,
        text="召开党课",
    )
    body = as_alice.get(reverse("members:unit", args=[cast.branch_a.pk])).content.decode()
    assert reverse("disclosure:create", args=[cast.branch_a.pk]) + "?kind=party_lecture" in body


def test_a_committee_files_its_own_meeting(cast, as_officer):
    officer_member = MemberFactory(branch=cast.branch_a, user=cast.officer)
    data = {
        "kind": "committee_meeting",
        "held_at": _local(_held()),
        "topics": "研究发展党员工作",
        "visibility": "internal",
        "action": "submit",
        f"att-status_{officer_member.pk}": "present",
        f"att-reason_{officer_member.pk}": "",
    }
    response = as_officer.post(reverse("disclosure:create", args=[cast.c1.pk]), data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and meeting.organization == cast.c1
    assert (
        meeting.status == "submitted" and meeting.reviewer == cast.university and meeting.expected_count == 1
    )
    # A branch meeting type is not offered to a committee, and is refused if posted anyway.
    response = as_officer.post(
        reverse("disclosure:create", args=[cast.c1.pk]), data | {"kind": "general_assembly"}
    )
    assert response.status_code == 200 and response.context["form"].errors["kind"]
