"""党内统计 (issue 21.1): the three tables added to the yearly report — 民主评议党员情况 (from assessments'
evaluations), 党内表彰情况 (七一表彰 awards), 党组织委员会及换届情况 (roles and term elections) — each checked
cell by cell against hand counts on test_statistics' small tree, as of the year's end and as of a date inside
it; drill-down lists exactly what a cell counts (people, posts or awards); the kept report, its xlsx and its
printable page carry the new tables; a measure cannot be a row.

The tree (test_statistics.tree): U ─ C1 ─ T (teacher: 张一 full, 李二 probationary, 郑九 full from 2026-06-01),
S (student: 赵四 full, 王三 and 冯十 probationary); U ─ C2 ─ R (retiree: 钱五 full, 孙六 full, died 2026-08-01).
"""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments.models import BallotBox
from assessments.models.commendation import Commendation, HonourKind, Nomination
from assessments.models.evaluation import EvaluationEntry, MemberEvaluation
from branches.models import Organization, Role
from branches.services import role_assign, role_end
from members import statistics
from members.models import StatReport, StatTable, TermElection
from members.services.statistics import stat_report_compute
from tests.factories import UserFactory, make_org
from tests.test_statistics import D, MID, cells, nonzero, tree, zzb  # noqa: F401  (fixtures)

day = datetime.date
G = MemberEvaluation.Status
R = Role.Kind


def _evaluation(branch, year, status, grades):
    """An evaluation with its entries as the branch committee proposed them: {member: grade or None}."""
    evaluation = MemberEvaluation.objects.create(
        branch=branch, year=year, opened_on=day(year, 11, 1), status=status, box=BallotBox.objects.create()
    )
    for member, grade in grades.items():
        EvaluationEntry.objects.create(
            evaluation=evaluation, member=member, graded=grade is not None, grade=grade or ""
        )
    return evaluation


@pytest.fixture
def evaluated(tree):
    p = tree["people"]
    # 2026, approved: 张一 优秀, 郑九 合格 (李二 probationary: takes part, not graded).
    _evaluation(
        tree["t"], 2026, G.APPROVED, {p["张一"]: "excellent", p["郑九"]: "qualified", p["李二"]: None}
    )
    # 2026, approved: 赵四 基本合格 (冯十, 王三 probationary).
    _evaluation(tree["s"], 2026, G.APPROVED, {p["赵四"]: "basic", p["冯十"]: None, p["王三"]: None})
    # 2026, reported but not yet approved: 钱五's 合格 does not count; 孙六 died before the year's end.
    r = _evaluation(tree["r"], 2026, G.SUBMITTED, {p["钱五"]: "qualified", p["孙六"]: "qualified"})
    # Last year's 不合格 of 张一 is last year's.
    _evaluation(tree["t"], 2025, G.APPROVED, {p["张一"]: "unqualified"})
    return r


