"""Crawl entries of the disclosure app (disclosure/urls.py): minutes, posts and the public pages."""

from tests.crawl.registry import (
    ABOVE,
    COVERS,
    LOGIN,
    SAME,
    Entry,
    Target,
    action,
    joined,
    manages,
    none,
    public,
    records_dues,
    register,
    signed_in,
    sides,
    table,
    units,
    with_queries,
    with_years,
    world_unit,
)
from tests.crawl.world import YEAR


def _org(obj):
    return obj.organization


def _sign_in_links(world):
    from disclosure.services.sign_in import sign_in_token

    draft = world.objects["draft_meeting"]["in"]
    return [
        Target("current", {"pk": draft.pk, "token": sign_in_token(meeting=draft)}, "A"),
        Target("made-up", {"pk": draft.pk, "token": "1-abc"}, "A"),
    ]


def _meeting_of(attachment):
    return attachment.meeting.organization


def _post_of(attachment):
    return attachment.post.organization


def _open(*names, extra=None):
    def targets(world):
        return [Target(n, {"code": world_unit(world, n).code, **(extra or {})}, n) for n in names]

    return targets


def _open_post(world):
    found = []
    for label, unit in (("in", "A"), ("out", "B")):
        post = world.objects["post"][label]
        found.append(Target(label, {"code": world_unit(world, unit).code, "pk": post.pk}, unit))
    return found


def _open_attachment(world):
    found = []
    for label, unit in (("in", "A"), ("out", "B")):
        attachment = world.objects["post_attachment"][label]
        found.append(
            Target(
                label,
                {"code": world_unit(world, unit).code, "pk": attachment.post_id, "attachment": attachment.pk},
                unit,
            )
        )
    return found


reviewers = manages(level="above")  # actions of the unit above


def checkers(persona, target):
    """The confidentiality check of a post: the unit above does it; the post's own unit is refused; for
    anyone else a post still waiting for its check does not exist (404)."""
    if persona == "anonymous":
        return LOGIN
    if ABOVE[target.unit] in COVERS[persona]:
        return 200
    if target.unit in COVERS[persona] or not target.label.startswith("pending_post"):
        return 403
    return 404


register(
    Entry(
        "disclosure:list",
        with_queries(
            units("C1", "A", "B"),
            *((q, manages(status=404)) for q in ("year=x", "year=0", "year=99999", "year=-1")),
        ),
        manages(),
    ),
    Entry("disclosure:create", with_queries(units("C1", "A", "B"), "kind=x"), manages(), post=SAME),
    Entry("disclosure:work_record", with_years(units("A", "B", extra={"year": YEAR})), manages()),
    Entry("disclosure:work_record_xlsx", units("A", "B", extra={"year": YEAR}), manages(), html=False),
    Entry(
        "disclosure:detail",
        joined(sides("meeting", _org), sides("draft_meeting", _org, rule=manages())),
        manages(),
    ),
    # Word documents (issue 21): readable by whoever may read the record.
    Entry("disclosure:minutes_docx", sides("meeting", _org), manages(), html=False),
    Entry("disclosure:work_record_docx", units("A", "B", extra={"year": YEAR}), manages(), html=False),
    # A submitted record is frozen: its managers are sent back to it (302).
    Entry(
        "disclosure:edit",
        joined(sides("meeting", _org), sides("draft_meeting", _org, rule=manages())),
        manages(status=302),
        post=SAME,
    ),
    # QR sign-in (issue 20): the code only for a draft's managers; a submitted record has none.
    Entry(
        "disclosure:sign_in_code",
        joined(
            sides("meeting", _org, rule=table(403, anonymous=LOGIN)),
            sides("draft_meeting", _org, rule=manages()),
        ),
        manages(),
    ),
    # The link a code carries: the crawl's meetings are days old, so every signed-in visitor is told the
    # sign-in is closed (403), and a made-up code is refused the same way.
    Entry("disclosure:sign_in", _sign_in_links, signed_in(403), post=SAME),
    action("disclosure:approve", sides("meeting", _org), reviewers),
    action("disclosure:return", sides("meeting", _org), reviewers),
    Entry("disclosure:attachment", sides("attachment", _meeting_of), manages(), html=False),
    action("disclosure:attachment_delete", sides("attachment", _meeting_of), manages()),
    Entry(
        "disclosure:review_queue",
        none,
        table(403, anonymous=302, committee_secretary=200, commissioner=200, zzb=200),
    ),
    action("disclosure:publish_summary", sides("meeting", _org), manages(deny=404)),
    action("disclosure:dues_list_publish", units("A", "B", extra={"year": YEAR}), records_dues()),
    Entry("disclosure:post_desk", none, signed_in()),
    Entry("disclosure:post_list", units("C1", "A", "B"), manages()),
    Entry("disclosure:post_create", units("C1", "A", "B"), manages(), post=SAME),
    # The posts are published and public: every signed-in reader may open them on the desk too.
    # A post waiting for its check is shown to its unit and to the checkers above only.
    Entry(
        "disclosure:post_detail",
        joined(sides("post", _org), sides("pending_post", _org, rule=manages(deny=404))),
        signed_in(),
    ),
    Entry(
        "disclosure:post_edit",
        joined(sides("post", _org), sides("pending_post", _org, rule=manages(status=302))),
        manages(),
        post=SAME,
    ),
    action(
        "disclosure:post_approve",
        joined(sides("post", _org), sides("pending_post", _org, rule=checkers)),
        checkers,
    ),
    action(
        "disclosure:post_return",
        joined(sides("post", _org), sides("pending_post", _org, rule=checkers)),
        checkers,
    ),
    action("disclosure:post_withdraw", sides("post", _org), manages()),
    Entry("disclosure:post_attachment", sides("post_attachment", _post_of), signed_in(), html=False),
    action("disclosure:post_attachment_delete", sides("post_attachment", _post_of), manages()),
    Entry("disclosure:open_index", none, public()),
    Entry(
        "disclosure:open_search",
        with_queries(
            none, "q=支部", "q=%27%22%3C", "q=支部&unit=nope", ("q=%00", public(400)), "q=" + "支" * 300
        ),
        public(),
    ),
    Entry("disclosure:open_benchmark", with_queries(none, "period=x", "u=x", "period=0001-01"), public()),
    Entry("disclosure:open_unit", _open("U", "C1", "A", "B"), public()),
    Entry("disclosure:open_feed", _open("A", "B"), public(), html=False),
    Entry(
        "disclosure:open_section",
        with_queries(_open("A", "B", extra={"section": "news"}), "page=x", "page=99999", "page=-1"),
        public(),
    ),
    Entry("disclosure:open_post", _open_post, public()),
    Entry("disclosure:open_attachment", _open_attachment, public(), html=False),
)
