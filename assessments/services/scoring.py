"""Scoring rules of DESIGN §5 as pure functions (no database): totals, grades and rankings.

* Basic items (required and optional) count up to their maximum each; their sum counts up to 100.
* Bonus items count up to their maximum each; their sum counts up to the cycle's bonus cap.
* A failed veto item makes the unit not compliant whatever its points.
* Grades compare the exact total with the thresholds (defaults 85 / 90 / 95), with no rounding: 89.9 is
  达标, not 四星 — a grade is earned, never rounded into. Points are kept to one decimal.
* Rankings are competition rankings ("1, 2, 2, 4"): equal totals share a rank; a failed veto ranks after
  every unit without one.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

BASIC_MAX = Decimal("100")
BASIC_KINDS = ("required", "optional")
ZERO = Decimal("0")


@dataclass(frozen=True)
class Line:
    """One item: its kind (required / optional / veto / bonus), maximum points, the points given (None:
    not scored) and, for a veto item, whether it failed."""

    kind: str
    max_points: Decimal
    points: Decimal | None = None
    failed: bool = False


@dataclass(frozen=True)
class Thresholds:
    compliant: Decimal = Decimal("85")
    four_stars: Decimal = Decimal("90")
    five_stars: Decimal = Decimal("95")


@dataclass(frozen=True)
class Score:
    basic: Decimal
    bonus: Decimal
    total: Decimal
    veto_failed: bool
    grade: str  # Grade values: fail / pass / four / five


def _clamp(points: Decimal | None, maximum: Decimal) -> Decimal:
    if points is None:
        return ZERO
    return max(ZERO, min(Decimal(points), Decimal(maximum)))


def grade_for(total: Decimal, *, veto_failed: bool = False, thresholds: Thresholds = Thresholds()) -> str:
    """The grade of ``total``: fail (< compliant or a failed veto), pass, four or five (stars)."""
    if veto_failed or total < thresholds.compliant:
        return "fail"
    if total >= thresholds.five_stars:
        return "five"
    if total >= thresholds.four_stars:
        return "four"
    return "pass"


def score(
    lines: Iterable[Line], *, bonus_cap: Decimal = Decimal("5"), thresholds: Thresholds = Thresholds()
) -> Score:
    """Total and grade of one assessment's items (see the module docstring for the rules)."""
    basic = bonus = ZERO
    veto_failed = False
    for line in lines:
        if line.kind == "veto":
            veto_failed = veto_failed or line.failed
        elif line.kind == "bonus":
            bonus += _clamp(line.points, line.max_points)
        elif line.kind in BASIC_KINDS:
            basic += _clamp(line.points, line.max_points)
        else:
            raise ValueError(f"unknown item kind {line.kind!r}")
    basic = min(basic, BASIC_MAX)
    bonus = min(bonus, max(ZERO, Decimal(bonus_cap)))
    total = basic + bonus
    return Score(
        basic=basic,
        bonus=bonus,
        total=total,
        veto_failed=veto_failed,
        grade=grade_for(total, veto_failed=veto_failed, thresholds=thresholds),
    )


def rank(entries: Sequence[tuple[Hashable, Decimal | None, bool]]) -> dict[Hashable, int]:
    """Competition ranks of ``(key, total, veto_failed)`` entries, best first; units without a total are
    left out. Equal totals (and equal veto state) share a rank, and the next rank skips: 1, 2, 2, 4."""
    scored = [(key, total, failed) for key, total, failed in entries if total is not None]
    scored.sort(key=lambda e: (e[2], -e[1]))
    ranks: dict[Hashable, int] = {}
    previous = None
    for position, (key, total, failed) in enumerate(scored, start=1):
        if previous is None or (failed, total) != previous[1]:
            previous = (position, (failed, total))
        ranks[key] = previous[0]
    return ranks