def test_member_evaluation_results(tree, evaluated):
    assert nonzero(cells("evaluations", tree["u"], D)) == {
        ("total", "total"): 4,  # 张一, 郑九, 赵四, 钱五: the full members on the rolls
        ("total", "category:teacher"): 2,
        ("total", "category:student"): 1,
        ("total", "category:retiree"): 1,
        ("evaluation:evaluated", "total"): 3,
        ("evaluation:evaluated", "category:teacher"): 2,
        ("evaluation:evaluated", "category:student"): 1,
        ("evaluation:excellent", "total"): 1,
        ("evaluation:excellent", "category:teacher"): 1,
        ("evaluation:qualified", "total"): 1,
        ("evaluation:qualified", "category:teacher"): 1,
        ("evaluation:basic", "total"): 1,
        ("evaluation:basic", "category:student"): 1,
        ("evaluation:not_evaluated", "total"): 1,  # 钱五: his branch's grades await the committee
        ("evaluation:not_evaluated", "category:retiree"): 1,
    }
    # Per unit: C1's three full members are all graded; C2's one is not.
    c1, c2 = cells("evaluations", tree["c1"], D), cells("evaluations", tree["c2"], D)
    assert (c1[("total", "total")], c1[("evaluation:evaluated", "total")]) == (3, 3)
    assert (c2[("total", "total")], c2[("evaluation:not_evaluated", "total")]) == (1, 1)
    # On 07-31 孙六 was alive and full: one more not evaluated (her branch's grades are not approved); 赵四,
    # transferred in on 09-10, was not on the rolls yet: one fewer.
    mid = cells("evaluations", tree["u"], MID)
    assert mid[("total", "total")] == 4 and mid[("evaluation:not_evaluated", "category:retiree")] == 2
    # The committee approves R's grades: 钱五 合格 now counts.
    MemberEvaluation.objects.filter(pk=evaluated.pk).update(status=G.APPROVED)
    after = cells("evaluations", tree["u"], D)
    assert after[("evaluation:qualified", "total")] == 2 and after[("evaluation:not_evaluated", "total")] == 0
    table = StatTable.objects.get(code="evaluations")
    people = statistics.drilldown(
        table=table, unit=tree["u"], as_of=D, row="evaluation:evaluated", column="category:teacher"
    )
    assert [m.name for m in people] == ["张一", "郑九"]


@pytest.fixture
def awarded(tree):
    p, u = tree["people"], tree["u"]

    def commendation(root, year, published_on):
        return Commendation.objects.create(
            root=root,
            year=year,
            title=f"{year}年七一表彰",
            nominations_open_on=day(year, 4, 1),
            nominations_close_on=day(year, 5, 1),
            status=Commendation.Status.PUBLISHED,
            decided_on=published_on,
            published_on=published_on,
        )

    def nominate(commendation, kind, status=Nomination.Status.AWARDED, *, committee, unit=None, member=None):
        Nomination.objects.create(
            commendation=commendation,
            kind=kind,
            committee=committee,
            organization=unit,
            member=member,
            source=Nomination.Source.COMMITTEE,
            deeds="事迹",
            endorsement="同意推荐",
            status=status,
            nominated_on=day(commendation.year, 4, 10),
        )

    this_year = commendation(u, 2026, day(2026, 7, 5))
    nominate(this_year, HonourKind.UNIT, committee=tree["c1"], unit=tree["t"])  # a teachers' branch
    nominate(this_year, HonourKind.UNIT, committee=tree["c1"], unit=tree["c1"])  # a secondary committee
    nominate(this_year, HonourKind.MEMBER, committee=tree["c1"], member=p["张一"])  # teacher, man
    nominate(this_year, HonourKind.MEMBER, committee=tree["c1"], member=p["赵四"])  # student, man
    nominate(this_year, HonourKind.WORKER, committee=tree["c1"], member=p["李二"])  # teacher, woman
    nominate(
        this_year, HonourKind.MEMBER, Nomination.Status.NOT_AWARDED, committee=tree["c2"], member=p["钱五"]
    )
    # The province's commendation (another root) honours 钱五, published in December.
    province = make_org(None, Organization.Kind.PROVINCE, "省委教育工委", code="PV")
    nominate(
        commendation(province, 2026, day(2026, 12, 20)),
        HonourKind.MEMBER,
        committee=tree["c2"],
        member=p["钱五"],
    )
    # Last year's award of 张一 is last year's.
    nominate(
        commendation(u, 2025, day(2025, 7, 1)), HonourKind.MEMBER, committee=tree["c1"], member=p["张一"]
    )


