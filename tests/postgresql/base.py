"""PostgreSQL for the tests: Django's backend, with a faster flush between transactional tests (issue 17.4).

A transactional test (a browser journey, a real worker) ends with ``flush``, which on PostgreSQL is one TRUNCATE of
every table: 0.8–1.3 s for the project's 163 tables, whatever they hold (each truncated table gets new files). The
tables hold a test's few rows, so plain DELETEs, in the one transaction ``flush`` runs them in, do the same at a
fraction of the cost; the foreign keys Django creates are DEFERRABLE INITIALLY DEFERRED, checked at the commit,
when every table is empty. Sequences are not reset either way (``reset_sequences`` asks for TRUNCATE's RESTART
IDENTITY and gets Django's own statement). Production never flushes: config/settings/test.py names this backend.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        delete = style.SQL_KEYWORD("DELETE FROM")
        return [f"{delete} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
