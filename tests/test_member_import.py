"""The member spreadsheet: ``members.services.member_import`` and the import/export views.

Its own small tree, so it does not depend on the shared cast:

    university IMP-U
    ├── committee IMP-C1          ← officer: organizer
    │   ├── branch IMP-A1 (teachers)   ← secretary_a: secretary
    │   └── branch IMP-A2 (students)
    └── committee IMP-C2
        └── branch IMP-B1 (teachers)   ← secretary_b: secretary

Columns of the files built here (tests.xlsx_helpers.HEADERS): A 姓名, B 性别, C 民族, D 出生日期, E 身份证号,
F 手机号, G 人员类别, H 发展阶段, I 所在支部编码, J 申请入党日期, K 入党日期, L 转正日期.
"""

from __future__ import annotations

import datetime
import io
import math
import re
import zipfile
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from branches.models import Organization, Role
from branches.services import organization_create, role_assign
from members.models import Member
from members.services import ImportReport, member_import
from tests.xlsx_helpers import (
    HEADERS,
    bad_checksum,
    build_xlsx,
    id_number,
    member_row,
    read_xlsx_rows,
    with_dimension,
)

pytestmark = pytest.mark.django_db

K = Organization.Kind


@dataclass
class Tree:
    university: Organization
    c1: Organization
    c2: Organization
    a1: Organization
    a2: Organization
    b1: Organization
    officer: object
    secretary_a: object
    secretary_b: object


@pytest.fixture
def tree(db) -> Tree:
    university = organization_create(parent=None, kind=K.UNIVERSITY, name="导入测试大学党委", code="IMP-U")
    c1 = organization_create(parent=university, kind=K.COMMITTEE, name="计算机学院党委", code="IMP-C1")
    c2 = organization_create(parent=university, kind=K.COMMITTEE, name="文学院党委", code="IMP-C2")
    a1 = organization_create(
        parent=c1, kind=K.BRANCH, name="计算机学院教工党支部", code="IMP-A1", category="teacher"
    )
    a2 = organization_create(
        parent=c1, kind=K.BRANCH, name="计算机学院学生党支部", code="IMP-A2", category="student"
    )
    b1 = organization_create(
        parent=c2, kind=K.BRANCH, name="文学院教工党支部", code="IMP-B1", category="teacher"
    )
    users = get_user_model().objects
    officer = users.create_user(username="imp-officer", password="pass-1234")
    secretary_a = users.create_user(username="imp-secretary-a", password="pass-1234")
    secretary_b = users.create_user(username="imp-secretary-b", password="pass-1234")
    role_assign(user=officer, organization=c1, kind=Role.Kind.ORGANIZER)
    role_assign(user=secretary_a, organization=a1, kind=Role.Kind.SECRETARY)
    role_assign(user=secretary_b, organization=b1, kind=Role.Kind.SECRETARY)
    return Tree(university, c1, c2, a1, a2, b1, officer, secretary_a, secretary_b)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def good_rows(n: int, *, branch_code: str = "IMP-A1", start: int = 0) -> list[dict]:
    return [member_row(i, branch_code=branch_code) for i in range(start, start + n)]


OFFICER = object()  # run_import's default importer: the tree's officer


def run_import(
    tree: Tree, data: bytes, *, filename: str = "members.xlsx", scope=None, by=OFFICER
) -> ImportReport:
    """Import ``data`` into IMP-C1 as its officer unless told otherwise (``by=None``: a trusted caller)."""
    return member_import(
        data=data, filename=filename, scope=scope or tree.c1, by=tree.officer if by is OFFICER else by
    )


def where(report: ImportReport) -> list[tuple[int | None, str]]:
    return [(e.row, e.column) for e in report.errors]


# --- a good file ------------------------------------------------------------------------------------


