"""Crawl entries of the members app (members/urls.py, and the home page in config/urls.py)."""

import datetime

from tests.crawl.registry import (
    SAME,
    Entry,
    Target,
    action,
    joined,
    manages,
    none,
    per_target,
    public,
    records_dues,
    register,
    signed_in,
    sides,
    table,
    units,
    with_queries,
    unit_name,
    with_years,
    world_unit,
)
from tests.crawl.world import YEAR


def _branch(member):
    return member.branch


def _branch_of(record):
    return record.branch


def _case_branch(case):
    return case.member.branch


def _htmx(targets):
    """The same URLs as an htmx swap asks for them (a fragment of the page)."""
    return lambda world: [
        Target(t.label, t.kwargs, t.unit, "q=艾", headers={"HX-Request": "true"}) for t in targets(world)
    ]


def _layout(model_name):
    """A default layout of model_name, and an id that is none."""

    def targets(world):
        from members import models

        first = getattr(models, model_name).objects.order_by("pk").first()
        missing = table(403, anonymous=302, zzb=404)
        return [
            Target("default", {"pk": first.pk}, "U"),
            Target("missing", {"pk": 999999}, "U", rule=missing),
        ]

    return targets


def _member(world):
    # Bob (the member persona) reads his own record; A's secretary's record and B's secretary's.
    c = world.cast
    return [
        Target("own", {"pk": c.bob_member.pk}, "A"),
        Target("in", {"pk": c.alice_member.pk}, "A"),
        Target("out", {"pk": c.charlie_member.pk}, "B"),
    ]


register(
    # Home sends each person to their work: role holders to their unit, members to their record.
    Entry("home", none, table(302, anonymous=302, reviewer=200)),
    Entry("members:unit", units("U", "C1", "A", "B"), manages()),
    Entry(
        "members:roster",
        joined(
            with_queries(units("A", "B"), "q=%27", ("q=%00", public(400)), "q=" + "支" * 300),
            _htmx(units("A", "B")),
        ),
        manages(),
    ),
    Entry("members:export", units("C1", "A", "B"), manages(), html=False),
    Entry("members:me", none, signed_in()),
    Entry(
        "members:detail",
        _member,
        per_target(own=table(manages(), member=200), **{"in": manages(), "out": manages()}),
    ),
    # 党纪处分 (issue 19): recorded by the committee above the member's branch or the 组织部, not by the branch.
    Entry("members:discipline_new", _member, manages(level="above"), post=SAME),
    # 逝世 / 出党 (issue 21): recorded by the member's branch or a unit above it.
    Entry("members:depart", _member, manages(), post=SAME),
    # The 党内统计 fields (issue 21): edited by the member's branch or a unit above it.
    Entry("members:stat_fields", _member, manages(), post=SAME),
    # The 党内统计 layouts (issue 21): the 组织部's to edit; a missing one is not found for it.
    Entry("members:stat_layouts", none, table(403, anonymous=302, zzb=200)),
    Entry("members:stat_table_edit", _layout("StatTable"), table(403, anonymous=302, zzb=200), post=SAME),
    Entry("members:sheet_layout_edit", _layout("SheetLayout"), table(403, anonymous=302, zzb=200), post=SAME),
    Entry(
        "members:import",
        none,
        table(403, anonymous=302, committee_secretary=200, commissioner=200, zzb=200),
        post=SAME,
    ),
    Entry(
        "members:import_template",
        none,
        table(403, anonymous=302, committee_secretary=200, commissioner=200, zzb=200),
        html=False,
    ),
    Entry("members:lifecycle_due", units("A", "B"), manages(deny=204)),
    Entry("members:development", units("A", "B"), manages(), post=SAME),
    Entry("members:development_case", sides("case", _case_branch), manages(deny=404)),
    action("members:development_step", sides("case", _case_branch), manages(deny=404)),
    action("members:development_review", sides("case", _case_branch), manages(deny=404)),
    action("members:development_extend", sides("case", _case_branch), manages(deny=404)),
    Entry(
        "members:development_document",
        sides("document", lambda d: d.step.case.member.branch),
        manages(),
        html=False,
    ),
    Entry("members:transfers", units("A", "B"), manages(), post=SAME),
    action("members:transfer_complete", sides("transfer", lambda t: t.member.branch), manages(deny=404)),
    # A month outside the ledger (before 1921, past next year, not a month) is a 404 to those who may see it.
    Entry(
        "members:dues",
        with_queries(
            units("A", "B"),
            "month=2026-05",
            ("month=0001-01", manages(status=404)),
            ("month=9999-12", manages(status=404)),
            ("month=x", manages(status=404)),
        ),
        manages(),
        post=SAME,
    ),
    Entry("members:dues_year", with_years(units("A", "B", extra={"year": YEAR})), manages()),
    # Dues exemptions (issue 22): the branch asks on its page; the committee above approves or returns.
    Entry("members:dues_exemptions", units("U", "C1", "A", "B"), manages(), post=SAME),
    action("members:dues_exemption_approve", sides("exemption", _branch_of), manages(level="above")),
    action("members:dues_exemption_return", sides("exemption", _branch_of), manages(level="above")),
    action("members:dues_exemption_resubmit", sides("exemption", _branch_of), manages()),
    Entry("members:care", units("A", "B"), manages(), post=SAME),
    Entry("members:terms", units("A", "B"), manages(), post=SAME),
    action("members:term_candidates", units("A", "B"), manages()),  # the next election's candidates
    Entry("members:lifecycle_import", units("C1", "A", "B"), manages(), post=SAME),
    Entry(
        "members:lifecycle_import_template",
        units("A", "B", extra={"what": "dues"}),
        records_dues(),
        html=False,
    ),
    Entry("members:development_export", units("A", "B"), manages(), html=False),
    Entry("members:transfers_export", units("A", "B"), manages(), html=False),
    Entry("members:dues_export", with_years(units("A", "B", extra={"year": YEAR})), manages(), html=False),
)


