"""党内统计 (issue 21): every default table against hand counts on a small tree, as of the year's end and as
of a date inside it; the same total as party_stats and the dashboard; drill-down lists exactly the counted
people; the report task, its progress and its kept result; xlsx in the layout (formula prefixes made inert);
信息完整度; the national sheet's empty-field list; permissions and query counts."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from branches.models import Organization, Role
from branches.services import role_assign
from members import statistics
from members.models import (
    DevelopmentCase,
    DevelopmentStep,
    Member,
    SheetLayout,
    StatReport,
    StatTable,
    Transfer,
)
from members.selectors import party_stats
from members.services.statistics import stat_report_compute, stat_report_request
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory, make_org
from tests.test_celery_worker import worker_queue  # noqa: F401  (the fixture: a real worker on a queue of its own)

K = Organization.Kind
D = datetime.date(2026, 12, 31)
MID = datetime.date(2026, 7, 31)


@pytest.fixture
def january():
    """The 组织部 computes last year's tables in January: the clock on 2027-01-15, Beijing time."""
    import time_machine
    from zoneinfo import ZoneInfo

    with time_machine.travel(datetime.datetime(2027, 1, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


@pytest.fixture
def tree(db):
    """U ─ C1 (teaching) ─ T (teacher), S (student); U ─ C2 ─ R (retiree). Ten people; see each line."""
    u = make_org(None, K.UNIVERSITY, "统计大学党委", code="SU")
    c1 = make_org(u, K.COMMITTEE, "理学院党委", code="SC1", unit_type="teaching")
    c2 = make_org(u, K.COMMITTEE, "离退休党委", code="SC2", unit_type="non_teaching")
    t = make_org(c1, K.BRANCH, "理学院教工党支部", code="ST", category="teacher")
    s = make_org(c1, K.BRANCH, "理学院学生党支部", code="SS", category="student")
    r = make_org(c2, K.BRANCH, "离休党支部", code="SR", category="retiree")
    F, P, A, C = Member.Stage.FULL, Member.Stage.PROBATIONARY, Member.Stage.APPLICANT, Member.Stage.CANDIDATE
    day = datetime.date
    people = {}

    def add(key, branch, **kw):
        people[key] = MemberFactory(branch=branch, name=key, **kw)

    # 1 teacher, man, 36, full since 2016 (11 years), doctorate.
    add(
        "张一",
        t,
        gender="M",
        birth_date=day(1990, 5, 17),
        stage=F,
        joined_on=day(2015, 7, 1),
        full_on=day(2016, 7, 1),
        education="doctorate",
        occupation="professional",
    )
    # 2 teacher, woman of the Hui, 30, admitted 2026 by the upper committee's approval (step 17 on 06-01).
    add(
        "李二",
        t,
        gender="F",
        ethnicity="回族",
        birth_date=day(1996, 1, 10),
        stage=P,
        joined_on=day(2026, 5, 20),
        full_on=None,
        education="master",
        occupation="professional",
    )
    case = DevelopmentCase.objects.create(member=people["李二"], last_step=17, last_step_on=day(2026, 6, 1))
    DevelopmentStep.objects.create(case=case, number=17, done_on=day(2026, 6, 1))
    # 3 student, woman, 23, admitted 2026 (no case: by joining date), education not recorded.
    add(
        "王三",
        s,
        gender="F",
        birth_date=day(2003, 3, 3),
        stage=P,
        joined_on=day(2026, 3, 1),
        full_on=None,
        education="",
        occupation="student",
        student_level="undergraduate",
        category="student",
    )
    # 4 student, man, 25, full since 2025, transferred in (completed 2026-09-10).
    add(
        "赵四",
        s,
        gender="M",
        birth_date=day(2001, 9, 9),
        stage=F,
        joined_on=day(2024, 5, 1),
        full_on=day(2025, 5, 1),
        education="bachelor",
        occupation="student",
        student_level="master",
        category="student",
    )
    Transfer.objects.create(
        member=people["赵四"],
        direction=Transfer.Direction.IN,
        to_branch=s,
        letter_number="Z-1",
        issued_on=day(2026, 9, 1),
        valid_until=day(2026, 12, 1),
        status=Transfer.Status.DONE,
        completed_on=day(2026, 9, 10),
    )
    # 5 retiree, man, 76, member for 51 years.
    add(
        "钱五",
        r,
        gender="M",
        birth_date=day(1950, 2, 2),
        stage=F,
        joined_on=day(1975, 7, 1),
        full_on=day(1976, 7, 1),
        education="secondary",
        occupation="retired",
        category="retiree",
    )
    # 6 retiree, woman, died 2026-08-01: in the members of 07-31, not of 12-31; in the year's departures.
    add(
        "孙六",
        r,
        gender="F",
        birth_date=day(1940, 1, 1),
        stage=F,
        joined_on=day(1965, 7, 1),
        full_on=day(1966, 7, 1),
        occupation="retired",
        category="retiree",
        is_active=False,
        left_on=day(2026, 8, 1),
        left_reason="died",
    )
    # 7 teacher, applicant since 2026-04-01.
    add("周七", t, gender="M", stage=A, joined_on=None, full_on=None, applied_on=day(2026, 4, 1))
    # 8 student, woman, development target since 2026-10-01 (activist in 2025).
    add(
        "吴八",
        s,
        gender="F",
        stage=C,
        joined_on=None,
        full_on=None,
        applied_on=day(2025, 1, 1),
        activist_on=day(2025, 6, 1),
        candidate_on=day(2026, 10, 1),
        category="student",
    )
    # 9 teacher, man, 41, made full 2026-06-01 (no case: by the full-membership date).
    add(
        "郑九",
        t,
        gender="M",
        birth_date=day(1985, 3, 3),
        stage=F,
        joined_on=day(2025, 6, 1),
        full_on=day(2026, 6, 1),
        education="master",
        occupation="management",
    )
    # 10 student, woman, 24, probation extended 2026-04-01.
    add(
        "冯十",
        s,
        gender="F",
        birth_date=day(2002, 2, 2),
        stage=P,
        joined_on=day(2025, 3, 1),
        full_on=None,
        education="bachelor",
        occupation="student",
        student_level="undergraduate",
        category="student",
    )
    DevelopmentCase.objects.create(
        member=people["冯十"], last_step=23, extension_months=6, extended_on=day(2026, 4, 1)
    )
    return {"u": u, "c1": c1, "c2": c2, "t": t, "s": s, "r": r, "people": people}


def cells(code: str, unit: Organization, as_of: datetime.date) -> dict[tuple[str, str], int]:
    table = StatTable.objects.get(code=code)
    values = statistics.compute_table(table=table, unit=unit, as_of=as_of)
    return {
        (row, column): values[i][j]
        for i, (row, _l) in enumerate(table.rows)
        for j, (column, _c) in enumerate(table.columns)
    }


def nonzero(found: dict) -> dict:
    return {key: value for key, value in found.items() if value}


def test_every_default_table_is_seeded_and_valid(db):
    from members.stat_defaults import TABLES

    assert set(StatTable.objects.values_list("code", flat=True)) >= {t["code"] for t in TABLES}
    for table in StatTable.objects.all():
        statistics.validate_layout(subject=table.subject, rows=table.rows, columns=table.columns)
        assert table.rules
    assert set(SheetLayout.objects.values_list("kind", flat=True)) == {"members", "applicants", "candidates"}


def test_members_by_category(tree):
    found = cells("members-category", tree["u"], D)
    assert nonzero(found) == {
        ("total", "total"): 7,
        ("total", "category:teacher"): 3,
        ("total", "category:student"): 3,
        ("total", "category:retiree"): 1,
        ("gender:M", "total"): 4,
        ("gender:M", "category:teacher"): 2,
        ("gender:M", "category:student"): 1,
        ("gender:M", "category:retiree"): 1,
        ("gender:F", "total"): 3,
        ("gender:F", "category:teacher"): 1,
        ("gender:F", "category:student"): 2,
        ("ethnicity:han", "total"): 6,
        ("ethnicity:han", "category:teacher"): 2,
        ("ethnicity:han", "category:student"): 3,
        ("ethnicity:han", "category:retiree"): 1,
        ("ethnicity:minority", "total"): 1,
        ("ethnicity:minority", "category:teacher"): 1,
        ("stage:full", "total"): 4,
        ("stage:full", "category:teacher"): 2,
        ("stage:full", "category:student"): 1,
        ("stage:full", "category:retiree"): 1,
        ("stage:probationary", "total"): 3,
        ("stage:probationary", "category:teacher"): 1,
        ("stage:probationary", "category:student"): 2,
    }
    # Inside the year: the retiree who died on 08-01 is still on the rolls on 07-31; 赵四, transferred in on
    # 09-10, is not on them yet (by formal membership unit).
    assert cells("members-category", tree["u"], MID)[("total", "total")] == 7
    # A committee counts its own branches only (formal membership unit).
    assert cells("members-category", tree["c2"], D)[("total", "total")] == 1


def test_a_member_transferred_out_stays_on_the_rolls_of_the_dates_before(tree):
    """A transfer out ends the record (inactive) without a leaving date: the member stays in the Party,
    elsewhere. Reports of dates before the transfer count them; of dates after, the 转出 table does."""
    leaving = MemberFactory(
        branch=tree["t"],
        name="钱九",
        gender="M",
        stage=Member.Stage.FULL,
        joined_on=datetime.date(2010, 7, 1),
        full_on=datetime.date(2011, 7, 1),
        is_active=False,
    )
    Transfer.objects.create(
        member=leaving,
        direction=Transfer.Direction.OUT,
        from_branch=tree["t"],
        letter_number="Q-9",
        issued_on=datetime.date(2026, 9, 1),
        valid_until=datetime.date(2026, 12, 1),
        status=Transfer.Status.DONE,
        completed_on=datetime.date(2026, 9, 10),
    )
    u = tree["u"]
    teachers = ("total", "category:teacher")
    assert cells("members-category", u, MID)[("total", "total")] == 8  # the 7 above, and 钱九
    assert cells("members-category", u, datetime.date(2026, 9, 9))[teachers] == 4  # 钱九 still here
    assert cells("members-category", u, datetime.date(2026, 9, 10))[teachers] == 3  # gone on the day
    assert cells("members-category", u, D)[("total", "total")] == 7
    assert nonzero(cells("transfers-out", u, D)) == {("total", "total"): 1, ("total", "category:teacher"): 1}
    assert nonzero(cells("left", u, D))[("total", "total")] == 1  # not a departure from the Party


def test_members_by_age_and_years(tree):
    age = nonzero(cells("members-age", tree["u"], D))
    assert {k: v for k, v in age.items() if k[1] == "total"} == {
        ("total", "total"): 7,
        ("age:30_and_under", "total"): 4,
        ("age:31_40", "total"): 1,
        ("age:41_50", "total"): 1,
        ("age:71_and_over", "total"): 1,
    }
    assert age[("age:30_and_under", "gender:F")] == 3
    assert age[("age:30_and_under", "stage:probationary")] == 3
    assert age[("age:30_and_under", "ethnicity:minority")] == 1
    years = nonzero(cells("members-years", tree["u"], D))
    assert {k: v for k, v in years.items() if k[1] == "total"} == {
        ("total", "total"): 7,
        ("years:5_and_under", "total"): 5,
        ("years:11_20", "total"): 1,
        ("years:51_and_over", "total"): 1,
    }


def test_members_by_education_occupation_students(tree):
    education = nonzero(cells("members-education", tree["u"], D))
    assert {k: v for k, v in education.items() if k[1] == "total"} == {
        ("total", "total"): 7,
        ("education:doctorate", "total"): 1,
        ("education:master", "total"): 2,
        ("education:bachelor", "total"): 2,
        ("education:secondary", "total"): 1,
        ("education:unknown", "total"): 1,
    }
    occupation = nonzero(cells("members-occupation", tree["u"], D))
    assert {k: v for k, v in occupation.items() if k[1] == "total"} == {
        ("total", "total"): 7,
        ("occupation:professional", "total"): 2,
        ("occupation:management", "total"): 1,
        ("occupation:student", "total"): 3,
        ("occupation:retired", "total"): 1,
    }
    students = nonzero(cells("students", tree["u"], D))
    assert {k: v for k, v in students.items() if k[1] == "total"} == {
        ("category:student", "total"): 3,
        ("student:master", "total"): 1,
        ("student:undergraduate", "total"): 2,
    }
    assert students[("student:undergraduate", "gender:F")] == 2


def test_flows_of_the_year(tree):
    u = tree["u"]
    assert nonzero(cells("admitted", u, D)) == {
        ("total", "total"): 2,
        ("total", "category:teacher"): 1,
        ("total", "category:student"): 1,
        ("gender:F", "total"): 2,
        ("gender:F", "category:teacher"): 1,
        ("gender:F", "category:student"): 1,
        ("ethnicity:minority", "total"): 1,
        ("ethnicity:minority", "category:teacher"): 1,
        ("age:30_and_under", "total"): 2,
        ("age:30_and_under", "category:teacher"): 1,
        ("age:30_and_under", "category:student"): 1,
        ("education:master", "total"): 1,
        ("education:master", "category:teacher"): 1,
    }
    # By the approving date: on 05-31 the teacher voted in on 05-20 is not yet admitted, the student is.
    assert cells("admitted", u, datetime.date(2026, 5, 31))[("total", "total")] == 1
    assert nonzero(cells("made-full", u, D)) == {("total", "total"): 1, ("total", "category:teacher"): 1}
    assert cells("made-full", u, datetime.date(2026, 5, 31))[("total", "total")] == 0
    assert nonzero(cells("extended", u, D)) == {("total", "total"): 1, ("total", "category:student"): 1}
    assert nonzero(cells("transfers", u, D)) == {("total", "total"): 1, ("total", "category:student"): 1}
    assert nonzero(cells("transfers-out", u, D)) == {}
    assert nonzero(cells("left", u, D)) == {
        ("total", "total"): 1,
        ("total", "category:retiree"): 1,
        ("left:died", "total"): 1,
        ("left:died", "category:retiree"): 1,
    }
    # A year's flows start on 1 January: the same data as of the next year's end shows none of them.
    assert cells("left", u, datetime.date(2027, 12, 31))[("total", "total")] == 0


def test_pipeline_and_organizations(tree):
    assert nonzero(cells("pipeline", tree["u"], D)) == {
        ("total", "total"): 2,
        ("total", "gender:F"): 1,
        ("total", "category:teacher"): 1,
        ("total", "category:student"): 1,
        ("stage:applicant", "total"): 1,
        ("stage:applicant", "category:teacher"): 1,
        ("stage:candidate", "total"): 1,
        ("stage:candidate", "gender:F"): 1,
        ("stage:candidate", "category:student"): 1,
    }
    # On 2026-07-31 the development target of 10-01 was an activist.
    mid = nonzero(cells("pipeline", tree["u"], MID))
    assert mid[("stage:activist", "total")] == 1 and ("stage:candidate", "total") not in mid
    orgs = nonzero(cells("organizations", tree["u"], D))
    assert {k: v for k, v in orgs.items() if k[1] == "total"} == {
        ("total", "total"): 6,
        ("kind:committee", "total"): 2,
        ("kind:branch", "total"): 3,
        ("category:teacher", "total"): 1,
        ("category:student", "total"): 1,
        ("category:retiree", "total"): 1,
    }


def test_the_total_is_party_stats_and_the_dashboard(tree):
    from django.utils import timezone

    from branches.figures import figures_refresh
    from branches.models import UnitFigures
    from members.figures import counts_as_party_stats

    today = timezone.localdate()
    stats = party_stats(organization=tree["u"], as_of=today)
    table = cells("members-category", tree["u"], today)
    assert table[("total", "total")] == stats["party_members"] == 7
    for category, n in stats["party_members_by_category"].items():
        assert table[("total", f"category:{category}")] == n
    for gender, n in stats["party_members_by_gender"].items():
        assert table[(f"gender:{gender}", "total")] == n
    age = cells("members-age", tree["u"], today)
    for band, n in stats["party_members_by_age_band"].items():
        assert age[(f"age:{band}", "total")] == n
    figures_refresh(unit=tree["u"], today=today)
    snapshot = UnitFigures.objects.get(organization=tree["u"])
    dashboard = counts_as_party_stats(snapshot.data["counts"])
    assert dashboard["party_members_by_category"] == stats["party_members_by_category"]
    assert sum(dashboard["party_members_by_category"].values()) == table[("total", "total")]


def test_drilldown_lists_the_counted_people(tree):
    table = StatTable.objects.get(code="members-category")
    people = statistics.drilldown(
        table=table, unit=tree["u"], as_of=D, row="gender:F", column="category:student"
    )
    assert sorted(p.name for p in people) == ["冯十", "王三"]
    orgs = statistics.drilldown(
        table=StatTable.objects.get(code="organizations"),
        unit=tree["u"],
        as_of=D,
        row="kind:branch",
        column="total",
    )
    assert [o.code for o in orgs] == ["ST", "SS", "SR"]
    with pytest.raises(KeyError):
        statistics.drilldown(table=table, unit=tree["u"], as_of=D, row="nope", column="total")


def test_layout_validation_refuses_unknown_keys(db):
    statistics.validate_layout(subject="members", rows=[["total", "合计"]], columns=[["gender:F", "女"]])
    for rows in ([], [["gender:X", "?"]], [["total"]], "total", [["total", ""]]):
        with pytest.raises(ValidationError):
            statistics.validate_layout(subject="members", rows=rows, columns=[["total", "合计"]])
    with pytest.raises(ValidationError):  # a members key is not an organisations key
        statistics.validate_layout(
            subject="organizations", rows=[["gender:F", "女"]], columns=[["total", "个数"]]
        )


def test_report_task_keeps_its_result(tree, january, django_capture_on_commit_callbacks):
    zzb = UserFactory(username="zzb21")
    role_assign(user=zzb, organization=tree["u"], kind=Role.Kind.OFFICER)
    with django_capture_on_commit_callbacks(execute=True):
        report = stat_report_request(organization=tree["u"], as_of=D, by=zzb)
    report.refresh_from_db()
    assert report.status == StatReport.Status.DONE
    assert report.done_tables == report.total_tables == StatTable.objects.filter(is_active=True).count()
    kept = {t["code"]: t for t in report.result["tables"]}
    assert kept["members-category"]["cells"][0][0] == 7
    # The data moves on; the kept report does not.
    Member.objects.filter(name="张一").update(is_active=False, left_on=datetime.date(2026, 12, 1))
    report.refresh_from_db()
    assert report.result["tables"][0]["cells"][0][0] == 7
    # Asking again recomputes in place (one report per unit and date).
    with django_capture_on_commit_callbacks(execute=True):
        again = stat_report_request(organization=tree["u"], as_of=D, by=zzb)
    again.refresh_from_db()
    assert again.pk == report.pk and again.result["tables"][0]["cells"][0][0] == 6
    assert stat_report_compute(report_id=again.pk).status == StatReport.Status.DONE  # idempotent
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        stat_report_request(organization=tree["u"], as_of=D, by=outsider)


def test_report_in_the_future_is_refused(tree):
    from django.utils import timezone

    with pytest.raises(ValidationError):
        stat_report_request(
            organization=tree["u"], as_of=timezone.localdate() + datetime.timedelta(days=1), by=None
        )


@pytest.fixture
def zzb(tree):
    user = UserFactory(username="zzb")
    role_assign(user=user, organization=tree["u"], kind=Role.Kind.OFFICER)
    return login(user)


def _report(tree) -> StatReport:
    report = StatReport.objects.create(organization=tree["u"], as_of=D)
    return stat_report_compute(report_id=report.pk)


def test_pages(tree, january, zzb, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    home = reverse("members:statistics", args=[tree["u"].pk])
    assert zzb.get(home).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = zzb.post(
            home, {"as_of": D.isoformat(), "request_key": "6f1d3c0a-5c2e-4a57-9a49-3b6f0c1e2d44"}
        )
    report = StatReport.objects.get(organization=tree["u"], as_of=D)
    assert response.status_code == 302 and response["Location"] == reverse(
        "members:stat_report", args=[report.pk]
    )
    # The same form sent twice computes once.
    response = zzb.post(home, {"as_of": D.isoformat(), "request_key": "6f1d3c0a-5c2e-4a57-9a49-3b6f0c1e2d44"})
    assert response.status_code == 302 and StatReport.objects.count() == 1
    assert zzb.post(home, {"as_of": "2999-01-01"}).status_code == 400
    # The kept report: session + user, permission (2), the report, the breadcrumb — no query per cell.
    with django_assert_max_num_queries(8):
        page = zzb.get(reverse("members:stat_report", args=[report.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "党员基本情况（按人员类别）" in body and "统计截至统计日" in body
    cell = reverse("members:stat_cell", args=[report.pk])
    with django_assert_max_num_queries(10):
        response = zzb.get(cell, {"table": "members-category", "row": "gender:F", "col": "category:student"})
    assert (
        response.status_code == 200
        and "王三" in response.content.decode()
        and "冯十" in response.content.decode()
    )
    assert "张一" not in response.content.decode()
    assert zzb.get(cell, {"table": "members-category", "row": "gender:X", "col": "total"}).status_code == 404
    assert zzb.get(cell, {"table": "nope", "row": "total", "col": "total"}).status_code == 404
    assert zzb.post(cell).status_code == 405


def test_xlsx_in_the_layout_with_inert_formulas(tree, zzb):
    table = StatTable.objects.get(code="members-category")
    table.rows = [["total", '=HYPERLINK("http://x")'], *table.rows[1:]]
    table.save()
    report = _report(tree)
    response = zzb.get(reverse("members:stat_report_xlsx", args=[report.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.cell(1, 1).value == "党员基本情况（按人员类别）"
    assert [c.value for c in sheet[1]][1:] == ["合计", "教师", "管理服务人员", "学生", "离退休人员"]
    assert sheet.cell(2, 1).value.startswith("'=") and sheet.cell(2, 1).data_type == "s"
    assert [c.value for c in sheet[2]][1:] == [7, 3, 0, 3, 1]
    assert len(book.worksheets) == StatTable.objects.filter(is_active=True).count()


def test_permissions(tree, cast):
    report = _report(tree)
    outsider = login(cast.charlie)  # a secretary elsewhere
    for url in (
        reverse("members:statistics", args=[tree["u"].pk]),
        reverse("members:stat_report", args=[report.pk]),
        reverse("members:stat_report_xlsx", args=[report.pk]),
        reverse("members:completeness", args=[tree["u"].pk]),
        reverse("members:member_sheet", args=[tree["u"].pk, "members"]),
        reverse("members:member_sheet_xlsx", args=[tree["u"].pk, "members"]),
    ):
        assert outsider.get(url).status_code in (403, 404), url
    from django.test import Client

    assert Client().get(reverse("members:stat_report", args=[report.pk])).status_code == 302


def test_completeness(tree, zzb):
    rows = {row.unit.code: row for row in statistics.completeness(unit=tree["u"])}
    c1 = rows["SC1"]
    assert c1.members == 6 and c1.filled["education"] == 5 and c1.filled["student_level"] == 6
    assert rows["SC2"].members == 1 and rows["SC2"].filled["education"] == 1
    response = zzb.get(reverse("members:completeness", args=[tree["u"].pk]))
    assert response.status_code == 200 and "理学院党委" in response.content.decode()


def test_member_sheet_lists_empty_required_fields(tree, zzb):
    url = reverse("members:member_sheet", args=[tree["u"].pk, "members"])
    body = zzb.get(url).content.decode()
    assert "王三" in body and "学历" in body  # her education is not recorded
    response = zzb.get(reverse("members:member_sheet_xlsx", args=[tree["u"].pk, "members"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:3] == ["姓名", "性别", "民族"]
    assert sheet.max_row == 1 + 7
    candidates = zzb.get(reverse("members:member_sheet", args=[tree["u"].pk, "candidates"]))
    assert "吴八" in candidates.content.decode()
    assert zzb.get(reverse("members:member_sheet", args=[tree["u"].pk, "nope"])).status_code == 404


def test_the_sheet_check_finds_in_sql_what_the_rows_leave_empty(tree, monkeypatch):
    """The check page counts and lists in SQL (bounded at a university of 17,000) what the sheet's own rows leave
    empty: the same people with the same headings, for every kind and every field required."""
    everything = [[field, field, True] for field in statistics.SHEET_FIELDS]
    Member.objects.filter(name="张一").update(ethnicity="", phone="", applied_on=None, education="unknown")
    for kind in statistics.SHEET_STAGES:
        people = statistics.sheet_people(kind=kind, unit=tree["u"])
        for columns in (everything, *([[f, f, True]] for f in statistics.SHEET_FIELDS)):
            rows = statistics.sheet_rows(columns=columns, people=people)
            check = statistics.sheet_check(columns=columns, people=people)
            assert (check.count, check.missing_count) == (len(rows[1]), len(rows[2])), (kind, columns)
            assert [(m.pk, e) for m, e in check.missing] == [(m.pk, e) for m, e in rows[2]], (kind, columns)
    people = statistics.sheet_people(kind="members", unit=tree["u"])
    assert (
        statistics.sheet_check(columns=everything, people=people).missing_count == 7
    )  # nobody has every field
    assert statistics.sheet_check(columns=[["name", "姓名", False]], people=people).missing_count == 0
    monkeypatch.setattr(statistics, "SHEET_CHECK_SHOWN", 2)
    capped = statistics.sheet_check(columns=everything, people=people)
    assert capped.missing_count == 7 and len(capped.missing) == 2


def test_the_sheet_check_page_says_when_it_lists_only_the_first(tree, zzb, monkeypatch):
    Member.objects.update(education="unknown")  # all seven of the university's members lack it
    url = reverse("members:member_sheet", args=[tree["u"].pk, "members"])
    body = zzb.get(url).content.decode()
    assert "7 人有必填项未填写" in body and "sheet-missing-shown" not in body  # all listed: no note
    assert body.count("<tr><td><a href=") == 7
    monkeypatch.setattr(statistics, "SHEET_CHECK_SHOWN", 3)
    body = zzb.get(url).content.decode()
    assert "7 人有必填项未填写" in body and "下面按支部和姓名列出其中前 3 人" in body
    assert body.count("<tr><td><a href=") == 3


def test_the_sheet_check_page_costs_the_same_for_a_university_and_a_branch(tree, zzb):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for unit in (tree["u"], tree["c1"], tree["t"]):
        with CaptureQueriesContext(connection) as queries:
            assert zzb.get(reverse("members:member_sheet", args=[unit.pk, "members"])).status_code == 200
        counts.append(len(queries))
    # The university's page has no breadcrumb of ancestors to read (one query fewer); the rest is the same: session,
    # user, unit, permission, layout, the listed people, the two counts (and the committee's and branch's crumbs).
    assert counts == [8, 9, 9]


def test_member_import_reads_the_statistics_fields(tree):
    from members.services import member_import
    from tests.xlsx_helpers import HEADERS, build_xlsx, member_row

    headers = [*HEADERS, "学历", "工作岗位", "在读层次"]
    rows = [
        member_row(
            0,
            branch_code="SS",
            **{"人员类别": "学生", "学历": "大学本科", "工作岗位": "学生", "在读层次": "硕士研究生"},
        ),
        member_row(1, branch_code="ST", **{"学历": "", "工作岗位": "管理人员"}),
    ]
    report = member_import(
        data=build_xlsx(rows, headers=headers), filename="m.xlsx", scope=tree["u"], by=None
    )
    assert report.ok, report.errors
    first, second = Member.objects.get(name="党员00000"), Member.objects.get(name="党员00001")
    assert (first.education, first.occupation, first.student_level) == ("bachelor", "student", "master")
    assert (second.education, second.occupation) == ("", "management")
    bad = [member_row(2, branch_code="ST", **{"学历": "幼儿园"})]
    report = member_import(data=build_xlsx(bad, headers=headers), filename="m.xlsx", scope=tree["u"], by=None)
    assert not report.ok and any(e.column and "学历" in e.column for e in report.errors)
    # A file without the new columns still imports (they stay as they were).
    report = member_import(
        data=build_xlsx([member_row(0, branch_code="SS", **{"人员类别": "学生"})]),
        filename="m.xlsx",
        scope=tree["u"],
        by=None,
    )
    assert report.ok and Member.objects.get(name="党员00000").education == "bachelor"


def test_demo_fills_the_fields_and_computes_last_years_tables(tree):
    from types import SimpleNamespace

    from members.demo import DemoBuilder, _load_statistics

    filled = 0
    for n in range(200):
        member = Member(
            category=("teacher", "student", "retiree", "admin_staff")[n % 4], id_number=f"4201{n:014d}"
        )
        DemoBuilder._statistics_fields(member)
        assert member.education in Member.Education.values + [""]
        assert member.occupation in Member.Occupation.values + [""]
        assert member.student_level in Member.StudentLevel.values + [""]
        assert member.category == "student" or member.student_level == ""
        filled += bool(member.education)
    assert 160 <= filled < 200  # most records complete, a few left for 信息完整度 to show
    line = _load_statistics(SimpleNamespace(today=datetime.date(2027, 3, 1)))
    report = StatReport.objects.get(organization=tree["u"], as_of=datetime.date(2026, 12, 31))
    assert report.status == StatReport.Status.DONE and "2026-12-31" in line


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_computes_the_report(tree, worker_queue):
    """The report asked for through the service (its task queued on commit) is computed by a separate Celery
    worker process writing to the same database: progress, status and kept result as the in-process tables."""
    import time

    from config.celery import app as celery_app

    queue, process = worker_queue

    def route(routes):
        # Celery builds its router once, from the routes of the first task sent in the process: after the
        # suite's earlier tests have sent theirs, a changed ``task_routes`` is only read once the cached
        # routes and router are dropped (without this the task went to the default queue and waited there).
        celery_app.conf.task_routes = routes
        celery_app.amqp.flush_routes()
        celery_app.amqp.__dict__.pop("router", None)

    routes = celery_app.conf.task_routes
    route({"members.tasks.stat_report_compute": {"queue": queue}})
    try:
        report = stat_report_request(organization=tree["u"], as_of=MID, by=None)
    finally:
        route(routes)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in (StatReport.Status.DONE, StatReport.Status.FAILED):
            break
        assert process.poll() is None, process.stdout.read()
        time.sleep(0.3)
    assert report.status == StatReport.Status.DONE, (
        f"the worker left the report {report.status}: {report.error}"
    )
    tables = list(statistics.active_tables())
    assert report.done_tables == report.total_tables == len(tables) and report.finished_at is not None
    kept = {t["code"]: t["cells"] for t in report.result["tables"]}
    for table in tables:  # the worker's figures are the ones computed here
        here = statistics.compute_table(table=table, unit=tree["u"], as_of=MID)
        assert kept[table.code] == [list(row) for row in here], table.code
