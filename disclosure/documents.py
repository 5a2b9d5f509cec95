"""disclosure's Word documents (issue 21): a meeting's minutes (会议记录) and a unit's yearly work record
(工作纪实), registered with ``branches.documents``."""

from __future__ import annotations

import re

from django.utils.html import strip_tags

from branches.documents import DocumentKind, document_render, register_document
from disclosure.models import Meeting

MINUTES = register_document(
    DocumentKind(
        key="meeting-minutes",
        title="会议记录",
        placeholders={
            "unit": "党组织",
            "kind": "会议类型",
            "held_at": "时间",
            "place": "地点",
            "chair": "主持人",
            "recorder": "记录人",
            "lecturer": "授课人",
            "expected": "应到",
            "present": "实到",
            "leave": "请假",
            "absent": "缺席",
            "topics": "议题",
            "minutes": "会议内容",
            "decisions": "决议事项",
        },
        lines=(
            "{{ unit }}{{ kind }}记录",
            "时间：{{ held_at }}",
            "地点：{{ place }}",
            "主持人：{{ chair }}　记录人：{{ recorder }}",
            "应到{{ expected }}人，实到{{ present }}人，请假{{ leave }}人，缺席{{ absent }}人。",
            "议题：{{ topics }}",
            "会议内容：",
            "{{ minutes }}",
            "决议事项：{{ decisions }}",
            "主持人签字：________　记录人签字：________",
        ),
    )
)

WORK_RECORD = register_document(
    DocumentKind(
        key="work-record",
        title="党支部工作纪实",
        placeholders={"unit": "党组织", "year": "年度", "count": "会议次数"},
        tables={"meetings": "本年度各次会议：日期、类型、议题、出席"},
        lines=(
            "{{ unit }}{{ year }}年度工作纪实",
            "本年度共记录组织生活{{ count }}次。",
            "{{ table:meetings }}",
        ),
    )
)


def html_text(html: str) -> str:
    """Sanitised minutes HTML as plain lines: one per paragraph or line break."""
    text = re.sub(r"(?i)<br\s*/?>|</p>|</li>|</h[1-6]>", "\n", html or "")
    lines = [line.strip() for line in strip_tags(text).splitlines()]
    return "\n".join(line for line in lines if line)


def minutes_document(*, meeting: Meeting) -> bytes:
    held = meeting.held_at
    from django.utils import timezone

    held = timezone.localtime(held)
    return document_render(
        key=MINUTES.key,
        context={
            "unit": meeting.organization.name,
            "kind": meeting.get_kind_display(),
            "held_at": f"{held.year}年{held.month}月{held.day}日 {held:%H:%M}",
            "place": meeting.place,
            "chair": meeting.chair,
            "recorder": meeting.recorder,
            "lecturer": meeting.lecturer,
            "expected": meeting.expected_count,
            "present": meeting.present_count,
            "leave": meeting.leave_count,
            "absent": meeting.absent_count,
            "topics": meeting.topics,
            "minutes": html_text(meeting.minutes),
            "decisions": meeting.decisions,
        },
    )


def work_record_document(*, unit, year: int, meetings: list[Meeting]) -> bytes:
    from django.utils import timezone

    rows = [
        [
            timezone.localtime(m.held_at).date().isoformat(),
            m.get_kind_display(),
            m.topics[:200],
            f"{m.present_count}/{m.expected_count}",
        ]
        for m in meetings
    ]
    return document_render(
        key=WORK_RECORD.key,
        context={"unit": unit.name, "year": year, "count": len(meetings)},
        tables={"meetings": (["日期", "类型", "议题", "出席"], rows)},
    )