def test_commendations(tree, awarded):
    assert nonzero(cells("commendations", tree["u"], D)) == {
        ("total", "total"): 6,
        ("total", "level:province"): 1,
        ("total", "level:university"): 5,
        ("total", "gender:F"): 1,
        ("total", "category:teacher"): 3,  # the teachers' branch, 张一, 李二
        ("total", "category:student"): 1,
        ("honour:unit", "total"): 2,
        ("honour:unit", "level:university"): 2,
        ("honour:unit", "category:teacher"): 1,
        ("unit:secondary", "total"): 1,
        ("unit:secondary", "level:university"): 1,
        ("unit:branch", "total"): 1,
        ("unit:branch", "level:university"): 1,
        ("unit:branch", "category:teacher"): 1,
        ("honour:member", "total"): 3,
        ("honour:member", "level:province"): 1,
        ("honour:member", "level:university"): 2,
        ("honour:member", "category:teacher"): 1,
        ("honour:member", "category:student"): 1,
        ("honour:worker", "total"): 1,
        ("honour:worker", "level:university"): 1,
        ("honour:worker", "gender:F"): 1,
        ("honour:worker", "category:teacher"): 1,
    }
    # Before the province's results (07-31): the university's five.
    mid = cells("commendations", tree["u"], MID)
    assert (mid[("total", "total")], mid[("total", "level:province")]) == (5, 0)
    # Per unit: C2 has only 钱五's provincial award; C1 the other five.
    assert cells("commendations", tree["c2"], D)[("total", "total")] == 1
    assert cells("commendations", tree["c1"], D)[("total", "total")] == 5
    awards = statistics.drilldown(
        table=StatTable.objects.get(code="commendations"),
        unit=tree["u"],
        as_of=D,
        row="honour:member",
        column="total",
    )
    assert sorted(a.member.name for a in awards) == ["张一", "赵四", "钱五"]


@pytest.fixture
def committees(tree):
    """Roles and terms; see each line. Posts held on 12-31 vs 07-31 differ in C1 and C2."""
    u, c1, c2, t, s = tree["u"], tree["c1"], tree["c2"], tree["t"], tree["s"]

    def seat(org, kind, started_on, ended_on=None, user=None):
        user = user or UserFactory()
        role = role_assign(user=user, organization=org, kind=kind, started_on=started_on)
        if ended_on:
            role_end(role=role, ended_on=ended_on)
        return user

    def term(org, started_on, years):
        Organization.objects.filter(pk=org.pk).update(term_started_on=started_on, term_years=years)

    # U: a committee of five since 2021-12-10 (and a 组织部 officer, who is not on it); the term ended 12-10.
    term(u, day(2021, 12, 10), 5)
    for kind in (R.SECRETARY, R.DEPUTY, R.ORGANIZER, R.PUBLICITY, R.DISCIPLINE, R.OFFICER):
        seat(u, kind, day(2021, 12, 10))
    # C1: elected 2024-01-15 for 5 years; its secretary is also 组织委员 (one person); the deputy left 11-30.
    term(c1, day(2024, 1, 15), 5)
    TermElection.objects.create(
        organization=c1, elected_on=day(2024, 1, 15), term_years=5, previous_term_started_on=day(2019, 1, 10)
    )
    secretary = seat(c1, R.SECRETARY, day(2024, 1, 15))
    seat(c1, R.ORGANIZER, day(2024, 1, 15), user=secretary)
    seat(c1, R.PUBLICITY, day(2024, 1, 15))
    seat(c1, R.DEPUTY, day(2024, 1, 15), ended_on=day(2026, 11, 30))
    # C2: its term of 2021-06-01 (5 years) ended 2026-06-01; re-elected only on 2027-01-10; the old secretary
    # left 09-30, the new one started with the new term.
    term(c2, day(2027, 1, 10), 5)
    TermElection.objects.create(
        organization=c2, elected_on=day(2027, 1, 10), term_years=5, previous_term_started_on=day(2021, 6, 1)
    )
    seat(c2, R.SECRETARY, day(2021, 6, 1), ended_on=day(2026, 9, 30))
    seat(c2, R.SECRETARY, day(2027, 1, 10))
    # T: a secretary only; its 3-year term of 2023-03-01 ended 2026-03-01, no election recorded.
    term(t, day(2023, 3, 1), 3)
    seat(t, R.SECRETARY, day(2023, 3, 1))
    # S: elected 2026-04-01 for 3 years, a committee of three.
    term(s, day(2026, 4, 1), 3)
    TermElection.objects.create(
        organization=s, elected_on=day(2026, 4, 1), term_years=3, previous_term_started_on=day(2023, 4, 1)
    )
    for kind in (R.SECRETARY, R.DEPUTY, R.ORGANIZER):
        seat(s, kind, day(2026, 4, 1))
    # R: no term recorded, nobody in post.


