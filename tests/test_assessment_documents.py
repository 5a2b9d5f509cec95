"""The assessment's Word documents (issue 21): a unit's 考核结果报告, a committee's 考核评估总结 and the
组织部's report to the university committee, each generated through its download from a cycle walked on
pinned dates (2026: self-assessment in June, review in July, published 1 August) and read back with
python-docx; who may download each; their query counts."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import docx
import pytest
from django.urls import reverse

from assessments.models import Assessment, Grade
from assessments.services.assessment import (
    ItemInput,
    assessment_cycles_advance,
    assessment_review,
    assessment_self_save,
    assessment_verify,
    committee_summary_save,
)
from branches.documents import document_text
from tests.assessment_fixtures import YEAR, cycle_cast, day  # noqa: F401
from tests.conftest import login
from tests.factories import make_org

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _full(assessment) -> dict:
    return {
        i.pk: ItemInput(points=i.max_points if i.kind != "veto" else None, evidence="台账")
        for i in assessment.items.select_related("indicator")
    }


def _cut_to(assessment, total: D) -> dict:
    """Review inputs taking basic points off (with a reason) until the total is ``total``."""
    remaining = assessment.self_total - total
    inputs = {}
    for item in assessment.items.select_related("indicator").order_by("pk"):
        if remaining <= 0 or item.kind not in ("required", "optional"):
            continue
        cut = min(item.max_points, remaining)
        inputs[item.pk] = ItemInput(points=item.max_points - cut, reason="活动次数未达计划")
        remaining -= cut
    return inputs


def _at(time_machine, month: int, dom: int) -> datetime.date:
    time_machine.move_to(datetime.datetime(YEAR, month, dom, 10, tzinfo=BEIJING), tick=False)
    return day(month, dom)


@pytest.fixture
def season(cycle_cast, time_machine):
    """2026's cycle up to the verification: A (C1) full points, its item 1.1 cut by the committee to 2 with a
    reason → 102, five stars; A2 (C1) full points but a veto item failed at the verification → not compliant;
    B (C2) cut in review to 92 → four stars. C1 writes its summary."""
    c = cycle_cast
    c.branch_a2 = make_org(c.c1, "branch", "计算机学院教工第二党支部", code="A2", category="teacher")
    assessment_cycles_advance(today=_at(time_machine, 6, 10))
    a, a2, b = (Assessment.objects.get(organization=u) for u in (c.branch_a, c.branch_a2, c.branch_b))
    today = _at(time_machine, 6, 20)
    assessment_self_save(assessment=a, by=c.alice, inputs=_full(a), submit=True, today=today)
    assessment_self_save(assessment=a2, by=None, inputs=_full(a2), submit=True, today=today)
    assessment_self_save(assessment=b, by=c.charlie, inputs=_full(b), submit=True, today=today)
    today = _at(time_machine, 7, 3)
    assessment_cycles_advance(today=today)  # the committees' own drafts are submitted as they stand
    item = a.items.get(indicator__code="1.1")
    assessment_review(
        assessment=a,
        by=c.officer,
        inputs={item.pk: ItemInput(points="2", reason="学习记录不全")},
        today=today,
    )
    b.refresh_from_db()
    assessment_review(assessment=b, by=c.zzb, inputs=_cut_to(b, D(92)), today=today)
    committee_summary_save(
        assessment=Assessment.objects.get(organization=c.c1),
        by=c.officer,
        text="<p>各支部对照指标开展自评。</p><p>个别支部台账不规范，已限期整改。</p>",
    )
    assessment_cycles_advance(today=_at(time_machine, 7, 17))  # the review closes: everyone is reviewed
    veto = a2.items.get(indicator__kind="veto", indicator__code="1.4")
    assessment_verify(
        assessment=a2,
        by=c.zzb,
        inputs={veto.pk: ItemInput(failed=True, reason="核查发现违规问题")},
        today=_at(time_machine, 7, 20),
    )
    c.a, c.a2, c.b, c.veto = a, a2, b, veto
    for x in (a, a2, b):
        x.refresh_from_db()
    assert (a.review_total, a.grade) == (D(102), Grade.FIVE_STARS)
    assert (a2.verified_total, a2.grade, a2.veto_failed) == (D(105), Grade.NOT_COMPLIANT, True)
    assert (b.review_total, b.grade) == (D(92), Grade.FOUR_STARS)
    return c


@pytest.fixture
def published(season, time_machine):
    assessment_cycles_advance(today=_at(time_machine, 8, 1))
    _at(time_machine, 8, 5)
    return season


def _download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    return response.content


def _table(content: bytes, heading: str) -> list[list[str]]:
    """The rows of the document's table whose first heading cell is ``heading``."""
    for table in docx.Document(io.BytesIO(content)).tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows and rows[0][0] == heading:
            return rows
    raise AssertionError(f"no table headed {heading}")


