"""The 党内统计 layouts edited by the 组织部 in the portal (issue 21): reorder and rename rows and columns,
reset to the default, every key checked, history kept; a branch secretary or a committee is refused."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from branches.models import Role
from branches.services import role_assign
from members import statistics
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


def _field_errors(page: str) -> list[str]:
    return re.findall(r'<div class="field-error">(.*?)</div>', page)


def test_a_key_given_twice_is_refused_naming_the_line(cast, zzb):
    """Issue 21: "left:died" twice was saved and the report printed both rows with the same count."""
    table = StatTable.objects.get(code="left")
    url = reverse("members:stat_table_edit", args=[table.pk])
    base = {"title": "t", "columns": "total = 合计", "rules": "", "order": 1}
    # A blank line is skipped, yet the message counts the lines as the officer sees them.
    rows = "left:died = 死亡\n\nleft:withdrew = 退党\nleft:died = 病故"
    response = login(zzb).post(url, {**base, "rows": rows})
    assert response.status_code == 400
    assert _field_errors(response.content.decode()) == ["第4行：代码“left:died”已在第1行用过，不能重复"]
    table.refresh_from_db()
    assert table.rows == _default("left")["rows"]
    # The same key as a row and as a column is a table's usual layout (合计 × 合计), and each axis on its own.
    assert (
        login(zzb).post(url, {**base, "rows": "total = 合计", "columns": "total = 合计"}).status_code == 302
    )
    response = login(zzb).post(url, {**base, "rows": "total = 合计", "columns": "total = 合计\ntotal = 总数"})
    assert _field_errors(response.content.decode()) == ["第2行：代码“total”已在第1行用过，不能重复"]
    # The national sheet too: a field is one column.
    sheet = SheetLayout.objects.get(kind="members")
    response = login(zzb).post(
        reverse("members:sheet_layout_edit", args=[sheet.pk]),
        {"title": "x", "columns": "name = 姓名 *\nname = 名字"},
    )
    assert response.status_code == 400
    assert _field_errors(response.content.decode()) == ["第2行：代码“name”已在第1行用过，不能重复"]


def test_each_error_names_its_line_and_what_is_wrong(cast, zzb):
    """Issue 21: an unknown key listed all the keys in the message, an empty name leaked a Python list."""
    table = StatTable.objects.get(code="left")
    url = reverse("members:stat_table_edit", args=[table.pk])
    base = {"title": "t", "columns": "total = 合计", "rules": "", "order": 1}
    rows = (
        "total = 合计\nleft:died = 死亡\nleft:expeled = 开除\nleft:withdrew =\n = 其他\nleft:unknown = "
        + "长" * 61
    )
    response = login(zzb).post(url, {**base, "rows": rows})
    assert response.status_code == 400
    page = response.content.decode()
    assert _field_errors(page) == [
        "第3行：没有这个代码“left:expeled”",
        "第4行：名称不能为空",
        "第5行：缺少代码",
        "第6行：名称最多60个字",
    ]
    assert "[" not in "".join(_field_errors(page))
    # A measure (people per unit) as a row, on an organisations table.
    orgs = StatTable.objects.filter(subject="organizations").first()
    response = login(zzb).post(
        reverse("members:stat_table_edit", args=[orgs.pk]),
        {**base, "rows": "total = 合计\npeople:committee = 委员", "columns": "total = 个数"},
    )
    assert _field_errors(response.content.decode()) == [
        "第2行：“people:committee”统计的是各单位的人数，只能作为列"
    ]
    # The service says the same of its n-th pair, under the axis it is in.
    with pytest.raises(ValidationError) as raised:
        statistics.validate_layout(
            subject="members", rows=[["total", "合计"]], columns=[["total", "合计"], ["gender:X", "?"]]
        )
    assert raised.value.message_dict == {"columns": ["第2行：没有这个代码“gender:X”"]}
    with pytest.raises(ValidationError) as raised:
        statistics.validate_sheet_columns([["name", "姓名", True], ["salary", "", False]])
    assert raised.value.messages == ["第2行：没有这个代码“salary”", "第2行：名称不能为空"]


def test_the_codes_are_listed_with_their_chinese_names(cast, zzb):
    """Issue 21: the age and membership-years bands showed their raw code as their name, and the sheet's
    fields had no name at all."""
    client = login(zzb)
    for code, lines in (
        (
            "members-age",
            ["age:30_and_under = 30岁及以下", "age:41_50 = 41至50岁", "age:71_and_over = 71岁及以上"],
        ),
        (
            "members-years",
            ["years:5_and_under = 5年及以下", "years:6_10 = 6至10年", "years:51_and_over = 51年及以上"],
        ),
    ):
        page = client.get(reverse("members:stat_table_edit", args=[StatTable.objects.get(code=code).pk]))
        keys = page.content.decode().split('id="layout-keys"')[1]
        for line in lines:
            assert f"<code>{line}</code>" in keys, line
    # The names are the defaults' (a band's default label is the name the code gives it).
    labels = {key: str(k.label) for key, k in statistics.MEMBER_KEYS.items()}
    for code in ("members-age", "members-years"):
        for key, label in _default(code)["rows"]:
            if key.startswith(("age:", "years:")):
                assert labels[key] == label, key
    sheet = SheetLayout.objects.get(kind="members")
    keys = client.get(reverse("members:sheet_layout_edit", args=[sheet.pk])).content.decode()
    keys = keys.split('id="layout-keys"')[1]
    for line in ("birth_date = 出生日期", "joined_on = 入党日期", "branch = 所在党支部"):
        assert f"<code>{line}</code>" in keys, line
    assert "<code>phone</code>" not in keys