def test_committees_and_terms(tree, committees):
    found = nonzero(cells("committees", tree["u"], D))
    assert found == {
        ("kind:elects", "total"): 6,
        ("kind:elects", "committee:formed"): 2,  # U (5), S (3); C1 has 2 since the deputy left
        ("kind:elects", "committee:no_secretary"): 2,  # C2 (between its secretaries), R
        ("kind:elects", "people:committee"): 11,  # U 5 + C1 2 + T 1 + S 3
        ("kind:elects", "people:secretary"): 4,  # U, C1, T, S
        ("kind:elects", "people:deputy"): 2,  # U, S
        ("kind:elects", "term:in_force"): 5,  # all but R; C2's the term its 2027 election ended
        ("kind:elects", "term:due_in_year"): 3,  # U (12-10), C2 (06-01), T (03-01)
        ("kind:elects", "term:overdue"): 3,
        ("kind:university", "total"): 1,
        ("kind:university", "committee:formed"): 1,
        ("kind:university", "people:committee"): 5,
        ("kind:university", "people:secretary"): 1,
        ("kind:university", "people:deputy"): 1,
        ("kind:university", "term:in_force"): 1,
        ("kind:university", "term:due_in_year"): 1,
        ("kind:university", "term:overdue"): 1,
        ("kind:committee", "total"): 2,
        ("kind:committee", "committee:no_secretary"): 1,
        ("kind:committee", "people:committee"): 2,
        ("kind:committee", "people:secretary"): 1,
        ("kind:committee", "term:in_force"): 2,
        ("kind:committee", "term:due_in_year"): 1,
        ("kind:committee", "term:overdue"): 1,
        ("kind:branch", "total"): 3,
        ("kind:branch", "committee:formed"): 1,
        ("kind:branch", "committee:no_secretary"): 1,
        ("kind:branch", "people:committee"): 4,
        ("kind:branch", "people:secretary"): 2,
        ("kind:branch", "people:deputy"): 1,
        ("kind:branch", "term:in_force"): 2,
        ("kind:branch", "term:due_in_year"): 1,
        ("kind:branch", "term:overdue"): 1,
        ("category:teacher", "total"): 1,
        ("category:teacher", "people:committee"): 1,
        ("category:teacher", "people:secretary"): 1,
        ("category:teacher", "term:in_force"): 1,
        ("category:teacher", "term:due_in_year"): 1,
        ("category:teacher", "term:overdue"): 1,
        ("category:student", "total"): 1,
        ("category:student", "committee:formed"): 1,
        ("category:student", "people:committee"): 3,
        ("category:student", "people:secretary"): 1,
        ("category:student", "people:deputy"): 1,
        ("category:student", "term:in_force"): 1,
        ("category:retiree", "total"): 1,
        ("category:retiree", "committee:no_secretary"): 1,
    }
    # On 07-31: C1's deputy and C2's old secretary still in post, U's term not yet over.
    mid = cells("committees", tree["u"], MID)
    assert mid[("kind:elects", "people:committee")] == 13
    assert mid[("kind:elects", "committee:formed")] == 3  # U, C1, S
    assert mid[("kind:elects", "committee:no_secretary")] == 1  # R
    assert mid[("kind:elects", "people:secretary")] == 5
    assert (mid[("kind:elects", "term:due_in_year")], mid[("kind:elects", "term:overdue")]) == (3, 2)
    # Per unit: C1's subtree (C1, T, S).
    c1 = cells("committees", tree["c1"], D)
    assert (c1[("kind:elects", "total")], c1[("kind:elects", "people:committee")]) == (3, 6)
    # Drill-down: the posts behind 委员人数 (one row per person and unit), and the units behind 逾期未换届.
    table = StatTable.objects.get(code="committees")
    posts = statistics.drilldown(
        table=table, unit=tree["u"], as_of=D, row="kind:committee", column="people:committee"
    )
    assert [(p.organization.code, p.kind) for p in posts] == [("SC1", "publicity"), ("SC1", "secretary")]
    assert statistics.drilldown_shows(table=table, column="people:committee") == "roles"
    overdue = statistics.drilldown(
        table=table, unit=tree["u"], as_of=D, row="kind:elects", column="term:overdue"
    )
    assert [o.code for o in overdue] == ["SU", "ST", "SC2"]  # tree order


