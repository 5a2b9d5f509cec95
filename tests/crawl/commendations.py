"""Crawl entries of the 七一表彰 (issue 19): one commendation of the world's year on its 公示 (ended, so the
decision form shows), with 艾丽's nomination by C1 (a deeds file attached) and one open objection."""

from __future__ import annotations

import datetime

from tests.crawl.registry import SAME, Entry, Target, action, none, public, register, signed_in, table
from tests.crawl.world import YEAR


def _commendation(world):
    if "commendation" in world.objects:
        return world.objects["commendation"]
    from assessments.models.commendation import HonourKind
    from assessments.services import commendation as services
    from tests.crawl.world import TODAY, pdf

    zzb = world.users["zzb"]
    day = datetime.timedelta(days=1)
    commendation = services.commendation_open(
        root=world.cast.university,
        year=YEAR,
        by=zzb,
        nominations_open_on=TODAY - 30 * day,
        nominations_close_on=TODAY - 21 * day,
    )
    nomination = services.nominate(
        commendation=commendation,
        kind=HonourKind.MEMBER,
        committee=world.cast.c1,
        by=zzb,
        member=world.cast.alice_member,
        deeds="扎根教学一线，带领支部创先争优。",
        endorsement="经党委会研究，同意推荐。",
        deeds_file=pdf("事迹材料.pdf"),
        today=TODAY - 25 * day,
    )
    commendation = services.notice_start(commendation=commendation, by=zzb, today=TODAY - 20 * day)
    objection = services.objection_record(
        nomination=nomination, text="反映其材料有夸大", by=zzb, received_on=TODAY - 20 * day
    )
    world.objects.update({"commendation": commendation, "nomination": nomination, "objection": objection})
    return commendation


def _target(name):
    def targets(world):
        _commendation(world)
        return [Target("-", {"pk": world.objects[name].pk}, "U")]

    return targets


# 组织部 runs it; the committees' secretaries and commissioners nominate (C1's people see it); others are
# not told it exists.
runners = table(404, anonymous=302, committee_secretary=403, commissioner=403, zzb=200)
staff = table(404, anonymous=302, committee_secretary=200, commissioner=200, zzb=200)

register(
    Entry("commendation:home", none, signed_in()),
    Entry("commendation:new", none, table(403, anonymous=302, zzb=200), post=SAME),
    Entry("commendation:detail", _target("commendation"), staff),
    action("commendation:quota", _target("commendation"), runners),
    Entry("commendation:candidates", _target("commendation"), staff),
    Entry("commendation:nominate", _target("commendation"), staff, post=SAME),
    action("commendation:notice_start", _target("commendation"), runners),
    # The 公示 moved to the public site: the old address redirects there (issue 19).
    Entry("commendation:notice", _target("commendation"), public(301), html=False),
    # The public 公示 (ended in the world: the page says so, and refuses an objection on it), no login.
    # The public site lists the 公示 (running and the last year's), linked to each (issue 19).
    Entry("open_commendation:list", none, public()),
    Entry("open_commendation:notice", _target("commendation"), public()),
    action("open_commendation:objection", _target("commendation"), public(200), anonymous=405),
    action("commendation:publish", _target("commendation"), runners),
    Entry("commendation:certificates", _target("commendation"), runners),
    Entry("commendation:xlsx", _target("commendation"), runners, html=False),
    Entry("commendation:nomination", _target("nomination"), staff),
    Entry("commendation:nomination_file", _target("nomination"), staff, html=False),
    action("commendation:withdraw", _target("nomination"), staff),
    action("commendation:objection", _target("nomination"), runners),
    action("commendation:decide", _target("nomination"), runners),
    action("commendation:resolve", _target("objection"), table(404, anonymous=302, zzb=200)),
)
