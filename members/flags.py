"""Flags beside a member's name in the lifecycle pages (member development, transfers, dues), from the apps
above without members importing them (DESIGN §3) — a 民主评议 graded 不合格 and its 限期改正, from
``assessments``.

A source is ``(member_ids) -> {member id: [MemberFlag, …]}``, registered in the app's ``AppConfig.ready``; it
answers a whole page's members at once in a fixed number of queries (never one per row). The page asks once,
before its loop (``{% member_flags_for rows as flags %}`` in ``members.templatetags.member_flags``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class MemberFlag:
    label: str  # short, shown as a badge
    detail: str = ""  # a sentence, shown as the badge's title and beside it on a one-member page
    code: str = ""  # for tests and styling: "evaluation-unqualified", …


FlagSource = Callable[[list[int]], dict[int, list[MemberFlag]]]
_SOURCES: list[FlagSource] = []


def register_member_flags(source: FlagSource) -> FlagSource:
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def member_flags(member_ids: Iterable[int]) -> dict[int, list[MemberFlag]]:
    """Every registered source's flags for ``member_ids``: one call per source, none when there is no id."""
    ids = sorted({pk for pk in member_ids if pk})
    flags: dict[int, list[MemberFlag]] = {}
    if not ids:
        return flags
    for source in _SOURCES:
        for pk, found in source(ids).items():
            flags.setdefault(pk, []).extend(found)
    return flags
