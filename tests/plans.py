"""The plan PostgreSQL makes for a query the code sent, as it would at scale: the tests that check an index
answers a query alone read it here."""

from __future__ import annotations

from django.db import connection


def plan_at_scale(sql: str) -> str:
    """EXPLAIN of `sql` (a query captured with its values inlined, so planned for them) with table scans ruled
    out, as they are at a million rows, where a test's few thousand would make a scan look cheaper."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute("EXPLAIN " + sql)
            return "\n".join(row for (row,) in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
