"""The plan PostgreSQL makes for a query the code sent, as it would at scale: the tests that check an index
answers a query alone read it here."""

from __future__ import annotations

import random

from django.db import connection

from directory.geo import Point
from directory.grid import grid_rebuild
from directory.models import Location, Practitioner
from tests.factories import LocationFactory


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


def practitioners_about(origin: Point, rng: random.Random) -> None:
    """2,000 published practitioners within 2 degrees of latitude and 3 of longitude of `origin` (about New
    England around Boston: a 25-mile circle holds a few percent of them), in the search grid, their tables
    vacuumed and analysed as autovacuum keeps them: a plan over them is a plan at scale, whatever another test
    left in the statistics."""
    practitioners = Practitioner.objects.bulk_create(
        Practitioner(name=f"Practitioner {number}", slug=f"practitioner-{number}", status=Practitioner.Status.PUBLISHED)
        for number in range(2000)
    )
    Location.objects.bulk_create(
        LocationFactory.build(
            practitioner=practitioner,
            latitude=round(origin.latitude + rng.uniform(-2, 2), 6),
            longitude=round(origin.longitude + rng.uniform(-3, 3), 6),
        )
        for practitioner in practitioners
    )
    grid_rebuild()  # bulk writes join the search grid when told
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE directory_gridcount, directory_gridmember, directory_location, directory_practitioner"
        )
