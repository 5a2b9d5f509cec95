"""Database expressions written in SQL the database itself knows.

Django's SQLite backend registers its own SQL functions on every connection it opens (``django_date_extract``,
``django_date_trunc``, ``REGEXP`` …) and compiles lookups such as ``month__day`` to them. In a CHECK constraint
that is a trap: the schema then names a function no other client has, and the ``sqlite3`` shell cannot even
run ``pragma integrity_check`` on the database or on a backup of it ("unknown function"). Constraints use
these instead (tests/test_backup.py checks the schema)."""

from __future__ import annotations

from django.db.models import DateField, Func


class FirstOfMonth(Func):
    """The first day of the date's month: SQLite's own ``date(d, 'start of month')``, PostgreSQL's
    ``date_trunc``. ``Q(month=FirstOfMonth("month"))`` says "a first of the month"."""

    arity = 1
    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="date(%(expressions)s, 'start of month')", **extra_context
        )

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(date_trunc('month', %(expressions)s) AS date)",
            **extra_context,
        )
