"""Crawl entries of the projects app (projects/urls.py): 特色阵地 and 课题 grants."""

from tests.crawl.registry import (
    SAME,
    Entry,
    Target,
    action,
    joined,
    manages,
    none,
    per_target,
    register,
    signed_in,
    sides,
    table,
)

officers = table(403, anonymous=302, zzb=200)


def _org(obj):
    return obj.organization


def _call(world):
    return [Target("-", {"pk": world.objects["call"]["in"].pk}, "U")]


# A's grant is endorsed by C1 and assigned to the reviewer; B's is waiting for C2's endorsement.


def _grant_readers(persona, target):
    if persona == "reviewer":
        return 200 if target.label == "in" else 403
    return manages(deny=403)(persona, target)


register(
    Entry("projects:home", none, signed_in()),
    Entry("projects:overview", none, officers),
    Entry("projects:overview_xlsx", none, officers, html=False),
    Entry("projects:call_create", none, officers, post=SAME),
    # A 特色阵地 call is for units: the members see it, only those with a unit apply; the reviewer has neither.
    Entry("projects:call", _call, table(200, anonymous=302, reviewer=403)),
    Entry("projects:apply", _call, table(200, anonymous=302, member=403, reviewer=403), post=SAME),
    Entry(
        "projects:grant",
        joined(sides("grant", _org), sides("draft_grant", _org, rule=manages())),
        _grant_readers,
    ),
    # Both applications are submitted: no one edits them any more.
    Entry(
        "projects:edit",
        joined(sides("grant", _org), sides("draft_grant", _org, rule=manages())),
        signed_in(403),
        post=SAME,
    ),
    action("projects:endorse", sides("grant", _org), manages(level="above")),
    action("projects:return", sides("grant", _org), manages(level="above")),
    action("projects:assign", sides("grant", _org), table(403, anonymous=302, zzb=200)),
    action(
        "projects:review",
        sides("grant", _org),
        per_target(**{"in": table(403, anonymous=302, reviewer=200), "out": table(403, anonymous=302)}),
    ),
    action("projects:decide", sides("grant", _org), table(403, anonymous=302, zzb=200)),
    action("projects:report", sides("grant", _org), manages()),
    action("projects:expense", sides("grant", _org), manages()),
    action("projects:accept", sides("grant", _org), table(403, anonymous=302, zzb=200)),
    Entry("projects:file", sides("grant_file", lambda f: f.grant.organization), _grant_readers, html=False),
)
