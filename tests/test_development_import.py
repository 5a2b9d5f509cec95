"""The lifecycle's xlsx imports refuse a bad file whole, naming row and column; exports open (issue 8)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from members.models import DevelopmentCase, DuesPayment, Member, Transfer
from members.services.dues import dues_declare
from members.services.tabular import (
    APPLICANT_COLUMNS,
    DUES_COLUMNS,
    TRANSFER_COLUMNS,
    applicants_import,
    dues_import,
    transfers_import,
)
from tests.xlsx_helpers import build_xlsx, read_xlsx_rows

TODAY = timezone.localdate()


def _applicant(**overrides):
    row = {
        "姓名": "林一",
        "性别": "男",
        "出生日期": "2003-05-01",
        "人员类别": "学生",
        "所在支部编码": "A",
        "申请入党日期": (TODAY - datetime.timedelta(days=20)).isoformat(),
        "谈话日期": TODAY.isoformat(),
    }
    return row | overrides


def test_applicants_import_all_rows(cast):
    data = build_xlsx([_applicant(), _applicant(姓名="林二", 性别="女")], APPLICANT_COLUMNS)
    report = applicants_import(data=data, filename="a.xlsx", scope=cast.c1, by=cast.officer)
    assert report.ok and report.created == 2
    assert DevelopmentCase.objects.filter(last_step=2).count() == 2


def test_applicants_import_refuses_the_whole_file_with_rows_and_columns(cast):
    underage = (TODAY - datetime.timedelta(days=365 * 17)).isoformat()
    data = build_xlsx(
        [
            _applicant(),
            _applicant(姓名="少年", 出生日期=underage),
            _applicant(姓名="错", 所在支部编码="B", 性别="?", 申请入党日期="昨天"),
        ],
        APPLICANT_COLUMNS,
    )
    report = applicants_import(data=data, filename="a.xlsx", scope=cast.c1, by=cast.officer)
    assert not report.ok and report.created == 0
    assert not Member.objects.filter(name__in=["林一", "少年", "错"]).exists()
    where = {(e.row, e.column) for e in report.errors}
    assert (3, "") in where  # the age rule, from the service
    assert (
        (4, "B（性别）") in where and (4, "E（所在支部编码）") in where and (4, "F（申请入党日期）") in where
    )


def test_applicants_import_permission_and_format(cast):
    data = build_xlsx([_applicant()], APPLICANT_COLUMNS)
    with pytest.raises(PermissionDenied):
        applicants_import(data=data, filename="a.xlsx", scope=cast.c1, by=cast.charlie)
    assert not applicants_import(data=b"not a zip", filename="a.xlsx", scope=cast.c1, by=None).ok
    assert not applicants_import(data=data, filename="a.csv", scope=cast.c1, by=None).ok
    missing = applicants_import(data=build_xlsx([["x"]], ["姓名"]), filename="a.xlsx", scope=cast.c1, by=None)
    assert missing.errors[0].row is None


def test_dues_import(cast):
    dues_declare(
        member=cast.bob_member, kind="employee", base=4000, valid_from=datetime.date(2025, 1, 1), by=None
    )
    good = {"姓名": "鲍勃", "月份": "2025-03", "状态": "已交"}
    report = dues_import(
        data=build_xlsx([good, good | {"月份": "2025-04", "状态": "代交", "代交人": "艾丽"}], DUES_COLUMNS),
        filename="d.xlsx",
        scope=cast.branch_a,
        by=cast.alice,
    )
    assert report.ok and DuesPayment.objects.count() == 2
    # A month already recorded (a re-imported file) refuses the whole file: nothing counts twice.
    again = dues_import(
        data=build_xlsx([good | {"月份": "2025-05"}, good], DUES_COLUMNS),
        filename="d.xlsx",
        scope=cast.branch_a,
        by=cast.alice,
    )
    assert not again.ok and (3, "") in {(e.row, e.column) for e in again.errors}
    assert DuesPayment.objects.count() == 2
    unknown = dues_import(
        data=build_xlsx([good | {"姓名": "查理"}], DUES_COLUMNS),
        filename="d.xlsx",
        scope=cast.branch_a,
        by=cast.alice,
    )
    assert unknown.errors[0].column == "A（姓名）"


def test_transfers_import(cast):
    rows = [
        {"姓名": "鲍勃", "类型": "校内转接", "介绍信编号": "T-1", "开具日期": TODAY.isoformat(), "去向": "B"},
        {
            "姓名": "艾丽",
            "类型": "转出",
            "介绍信编号": "T-2",
            "开具日期": TODAY.isoformat(),
            "去向": "某市委组织部",
        },
    ]
    report = transfers_import(
        data=build_xlsx(rows, TRANSFER_COLUMNS), filename="t.xlsx", scope=cast.branch_a, by=cast.alice
    )
    assert report.ok and Transfer.objects.count() == 2
    bad = transfers_import(
        data=build_xlsx([rows[0] | {"去向": "NOPE", "介绍信编号": "T-3"}], TRANSFER_COLUMNS),
        filename="t.xlsx",
        scope=cast.branch_a,
        by=cast.alice,
    )
    assert not bad.ok


def test_import_page_and_exports(cast, as_alice, as_charlie):
    url = reverse("members:lifecycle_import", args=[cast.branch_a.pk])
    assert as_alice.get(url).status_code == 200
    assert as_charlie.get(url).status_code == 403
    upload = SimpleUploadedFile("a.xlsx", build_xlsx([_applicant(所在支部编码="A")], APPLICANT_COLUMNS))
    response = as_alice.post(url, {"what": "development", "file": upload})
    assert response.status_code == 302 and Member.objects.filter(name="林一").exists()
    bad = SimpleUploadedFile("a.xlsx", build_xlsx([_applicant(姓名="林三", 性别="?")], APPLICANT_COLUMNS))
    response = as_alice.post(url, {"what": "development", "file": bad})
    assert response.status_code == 400 and "B（性别）" in response.content.decode()
    export = as_alice.get(reverse("members:development_export", args=[cast.branch_a.pk]))
    rows = read_xlsx_rows(export.content)
    assert rows[0][0] == "姓名" and rows[1][0] == "林一"
    for name, args in (
        ("transfers_export", [cast.branch_a.pk]),
        ("dues_export", [cast.branch_a.pk, 2025]),
        ("lifecycle_import_template", [cast.branch_a.pk, "dues"]),
    ):
        assert as_alice.get(reverse(f"members:{name}", args=args)).status_code == 200
        assert as_charlie.get(reverse(f"members:{name}", args=args)).status_code == 403
