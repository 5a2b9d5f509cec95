"""Crawl entries of the assessments app: 双述双评 ratings (assessments/urls.py), the July-1 cycle
(urls_assessment.py) and the dashboard (urls_dashboard.py)."""

from tests.crawl.registry import (
    SAME,
    Entry,
    Target,
    action,
    joined,
    with_queries,
    manages,
    none,
    per_target,
    public,
    register,
    signed_in,
    sides,
    table,
    units,
)
from tests.crawl.world import YEAR

# A campaign is run by the 组织部 and, for their units (codes, rosters), by the committees; the others are
# not told it exists. Its offline channel and its publishing are the 组织部's alone.
campaigners = table(403, anonymous=302, committee_secretary=200, commissioner=200, zzb=200)
campaign_staff = table(404, anonymous=302, committee_secretary=200, commissioner=200, zzb=200)
campaign_office = table(404, anonymous=302, committee_secretary=403, commissioner=403, zzb=200)
# The July-1 cycle's office pages: 组织部 only; people without any role are not told the cycle exists.
cycle_office = table(403, anonymous=302, member=404, reviewer=404, zzb=200)
tables_office = table(403, anonymous=302, zzb=200)  # the indicator tables (the 组织部's)
# The trustees' count (issue 16) is the 组织部's, and only for a campaign awaiting them: the world's running
# and opened campaigns are not, so even the 组织部 is told there is nothing to open.
trustees_count = table(404, anonymous=302, committee_secretary=403, commissioner=403)


def _campaign(world):
    return [Target("-", {"pk": world.objects["campaign"]["in"].pk}, "U")]


def _closed(rule):
    """Last year's campaign, closed (its results shown), with its own rule."""
    return lambda world: [Target("closed", {"pk": world.objects["closed_campaign"]["in"].pk}, "U", rule=rule)]


def _org(obj):
    return obj.organization


def _cycle_year(world):
    return [Target("-", {"year": YEAR}, "U")]


def _committee(world):
    return [Target(n, {"year": YEAR, "org": getattr(world.cast, n.lower()).pk}, n) for n in ("C1", "C2")]


def _plan(world):
    return [
        Target(n, {"org": world.cast.branch_a.pk if n == "A" else world.cast.branch_b.pk, "year": YEAR}, n)
        for n in ("A", "B")
    ]


def _block(world):
    return [
        Target(n, {"pk": pk, "key": "meetings"}, n)
        for n, pk in (("C1", world.cast.c1.pk), ("C2", world.cast.c2.pk))
    ]


