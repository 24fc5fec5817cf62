"""PostgreSQL for the test suite: Django's own backend, but a test that commits (the browser tests, the
concurrency tests) leaves the database emptied by DELETE rather than TRUNCATE.

TRUNCATE gives each of the ~30 tables and their indexes new files, which PostgreSQL creates, and at commit
syncs: about 0.25 s on this machine, after each of some 360 such tests, where DELETE of the few rows a test
leaves takes about 6 ms. Django's foreign keys are deferred to the commit, so the order of the DELETEs does not
matter. Sequences are not reset (as with TRUNCATE without RESTART IDENTITY); a test that asks for them reset
gets Django's TRUNCATE ... RESTART IDENTITY.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences: bool = False, allow_cascade: bool = False) -> list[str]:
        if reset_sequences or not tables:
            return super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
