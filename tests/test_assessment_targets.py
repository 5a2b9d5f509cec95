"""Indicator tables (standard content, the editor, xlsx export/import round trip, a bad file refused whole
with row-level reasons) and annual plans (the unit adds its own actions, its parent approves or returns)."""

from __future__ import annotations

import io
import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from assessments.models import Assessment, IndicatorTable, PlanItem
from assessments.services.assessment import assessment_cycles_advance
from assessments.services.targets import (
    indicator_save,
    indicator_table_export,
    indicator_table_import,
    indicators_in_order,
    plan_item_decide,
    plan_item_save,
    plan_submit,
)
from tests.assessment_fixtures import cycle_cast, day  # noqa: F401
from tests.conftest import login

pytestmark = pytest.mark.django_db


def snapshot(table):
    return [
        (
            i.code,
            i.parent.code if i.parent_id else "",
            i.title,
            i.description,
            i.max_points,
            i.kind,
            i.source,
            i.target_count,
        )
        for i in indicators_in_order(table)
    ]


def test_the_standard_tables_have_their_shape_and_basic_items_total_100(cycle_cast):
    """Branch programmes: 6 first-level items; 引航计划: the eleven committee tasks; retirees: a light table of
    4 (issue 18). Every table's basic items total 100."""
    first_level = {"guide": 11, "ladder": 6, "chapter": 6, "efficiency": 6, "retiree": 4}
    for programme, table in cycle_cast.tables.items():
        items = list(table.indicators.all())
        first = [i for i in items if not i.parent_id]
        second = [i for i in items if i.parent_id]
        assert len(first) == first_level[programme]
        assert sum(i.max_points for i in second if i.kind in ("required", "optional")) == 100
        kinds = (
            {"required", "veto"} if programme in ("retiree", "guide") else {"required", "optional", "veto"}
        )
        assert kinds <= {i.kind for i in second}
    assert len(cycle_cast.tables["ladder"].indicators.filter(parent__isnull=False)) >= 20


def test_the_branch_programmes_differ_by_what_their_branches_are_for(cycle_cast):
    titles = {
        p: set(cycle_cast.tables[p].indicators.filter(code__startswith="6").values_list("title", flat=True))
        for p in ("ladder", "chapter", "efficiency")
    }
    assert not titles["ladder"] & titles["chapter"] - {"获得上级表彰", "工作经验被上级推广"}
    assert any("教学科研" in t for t in titles["ladder"]) and any("推优" in t for t in titles["chapter"])
    assert any("服务" in t for t in titles["efficiency"])


def test_the_shared_groups_ask_what_each_kind_of_branch_is_for(cycle_cast):
    """Groups 1–4 keep their codes (the measures meet them by code) but four of their items are worded for
    the kind of branch: theory study, ideological fronts, whom to develop, whom to serve."""

    def titles(programme):
        return dict(
            cycle_cast.tables[programme]
            .indicators.filter(code__in=["1.1", "1.3", "2.4", "4.1"])
            .values_list("code", "title")
        )

    ladder, chapter, efficiency = titles("ladder"), titles("chapter"), titles("efficiency")
    for code in ("1.1", "1.3", "2.4", "4.1"):
        assert len({ladder[code], chapter[code], efficiency[code]}) == 3, code
    assert "青年教师" in ladder["2.4"] and "积极分子" in chapter["2.4"] and "窗口" in efficiency["4.1"]


def test_the_guide_plan_scores_what_committees_do_not_branch_duties(cycle_cast):
    """引航计划: no item measured from 三会一课 or the branches' own filing; its own measures instead."""
    sources = set(cycle_cast.tables["guide"].indicators.exclude(source="").values_list("source", flat=True))
    assert not sources & {"meetings", "timeliness", "posts", "guide_actions"}
    assert {
        "committee_meetings",
        "democratic_life",
        "decisions",
        "review_timely",
        "branch_compliance",
        "branch_grades",
        "approvals",
        "own_posts",
    } <= sources


def test_export_then_import_round_trips_exactly(cycle_cast):
    table = cycle_cast.tables["ladder"]
    before = snapshot(table)
    data = indicator_table_export(table=table)
    report = indicator_table_import(table=table, data=data, filename="t.xlsx", by=cycle_cast.zzb)
    assert report.ok, report.errors
    assert snapshot(table) == before
    assert indicator_table_export(table=table) != b""
    # into an empty table of another year: the same content
    empty = IndicatorTable.objects.create(year=2030, programme="ladder", title="空表")
    assert indicator_table_import(table=empty, data=data, filename="t.xlsx", by=cycle_cast.zzb).ok
    assert snapshot(empty) == before


