"""The assessment's Word documents (issue 21), registered with ``branches.documents``: a unit's assessment
report (考核结果报告), a committee's 考核评估总结 of its branches, and the 组织部's report to the university
committee on the year's assessment. Each builder takes what ``assessments.selectors.documents`` loaded and
returns the document's bytes; the views load and authorise. The documents are Chinese whatever the reader's
language, so the labels are read under zh-hans."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import translation

from assessments.models import Assessment, Grade, Indicator
from assessments.selectors.assessment import Group
from assessments.selectors.documents import (
    GRADED,
    CommitteeSummary,
    UniversityReport,
    final_failed,
    final_reason,
)
from branches.documents import DocumentKind, chinese_date, document_render, register_document
from branches.models import Organization
from disclosure.documents import html_text

UNIT_REPORT = register_document(
    DocumentKind(
        key="assessment-report",
        title="考核结果报告",
        placeholders={
            "unit": "被考核党组织",
            "year": "年度",
            "programme": "考核类别（计划/行动）",
            "status": "考核进度",
            "grade": "考核等次",
            "final_total": "最终得分",
            "self_total": "自评得分",
            "review_total": "审核得分",
            "verified_total": "核定得分",
            "reviewer": "审核单位（上级党组织）",
            "veto": "一项否决情况",
            "ranks": "排名",
            "comments": "审核、核定意见（每条一行）",
            "date": "日期",
        },
        tables={"items": "各项指标：指标、分值、自评、审核、核定"},
        lines=(
            "{{ unit }}{{ year }}年度考核结果报告",
            "考核类别：{{ programme }}　考核进度：{{ status }}",
            "考核等次：{{ grade }}　最终得分：{{ final_total }}分",
            "自评得分{{ self_total }}分，{{ reviewer }}审核得分{{ review_total }}分，组织部核定得分{{ verified_total }}分。",
            "一项否决：{{ veto }}。{{ ranks }}",
            "一、各项指标得分",
            "{{ table:items }}",
            "二、审核意见",
            "{{ comments }}",
            "{{ reviewer }}",
            "{{ date }}",
        ),
    )
)

COMMITTEE_SUMMARY = register_document(
    DocumentKind(
        key="assessment-committee-summary",
        title="考核评估总结",
        placeholders={
            "committee": "二级党组织",
            "year": "年度",
            "branches": "参加考核的党支部数",
            "five": "五星",
            "four": "四星",
            "pass": "达标",
            "fail": "不达标",
            "average": "平均得分",
            "vetoed": "一项否决未通过的党支部",
            "summary": "党委撰写的总结（每段一行）",
            "date": "日期",
        },
        tables={"branches": "所属党支部：排名、党支部、自评、审核、核定、等次、一项否决"},
        lines=(
            "{{ committee }}{{ year }}年度党支部考核评估总结",
            "本年度，{{ committee }}所属{{ branches }}个党支部参加考核评估。其中五星{{ five }}个，"
            "四星{{ four }}个，达标{{ pass }}个，不达标{{ fail }}个；平均得分{{ average }}分。",
            "一项否决未通过的党支部：{{ vetoed }}。",
            "一、考核结果",
            "{{ table:branches }}",
            "二、工作总结",
            "{{ summary }}",
            "{{ committee }}",
            "{{ date }}",
        ),
    )
)

UNIVERSITY_REPORT = register_document(
    DocumentKind(
        key="assessment-university-report",
        title="年度考核评估工作情况报告",
        placeholders={
            "university": "校党委",
            "year": "年度",
            "committees": "参加考核的二级党组织数",
            "branches": "参加考核的党支部数",
            "five": "五星党支部数",
            "four": "四星党支部数",
            "pass": "达标党支部数",
            "fail": "不达标党支部数",
            "committee_five": "五星二级党组织数",
            "vetoed": "一项否决未通过的单位数",
            "date": "日期",
        },
        tables={
            "by_committee": "各二级党组织：本级等次与所属党支部各等次数",
            "five_stars": "五星名单：序号、单位、所属二级党组织、得分",
            "vetoes": "一项否决未通过：单位、所属二级党组织、否决项目、原因",
        },
        lines=(
            "关于{{ year }}年度基层党组织考核评估工作情况的报告",
            "{{ university }}：",
            "根据{{ year }}年度考核评估工作安排，组织部会同各二级党组织对{{ committees }}个二级党组织和"
            "{{ branches }}个党支部开展了考核评估。党支部中，五星{{ five }}个，四星{{ four }}个，"
            "达标{{ pass }}个，不达标{{ fail }}个；二级党组织中五星{{ committee_five }}个。"
            "因一项否决未通过而不达标的单位{{ vetoed }}个。现将有关情况报告如下：",
            "一、各二级党组织所属党支部考核等次",
            "{{ table:by_committee }}",
            "二、五星单位名单",
            "{{ table:five_stars }}",
            "三、一项否决未通过的单位",
            "{{ table:vetoes }}",
            "特此报告。",
            "组织部",
            "{{ date }}",
        ),
    )
)

ASSESSMENT_KINDS = (UNIT_REPORT, COMMITTEE_SUMMARY, UNIVERSITY_REPORT)


def _points(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}"


def _grade(assessment: Assessment | None) -> str:
    if assessment is None or assessment.status not in GRADED or not assessment.grade:
        return "—"
    return str(Grade(assessment.grade).label)


def _item_cells(item) -> list[str]:
    if item.kind == Indicator.Kind.VETO:

        def veto(points, failed) -> str:
            return "" if points is None else ("未通过" if failed else "通过")

        return [
            "一项否决",
            veto(item.self_points, item.self_failed),
            veto(item.reviewed_points, item.reviewed_failed),
            veto(item.verified_points, item.verified_failed),
        ]
    return [
        f"{item.max_points}",
        *(
            "" if p is None else f"{p}"
            for p in (item.self_points, item.reviewed_points, item.verified_points)
        ),
    ]


def unit_report_document(
    *, assessment: Assessment, groups: list[Group], reviewer: Organization | None, today: datetime.date
) -> bytes:
    """One unit's 考核结果报告: grade, totals at each stage, each indicator's points, the reasons given."""
    with translation.override("zh-hans"):
        rows: list[list[str]] = []
        comments: list[str] = []
        for group in groups:
            if group.title:
                rows.append([f"{group.code} {group.title}".strip(), "", "", "", ""])
            for item in group.items:
                code = f"{item.indicator.code} " if item.indicator is not None else ""
                rows.append([f"{code}{item.title}", *_item_cells(item)])
                if item.review_reason:
                    comments.append(f"{code}{item.title}：{item.review_reason}（审核）")
                if item.verify_reason:
                    comments.append(f"{code}{item.title}：{item.verify_reason}（核定）")
        ranks = []
        if assessment.rank_in_committee:
            ranks.append(f"在所属党组织中排第{assessment.rank_in_committee}名")
        if assessment.rank_overall:
            ranks.append(f"全校同类排第{assessment.rank_overall}名")
        veto_items = [i for g in groups for i in g.items if i.kind == Indicator.Kind.VETO]
        failed = [i.title for i in veto_items if final_failed(i)]
        grade = (
            _grade(assessment)
            if assessment.status in (Assessment.Status.VERIFIED, Assessment.Status.PUBLISHED)
            else "尚未核定"
        )
        context = {
            "unit": assessment.organization.name,
            "year": assessment.cycle.year,
            "programme": assessment.get_programme_display(),
            "status": assessment.get_status_display(),
            "grade": grade,
            "final_total": _points(assessment.final_total),
            "self_total": _points(assessment.self_total),
            "review_total": _points(assessment.review_total),
            "verified_total": _points(assessment.verified_total),
            "reviewer": reviewer.name if reviewer else "",
            "veto": ("未通过（" + "、".join(failed) + "）") if failed else "全部通过",
            "ranks": "，".join(ranks) + "。" if ranks else "",
            "comments": "\n".join(comments) or "各项得分未作调整。",
            "date": chinese_date(today),
        }
        return document_render(
            key=UNIT_REPORT.key,
            context=context,
            tables={"items": (["指标", "分值", "自评", "审核", "核定"], rows)},
        )


def committee_summary_document(*, data: CommitteeSummary, year: int, today: datetime.date) -> bytes:
    """A committee's 考核评估总结: its branches' counts by grade, their results, its own written summary."""
    with translation.override("zh-hans"):
        counts = data.counts
        rows = [
            [
                "" if a.rank_in_committee is None else a.rank_in_committee,
                a.organization.name,
                _points(a.self_total),
                _points(a.review_total),
                _points(a.verified_total),
                _grade(a),
                "未通过" if a.status in GRADED and a.veto_failed else "",
            ]
            for a in data.rows
        ]
        context = {
            "committee": data.committee.name,
            "year": year,
            "branches": len(data.rows),
            "five": counts[Grade.FIVE_STARS],
            "four": counts[Grade.FOUR_STARS],
            "pass": counts[Grade.COMPLIANT],
            "fail": counts[Grade.NOT_COMPLIANT],
            "average": _points(data.average),
            "vetoed": "、".join(a.organization.name for a in data.vetoed) or "无",
            "summary": html_text(data.own.summary if data.own else "") or "（尚未撰写）",
            "date": chinese_date(today),
        }
        return document_render(
            key=COMMITTEE_SUMMARY.key,
            context=context,
            tables={
                "branches": (["排名", "党支部", "自评", "审核", "核定", "等次", "一项否决"], rows),
            },
        )


def university_report_document(*, data: UniversityReport, today: datetime.date) -> bytes:
    """The 组织部's report to the university committee: counts by grade per committee, the five-star list,
    the units failing veto items."""
    with translation.override("zh-hans"):
        grades = (Grade.FIVE_STARS, Grade.FOUR_STARS, Grade.COMPLIANT, Grade.NOT_COMPLIANT)
        by_committee = []
        for line in data.lines:
            counts = line.counts
            by_committee.append(
                [
                    line.committee.name if line.committee else "直属党支部",
                    _grade(line.own) if line.committee else "",
                    len(line.branches),
                    *(counts[g] for g in grades),
                ]
            )
        total = data.branch_counts
        by_committee.append(["合计", "", data.branches, *(total[g] for g in grades)])
        five_stars = [
            [n, a.organization.name, committee.name if committee else "", _points(a.final_total)]
            for n, (a, committee) in enumerate(data.five_stars, start=1)
        ]
        vetoes = [
            [
                v.assessment.organization.name,
                v.committee.name if v.committee else "",
                "、".join(i.title for i in v.items),
                "；".join(r for r in (final_reason(i) for i in v.items) if r),
            ]
            for v in data.vetoes
        ]
        context = {
            "university": data.cycle.root.name,
            "year": data.cycle.year,
            "committees": data.committees,
            "branches": data.branches,
            "five": total[Grade.FIVE_STARS],
            "four": total[Grade.FOUR_STARS],
            "pass": total[Grade.COMPLIANT],
            "fail": total[Grade.NOT_COMPLIANT],
            "committee_five": data.committee_counts[Grade.FIVE_STARS],
            "vetoed": len(data.vetoes),
            "date": chinese_date(today),
        }
        return document_render(
            key=UNIVERSITY_REPORT.key,
            context=context,
            tables={
                "by_committee": (
                    ["二级党组织", "本级等次", "参评党支部", "五星", "四星", "达标", "不达标"],
                    by_committee,
                ),
                "five_stars": (["序号", "单位", "所属二级党组织", "得分"], five_stars),
                "vetoes": (["单位", "所属二级党组织", "否决项目", "原因"], vetoes),
            },
        )