def test_a_units_assessment_report(published, django_assert_num_queries):
    c = published
    client = login(c.alice)
    url = reverse("cycle:report_docx", args=[c.a.pk])
    client.get(url)
    # session, user, the assessment (visible to the user, with its cycle and unit), its items, their
    # first-level indicators, the unit above (the reviewer), the 组织部's uploaded template if any
    with django_assert_num_queries(7):
        content = _download(client, url)
    text = document_text(content)
    for expected in (
        "计算机学院教工第一党支部2026年度考核结果报告",
        "考核进度：已发布",
        "考核等次：五星　最终得分：102.0分",
        "自评得分105.0分，计算机学院党委审核得分102.0分，组织部核定得分102.0分。",
        "一项否决：全部通过。在所属党组织中排第1名",
        "1.1 ",
        "学习记录不全（审核）",
        "2026年8月5日",
    ):
        assert expected in text, expected
    rows = _table(content, "指标")
    assert rows[0] == ["指标", "分值", "自评", "审核", "核定"]
    line = next(r for r in rows if r[0].startswith("1.1 "))
    assert line[1:] == ["5.0", "5.0", "2.0", "2.0"]
    veto = next(r for r in rows if r[0].startswith("1.4 "))
    assert veto[1:] == ["一项否决", "通过", "通过", "通过"]
    # A2's report names the failed veto item and the 组织部's reason.
    text = document_text(_download(login(c.zzb), reverse("cycle:report_docx", args=[c.a2.pk])))
    assert "考核等次：不达标" in text and f"一项否决：未通过（{c.veto.title}）" in text
    assert "核查发现违规问题（核定）" in text


def test_the_report_is_the_units_and_those_above_until_published(season, time_machine):
    c = season
    url = reverse("cycle:report_docx", args=[c.a.pk])
    text = document_text(_download(login(c.officer), url))  # the committee above A
    assert "考核等次：尚未核定" in text and "考核进度：党委已审核" in text
    assert login(c.charlie).get(url).status_code == 404  # another committee's branch
    assert login(c.bob).get(url).status_code == 404  # a member without a role
    assert login(c.alice).post(url).status_code == 405
    page = login(c.alice).get(reverse("cycle:report", args=[c.a.pk])).content.decode()
    assert url in page and 'id="report-docx"' in page
    assert url in login(c.alice).get(reverse("cycle:assessment", args=[c.a.pk])).content.decode()


