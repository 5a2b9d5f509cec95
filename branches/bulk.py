"""One prepared statement for many rows, fast on both databases.

psycopg2's ``executemany`` sends one statement per row (a round trip each); ``execute_batch`` sends pages of
them joined in one round trip. SQLite's ``executemany`` is already one prepared statement in process.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection


def execute_many(cursor, sql: str, rows: Iterable[Sequence], *, page_size: int = 1000) -> None:
    """``cursor.executemany(sql, rows)`` for a Django cursor; on PostgreSQL in pages of ``page_size`` rows."""
    if connection.vendor == "postgresql":
        from psycopg2.extras import execute_batch

        execute_batch(cursor.cursor, sql, rows, page_size=page_size)
    else:
        cursor.executemany(sql, rows)
