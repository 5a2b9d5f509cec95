"""The registry of the 党内统计 tables' subjects (issue 21): for each subject, what its tables count and the
row and column keys their layouts may name. ``members.statistics`` registers the subjects ``members`` owns;
a higher app registers the ones whose data it holds (``assessments``: 民主评议, 七一表彰) in its
``AppConfig.ready``, since ``members`` may not import it (DESIGN §3) — as the dashboard's blocks are registered
with ``branches.figures``."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from branches.models import Organization

Cond = Callable[[datetime.date], Q]


def year_start(as_of: datetime.date) -> datetime.date:
    return datetime.date(as_of.year, 1, 1)


@dataclass(frozen=True)
class Key:
    """A row or column of a table. ``cond`` filters the subject's items; a *measure* (columns only) instead
    sums ``measure(as_of)`` — an integer expression per item, e.g. a unit's committee members — over the
    items the cell's row and column select, and ``drill(items, as_of)`` lists what it counts (``shows``
    names that list for the drill-down page)."""

    label: object
    cond: Cond
    measure: Callable[[datetime.date], object] | None = None
    drill: Callable[[QuerySet, datetime.date], QuerySet] | None = None
    shows: str = ""


@dataclass(frozen=True)
class Source:
    """What the tables of one subject count: ``items(unit, as_of)`` — the records in the unit's subtree
    before rows and columns —, the keys their layouts may name, the drill-down's order and related rows, and
    which list the drill-down page shows ("members", "organizations", "roles", "nominations")."""

    items: Callable[[Organization, datetime.date], QuerySet]
    keys: dict[str, Key]
    order: tuple[str, ...]
    shows: str
    related: tuple[str, ...] = ()


SOURCES: dict[str, Source] = {}


def register_source(subject: str, source: Source) -> Source:
    """Register (or replace) the source of ``subject``, one of ``StatTable.Subject``."""
    SOURCES[subject] = source
    return source


def source_for(subject: str) -> Source:
    """The subject's source; KeyError when no installed app registered it."""
    return SOURCES[subject]


def keys_for(subject: str) -> dict[str, Key]:
    source = SOURCES.get(subject)
    return source.keys if source else {}
