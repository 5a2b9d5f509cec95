"""The registry of what can be reported: each app registers its *sources* in ``AppConfig.ready`` (this app
imports only ``branches``, so the registry lives here, like ``branches.figures``' blocks).

A source's ``collect(today)`` yields one ``Due`` per person and item that is due or overdue on ``today``:
the daily digest reports each (person, key) once, and an item ``escalates`` to the unit above once it is
overdue by the days its ``SourceSetting`` names (data, default ``NOTIFY_ESCALATE_AFTER_DAYS``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Due:
    """One item for one person. ``key`` is the item's (the same for every person it is due for)."""

    user_id: int
    key: str
    text: str
    organization_id: int
    due_on: datetime.date | None = None
    link: str = ""


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    collect: Callable[[datetime.date], Iterable[Due]]
    escalates: bool = True
    order: int = 100


_SOURCES: dict[str, Source] = {}


def register_source(source: Source) -> Source:
    _SOURCES[source.key] = source
    return source


def sources() -> list[Source]:
    return sorted(_SOURCES.values(), key=lambda source: (source.order, source.key))


def source(key: str) -> Source | None:
    return _SOURCES.get(key)