def test_good_file_creates_members_with_history(tree):
    rows = good_rows(3) + [
        member_row(
            3,
            branch_code="IMP-A2",
            人员类别="学生",
            发展阶段="入党申请人",
            入党日期=None,
            转正日期=None,
            手机号=None,
        )
    ]

    report = run_import(tree, build_xlsx(rows))

    assert report.ok, report.errors
    assert (report.created, report.updated) == (4, 0)
    assert Member.objects.count() == 4
    assert Member.history.count() == 4
    assert set(Member.history.values_list("history_type", "history_user_id", "history_change_reason")) == {
        ("+", tree.officer.pk, "import")
    }
    first = Member.objects.get(id_number=rows[0]["身份证号"])
    assert (first.name, first.gender, first.category, first.stage, first.branch) == (
        "党员00000",
        "M",
        "teacher",
        "full",
        tree.a1,
    )
    assert (first.birth_date, first.joined_on, first.full_on) == (
        datetime.date(1960, 1, 1),
        datetime.date(2001, 7, 1),
        datetime.date(2002, 7, 1),
    )
    applicant = Member.objects.get(id_number=rows[3]["身份证号"])
    assert (applicant.gender, applicant.category, applicant.stage, applicant.branch, applicant.phone) == (
        "F",
        "student",
        "applicant",
        tree.a2,
        "",
    )


def test_cells_typed_as_numbers_and_excel_dates_are_read(tree):
    """Excel gives a typed phone as a number and a formatted date as a datetime; both must import."""
    row = member_row(
        0,
        branch_code="IMP-A1",
        手机号=13812345678,
        出生日期=datetime.datetime(1985, 3, 9),
        入党日期=datetime.date(2010, 7, 1),
        转正日期="2011/07/01",
        身份证号=None,
    )
    row["身份证号"] = id_number(datetime.date(1985, 3, 9), 17).lower()  # a lower-case x is accepted too

    report = run_import(tree, build_xlsx([row]))

    assert report.ok, report.errors
    member = Member.objects.get()
    assert (member.phone, member.birth_date, member.joined_on, member.full_on) == (
        "13812345678",
        datetime.date(1985, 3, 9),
        datetime.date(2010, 7, 1),
        datetime.date(2011, 7, 1),
    )


def test_reimporting_the_same_file_updates_instead_of_duplicating(tree):
    rows = good_rows(3)
    assert run_import(tree, build_xlsx(rows)).created == 3
    rows[1]["姓名"] = "改名的党员"

    report = run_import(tree, build_xlsx(rows))

    assert report.ok, report.errors
    assert (report.created, report.updated) == (0, 3)
    assert Member.objects.count() == 3
    assert Member.objects.get(id_number=rows[1]["身份证号"]).name == "改名的党员"
    assert Member.history.filter(history_type="~").count() == 3
    assert Member.history.count() == 6


def test_exported_file_imports_back_as_updates(tree):
    """The export has an extra read-only 所在支部 column; the same file must import back unchanged."""
    run_import(tree, build_xlsx(good_rows(2)))
    exported = client_for(tree.officer).get(reverse("members:export", args=[tree.c1.pk])).content

    report = run_import(tree, exported)

    assert report.ok, report.errors
    assert (report.created, report.updated) == (0, 2)


# --- a bad file: every error, nothing written ---------------------------------------------------------