register(
    # Ratings.
    Entry("assessments:home", none, signed_in()),
    Entry("assessments:campaign_new", none, campaigners, post=SAME),
    Entry("assessments:campaign", joined(_campaign, _closed(campaign_staff)), campaign_staff),
    action("assessments:campaign_publish", _campaign, campaign_office),
    action("assessments:campaign_close", _campaign, campaign_office),
    # The trustees' count: only for a campaign awaiting them (the running one and the opened one are not).
    Entry("assessments:campaign_open", joined(_campaign, _closed(trustees_count)), trustees_count, post=SAME),
    Entry("assessments:roster_import", _campaign, campaign_staff, post=SAME),
    Entry("assessments:codes_new", _campaign, campaign_staff, post=SAME),
    Entry("assessments:offline_scores", _campaign, campaign_office, post=SAME),
    # The campaign is open: its results are hidden from everyone until it closes.
    Entry("assessments:results", joined(_campaign, _closed(campaign_staff)), signed_in(404)),
    Entry("assessments:results_xlsx", joined(_campaign, _closed(campaign_staff)), signed_in(404), html=False),
    Entry("assessments:rate", _campaign, table(404, anonymous=302, member=200), post=SAME),
    # A secretary writes their own report; the 组织部 may too. Those above read the file.
    Entry(
        "assessments:report_edit",
        sides("target", _org),
        per_target(
            **{
                "in": table(403, anonymous=302, secretary_a=200, zzb=200),
                "out": table(403, anonymous=302, secretary_b=200, zzb=200),
            }
        ),
        post=SAME,
    ),
    # A code in the query string is never read (it would be logged): a code holder posts it.
    Entry(
        "assessments:report_file",
        with_queries(sides("target", _org), "code=%27", "code=NOTACODE"),
        per_target(
            **{
                "in": table(manages(deny=404, anonymous=404), member=200),  # a rater of A reads it
                "out": manages(deny=404, anonymous=404),
            }
        ),
        html=False,
    ),
    # The code travels in POST bodies only (issue 16); a query string is ignored.
    Entry("assessments:code_entry", with_queries(none, "code='", "code=--", "code=" + "x" * 100), public()),
    Entry("assessments:code_done", none, public()),
    # The July-1 cycle.
    Entry("cycle:home", none, signed_in()),
    Entry("cycle:progress", _cycle_year, table(200, anonymous=302, member=404, reviewer=404)),
    # (A year without a cycle: everyone who signed in is told there is none.)
    Entry("cycle:cycle_edit", _cycle_year, cycle_office, post=SAME),
    Entry("cycle:results", _cycle_year, cycle_office),
    Entry("cycle:results_xlsx", _cycle_year, cycle_office, html=False),
    action("cycle:publish", _cycle_year, cycle_office, anonymous=405),
    Entry("cycle:committee", _committee, table(manages(), member=404, reviewer=404)),
    Entry("cycle:assessment", sides("assessment", _org), manages(deny=404), post=SAME),
    Entry("cycle:report", sides("assessment", _org), manages(deny=404)),
    # Word documents (issue 21): authorised as the pages they print.
    Entry("cycle:report_docx", sides("assessment", _org), manages(deny=404), html=False),
    Entry("cycle:committee_docx", _committee, table(manages(), member=404, reviewer=404), html=False),
    Entry("cycle:university_docx", _cycle_year, cycle_office, html=False),
    Entry(
        "cycle:evidence_file",
        sides("item", lambda i: i.assessment.organization),
        manages(deny=404),
        html=False,
    ),
    Entry("cycle:tables", none, tables_office),
    Entry(
        "cycle:table",
        with_queries(
            sides("table"),
            ("edit=x", table(403, anonymous=302, zzb=404)),
            ("edit=999999", table(403, anonymous=302, zzb=404)),
        ),
        tables_office,
        post=SAME,
    ),
    Entry("cycle:table_export", sides("table"), tables_office, html=False),
    action("cycle:table_import", sides("table"), tables_office, anonymous=405),
    action("cycle:indicator_move", sides("indicator"), tables_office, anonymous=405),
    Entry("cycle:plan", _plan, manages(), post=SAME),
    # The dashboard: its home sends each role holder to their unit.
    Entry("dashboard:home", none, table(302, member=403, reviewer=403)),
    Entry("dashboard:unit", units("U", "C1", "C2", "A", "B"), manages()),
    Entry("dashboard:export", _block, manages(), html=False),
)


# --- 民主评议党员 (issue 19) -------------------------------------------------------------------------------


def _evaluations(world) -> dict:
    """Each branch's evaluation of the year, approved, with a member graded unqualified and the first
    follow-up awaiting the committee: every panel of the pages shows. Built on first use, once per world."""
    if "evaluation" in world.objects:
        return world.objects["evaluation"]
    import datetime

    from assessments.services import evaluation as services
    from assessments.services import evaluation_remarks as remarks
    from tests.crawl.world import TODAY

    zzb = world.users["zzb"]
    found = {"evaluation": {}, "evaluation_entry": {}, "follow_up": {}}
    for side, (branch, secretary) in {
        "in": (world.cast.branch_a, world.cast.alice),
        "out": (world.cast.branch_b, world.cast.charlie),
    }.items():
        evaluation = services.evaluation_open(branch=branch, year=YEAR, by=secretary, today=TODAY)
        entries = list(evaluation.entries.select_related("member").order_by("pk"))
        for rater in entries[1:]:
            services.vote_cast(evaluation=evaluation, rater=rater, choices={entries[0].pk: "qualified"})
        # 群众意见 from three code holders: the remarks page shows its opinions panel.
        for code in remarks.opinion_codes_generate(evaluation=evaluation, count=3, by=secretary):
            remarks.opinions_cast(code=code, opinions={entries[0].pk: "联系群众密切"}, overall="支部活动丰富")
        services.vote_close(evaluation=evaluation, by=secretary)
        # A's: the crawl's member persona (who downloads their own file); entries are ordered by name, and the
        # factories' names are random, so "the last" was the persona only on some runs. B's: its last.
        member = world.users["member"]
        low = next(e for e in entries if e.member.user_id == member.pk) if side == "in" else entries[-1]
        grades = {e.pk: ("qualified", "") for e in entries if e.graded}
        grades[low.pk] = ("unqualified", "长期不参加组织生活")
        services.grades_save(evaluation=evaluation, grades=grades, by=secretary, submit=True)
        services.evaluation_decide(evaluation=evaluation, by=zzb, approve=True)
        step = services.followup_record(
            entry=low,
            step="rectify",
            note="限期改正",
            by=secretary,
            today=TODAY,
            deadline=TODAY + datetime.timedelta(days=60),
        )
        found["evaluation"][side], found["evaluation_entry"][side], found["follow_up"][side] = (
            evaluation,
            low,
            step,
        )
    world.objects.update(found)
    return found["evaluation"]


