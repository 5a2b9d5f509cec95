"""Reads of the annual work guides and the 八个一 checklist (issue 18)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch

from assessments.models import AnnualGuide, EightOnesItem, EightOnesTick, GuideAction, GuideActionDone
from assessments.models.targets import programme_for
from branches.models import Organization


def guides_all():
    """Every guide with its action count (组织部's list). One query."""
    return AnnualGuide.objects.annotate(n=Count("actions")).order_by("-year", "programme")


def guide_months(*, guide: AnnualGuide) -> list[tuple[int, list[GuideAction]]]:
    """(month, actions) for the months that have actions, in order. One query."""
    months: dict[int, list[GuideAction]] = {}
    for action in guide.actions.all():
        months.setdefault(action.month, []).append(action)
    return sorted(months.items())


def branch_guide(*, branch: Organization, year: int) -> tuple[AnnualGuide | None, list]:
    """The published guide of the branch's programme for ``year`` and, per month, each action with the
    branch's record of it (or None). Two queries."""
    guide = (
        AnnualGuide.objects.filter(
            year=year, programme=programme_for(branch) or "-", published_at__isnull=False
        )
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=GuideAction.objects.prefetch_related(
                    Prefetch(
                        "completions",
                        queryset=GuideActionDone.objects.filter(organization=branch),
                        to_attr="mine",
                    )
                ),
            )
        )
        .first()
    )
    if guide is None:
        return None, []
    months: dict[int, list] = {}
    for action in guide.actions.all():
        mine: list[GuideActionDone] = getattr(action, "mine")  # the Prefetch's to_attr above
        months.setdefault(action.month, []).append((action, mine[0] if mine else None))
    return guide, sorted(months.items())


@dataclass
class Check:
    item: EightOnesItem
    computed: bool  # measured from the records (True) or ticked (False)
    ok: bool
    note: str
    tick: EightOnesTick | None


def eight_ones(*, branch: Organization, year: int, today: datetime.date) -> list[Check]:
    """The 八个一 checklist of ``branch`` for ``year``: computed items from the records, the others from the
    branch's ticks. A fixed number of queries."""
    from django.utils.translation import gettext as _

    from members.selectors.shape import branch_shape
    from disclosure.models import Meeting, Post
    from disclosure.selectors import compliance

    items = list(EightOnesItem.objects.filter(is_active=True))
    ticks = {t.item_id: t for t in EightOnesTick.objects.filter(organization=branch, year=year)}
    M = EightOnesItem.Measure
    checks = []
    for item in items:
        if item.measure == M.NONE:
            tick = ticks.get(item.pk)
            checks.append(Check(item, False, tick is not None, tick.evidence if tick else "", tick))
            continue
        if item.measure == M.COMMITTEE:
            shape = branch_shape(branch=branch)
            ok, note = (
                not shape.warnings,
                "；".join(shape.warnings)
                or _("%(n)d committee members for %(full)d full members")
                % {"n": shape.committee, "full": shape.full},
            )
        elif item.measure == M.THEME_DAY:
            ok = bool(branch.theme_day)
            note = (
                (_("On day %(day)d of each month") % {"day": branch.theme_day})
                if ok
                else _("No fixed day set")
            )
        elif item.measure == M.MEETINGS:
            cells = [
                c
                for e in compliance(root=branch, year=year, today=today)
                for r in e.rows
                for c in r.cells
                if c.ends_on < today
            ]
            missed = sum(1 for c in cells if c.state != "done")
            ok, note = (
                missed == 0,
                _("%(done)d of %(n)d periods ended held as required")
                % {"done": len(cells) - missed, "n": len(cells)},
            )
        elif item.measure == M.ORGANIZATIONAL_LIFE:
            n = (
                Meeting.objects.filed()
                .filter(organization=branch, kind=Meeting.Kind.ORGANIZATIONAL_LIFE, held_at__year=year)
                .count()
            )
            ok, note = n > 0, _("%(n)d filed this year") % {"n": n}
        else:  # POSTS
            n = Post.objects.published().filter(organization=branch, published_at__year=year).count()
            ok, note = n > 0, _("%(n)d published this year") % {"n": n}
        checks.append(Check(item, True, ok, note, None))
    return checks
