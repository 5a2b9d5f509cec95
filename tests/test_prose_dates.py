"""Dates for Chinese readers (issue 22): 2026年12月1日 where prose (sentences, headings, notices, to-dos,
detail lines), ISO in tables, form values and exports. One helper (branches.dates.prose_date) and its template
filter (``{% load dates %}{{ day|prose_date }}``)."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from branches.bounds import date_problem
from branches.dates import prose_date, prose_datetime
from members.models import CareOccasionKind, DuesPayment
from members.services.care import care_occasion_note, care_visit_record
from members.services.dues import dues_declare, dues_record
from members.services.tabular import dues_year_export_rows
from members.selectors.lifecycle import dues_year_list
from tests.crawl.dates import iso_dates_in_prose

SHANGHAI = ZoneInfo("Asia/Shanghai")
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime.date(2026, 12, 1), "2026年12月1日"),
        (datetime.date(2026, 1, 9), "2026年1月9日"),  # no leading zeros
        (datetime.date(2024, 2, 29), "2024年2月29日"),
        (datetime.date(1921, 7, 1), "1921年7月1日"),
        (None, ""),
        ("", ""),
    ],
)
def test_the_helper(value, text):
    assert prose_date(value) == text


def test_a_datetime_is_read_in_local_time():
    # 2026-11-30 17:30 UTC is already 1 December in Shanghai.
    assert prose_date(datetime.datetime(2026, 11, 30, 17, 30, tzinfo=datetime.UTC)) == "2026年12月1日"
    assert prose_date(datetime.datetime(2026, 12, 1, 1, 0, tzinfo=SHANGHAI)) == "2026年12月1日"


def test_a_moment_in_prose_is_the_local_day_and_time():
    # 2026-11-30 17:30 UTC is 01:30 on 1 December in Shanghai; a moment in a sentence reads so, tables keep ISO.
    moment = datetime.datetime(2026, 11, 30, 17, 30, tzinfo=datetime.UTC)
    assert prose_datetime(moment) == "2026年12月1日 01:30"
    assert prose_datetime(None) == ""
    template = Template('{% load dates %}{{ at|prose_datetime }}|{{ none|prose_datetime|default:"—" }}')
    assert template.render(Context({"at": moment, "none": None})) == "2026年12月1日 01:30|—"


def test_the_filter_is_the_same_helper_in_any_language():
    template = Template(
        '{% load dates %}{{ day|prose_date }}|{{ none|prose_date|default:"—" }}|{{ text|prose_date }}'
    )
    context = Context({"day": datetime.date(2026, 12, 1), "none": None, "text": "待定"})
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert template.render(context) == "2026年12月1日|—|待定"


def test_a_window_message_writes_its_date_in_prose():
    with translation.override("zh-hans"):
        problem = date_problem(datetime.date(1800, 1, 1))
    assert problem and not ISO_DAY.search(problem) and re.search(r"\d{4}年\d{1,2}月\d{1,2}日", problem)


@pytest.mark.django_db
@time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_a_service_message_writes_its_date_in_prose(cast):
    occasion = care_occasion_note(
        member=cast.bob_member, kind=_care_kind(), noted_on=datetime.date(2026, 3, 2), by=cast.alice
    )
    with pytest.raises(ValidationError) as refused:
        care_visit_record(
            occasion=occasion, visited_on=datetime.date(2026, 3, 1), visitors="艾丽", by=cast.alice
        )
    assert "2026年3月2日" in refused.value.messages[0] and "2026-03-02" not in refused.value.messages[0]


def _care_kind():
    return CareOccasionKind.objects.filter(is_active=True).first() or CareOccasionKind.objects.create(
        code="illness", name="生病住院", visit_within_days=7
    )


@pytest.mark.django_db
@time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_pages_write_prose_dates_long_and_table_dates_iso(cast, as_alice):
    # A detail line (member's page): the date the member joined.
    page = as_alice.get(reverse("members:detail", args=[cast.bob_member.pk])).content.decode()
    assert "2015年7月1日" in page and "2015-07-01" not in page
    # The year's dues list: its sentence in prose; the export keeps ISO months and plain numbers.
    dues_declare(
        member=cast.bob_member, kind="employee", base=4000, valid_from=datetime.date(2025, 1, 1), by=None
    )
    dues_record(member=cast.bob_member, month=datetime.date(2025, 3, 1), status="paid", by=cast.alice)
    page = as_alice.get(reverse("members:dues_year", args=[cast.branch_a.pk, 2025])).content.decode()
    assert "2025年12月31日" in page and "2025-12-31" not in page
    headers, rows = dues_year_export_rows(
        dues_year_list(branch=cast.branch_a, year=2025, today=datetime.date(2026, 3, 2))
    )
    assert DuesPayment.objects.count() == 1 and not any("年" in str(cell) for row in rows for cell in row)
    # A table keeps ISO: the roster's "joined" column.
    roster = as_alice.get(reverse("members:roster", args=[cast.branch_a.pk])).content.decode()
    assert "2015-07-01" in roster


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ("<p>截至 2026-12-01。</p>", ["2026-12-01"]),
        ("<h1>支部委员会 · 2026-12-01</h1>", ["2026-12-01"]),
        ("<ul><li>2026-12-01 · 警告</li></ul>", ["2026-12-01"]),
        ("<dl><dd>2026-12-01<br>批注</dd></dl>", ["2026-12-01"]),
        ("<p>截至 2026年12月1日。</p>", []),
        ("<table><tr><td><p>2026-12-01</p></td></tr></table>", []),  # a table keeps ISO
        ('<li><time datetime="2026-12-01">2026年12月1日</time></li>', []),  # attributes are not read
        ('<p><input type="date" value="2026-12-01"></p>', []),
        ("<p>日期写成 <code>2024-07-01</code> 的格式。</p>", []),  # a format example
        ("<p>2026-12-01 09:30</p>", []),  # a timestamp
        ("<div>2026-12-01</div>", []),  # not prose
        ("<p>编号 A-2026-12-01-3</p>", []),
    ],
)
def test_the_crawls_detector_of_iso_dates_in_prose(html, found):
    assert iso_dates_in_prose(html) == found


@pytest.mark.django_db
def test_the_birth_date_in_full_is_prose(cast, as_alice):
    url = reverse("members:detail", args=[cast.bob_member.pk])
    page = as_alice.get(url).content.decode()
    assert prose_date(cast.bob_member.birth_date) in page
    assert cast.bob_member.birth_date.isoformat() not in page