def test_a_measure_is_only_a_column(db):
    statistics.validate_layout(
        subject="organizations", rows=[["kind:branch", "支部"]], columns=[["people:committee", "委员"]]
    )
    with pytest.raises(ValidationError):
        statistics.validate_layout(
            subject="organizations", rows=[["people:committee", "委员"]], columns=[["total", "个数"]]
        )
    with pytest.raises(ValidationError):  # an evaluation key is not a plain members key
        statistics.validate_layout(
            subject="members", rows=[["evaluation:excellent", "优秀"]], columns=[["total", "合计"]]
        )


def test_report_pages_and_xlsx_carry_the_new_tables(
    tree, evaluated, awarded, committees, zzb, django_assert_max_num_queries
):
    report = stat_report_compute(report_id=StatReport.objects.create(organization=tree["u"], as_of=D).pk)
    kept = {t["code"]: t for t in report.result["tables"]}
    assert {"evaluations", "commendations", "committees"} <= kept.keys()
    assert kept["evaluations"]["cells"][0] == [4, 2, 0, 1, 1]
    assert kept["committees"]["cells"][0] == [6, 2, 2, 11, 4, 2, 5, 3, 3]
    page = zzb.get(reverse("members:stat_report", args=[report.pk])).content.decode()
    assert "民主评议党员情况" in page and "党内表彰情况" in page and "党组织委员会及换届情况" in page
    assert "一人兼任多职计一人" in page  # the counting rules beside the table
    cell = reverse("members:stat_cell", args=[report.pk])
    # The drill-downs: session + user, permission (2), the report, the table, the breadcrumb, count + page.
    with django_assert_max_num_queries(10):
        posts = zzb.get(cell, {"table": "committees", "row": "kind:university", "col": "people:committee"})
    assert posts.status_code == 200 and posts.content.decode().count("统计大学党委") >= 5
    with django_assert_max_num_queries(10):
        awards = zzb.get(cell, {"table": "commendations", "row": "honour:worker", "col": "total"})
    assert awards.status_code == 200 and "李二" in awards.content.decode()
    with django_assert_max_num_queries(10):
        graded = zzb.get(cell, {"table": "evaluations", "row": "evaluation:excellent", "col": "total"})
    assert graded.status_code == 200 and "张一" in graded.content.decode()
    assert "郑九" not in graded.content.decode()
    # A measure named as the row is not a cell.
    assert (
        zzb.get(cell, {"table": "committees", "row": "people:committee", "col": "total"}).status_code == 404
    )
    book = openpyxl.load_workbook(
        io.BytesIO(zzb.get(reverse("members:stat_report_xlsx", args=[report.pk])).content)
    )
    titles = {sheet.cell(1, 1).value: sheet for sheet in book.worksheets}
    sheet = titles["党组织委员会及换届情况"]
    assert [c.value for c in sheet[2]] == ["合计", 6, 2, 2, 11, 4, 2, 5, 3, 3]
