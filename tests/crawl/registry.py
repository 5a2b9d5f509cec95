"""The crawl's registry: one entry per URL pattern (by its name, ``namespace:name``), saying which concrete
objects to request it with and what each persona should get back.

Each app's entries live in ``tests/crawl/<app>.py`` beside the others of that app; a new URL pattern adds its
entry there, or ``tests/test_crawl.py`` fails naming it.

A rule answers, for one persona and one target, the status a GET must return. The personas are those of
``tests/crawl/world.py``; ``COVERS`` says which units each of them runs (a role there or above), written out
here rather than asked of the code under test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

PERSONAS = (
    "anonymous",
    "member",
    "secretary_a",
    "secretary_b",
    "committee_secretary",
    "commissioner",
    "reviewer",
    "zzb",
)

# The units each persona manages, as names of the world's units (the role's unit and everything under it).
COVERS = {
    "anonymous": set(),
    "member": set(),
    "secretary_a": {"A"},
    "secretary_b": {"B"},
    "committee_secretary": {"C1", "A"},
    "commissioner": {"C1", "A"},
    "reviewer": set(),
    "zzb": {"U", "C1", "C2", "A", "B"},
}
# Who runs the unit above each unit (the reviewers of its minutes, its posts' check, its assessment).
ABOVE = {"A": "C1", "B": "C2", "C1": "U", "C2": "U", "U": None}

LOGIN = 302  # login_required sends the anonymous visitor to the sign-in page


@dataclass(frozen=True)
class Target:
    """One concrete URL of a pattern: its kwargs, the unit it belongs to (a name of COVERS) and a query."""

    label: str
    kwargs: dict
    unit: str | None = None
    query: str = ""
    rule: Callable | None = None  # instead of the entry's (a hostile query's own expectation)
    headers: dict | None = None  # e.g. HX-Request: an htmx swap gets a fragment of the page


Rule = Callable[[str, Target], int]


def public(status: int = 200) -> Rule:
    """Everyone, signed in or not."""
    return lambda persona, target: status


def signed_in(status: int = 200, anonymous: int = LOGIN) -> Rule:
    """Everyone who has signed in."""
    return lambda persona, target: anonymous if persona == "anonymous" else status


def manages(deny: int = 403, status: int = 200, anonymous: int = LOGIN, level: str = "own") -> Rule:
    """Those who run the target's unit (``level="above"``: the unit above it); ``deny`` for the others."""

    def rule(persona: str, target: Target) -> int:
        if persona == "anonymous":
            return anonymous
        unit = target.unit if level == "own" else ABOVE[target.unit]
        return status if unit in COVERS[persona] else deny

    return rule


# Who records a branch's dues (issue 22): its own secretary; units above read the ledger and approve exemptions.
DUES_RECORDERS = {"secretary_a": {"A"}, "secretary_b": {"B"}}


def records_dues(deny: int = 403, anonymous: int = LOGIN) -> Rule:
    """The target branch's own recorders (not the committee above nor the 组织部, who manage it)."""

    def rule(persona: str, target: Target) -> int:
        if persona == "anonymous":
            return anonymous
        return 200 if target.unit in DUES_RECORDERS.get(persona, set()) else deny

    return rule


def table(default: int | Rule, **statuses: int) -> Rule:
    """Statuses written out per persona, ``default`` (a status or a rule) for the rest."""

    def rule(persona: str, target: Target) -> int:
        if persona in statuses:
            return statuses[persona]
        return default(persona, target) if callable(default) else default

    return rule


def per_target(**rules: Rule) -> Rule:
    """A different rule per target label."""
    return lambda persona, target: rules[target.label](persona, target)


SAME = "same"  # an entry's POST follows its GET rule (a form page that takes its own POST)


@dataclass
class Entry:
    """How to crawl one URL pattern.

    ``targets(world)`` gives the concrete URLs; ``get`` the GET status per persona and target. ``post`` (a
    rule, or SAME for the GET's) says what a POST returns; the crawl POSTs only as the personas it refuses
    (the wrong owners), so a POST never changes the world, and expects the refusal.
    """

    name: str
    targets: Callable[[object], list[Target]]
    get: Rule
    post: Rule | str | None = None
    html: bool = True  # a zh-hans page (checked for English); False for files and exports
    note: str = ""
    is_action: bool = False  # POST only (see action()): a target's own rule is then its POST's

    def rules(self, target: Target) -> tuple[Rule, Rule | None]:
        """The GET and POST rules for ``target`` (its own rule, if it has one, replaces the entry's)."""
        if self.is_action:
            return self.get, target.rule or self.post
        get = target.rule or self.get
        return get, get if self.post == SAME else self.post


