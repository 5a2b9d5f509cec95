"""The 党内统计 layouts edited by the 组织部 in the portal (issue 21): reorder and rename rows and columns,
reset to the default, every key checked, history kept; a branch secretary or a committee is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from branches.models import Role
from branches.services import role_assign
from members.models import SheetLayout, StatTable
from members.services.layouts import sheet_layout_update, stat_table_reset, stat_table_update
from members.stat_defaults import SHEETS, TABLES
from tests.conftest import login
from tests.factories import UserFactory


@pytest.fixture
def zzb(cast):
    user = UserFactory(username="zzb")
    role_assign(user=user, organization=cast.university, kind=Role.Kind.OFFICER)
    return user


def _default(code):
    return next(t for t in TABLES if t["code"] == code)


def test_a_branch_secretary_and_a_committee_are_refused(cast, zzb):
    table = StatTable.objects.get(code="left")
    sheet = SheetLayout.objects.get(kind="members")
    urls = [
        reverse("members:stat_layouts"),
        reverse("members:stat_table_edit", args=[table.pk]),
        reverse("members:sheet_layout_edit", args=[sheet.pk]),
    ]
    for user in (cast.alice, cast.officer, cast.bob):
        for url in urls:
            assert login(user).get(url).status_code == 403, (user, url)
        assert login(user).post(urls[1], {"reset": "1"}).status_code == 403
    for url in urls:
        assert login(zzb).get(url).status_code == 200
    assert login(zzb).get(reverse("members:stat_table_edit", args=[999999])).status_code == 404
    with pytest.raises(PermissionDenied):
        stat_table_reset(table=table, by=cast.alice)
    # The statistics page links the layouts for the 组织部 only.
    home = reverse("members:statistics", args=[cast.branch_a.pk])
    assert 'id="edit-layouts"' in login(zzb).get(home).content.decode()
    assert 'id="edit-layouts"' not in login(cast.alice).get(home).content.decode()


def test_the_officer_reorders_and_renames_then_resets(cast, zzb):
    table = StatTable.objects.get(code="left")
    client = login(zzb)
    url = reverse("members:stat_table_edit", args=[table.pk])
    page = client.get(url).content.decode()
    assert "left:died = 死亡" in page and 'id="layout-reset"' in page
    response = client.post(
        url,
        {
            "title": "党员减少情况",
            "rows": "left:withdrew = 退党\nleft:died = 逝世\n\ntotal = 合计",
            "columns": "total = 总数",
            "rules": "按离开前所在党支部统计。",
            "order": 131,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    table.refresh_from_db()
    assert table.title == "党员减少情况"
    assert table.rows == [["left:withdrew", "退党"], ["left:died", "逝世"], ["total", "合计"]]
    assert table.columns == [["total", "总数"]] and table.order == 131
    assert table.history.first().history_user == zzb
    # Back to the default, with one click; the history says so.
    assert client.post(url, {"reset": "1"}).status_code == 302
    table.refresh_from_db()
    default = _default("left")
    assert (table.title, table.rows, table.columns, table.order) == (
        default["title"],
        default["rows"],
        default["columns"],
        default["order"],
    )
    assert table.history.first().history_change_reason == "reset to default"
    assert 'id="layout-history"' in client.get(url).content.decode()


def test_unknown_keys_and_bad_lines_are_refused(cast, zzb):
    table = StatTable.objects.get(code="left")
    client = login(zzb)
    url = reverse("members:stat_table_edit", args=[table.pk])
    base = {"title": "t", "rows": "total = 合计", "columns": "total = 合计", "rules": "", "order": 1}
    for data in (
        {"rows": "gender:X = 其他"},  # a key the subject does not know
        {"rows": "total 合计"},  # no "="
        {"rows": ""},
        {"columns": "total = " + "长" * 61},
        {"title": ""},
        {"order": 1000},
    ):
        response = client.post(url, {**base, **data})
        assert response.status_code == 400, data
    table.refresh_from_db()
    assert table.rows == _default("left")["rows"]
    with pytest.raises(ValidationError):
        stat_table_update(
            table=table,
            by=zzb,
            title="t",
            rows=[["total", "合计"]] * 61,
            columns=[["total", "x"]],
            rules="",
            order=1,
            is_active=True,
        )


def test_the_sheet_columns_and_their_reset(cast, zzb):
    sheet = SheetLayout.objects.get(kind="members")
    client = login(zzb)
    url = reverse("members:sheet_layout_edit", args=[sheet.pk])
    response = client.post(url, {"title": "党员信息", "columns": "name = 姓名 *\nphone = 联系电话"})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.columns == [["name", "姓名", True], ["phone", "联系电话", False]]
    assert client.post(url, {"title": "x", "columns": "salary = 工资"}).status_code == 400
    with pytest.raises(PermissionDenied):
        sheet_layout_update(layout=sheet, by=cast.alice, title="x", columns=[["name", "姓名", True]])
    assert client.post(url, {"reset": "1"}).status_code == 302
    sheet.refresh_from_db()
    assert sheet.columns == next(s for s in SHEETS if s["kind"] == "members")["columns"]
