"""Chinese full-text search that works on SQLite and PostgreSQL.

Chinese has no spaces, so a word-based full-text index sees a whole sentence as one "word" and finds
nothing inside it. Each post therefore stores ``search_tokens``: its title and text as overlapping
character bigrams for CJK runs (党建工作 → 党建 建工 工作) and lower-cased words for Latin letters and digits,
separated by spaces. A query is tokenised the same way and every token must match:

* SQLite: an FTS5 table over that column (``disclosure_post_fts``, kept in step by triggers), MATCH;
* PostgreSQL: a stored generated column ``search_vector = to_tsvector('simple', search_tokens)`` (the ORM
  does not know it) with a GIN index, ``@@ plainto_tsquery('simple', …)``.

Matching all bigrams of "党建工作" also matches a text holding 党建, 建工 and 工作 apart, so the candidates are
checked with a substring test on the indexed rows only (cheap: the index has already narrowed them). A
one-character query has no bigram and falls back to the substring test alone.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import strip_tags

# CJK ideographs (with extension A and compatibility ideographs), kana and hangul: written without spaces.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_RUN = re.compile(rf"[{_CJK}]+|[0-9a-z]+")
_CJK_RUN = re.compile(rf"[{_CJK}]+")
MAX_QUERY_TOKENS = 24


def plain_text(html: str) -> str:
    return re.sub(r"\s+", " ", strip_tags(html or "")).strip()


def tokens(text: str) -> list[str]:
    """Bigrams of every CJK run (a one-character run is kept whole) and the Latin/digit words."""
    out: list[str] = []
    for run in _RUN.findall((text or "").lower()):
        if _CJK_RUN.fullmatch(run):
            if len(run) == 1:
                out.append(run)
            else:
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return out


def search_tokens(title: str, body_html: str) -> str:
    return " ".join(tokens(title) + tokens(plain_text(body_html)))


def query_tokens(query: str) -> list[str]:
    """The distinct tokens of a query in order; one-character CJK runs are dropped (no bigram to look up)."""
    seen: dict[str, None] = {}
    for run in _RUN.findall((query or "").lower()):
        if _CJK_RUN.fullmatch(run):
            for i in range(len(run) - 1):
                seen.setdefault(run[i : i + 2], None)
        else:
            seen.setdefault(run, None)
    return list(seen)[:MAX_QUERY_TOKENS]


def _words(query: str) -> list[str]:
    return [w for w in re.split(r"\s+", (query or "").strip()) if w][:8]


def search_filter(queryset: QuerySet, query: str) -> QuerySet:
    """``queryset`` (of posts) narrowed to those whose title or text contains every word of ``query``."""
    words = _words(query)
    if not words:
        return queryset.none()
    found = tokens_filter(queryset, query_tokens(query))
    for word in words:  # the exact check on the candidates the index found
        found = found.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return found


def tokens_filter(queryset: QuerySet, wanted: list[str]) -> QuerySet:
    if not wanted:
        return queryset
    if connection.vendor == "postgresql":
        return queryset.filter(
            pk__in=RawSQL(
                "SELECT id FROM disclosure_post WHERE search_vector @@ plainto_tsquery('simple', %s)",
                [" ".join(wanted)],
            )
        )
    if connection.vendor == "sqlite":
        # Each token as an FTS5 string ("…"), all of them required.
        match = " ".join('"' + t.replace('"', '""') + '"' for t in wanted)
        return queryset.filter(
            pk__in=RawSQL("SELECT rowid FROM disclosure_post_fts WHERE disclosure_post_fts MATCH %s", [match])
        )
    return queryset  # another backend: the substring test alone
