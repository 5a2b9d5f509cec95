"""Word documents (issue 21): the helper in branches (render, check on upload) and every registered document,
generated through its download and read back with python-docx."""

from __future__ import annotations

import datetime
import io

import docx
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from branches.documents import (
    DocumentKind,
    check_template,
    default_template,
    document_kinds,
    document_text,
    render_document,
)
from branches.models import DocumentTemplate
from disclosure.models import Meeting
from members.models import DevelopmentCase, DevelopmentStep, DuesPayment
from tests.factories import MemberFactory

KIND = DocumentKind(
    key="test-kind",
    title="测试",
    placeholders={"name": "姓名", "unit": "单位"},
    tables={"rows": "表"},
    lines=("{{ unit }}关于{{ name }}的通知", "{{ table:rows }}", "完"),
)


def _docx(paragraphs: list[list[str]]) -> bytes:
    """A document whose paragraphs are made of the given runs (as a word processor splits them)."""
    document = docx.Document()
    for runs in paragraphs:
        paragraph = document.add_paragraph()
        for text in runs:
            paragraph.add_run(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_render_fills_placeholders_and_tables():
    data = render_document(
        template=default_template(KIND),
        context={"name": "张三", "unit": "文学院"},
        tables={"rows": (["姓名", "金额"], [["张三", "1.00"], ["李四", "2.00"]])},
    )
    document = docx.Document(io.BytesIO(data))
    assert document.paragraphs[0].text == "文学院关于张三的通知"
    assert "{{" not in document_text(data)
    table = document.tables[0]
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["姓名", "金额"],
        ["张三", "1.00"],
        ["李四", "2.00"],
    ]


def test_a_split_placeholder_is_refused_with_the_reason():
    check_template(_docx([["致{{ name }}同志"], ["{{ table:rows }}"]]), kind=KIND)
    with pytest.raises(ValidationError, match="name"):
        check_template(_docx([["致{{ na", "me }}同志"]]), kind=KIND)
    with pytest.raises(ValidationError) as refused:
        check_template(_docx([["{{ boss }}"]]), kind=KIND)
    assert "boss" in str(refused.value) and "name" in str(refused.value)  # lists what the document knows
    with pytest.raises(ValidationError):
        check_template(_docx([["表：{{ table:rows }}"]]), kind=KIND)
    with pytest.raises(ValidationError):
        check_template(b"PK\x03\x04 not a document", kind=KIND)


def test_every_registered_default_passes_its_own_check():
    kinds = document_kinds()
    assert {
        "meeting-minutes",
        "work-record",
        "dues-list",
        "development-notice",
        "development-review",
        "term-request",
        "term-election-rules",
        "term-ballot",
        "term-tally",
        "term-resolution",
        "assessment-report",
        "assessment-committee-summary",
        "assessment-university-report",
    } <= set(kinds)
    for kind in kinds.values():
        check_template(default_template(kind), kind=kind)