def action(name: str, targets, rule: Rule, *, anonymous: int = LOGIN, **extra) -> Entry:
    """A POST-only action: a GET is 405 for everyone (after the sign-in for the anonymous); ``rule`` says
    who may POST (their status is never requested) and how the others are refused."""
    return Entry(name, targets, signed_in(405, anonymous=anonymous), post=rule, is_action=True, **extra)


REGISTRY: dict[str, Entry] = {}


def register(*entries: Entry) -> None:
    for entry in entries:
        assert entry.name not in REGISTRY, f"two crawl entries for {entry.name}"
        REGISTRY[entry.name] = entry


def none(world) -> list[Target]:
    """A pattern without arguments."""
    return [Target("-", {})]


def sides(
    name: str,
    unit: Callable[[object], object] | None = None,
    kw: str = "pk",
    attr: str = "pk",
    query: str = "",
    rule: Rule | None = None,
) -> Callable[[object], list[Target]]:
    """The world's object ``name`` on A's side and on B's side; ``unit`` names the unit it belongs to. The
    labels are "in" and "out" for the entry's main object, "<name>:in" and "<name>:out" for one given with
    its own ``rule`` (another state of it: a draft, a post waiting for its check)."""

    def targets(world) -> list[Target]:
        found = []
        for side in ("in", "out"):
            obj = world.objects[name][side]
            value = obj if attr is None else getattr(obj, attr)
            label = side if rule is None else f"{name}:{side}"
            found.append(
                Target(label, {kw: value}, unit_name(world, unit(obj)) if unit else None, query, rule)
            )
        return found

    return targets


def joined(*target_lists: Callable) -> Callable[[object], list[Target]]:
    """The targets of several target functions, in order."""
    return lambda world: [target for targets in target_lists for target in targets(world)]


def units(*names: str, kw: str = "pk", extra: dict | None = None, query: str = "") -> Callable:
    """The world's units by name (U, C1, C2, A, B)."""

    def targets(world) -> list[Target]:
        return [Target(n, {kw: world_unit(world, n).pk, **(extra or {})}, n, query) for n in names]

    return targets


def with_queries(targets: Callable, *queries: str | tuple[str, Rule]) -> Callable:
    """``targets`` and, for their first target, the same URL with each of ``queries``: hostile query
    parameters (a bad value is a 404 or a form message, never a 500). A query given as ``(query, rule)``
    has its own rule; otherwise the entry's applies."""

    def more(world) -> list[Target]:
        found = targets(world)
        first = found[0]
        for query in queries:
            query, rule = query if isinstance(query, tuple) else (query, None)
            found.append(Target(first.label, first.kwargs, first.unit, query, rule))
        return found

    return more


def with_years(targets: Callable, years: tuple[int, ...] = (1, 9999), rule: Rule | None = None) -> Callable:
    """``targets`` plus their first at the calendar's edges (a year in the path: 0001, 9999), where ``rule``
    applies (default: a 404 for those who may see the unit, the entry's refusal for the others)."""

    def more(world) -> list[Target]:
        found = targets(world)
        first = found[0]
        return found + [
            Target(first.label, {**first.kwargs, "year": y}, first.unit, rule=rule or manages(status=404))
            for y in years
        ]

    return more


def world_unit(world, name: str):
    c = world.cast
    return {"U": c.university, "C1": c.c1, "C2": c.c2, "A": c.branch_a, "B": c.branch_b}[name]


def unit_name(world, organization) -> str:
    for name in ("U", "C1", "C2", "A", "B"):
        if world_unit(world, name).pk == organization.pk:
            return name
    raise AssertionError(f"{organization} is not one of the world's units")


@dataclass
class Result:
    entry: str
    target: str
    persona: str
    method: str
    url: str
    status: int
    expected: int | tuple
    problems: list[str] = field(default_factory=list)