# --- 党内统计, the national sheet and Word documents (issue 21) ----------------------------------------------------


def _reports(world):
    """A computed report of U and of A (made here: the world has no statistics of its own)."""
    from members.models import StatReport
    from members.services.statistics import stat_report_compute

    found = []
    for name in ("U", "A", "B"):
        unit = world_unit(world, name)
        report, _created = StatReport.objects.get_or_create(
            organization=unit, as_of=datetime.date(YEAR, 6, 30)
        )
        stat_report_compute(report_id=report.pk)
        found.append(Target(name, {"pk": report.pk}, name))
    return found


# One cell of each kind of drill-down list: members, 民主评议 (members), awards, units, the posts behind 委员人数.
CELL_QUERIES = (
    "table=members-category&row=gender:F&col=total",
    "table=evaluations&row=evaluation:evaluated&col=total",
    "table=commendations&row=total&col=total",
    "table=committees&row=kind:elects&col=term:overdue",
    "table=committees&row=kind:elects&col=people:committee",
)


def _cells(world):
    reports = _reports(world)
    return [
        Target(f"{t.label}-{n}", t.kwargs, t.unit, query)
        for t in reports
        for n, query in enumerate(CELL_QUERIES if t.label == "U" else CELL_QUERIES[:1])
    ]


def _hostile_cells(world):
    first = _reports(world)[0]
    return [
        Target(
            "bad-row",
            first.kwargs,
            first.unit,
            "table=members-category&row=x&col=total",
            rule=manages(status=404),
        ),
        Target("bad-table", first.kwargs, first.unit, "table=%00&row=total&col=total", rule=public(400)),
    ]


def _cases(key):
    def targets(world):
        return [
            Target(
                side,
                {"pk": world.objects["case"][side].pk, "key": key},
                unit_name(world, world.objects["case"][side].member.branch),
            )
            for side in ("in", "out")
        ]

    return targets


register(
    Entry("members:statistics", units("U", "C1", "A", "B"), manages(), post=SAME),
    Entry("members:stat_report", _reports, manages()),
    Entry("members:stat_report_xlsx", _reports, manages(), html=False),
    Entry("members:stat_cell", joined(_cells, _hostile_cells), manages()),
    Entry("members:completeness", units("U", "C1", "A", "B"), manages()),
    Entry(
        "members:member_sheet",
        joined(units("U", "A", "B", extra={"kind": "members"}), units("A", extra={"kind": "candidates"})),
        manages(),
    ),
    Entry(
        "members:member_sheet_xlsx",
        units("C1", "A", "B", extra={"kind": "applicants"}),
        manages(),
        html=False,
    ),
    Entry("members:dues_docx", units("A", "B", extra={"year": YEAR}), manages(), html=False),
    Entry(
        "members:development_docx",
        joined(_cases("development-notice"), _cases("development-review")),
        manages(deny=404),
        html=False,
    ),
    Entry(
        "members:term_docx",
        joined(
            units("C1", "A", "B", extra={"key": "term-request"}), units("A", extra={"key": "term-ballot"})
        ),
        manages(),
        html=False,
    ),
)