def test_bad_file_reports_every_error_with_row_and_column_and_writes_nothing(tree):
    outsider_id = id_number(datetime.date(1980, 1, 1), 500)
    Member.objects.create(
        name="外院党员",
        gender="M",
        birth_date=datetime.date(1980, 1, 1),
        id_number=outsider_id,
        category="teacher",
        stage="full",
        joined_on=datetime.date(2005, 7, 1),
        branch=tree.b1,
    )
    today = timezone.localdate()
    ten_years_ago = today.replace(year=today.year - 10, day=1)
    wrong_check = bad_checksum(member_row(12, branch_code="")["身份证号"])
    good = good_rows(2)
    rows = [
        good[0],  # row 2
        member_row(10, branch_code="IMP-A1", 性别="男性"),  # 3: not a gender label
        member_row(11, branch_code="IMP-A1", 出生日期="1990-02-30"),  # 4: no such day
        member_row(12, branch_code="IMP-A1", 身份证号=wrong_check),  # 5: bad check character
        member_row(13, branch_code="NOPE"),  # 6: no such branch
        member_row(14, branch_code="IMP-B1"),  # 7: a branch outside IMP-C1
        member_row(15, branch_code="IMP-A1", 身份证号=good[0]["身份证号"]),  # 8: row 2's ID number again
        member_row(16, branch_code="IMP-A1", 发展阶段="预备党员", 入党日期=None, 转正日期=None),  # 9
        member_row(17, branch_code="IMP-A1", 出生日期=ten_years_ago.isoformat()),  # 10: under 18
        member_row(18, branch_code="IMP-A1", 手机号="12345"),  # 11
        member_row(19, branch_code="IMP-A1", 性别="?", 人员类别="工人"),  # 12: two bad columns
        member_row(20, branch_code="IMP-A1", 身份证号=outsider_id),  # 13: a member of IMP-C2
        good[1],  # row 14
    ]
    members_before, history_before = Member.objects.count(), Member.history.count()

    report = run_import(tree, build_xlsx(rows))

    assert not report.ok
    assert where(report) == [
        (3, "B（性别）"),
        (4, "D（出生日期）"),
        (5, "E（身份证号）"),
        (6, "I（所在支部编码）"),
        (7, "I（所在支部编码）"),
        (8, "E（身份证号）"),
        (9, "K（入党日期）"),
        (10, "D（出生日期）"),
        (11, "F（手机号）"),
        (12, "B（性别）"),
        (12, "G（人员类别）"),
        (13, "E（身份证号）"),
    ]
    assert all(e.message.strip() for e in report.errors)
    by_place = {(e.row, e.column): e.message for e in report.errors}
    assert by_place[(5, "E（身份证号）")] == "身份证号应为18位且校验位正确。"
    assert by_place[(11, "F（手机号）")] == "手机号应为以1开头的11位数字。"
    assert "男性" in by_place[(3, "B（性别）")]  # the bad value is quoted back
    assert "NOPE" in by_place[(6, "I（所在支部编码）")]
    assert "IMP-B1" in by_place[(7, "I（所在支部编码）")]
    assert (report.created, report.updated) == (0, 0)
    assert (Member.objects.count(), Member.history.count()) == (members_before, history_before)


def test_only_the_last_of_many_rows_bad_writes_nothing(tree):
    """2,100 rows cross the resource's batch size (2,000), so a first batch is inserted before the bad row."""
    rows = good_rows(2100)
    rows[-1] = member_row(2099, branch_code="IMP-A1", 出生日期="not a date")

    report = run_import(tree, build_xlsx(rows))

    assert where(report) == [(2101, "D（出生日期）")]
    assert Member.objects.count() == 0
    assert Member.history.count() == 0


def test_a_wrong_sheet_dimension_does_not_drop_rows(tree):
    """openpyxl's read-only mode trusts the sheet's <dimension>: A1:L10 must not cut 50 rows to 9."""
    data = with_dimension(build_xlsx(good_rows(50)), "A1:L10")

    report = run_import(tree, data)

    assert report.ok, report.errors
    assert report.created == 50


def test_blank_rows_keep_the_row_numbers_true(tree):
    rows = [good_rows(1)[0], {}, member_row(1, branch_code="IMP-A1", 性别="X"), {}, {}]

    report = run_import(tree, build_xlsx(rows))

    assert (4, "B（性别）") in where(report)
    assert not [e for e in report.errors if e.row and e.row > 4]  # trailing blank rows are dropped
    assert Member.objects.count() == 0


def test_a_blank_row_between_data_rows_is_skipped(tree):
    rows = [good_rows(1)[0], {}, good_rows(1, start=1)[0]]

    report = run_import(tree, build_xlsx(rows))

    assert report.ok, report.errors
    assert report.created == 2


# --- whole-file refusals ----------------------------------------------------------------------------


def test_missing_required_columns_is_one_whole_file_error(tree):
    headers = [h for h in HEADERS if h not in ("性别", "出生日期")]

    report = run_import(tree, build_xlsx(good_rows(2), headers=headers))

    assert where(report) == [(None, "")]
    assert "性别" in report.errors[0].message and "出生日期" in report.errors[0].message
    assert Member.objects.count() == 0


def test_missing_id_number_column_is_a_whole_file_error(tree):
    """Rows are matched to members by ID number, so its column is required (its cells may be blank)."""
    report = run_import(tree, build_xlsx(good_rows(2), headers=[h for h in HEADERS if h != "身份证号"]))

    assert where(report) == [(None, "")]
    assert "身份证号" in report.errors[0].message
    assert Member.objects.count() == 0