def _get_docx(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    return document_text(response.content)


def test_minutes_and_work_record(cast, as_alice):
    held = timezone.make_aware(datetime.datetime(2026, 3, 5, 14, 30))
    meeting = Meeting.objects.create(
        organization=cast.branch_a,
        kind="branch_committee",
        status="approved",
        held_at=held,
        place="第二会议室",
        chair="艾丽",
        recorder="鲍勃",
        topics="学习党章",
        minutes="<p>第一项：学习。</p><p>第二项：讨论。</p>",
        decisions="按期完成",
        expected_count=5,
        present_count=4,
        leave_count=1,
    )
    text = _get_docx(as_alice, reverse("disclosure:minutes_docx", args=[meeting.pk]))
    for expected in (
        "计算机学院教工第一党支部",
        "2026年3月5日 14:30",
        "第二会议室",
        "主持人：艾丽",
        "应到5人，实到4人",
        "学习党章",
        "第一项：学习。\n第二项：讨论。",
        "按期完成",
    ):
        assert expected in text, expected
    text = _get_docx(as_alice, reverse("disclosure:work_record_docx", args=[cast.branch_a.pk, 2026]))
    assert "2026年度工作纪实" in text and "学习党章" in text and "4/5" in text
    # Someone who may not read the branch's minutes gets no document.
    from tests.conftest import login

    assert login(cast.charlie).get(reverse("disclosure:minutes_docx", args=[meeting.pk])).status_code in (
        403,
        404,
    )


def test_dues_list(cast, as_alice):
    DuesPayment.objects.create(
        member=cast.alice_member,
        branch=cast.branch_a,
        month=datetime.date(2026, 1, 1),
        status="paid",
        amount="12.50",
        paid_on=datetime.date(2026, 1, 10),
    )
    page = as_alice.get(reverse("members:dues_year", args=[cast.branch_a.pk, 2026])).content.decode()
    assert reverse("members:dues_docx", args=[cast.branch_a.pk, 2026]) in page  # the list's own page
    text = _get_docx(as_alice, reverse("members:dues_docx", args=[cast.branch_a.pk, 2026]))
    assert "2026年度党费收缴情况公示" in text and "艾丽" in text and "12.50" in text and "1月" in text
    assert as_alice.get(reverse("members:dues_docx", args=[cast.c1.pk, 2026])).status_code in (403, 404)


def test_development_notice_and_review(cast, as_alice):
    person = MemberFactory(
        branch=cast.branch_a,
        name="林发展",
        stage="candidate",
        joined_on=None,
        full_on=None,
        gender="F",
        ethnicity="壮族",
        birth_date=datetime.date(2001, 4, 4),
        applied_on=datetime.date(2024, 3, 1),
        activist_on=datetime.date(2024, 9, 1),
        candidate_on=datetime.date(2025, 10, 8),
        education="bachelor",
    )
    case = DevelopmentCase.objects.create(member=person, last_step=12)
    DevelopmentStep.objects.create(case=case, number=10, done_on=datetime.date(2025, 11, 1))
    DevelopmentStep.objects.create(
        case=case, number=12, done_on=datetime.date(2026, 3, 2), notice_until=datetime.date(2026, 3, 6)
    )
    page = as_alice.get(reverse("members:development_case", args=[case.pk])).content.decode()
    for key in ("development-notice", "development-review"):  # both on the case's page
        assert reverse("members:development_docx", args=[case.pk, key]) in page
    text = _get_docx(as_alice, reverse("members:development_docx", args=[case.pk, "development-notice"]))
    for expected in (
        "关于拟发展林发展同志为中共预备党员的公示",
        "女，壮族，2001年生，大学本科",
        "2024年3月1日递交入党申请书",
        "公示期至2026年3月6日",
        "2026年3月2日",
    ):
        assert expected in text, expected
    text = _get_docx(as_alice, reverse("members:development_docx", args=[case.pk, "development-review"]))
    assert "林发展同志的政治审查综合报告" in text and "2025年11月1日" in text
    assert as_alice.get(reverse("members:development_docx", args=[case.pk, "nope"])).status_code == 404
    from tests.conftest import login

    assert login(cast.bob).get(
        reverse("members:development_docx", args=[case.pk, "development-notice"])
    ).status_code in (403, 404)


def test_term_documents(cast, as_alice):
    from members.services.terms import term_candidate_add

    cast.branch_a.term_started_on = datetime.date(2023, 6, 1)
    cast.branch_a.save(update_fields=["term_started_on"])
    for member in (cast.alice_member, cast.bob_member):  # the candidates recorded on the terms page
        term_candidate_add(organization=cast.branch_a, member=member, by=cast.alice)
    expected = {
        "term-request": [
            "关于计算机学院教工第一党支部召开党员大会进行换届选举的请示",
            "计算机学院党委：",
            "2023年6月1日选举产生",
            "2026年6月1日任期届满",
            "现有党员2名，其中正式党员2名",
        ],
        "term-election-rules": ["选举办法", "应选委员3名"],
        "term-ballot": ["委员会委员选举选票", "艾丽", "鲍勃"],
        "term-tally": ["计票单", "候选人", "赞成", "艾丽"],
        "term-resolution": ["关于选举结果的决议", "选举结果有效"],
    }
    for key, lines in expected.items():
        text = _get_docx(as_alice, reverse("members:term_docx", args=[cast.branch_a.pk, key]))
        for line in lines:
            assert line in text, (key, line)


def test_an_uploaded_template_is_used(cast, as_alice, admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    template = _docx([["本支部党费：{{ total }}元（{{ branch }}）"], ["{{ table:dues }}"]])
    response = admin_client.post(
        reverse("admin:branches_documenttemplate_add"),
        {"key": "dues-list", "upload": SimpleUploadedFile("dues.docx", template)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert DocumentTemplate.objects.get(key="dues-list").name == "dues.docx"
    text = _get_docx(as_alice, reverse("members:dues_docx", args=[cast.branch_a.pk, 2026]))
    assert text.startswith("本支部党费：0元（计算机学院教工第一党支部）")
    split = _docx([["本支部党费：{{ to", "tal }}元"]])
    response = admin_client.post(
        reverse("admin:branches_documenttemplate_add"),
        {"key": "minutes", "upload": SimpleUploadedFile("m.docx", split)},
    )
    assert response.status_code == 200  # refused, the form shown again
    response = admin_client.post(
        reverse("admin:branches_documenttemplate_add"),
        {"key": "meeting-minutes", "upload": SimpleUploadedFile("m.docx", split)},
    )
    assert response.status_code == 200 and "total" in response.content.decode()
    assert not DocumentTemplate.objects.filter(key="meeting-minutes").exists()