def _evaluation_targets(world):
    evaluations = _evaluations(world)
    return [
        Target(side, {"pk": evaluations[side].pk}, "A" if side == "in" else "B") for side in ("in", "out")
    ]


def _entry_targets(name):
    def targets(world):
        _evaluations(world)
        return [
            Target(side, {"pk": world.objects[name][side].pk}, "A" if side == "in" else "B")
            for side in ("in", "out")
        ]

    return targets


def _self_files(world):
    """The unqualified member's 个人自评 file on each side (stored through the attachment layer, its file written
    on commit as at a request's end): the member and the branch's committee download it, nobody else."""
    _evaluations(world)
    if "evaluation_file" not in world.objects:
        from django.test import TestCase

        from assessments.models.evaluation_files import EvaluationFile
        from branches.attachments import Checked, attachment_store
        from tests.crawl.world import pdf

        files = {}
        with TestCase.captureOnCommitCallbacks(execute=True):
            for side in ("in", "out"):
                entry = world.objects["evaluation_entry"][side]
                files[side] = attachment_store(
                    model=EvaluationFile,
                    checked=Checked(pdf("自评.pdf"), "application/pdf"),
                    by=None,
                    entry=entry,
                )
        world.objects["evaluation_file"] = files
    return [
        Target(side, {"pk": world.objects["evaluation_entry"][side].pk}, "A" if side == "in" else "B")
        for side in ("in", "out")
    ]


# The member (the crawl's member is A's member graded unqualified) and the branch's own committee (its
# secretary), never the units above.
self_file_viewers = per_target(
    **{
        "in": table(404, anonymous=302, member=200, secretary_a=200),
        "out": table(404, anonymous=302, secretary_b=200),
    }
)

# Those who run a branch or are above it; the branch's own secretary does not approve its own report.
evaluation_openers = table(
    403, anonymous=302, secretary_a=200, secretary_b=200, committee_secretary=200, commissioner=200, zzb=200
)
evaluation_deciders = per_target(
    **{"in": table(manages(deny=404), secretary_a=403), "out": table(manages(deny=404), secretary_b=403)}
)
evaluation_voters = per_target(
    **{
        "in": table(404, anonymous=302, member=200, secretary_a=200),
        "out": table(404, anonymous=302, secretary_b=200),
    }
)

register(
    Entry("evaluation:home", none, signed_in()),
    Entry("evaluation:new", none, evaluation_openers, post=SAME),
    Entry("evaluation:mine", none, signed_in()),
    Entry("evaluation:detail", _evaluation_targets, manages(deny=404)),
    action("evaluation:close", _evaluation_targets, manages(deny=404)),
    action("evaluation:grades", _evaluation_targets, manages(deny=404)),
    action("evaluation:decide", _evaluation_targets, evaluation_deciders),
    Entry("evaluation:vote", _evaluation_targets, evaluation_voters, post=SAME),
    Entry("evaluation:summary", _evaluation_targets, manages(deny=404)),
    Entry("evaluation:summary_xlsx", _evaluation_targets, manages(deny=404), html=False),
    action("evaluation:followup_new", _entry_targets("evaluation_entry"), manages(deny=404)),
    Entry("evaluation:self_file", _self_files, self_file_viewers, html=False),
    action("evaluation:followup_decide", _entry_targets("follow_up"), evaluation_deciders),
    # 党员互评 and 群众意见: members comment (as they vote), the committee reads, the branch issues codes, and
    # a code holder gives opinions on the public page (a POST without a code is the form again).
    Entry("evaluation:comments", _evaluation_targets, evaluation_voters, post=SAME),
    Entry("evaluation:remarks", _evaluation_targets, manages(deny=404)),
    Entry("evaluation:opinion_codes", _evaluation_targets, manages(deny=404), post=SAME),
    Entry("evaluation:opinion_entry", none, public(), post=SAME),
    Entry("evaluation:opinion_done", none, public()),
)
