"""The 组织部's first screen (issue 22): the units behind and the figures that moved, read from the dashboard's
snapshots only (``branches.figures``: each unit's current figures and those as the week began).

One query whatever the size of the tree: the unit's row and its children's (a branch, which has no children
on the dashboard, is compared with itself).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from branches.figures import Figures, block
from branches.models import Organization, UnitFigures

StrOrPromise = str | Promise
SHOWN = 5  # rows of each list on the first screen


@dataclass(frozen=True)
class Tracked:
    """A snapshot figure whose change is worth a line: ``block``'s ``key`` (stored or derived)."""

    block: str
    key: str
    label: StrOrPromise
    kind: str = "count"  # count or percent (a 0–1 share)


TRACKED = (
    Tracked("counts", "party_members", _("Party members")),
    Tracked("meetings", "completion", _("三会一课 completion"), "percent"),
    Tracked("meetings", "behind", _("Branches behind")),
    Tracked("meetings", "waiting", _("Minutes awaiting review")),
    Tracked("publication", "posts", _("Posts, last 90 days")),
    Tracked("dues", "arrears", _("Dues in arrears")),
)


@dataclass
class Behind:
    unit: Organization
    completion: float | None  # share of the year's required meetings held (None: nothing due yet)
    overdue: int  # required periods ended without approved minutes
    waiting: int  # this year's minutes awaiting review
    late: int  # this year's minutes filed late

    @property
    def completion_text(self) -> str:
        return "" if self.completion is None else f"{self.completion * 100:.0f}%"


@dataclass
class Moved:
    unit: Organization
    key: str  # the tracked figure's key in its block
    label: str
    kind: str
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before

    def _text(self, value: float) -> str:
        return f"{value * 100:.1f}%" if self.kind == "percent" else f"{value:,.0f}"

    @property
    def before_text(self) -> str:
        return self._text(self.before)

    @property
    def after_text(self) -> str:
        return self._text(self.after)

    @property
    def change_text(self) -> str:
        """Signed: percentage points for a share, the difference for a count."""
        change = self.change * 100 if self.kind == "percent" else self.change
        return f"{change:+.1f}" if self.kind == "percent" else f"{change:+,.0f}"

    @property
    def weight(self) -> float:
        """How far it moved, comparable across figures: percentage points for a share, per cent of the earlier
        value for a count (at least one, so 0 → 3 weighs 3)."""
        if self.kind == "percent":
            return abs(self.change) * 100
        return abs(self.change) / max(abs(self.before), 1) * 100


@dataclass
class FirstScreen:
    behind: list[Behind]
    moved: list[Moved]
    as_of: datetime.date | None
    previous_as_of: datetime.date | None


def _value(stored: dict, key: str, as_of: datetime.date | None) -> Figures:
    registered = block(key)
    if registered is None or as_of is None:
        return dict(stored.get(key) or {})
    return registered.values(stored.get(key), as_of)


def units_behind_and_moved(*, unit: Organization) -> FirstScreen:
    """The children of ``unit`` (or the unit itself, without children) furthest behind on 三会一课 — lowest
    completion, then most overdue periods, minutes waiting for review and filed late — and the biggest moves
    of the tracked figures since the previous snapshot. One query."""
    rows = list(
        UnitFigures.objects.filter(
            organization__path__startswith=unit.path,
            organization__depth__in=[unit.depth, unit.depth + 1],
            organization__is_active=True,
        )
        .exclude(organization__kind=Organization.Kind.GROUP)
        .select_related("organization")
        .order_by("organization__path")
    )
    own = next((row for row in rows if row.organization_id == unit.pk), None)
    children = [row for row in rows if row.organization_id != unit.pk] or ([own] if own else [])
    behind: list[Behind] = []
    moved: list[Moved] = []
    for row in children:
        meetings = _value(row.data, "meetings", row.as_of)
        overdue = sum(v for k, v in meetings.items() if k.startswith("missing_") and isinstance(v, int))
        completion = meetings.get("completion")
        entry = Behind(
            row.organization,
            completion if isinstance(completion, float | int) else None,
            overdue,
            int(meetings.get("waiting", 0) or 0),
            int(meetings.get("late", 0) or 0),
        )
        if entry.overdue or entry.waiting or (entry.completion is not None and entry.completion < 1):
            behind.append(entry)
        if not row.previous:
            continue
        current = {key: _value(row.data, key, row.as_of) for key in {t.block for t in TRACKED}}
        earlier = {key: _value(row.previous, key, row.previous_as_of) for key in {t.block for t in TRACKED}}
        for tracked in TRACKED:
            after = current[tracked.block].get(tracked.key)
            before = earlier[tracked.block].get(tracked.key)
            if tracked.kind == "count":
                after, before = after or 0, before or 0
            if not isinstance(after, int | float) or not isinstance(before, int | float) or after == before:
                continue
            moved.append(
                Moved(row.organization, tracked.key, str(tracked.label), tracked.kind, before, after)
            )
    behind.sort(
        key=lambda b: (
            b.completion if b.completion is not None else 2.0,
            -b.overdue,
            -b.waiting,
            -b.late,
            b.unit.path,
        )
    )
    moved.sort(key=lambda m: (-m.weight, m.unit.path, m.label))
    return FirstScreen(
        behind[:SHOWN],
        moved[:SHOWN],
        own.as_of if own else None,
        own.previous_as_of if own else None,
    )