def test_header_only_file_is_refused(tree):
    report = run_import(tree, build_xlsx([]))

    assert where(report) == [(None, "")]
    assert report.errors[0].message


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        pytest.param("members.csv", "姓名,性别\n张三,男\n".encode(), id="csv-name"),
        pytest.param("members.xlsx", bytes(range(256)) * 8, id="random-bytes"),
        pytest.param("members.xlsx", b"", id="empty"),
    ],
)
def test_a_file_that_is_not_xlsx_is_refused(tree, filename, data):
    report = run_import(tree, data, filename=filename)

    assert where(report) == [(None, "")]
    assert report.errors[0].message
    assert Member.objects.count() == 0


def test_a_zip_that_is_not_a_workbook_is_refused(tree):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")

    report = run_import(tree, buffer.getvalue())

    assert where(report) == [(None, "")]
    assert report.errors[0].message


def test_an_oversized_file_is_refused(tree, settings):
    data = build_xlsx(good_rows(50))
    settings.MEMBER_IMPORT_MAX_BYTES = len(data) - 1

    report = run_import(tree, data)

    assert where(report) == [(None, "")]
    assert report.errors[0].message
    assert Member.objects.count() == 0


def test_too_many_rows_is_refused(tree, settings):
    settings.MEMBER_IMPORT_MAX_ROWS = 5

    report = run_import(tree, build_xlsx(good_rows(6)))

    assert where(report) == [(None, "")]
    assert "5" in report.errors[0].message
    assert Member.objects.count() == 0


@pytest.mark.parametrize("far_cell", ["XFD1048576", "CA2", "A60000", "BZ60000"])
def test_a_tiny_file_with_a_far_away_cell_is_refused_not_expanded(tree, far_cell):
    """The reader fills a dense grid up to the last cell: a 5 KB file naming XFD1048576 must be refused
    before it is read, or it would ask for hundreds of gigabytes."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(list(HEADERS))
    book.active[far_cell] = "x"
    buffer = io.BytesIO()
    book.save(buffer)

    report = run_import(tree, buffer.getvalue())

    assert where(report) == [(None, "")]
    assert report.errors[0].message
    assert Member.objects.count() == 0


def test_a_cell_whose_reference_lies_below_its_row_is_refused(tree):
    """A cell may name a row far below the <row> it sits in; the grid would still reach that row."""
    data = build_xlsx(good_rows(1))
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                content = content.replace(b'<c r="A2"', b'<c r="A300000"', 1)
            target.writestr(info, content)

    report = run_import(tree, buffer.getvalue())

    assert where(report) == [(None, "")]
    assert Member.objects.count() == 0


def test_a_zip_bomb_in_the_shared_strings_is_refused(tree, settings):
    data = build_xlsx(good_rows(1))
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        target.writestr("xl/padding.xml", b" " * (21 * settings.MEMBER_IMPORT_MAX_BYTES))

    report = run_import(tree, buffer.getvalue())

    assert where(report) == [(None, "")]
    assert Member.objects.count() == 0


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","点我")', "+1+1", "@SUM(A1)", "-2+3"])
def test_formula_like_text_is_refused(tree, name):
    report = run_import(tree, build_xlsx([member_row(0, branch_code="IMP-A1", 姓名=name)]))

    assert where(report) == [(2, "A（姓名）")]
    assert Member.objects.count() == 0


def test_service_refuses_a_user_without_manage_members_on_the_scope(tree):
    with pytest.raises(PermissionDenied):
        run_import(tree, build_xlsx(good_rows(1)), scope=tree.c2, by=tree.officer)
    assert Member.objects.count() == 0


# --- queries ----------------------------------------------------------------------------------------


# Statements of a successful import other than the bulk INSERTs, the same for any number of rows (inside
# the test's transaction, so every atomic block is a savepoint):
#   1 SELECT   the officer's manage_members on the scope (organization_permission_holds)
#   2 SAVEPOINT the service's transaction.atomic
#   3 SAVEPOINT import_data (use_transactions)
#   4 SAVEPOINT before_import
#   5 SELECT   the scope's active branches, by code
#   6 SELECT   the members the file's ID numbers already name
#   7 RELEASE  before_import
#   8 SAVEPOINT the final bulk write (bulk_create / bulk_update / bulk_delete)
#     ...      the member INSERT batches, then the history INSERT batches
#   9 RELEASE  the bulk write
#  10 SAVEPOINT after_import
#  11 RELEASE  after_import
#  12 RELEASE  import_data
#  13 RELEASE  the service's atomic
#  (PostgreSQL only) SELECT setval(…)  import-export's after_import resets the id sequence after inserts
def fixed_import_queries() -> int:
    return 13 + (1 if connection.vendor == "postgresql" else 0)


def insert_batches(rows: int) -> int:
    """INSERT statements for ``rows`` new members and their history rows. The backend splits a bulk insert
    by its parameter limit (SQLite: 999 parameters, so 58 members or 45 history rows per statement)."""
    dummies = [None] * rows
    member_fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
    history_fields = [f for f in Member.history.model._meta.concrete_fields if not f.primary_key]
    return math.ceil(rows / connection.ops.bulk_batch_size(member_fields, dummies)) + math.ceil(
        rows / connection.ops.bulk_batch_size(history_fields, dummies)
    )


def _queries_of_import(tree: Tree, rows: int) -> list[str]:
    data = build_xlsx(good_rows(rows))
    with CaptureQueriesContext(connection) as ctx:
        report = run_import(tree, data)
    assert report.ok and report.created == rows, report.errors
    Member.history.all().delete()
    Member.objects.all().delete()
    return [q["sql"] for q in ctx.captured_queries]


def _is_insert(sql: str) -> bool:
    # Django logs an executemany as "<n> times: INSERT …".
    return re.sub(r"^\s*\d+ times: ", "", sql).lstrip().upper().startswith("INSERT")


def test_import_queries_do_not_grow_with_rows(tree):
    """No query per row: apart from the backend's INSERT batches, 20 and 200 rows run the same statements."""
    small, large = _queries_of_import(tree, 20), _queries_of_import(tree, 200)

    fixed_small, fixed_large = (sum(not _is_insert(q) for q in queries) for queries in (small, large))
    assert fixed_small == fixed_large == fixed_import_queries()
    # At most the backend's batches (an executemany, logged as one statement, would be fewer).
    assert sum(map(_is_insert, small)) <= insert_batches(20)
    assert sum(map(_is_insert, large)) <= insert_batches(200)