def test_a_committees_assessment_summary(published, django_assert_num_queries):
    c = published
    client = login(c.officer)
    url = reverse("cycle:committee_docx", args=[YEAR, c.c1.pk])
    assert url in client.get(reverse("cycle:committee", args=[YEAR, c.c1.pk])).content.decode()
    # session, user, cycles (the user's view roots, the cycle), the committee, the view permission, its own
    # assessment, its branches' assessments, the uploaded template if any
    with django_assert_num_queries(9):
        content = _download(client, url)
    text = document_text(content)
    for expected in (
        "计算机学院党委2026年度党支部考核评估总结",
        "所属2个党支部参加考核评估。其中五星1个，四星0个，达标0个，不达标1个；平均得分103.5分。",
        "一项否决未通过的党支部：计算机学院教工第二党支部。",
        "各支部对照指标开展自评。\n个别支部台账不规范，已限期整改。",
        "2026年8月5日",
    ):
        assert expected in text, expected
    assert _table(content, "排名") == [
        ["排名", "党支部", "自评", "审核", "核定", "等次", "一项否决"],
        ["1", "计算机学院教工第一党支部", "105.0", "102.0", "102.0", "五星", ""],
        ["2", "计算机学院教工第二党支部", "105.0", "105.0", "105.0", "不达标", "未通过"],
    ]
    # The committee and the units above; not its branches, not another committee.
    assert login(c.zzb).get(url).status_code == 200
    for outsider in (c.alice, c.charlie):
        assert login(outsider).get(url).status_code == 403
    assert (
        login(c.officer).get(reverse("cycle:committee_docx", args=[YEAR, c.branch_a.pk])).status_code == 404
    )
    assert login(c.officer).get(reverse("cycle:committee_docx", args=[YEAR + 1, c.c1.pk])).status_code == 404


def test_the_departments_report_to_the_university_committee(published, django_assert_num_queries):
    c = published
    client = login(c.zzb)
    url = reverse("cycle:university_docx", args=[YEAR])
    assert url in client.get(reverse("cycle:results", args=[YEAR])).content.decode()
    # session, user, cycles (view roots, cycle), the verify permission, the cycle's assessments with their
    # units, the secondary units, the failed veto items, the uploaded template if any
    with django_assert_num_queries(9):
        content = _download(client, url)
    text = document_text(content)
    c1, c2 = (Assessment.objects.get(organization=u) for u in (c.c1, c.c2))
    committee_five = sum(1 for x in (c1, c2) if x.grade == Grade.FIVE_STARS)
    for expected in (
        "关于2026年度基层党组织考核评估工作情况的报告",
        "中共江城大学委员会：",
        "对2个二级党组织和3个党支部开展了考核评估。党支部中，五星1个，四星1个，达标0个，不达标1个；"
        f"二级党组织中五星{committee_five}个。因一项否决未通过而不达标的单位1个。",
        "特此报告。",
        "2026年8月5日",
    ):
        assert expected in text, expected
    with_chinese = {"fail": "不达标", "pass": "达标", "four": "四星", "five": "五星"}
    grade = {x.organization_id: with_chinese[x.grade] for x in (c1, c2)}
    assert _table(content, "二级党组织") == [
        ["二级党组织", "本级等次", "参评党支部", "五星", "四星", "达标", "不达标"],
        ["计算机学院党委", grade[c.c1.pk], "2", "1", "0", "0", "1"],
        ["文学院党委", grade[c.c2.pk], "1", "0", "1", "0", "0"],
        ["合计", "", "3", "1", "1", "0", "1"],
    ]
    five = _table(content, "序号")
    assert five[1] == ["1", "计算机学院教工第一党支部", "计算机学院党委", "102.0"]
    assert len(five) == 1 + 1 + committee_five
    assert _table(content, "单位") == [
        ["单位", "所属二级党组织", "否决项目", "原因"],
        ["计算机学院教工第二党支部", "计算机学院党委", c.veto.title, "核查发现违规问题"],
    ]
    # The 组织部's alone: a committee, a branch, and (for everyone else) no button on the results page.
    for outsider in (c.officer, c.alice):
        assert login(outsider).get(url).status_code == 403
    assert url not in login(c.alice).get(reverse("cycle:results", args=[YEAR])).content.decode()
    assert login(c.bob).get(url).status_code == 404  # no role: not told the cycle exists