def _book(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_bad_file_is_refused_whole_with_row_reasons(cycle_cast):
    table = cycle_cast.tables["ladder"]
    before = snapshot(table)
    rows = [
        list(r)
        for r in load_workbook(io.BytesIO(indicator_table_export(table=table))).active.iter_rows(
            values_only=True
        )
    ]
    rows[2][4] = "很多"  # points not a number
    rows[3][5] = "必做"  # unknown kind
    rows[4][1] = "9"  # no such first-level item
    rows[5][0] = rows[6][0]  # duplicate code
    report = indicator_table_import(table=table, data=_book(rows), filename="t.xlsx", by=cycle_cast.zzb)
    assert not report.ok
    where = {(e.row, e.column[:1]) for e in report.errors}
    assert {(3, "E"), (4, "F"), (5, "B")} <= where
    assert any(e.row == 7 for e in report.errors)
    assert snapshot(table) == before  # nothing changed
    assert not indicator_table_import(
        table=table, data=b"not a workbook", filename="t.xlsx", by=cycle_cast.zzb
    ).ok
    assert not indicator_table_import(
        table=table, data=_book([["编码"]]), filename="t.xlsx", by=cycle_cast.zzb
    ).ok


def test_the_total_must_stay_100_and_used_items_cannot_be_dropped(cycle_cast):
    table = cycle_cast.tables["ladder"]
    rows = [
        list(r)
        for r in load_workbook(io.BytesIO(indicator_table_export(table=table))).active.iter_rows(
            values_only=True
        )
    ]
    rows[2][4] = 1  # 1.1 from 5 to 1 points: basic total 96
    report = indicator_table_import(table=table, data=_book(rows), filename="t.xlsx", by=cycle_cast.zzb)
    assert not report.ok and "100" in report.errors[0].message
    assessment_cycles_advance(today=day(6, 10))
    rows = [
        list(r)
        for r in load_workbook(io.BytesIO(indicator_table_export(table=table))).active.iter_rows(
            values_only=True
        )
    ]
    del rows[2]  # 1.1 is used by branch A's assessment now
    report = indicator_table_import(table=table, data=_book(rows), filename="t.xlsx", by=cycle_cast.zzb)
    assert not report.ok


def test_only_zzb_edits_tables(cycle_cast):
    c = cycle_cast
    table = c.tables["ladder"]
    for user in (c.officer, c.alice, c.charlie):
        with pytest.raises(PermissionDenied):
            indicator_save(table=table, by=user, code="7", title="新", max_points=D(0), kind="bonus")
        assert login(user).get(reverse("cycle:table", args=[table.pk])).status_code == 403
    indicator_save(table=table, by=c.zzb, code="7", title="新增加分", max_points=D(2), kind="bonus")
    assert table.indicators.filter(code="7").exists()
    with pytest.raises(ValidationError):
        indicator_save(table=table, by=c.zzb, code="1.1", title="重复", max_points=D(1), kind="bonus")


def test_table_pages_edit_reorder_export_import(cycle_cast, django_assert_num_queries):
    c = cycle_cast
    table = c.tables["chapter"]
    client = login(c.zzb)
    url = reverse("cycle:table", args=[table.pk])
    client.get(url)
    # session, user, officer check, table, indicators, parent choices (the form's select)
    with django_assert_num_queries(6):
        page = client.get(url)
    assert page.status_code == 200 and b'data-code="2.1"' in page.content
    first = table.indicators.get(code="2")
    client.post(reverse("cycle:indicator_move", args=[first.pk]), {"up": "1"})
    assert [i.code for i in indicators_in_order(table) if not i.parent_id][:2] == ["2", "1"]
    assert (
        client.post(
            url,
            {
                "code": "8",
                "title": "新指标",
                "max_points": "1",
                "kind": "bonus",
                "source": "",
                "target_count": "0",
                "description": "",
            },
        ).status_code
        == 302
    )
    export = client.get(reverse("cycle:table_export", args=[table.pk]))
    assert export.status_code == 200
    upload = SimpleUploadedFile("t.xlsx", export.content)
    assert client.post(reverse("cycle:table_import", args=[table.pk]), {"file": upload}).status_code == 302
    bad = SimpleUploadedFile(
        "t.xlsx",
        _book(
            [
                list(("编码", "上级编码", "指标", "说明", "分值", "类型", "数据来源", "满分数量")),
                ["1", "", "", "", "x", "?", "", ""],
            ]
        ),
    )
    refused = client.post(reverse("cycle:table_import", args=[table.pk]), {"file": bad})
    assert refused.status_code == 422 and b'id="import-errors"' in refused.content


def test_a_unit_plans_its_own_actions_and_the_committee_approves(cycle_cast):
    c = cycle_cast
    under = c.tables["ladder"].indicators.get(code="5")
    item = plan_item_save(
        organization=c.branch_a,
        by=c.alice,
        indicator=under,
        title="红色领航工作室",
        target="开展活动不少于6次",
        max_points=D(3),
    )
    with pytest.raises(PermissionDenied):
        plan_item_save(
            organization=c.branch_a, by=c.charlie, indicator=under, title="x", target="y", max_points=D(1)
        )
    assert plan_submit(organization=c.branch_a, by=c.alice, year=2026) == 1
    with pytest.raises(PermissionDenied):  # the branch cannot approve its own plan
        plan_item_decide(item=PlanItem.objects.get(pk=item.pk), by=c.alice, approve=True)
    with pytest.raises(ValidationError):  # returning needs a reason
        plan_item_decide(item=PlanItem.objects.get(pk=item.pk), by=c.officer, approve=False)
    plan_item_decide(item=PlanItem.objects.get(pk=item.pk), by=c.officer, approve=True)
    assessment_cycles_advance(today=day(6, 10))
    a = Assessment.objects.get(organization=c.branch_a)
    planned = a.items.get(plan_item=item)
    assert planned.kind == "optional" and planned.max_points == D(3)


def test_plan_page(cycle_cast):
    c = cycle_cast
    url = reverse("cycle:plan", args=[c.branch_a.pk, 2026])
    under = c.tables["ladder"].indicators.get(code="5")
    alice = login(c.alice)
    assert (
        alice.post(
            url, {"indicator": under.pk, "title": "志愿服务", "target": "不少于4次", "max_points": "2"}
        ).status_code
        == 302
    )
    assert alice.post(url, {"submit_plan": "1"}).status_code == 302
    item = PlanItem.objects.get(organization=c.branch_a)
    assert item.status == "submitted"
    officer = login(c.officer)
    assert b"decide" in officer.get(url).content
    officer.post(url, {"decide": item.pk, "approve": "0", "reason": "目标不够具体"})
    item.refresh_from_db()
    assert item.status == "returned" and item.return_reason == "目标不够具体"
    assert login(c.charlie).get(url).status_code == 403


def test_a_returned_plan_item_keeps_the_reason_and_the_decider_on_the_review_step(cycle_cast):
    # plan_item_decide's return is branches.review's step (issue 15): refusals in its order, the reason
    # without its blanks, the decider on the item and on the one history row; submitted again, approved.
    c = cycle_cast
    item = plan_item_save(
        organization=c.branch_a,
        by=c.alice,
        indicator=c.tables["ladder"].indicators.get(code="5"),
        title="红色领航工作室",
        target="开展活动不少于6次",
        max_points=D(3),
    )
    with pytest.raises(
        ValidationError, match=re.escape(_("Only an item awaiting approval can be approved or returned."))
    ):
        plan_item_decide(item=PlanItem.objects.get(pk=item.pk), by=c.officer, approve=False, reason="")
    plan_submit(organization=c.branch_a, by=c.alice, year=2026)
    with pytest.raises(ValidationError, match=re.escape(_("Give a reason for returning the item."))):
        plan_item_decide(item=PlanItem.objects.get(pk=item.pk), by=c.officer, approve=False, reason=" ")
    rows = item.history.count()
    plan_item_decide(
        item=PlanItem.objects.get(pk=item.pk), by=c.officer, approve=False, reason=" 目标不可衡量 "
    )
    item.refresh_from_db()
    assert (item.status, item.return_reason, item.decided_by) == (
        PlanItem.Status.RETURNED,
        "目标不可衡量",
        c.officer,
    )
    assert item.history.count() == rows + 1
    assert item.history.order_by("-history_id").first().history_user == c.officer
    assert plan_submit(organization=c.branch_a, by=c.alice, year=2026) == 1
    approved = plan_item_decide(item=PlanItem.objects.get(pk=item.pk), by=c.officer, approve=True)
    assert (approved.status, approved.return_reason) == (PlanItem.Status.APPROVED, "")