def test_import_of_200_rows_query_count(tree, django_assert_max_num_queries):
    data = build_xlsx(good_rows(200))

    with django_assert_max_num_queries(fixed_import_queries() + insert_batches(200)):
        report = run_import(tree, data)

    assert report.created == 200


def test_reimport_of_200_rows_reads_existing_members_in_one_query(tree):
    data = build_xlsx(good_rows(200))
    run_import(tree, data)

    with CaptureQueriesContext(connection) as ctx:
        report = run_import(tree, data)

    assert report.updated == 200
    selects = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    # the permission, the branches, the existing members: nothing per row
    assert len(selects) == 3


# --- the import view --------------------------------------------------------------------------------


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(data: bytes, name: str = "members.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX_TYPE)


def test_import_page_shows_for_a_committee_officer(tree):
    response = client_for(tree.officer).get(reverse("members:import"))

    assert response.status_code == 200


def test_officer_imports_into_own_committee(tree):
    response = client_for(tree.officer).post(
        reverse("members:import"), {"scope": tree.c1.pk, "file": upload(build_xlsx(good_rows(3)))}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("members:import")
    assert Member.objects.filter(branch__in=[tree.a1, tree.a2]).count() == 3


def test_officer_cannot_choose_another_committee(tree):
    rows = good_rows(3, branch_code="IMP-B1")

    response = client_for(tree.officer).post(
        reverse("members:import"), {"scope": tree.c2.pk, "file": upload(build_xlsx(rows))}
    )

    assert response.status_code == 400
    assert "scope" in response.context["form"].errors
    assert Member.objects.count() == 0


def test_a_bad_file_through_the_view_is_400_with_the_report(tree):
    rows = [member_row(0, branch_code="IMP-A1", 性别="X")]

    response = client_for(tree.officer).post(
        reverse("members:import"), {"scope": tree.c1.pk, "file": upload(build_xlsx(rows))}
    )

    assert response.status_code == 400
    assert where(response.context["report"]) == [(2, "B（性别）")]
    assert Member.objects.count() == 0


def test_a_csv_through_the_view_is_refused_by_the_form(tree):
    response = client_for(tree.officer).post(
        reverse("members:import"), {"scope": tree.c1.pk, "file": upload(b"a,b\n1,2\n", name="members.csv")}
    )

    assert response.status_code == 400
    assert "file" in response.context["form"].errors
    assert Member.objects.count() == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_branch_secretary_may_not_import(tree, method):
    client = client_for(tree.secretary_a)
    data = {"scope": tree.a1.pk, "file": upload(build_xlsx(good_rows(1)))} if method == "post" else None

    response = getattr(client, method)(reverse("members:import"), data)

    assert response.status_code == 403
    assert Member.objects.count() == 0


def test_branch_secretary_may_not_download_the_template(tree):
    assert client_for(tree.secretary_a).get(reverse("members:import_template")).status_code == 403


def test_template_download_has_the_import_columns(tree):
    response = client_for(tree.officer).get(reverse("members:import_template"))

    assert response.status_code == 200
    header = tuple(read_xlsx_rows(response.content)[0])
    assert header[: len(HEADERS)] == HEADERS
    # The optional columns follow, among them the 党内统计 fields (issue 21).
    assert {"学历", "工作岗位", "在读层次"} <= set(header[len(HEADERS) :])


def test_import_view_wrong_method(tree):
    assert client_for(tree.officer).put(reverse("members:import")).status_code == 405


def test_import_view_anonymous_is_sent_to_login(tree):
    response = Client().get(reverse("members:import"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- the export view --------------------------------------------------------------------------------


def test_officer_exports_only_their_subtree(tree):
    run_import(tree, build_xlsx(good_rows(2) + good_rows(1, branch_code="IMP-A2", start=2)))
    run_import(tree, build_xlsx(good_rows(2, branch_code="IMP-B1", start=10)), scope=tree.c2, by=None)
    assert Member.objects.count() == 5

    response = client_for(tree.officer).get(reverse("members:export", args=[tree.c1.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    header, *rows = read_xlsx_rows(response.content)
    ids = {row[header.index("身份证号")] for row in rows}
    in_c1 = Member.objects.filter(branch__in=[tree.a1, tree.a2])
    assert ids == set(in_c1.values_list("id_number", flat=True))
    assert {row[header.index("所在支部编码")] for row in rows} == {"IMP-A1", "IMP-A2"}


def test_export_of_another_committee_is_403(tree):
    client = client_for(tree.secretary_b)

    assert client.get(reverse("members:export", args=[tree.c1.pk])).status_code == 403
    assert client_for(tree.officer).get(reverse("members:export", args=[tree.c2.pk])).status_code == 403


def test_export_wrong_method(tree):
    assert client_for(tree.officer).post(reverse("members:export", args=[tree.c1.pk])).status_code == 405


def test_a_member_moved_by_import_leaves_the_old_party_group(tree):
    assert run_import(tree, build_xlsx([member_row(0, branch_code="IMP-A1")])).ok
    member = Member.objects.get()
    group = organization_create(parent=member.branch, kind="group", name="第一党小组", code="IMP-A1-G1")
    member.party_group = group
    member.save()

    report = run_import(tree, build_xlsx([member_row(0, branch_code="IMP-A2")]))

    assert report.ok and report.updated == 1
    member.refresh_from_db()
    assert member.branch.code == "IMP-A2" and member.party_group is None
    assert member.history.first().branch_id == member.branch_id


def test_a_member_reimported_in_the_same_branch_keeps_the_party_group(tree):
    assert run_import(tree, build_xlsx([member_row(0, branch_code="IMP-A1")])).ok
    member = Member.objects.get()
    member.party_group = organization_create(parent=member.branch, kind="group", name="第一党小组", code="G1")
    member.save()

    assert run_import(tree, build_xlsx([member_row(0, branch_code="IMP-A1", 手机号="13900000000")])).ok

    member.refresh_from_db()
    assert member.party_group is not None and member.phone == "13900000000"
