"""Crawl entries of issue 18: the annual work guides and the 八个一 checklist (assessments, urls_assessment.py)
and the register of major decisions (disclosure)."""

from tests.crawl.registry import (
    SAME,
    Entry,
    Target,
    action,
    manages,
    register,
    signed_in,
    table,
    with_queries,
    with_years,
)
from tests.crawl.world import TODAY, YEAR

guides_office = table(403, anonymous=302, zzb=200)  # the guides are the 组织部's, as the indicator tables


def _objects(world) -> dict:
    """A published guide for A's programme and one for B's, and a decision of each committee. Built on first
    use, once per world."""
    if "guide" in world.objects:
        return world.objects
    from assessments.models.targets import programme_for
    from assessments.services import guides
    from disclosure.services.decisions import decision_save

    c = world.cast
    zzb = world.users["zzb"]
    world.objects["guide"], world.objects["guide_action"], world.objects["decision"] = {}, {}, {}
    for side, (branch, committee, secretary) in {
        "in": (c.branch_a, c.c1, world.users["committee_secretary"]),
        "out": (c.branch_b, c.c2, zzb),
    }.items():
        guide = guides.guide_create(year=YEAR, programme=programme_for(branch), by=zzb)
        guides.guide_publish(guide=guide, by=zzb, today=TODAY)
        world.objects["guide"][side] = guide
        world.objects["guide_action"][side] = guide.actions.order_by("pk").last()
        world.objects["decision"][side] = decision_save(
            by=secretary,
            organization=committee,
            values={
                "decided_on": TODAY,
                "meeting": None,
                "topic": "学院“十五五”党建规划",
                "basis": "学院党委议事规则",
                "votes_for": 5,
                "votes_against": 0,
                "abstentions": 0,
                "decision": "通过",
                "follow_up": "",
                "follow_up_done": False,
            },
        )
    return world.objects


def _guides(world):
    return [Target(side, {"pk": g.pk}, None) for side, g in _objects(world)["guide"].items()]


def _actions(world):
    return [Target(side, {"pk": a.pk}, None) for side, a in _objects(world)["guide_action"].items()]


def _branches(world):
    _objects(world)
    return [
        Target(n, {"org": b.pk, "year": YEAR}, n)
        for n, b in (("A", world.cast.branch_a), ("B", world.cast.branch_b))
    ]


def _committees(world):
    _objects(world)
    return [Target(n, {"pk": u.pk}, n) for n, u in (("C1", world.cast.c1), ("C2", world.cast.c2))]


def _decisions(world):
    return [
        Target(side, {"pk": d.pk}, "C1" if side == "in" else "C2")
        for side, d in _objects(world)["decision"].items()
    ]


register(
    Entry("cycle:guides", lambda world: [Target("-", {})], guides_office, post=SAME),
    Entry(
        "cycle:guide",
        with_queries(
            _guides,
            ("edit=x", table(403, anonymous=302, zzb=404)),
            ("edit=999999", table(403, anonymous=302, zzb=404)),
        ),
        guides_office,
        post=SAME,
    ),
    action("cycle:guide_publish", _guides, guides_office, anonymous=405),
    action("cycle:guide_action_delete", _actions, guides_office, anonymous=405),
    # A branch's guide and checklist: those who may see the branch; its own secretaries record and tick.
    Entry("cycle:branch_guide", with_years(_branches), manages(), post=SAME),
    Entry("cycle:eight_ones", with_years(_branches), manages(), post=SAME),
    # The register: everyone signed in sees the committees they may see (none: an empty register).
    Entry(
        "disclosure:decisions",
        with_queries(
            lambda world: [Target("-", {})],
            ("c=x", signed_in(404)),
            ("c=999999", signed_in(404)),
            ("year=x", signed_in(404)),
            "q=%27",
        ),
        signed_in(),
    ),
    Entry("disclosure:decision_new", _committees, manages(), post=SAME),
    Entry("disclosure:decision_edit", _decisions, manages(), post=SAME),
)
