"""The search grid: how many practitioners a search finds, without reading every location in its circle.

The map is cut into cells of 1/GRID_CELLS_PER_DEGREE degree (0.02 degree: 2.2 km north to south, 1.6 km east
to west at 45 degrees north; Location.grid_cell is the database's own number for a location's cell). GridCount
keeps, per cell and technique, how many published practitioners have every location in that cell; GridMember
keeps each published practitioner's cells (those with locations in several cells are `spread`).

A search's count is then three parts, each practitioner in exactly one of them:
- the cells wholly inside the circle: the sum of their GridCount rows (practitioners held in one cell);
- the spread practitioners with a cell wholly inside the circle (GridMember, read once each);
- the cells the circle's edge crosses: their locations measured exactly, as the page's own query measures them.
So the count is exact, and costs the number of non-empty cells in the circle plus the locations in a ring about
two cells wide, instead of every location in the circle.
And where the first two parts alone pass the search's cap ("1,000+"), the ring is not measured at all.

Why 0.02 degree: the exactly measured ring is about 3-5 km wide whatever the radius, so it holds about 15% of a
25-mile circle's area and 4% of a 100-mile one's; cells of 0.1 degree would make it 60% of a 25-mile circle,
and cells of 0.005 degree would multiply by 16 the cells summed (a 100-mile circle already covers about 23,000
cells, though only the non-empty ones have rows).

Which cells are wholly inside is decided on a sphere, safely: the geodesic distance between two points on the
WGS-84 ellipsoid lies between SMALLEST_RADIUS_KM and LARGEST_RADIUS_KM times the angle between them on a unit
sphere with the same latitudes and longitudes (the ellipsoid's radii of curvature lie between those two), so a
cell whose corners are within (radius - margin) / LARGEST_RADIUS_KM radians is inside, and a cell none of
whose points is within (radius + margin) / SMALLEST_RADIUS_KM radians is outside. MARGIN_KM covers the metres
by which Lambert's formula (what the search measures with) differs from the true geodesic.

Every write that changes what is public keeps the grid: directory.signals refreshes a practitioner whose row,
locations or techniques are saved; bulk writes (the CSV and registry imports) call grid_refresh() themselves;
`manage.py grid_rebuild` recomputes all of it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.db import connection, connections, transaction

from directory.compiled import prepared
from directory.geo import (
    GRID_CELLS_PER_DEGREE,
    GRID_COLUMNS,
    SMALLEST_RADIUS_KM,
    WGS84_A_KM,
    WGS84_F,
    Point,
)
from directory.models import GridCount, GridMember, Location, Practitioner

# The largest radius of curvature of the WGS-84 ellipsoid (at the poles): a^2 / b.
LARGEST_RADIUS_KM = WGS84_A_KM / (1 - WGS84_F)
MARGIN_KM = 0.1
# Circles reaching this close to a pole, or wider than this in longitude, are counted without the grid.
POLAR_LIMIT_DEGREES = 89.0
WIDEST_DEGREES = 90.0
COLUMNS = 360 * GRID_CELLS_PER_DEGREE  # columns that wrap around; column COLUMNS holds longitude 180 alone
SQLITE_BATCH = 500


@dataclass(frozen=True)
class Cover:
    """The grid cells a circle covers, as ranges of cell numbers (lowest, highest): `inside` wholly within the
    circle, `edge_ranges` those its edge crosses (which may hold points on either side)."""

    inside: tuple[tuple[int, int], ...]
    edge_ranges: tuple[tuple[int, int], ...]

    @cached_property
    def edge(self) -> tuple[int, ...]:
        """The cells the edge crosses, one by one."""
        return tuple(cell for low, high in self.edge_ranges for cell in range(low, high + 1))


def _cell(row: int, column: int) -> int:
    return row * GRID_COLUMNS + column


def _wrapped(low: int, high: int) -> Iterator[tuple[int, int]]:
    """Columns low..high, counted on past the antimeridian, as ranges of real columns."""
    if high < 0 or low >= COLUMNS:  # wholly past the antimeridian
        shift = COLUMNS if high < 0 else -COLUMNS
        yield low + shift, high + shift
    elif low < 0:
        yield low + COLUMNS, COLUMNS - 1
        yield 0, high
    elif high >= COLUMNS:
        yield low, COLUMNS - 1
        yield 0, high - COLUMNS
    else:
        yield low, high


def grid_cover(origin: Point, radius_km: float) -> Cover | None:
    """The cells of a circle, or None where the grid does not help (near a pole, or wider than WIDEST_DEGREES)."""
    inner = (radius_km - MARGIN_KM) / LARGEST_RADIUS_KM
    outer = (radius_km + MARGIN_KM) / SMALLEST_RADIUS_KM
    reach = math.degrees(outer)
    if abs(origin.latitude) + reach >= POLAR_LIMIT_DEGREES:
        return None
    sin0, cos0 = math.sin(math.radians(origin.latitude)), math.cos(math.radians(origin.latitude))
    cos_inner, cos_outer = math.cos(inner), math.cos(outer)

    def half_width(latitude: float, cos_angle: float) -> float | None:
        """Half the width in longitude (radians) at `latitude` (degrees) of the circle whose angular radius has
        cosine `cos_angle`, or None if it misses that latitude."""
        phi = math.radians(latitude)
        ratio = (cos_angle - sin0 * math.sin(phi)) / (cos0 * math.cos(phi))
        if ratio > 1:
            return None
        return math.acos(max(-1.0, ratio))

    # Where the outer circle is widest: there sin(latitude) = sin(origin's latitude) / cos(angle).
    widest = math.degrees(math.asin(sin0 / cos_outer))
    inside: list[tuple[int, int]] = []
    edge: list[tuple[int, int]] = []
    per_degree = GRID_CELLS_PER_DEGREE
    first_row = math.floor((origin.latitude - reach + 90) * per_degree)
    last_row = math.floor((origin.latitude + reach + 90) * per_degree)
    # Each row's southern boundary is the northern one of the row below: both circles' widths are taken once
    # at each boundary.
    boundaries = [row / per_degree - 90 for row in range(first_row, last_row + 2)]
    outer_at = [half_width(latitude, cos_outer) for latitude in boundaries]
    inner_at = [half_width(latitude, cos_inner) for latitude in boundaries]
    for index, row in enumerate(range(first_row, last_row + 1)):
        south, north = boundaries[index], boundaries[index + 1]
        at_widest = [half_width(widest, cos_outer)] if south < widest < north else []
        widths = [width for width in (outer_at[index], outer_at[index + 1], *at_widest) if width is not None]
        if not widths:
            continue
        outer_half = math.degrees(max(widths))
        if outer_half >= WIDEST_DEGREES:
            return None
        low = math.floor((origin.longitude - outer_half + 180) * per_degree)
        high = math.floor((origin.longitude + outer_half + 180) * per_degree)
        south_half, north_half = inner_at[index], inner_at[index + 1]
        edges = [(low, high)]
        if south_half is not None and north_half is not None:
            inner_half = math.degrees(min(south_half, north_half))
            first = math.ceil((origin.longitude - inner_half + 180) * per_degree)
            last = math.floor((origin.longitude + inner_half + 180) * per_degree) - 1
            if first <= last:
                inside.extend((_cell(row, a), _cell(row, b)) for a, b in _wrapped(first, last))
                edges = [(low, first - 1), (last + 1, high)]
        columns = [pair for low_, high_ in edges if low_ <= high_ for pair in _wrapped(low_, high_)]
        edge.extend((_cell(row, a), _cell(row, b)) for a, b in columns)  # a row's cells are numbered in turn
        if any(a == 0 or b == COLUMNS - 1 for a, b in columns) or low < 0 or high >= COLUMNS - 1:
            edge.append((_cell(row, COLUMNS),) * 2)  # longitude 180 itself, the antimeridian's other side
    return Cover(tuple(inside), tuple(edge))


def _in_ranges(columns: str, table: str, condition: str, ranges: Sequence[tuple[int, int]]) -> tuple[str, list]:
    """SELECT `columns` FROM `table` WHERE `condition` (which ends in "cell BETWEEN r.lo AND r.hi"), once per
    range `r` of `ranges`, so that each range is one short scan of an index on (technique, ..., cell): on
    PostgreSQL over two array parameters with LATERAL (a join on BETWEEN may be planned as one scan of the
    technique's every row, filtered), on SQLite over a VALUES list (whose planner loops over the ranges)."""
    if connection.vendor == "postgresql":
        return (
            "SELECT s.* FROM unnest(%s::bigint[], %s::bigint[]) AS r (lo, hi) "
            f"CROSS JOIN LATERAL (SELECT {columns} FROM {table} WHERE {condition}) s",
            [[low for low, _ in ranges], [high for _, high in ranges]],
        )
    values = ", ".join(["(%s, %s)"] * len(ranges))
    return (
        f"SELECT {columns} FROM (SELECT column1 AS lo, column2 AS hi FROM (VALUES {values})) AS r, {table} "
        f"WHERE {condition}",
        [bound for pair in ranges for bound in pair],
    )


def _held_in(ranges: Sequence[tuple[int, int]], technique: int) -> tuple[str, list]:
    """The SQL (and its parameters) of how many practitioners offering `technique` the cells in `ranges` hold in
    one cell each (GridCount)."""
    per_range, params = _in_ranges(
        "g.practitioners AS n",
        f"{GridCount._meta.db_table} g",
        "g.technique = %s AND g.cell BETWEEN r.lo AND r.hi",
        ranges,
    )
    return f"SELECT COALESCE(SUM(n), 0) FROM ({per_range}) summed", [*params, technique]


def grid_count(
    *,
    technique: int,
    cover: Cover,
    edge: Callable[[Cover], tuple[str, list]],
    alias: str,
    more_than: int,
    near: Cover | None = None,
) -> tuple[int, int | None]:
    """How many published practitioners offering `technique` (or any: GridCount.ANY_TECHNIQUE, what GridCount
    holds) have a location within a circle, from its `cover` and `edge`, which writes the SQL (and parameters)
    of the pks of those with a location within the circle in a cover's edge cells (the search's compiled
    within_in_ranges() on PostgreSQL, within_in_cells() on SQLite); one query on database `alias`.

    A count the cells wholly inside already put past `more_than` (the search's cap) is returned as it stands,
    without measuring the edge: a number larger than `more_than` and no larger than the exact count, which is all
    a capped count needs. (At 1M practitioners the edge was two thirds of a 100-mile count.)

    Returns the count and, with `near` (the cover of a smaller circle around the same origin), how many
    practitioners the cells wholly inside that one hold in one cell each: how dense it is around the origin,
    for sizing the page's first circle (None without those cells)."""
    members = GridMember._meta.db_table
    edge_sql, edge_params = edge(cover) if cover.edge_ranges else ("", [])
    if not cover.inside:
        counted = f"(SELECT COUNT(*) FROM ({edge_sql}) u)" if edge_sql else "0"
        sql, params = f"SELECT {counted}, NULL", list(edge_params)
    else:
        summed, summed_params = _held_in(cover.inside, technique)
        spread, spread_params = _in_ranges(
            "m.practitioner_id",
            f"{members} m",
            "m.technique = %s AND m.spread AND m.cell BETWEEN r.lo AND r.hi",
            cover.inside,
        )
        # Each practitioner is counted once: those held in one cell by the cells' sums (`held`), the spread ones
        # once each (`spread`, and UNION with the edge's); both count those with a location in the cells wholly
        # inside. Materialized, each is read at most once (a subquery in FROM would be merged into the query
        # below, and each use of c.held would run its sum again), and `s` only where it is read.
        inside = f"SELECT ({summed}) AS held"
        inside_params = [*summed_params]
        if near is not None and near.inside:
            near_summed, near_params = _held_in(near.inside, technique)
            inside += f", ({near_summed}) AS near"
            inside_params += near_params
        else:
            inside += ", NULL AS near"
        inside = (
            f"WITH c AS MATERIALIZED ({inside}), "
            f"s AS MATERIALIZED (SELECT COUNT(DISTINCT practitioner_id) AS n FROM ({spread}) spread) "
        )
        inside_params += [*spread_params, technique]
        if not edge_sql:
            sql, params = f"{inside}SELECT c.held + (SELECT n FROM s), c.near FROM c", inside_params
        else:
            # A branch's subqueries run only when it is reached (PostgreSQL runs an initplan when its value is
            # first needed; SQLite evaluates a CASE branch only when taken): past the cap on the cells' sums
            # alone, the spread practitioners are not read (at 1M, 100 mi, 9,000 rows: two thirds of the
            # count); past it with them, the edge is not measured.
            sql = (
                f"{inside}SELECT CASE WHEN c.held > %s THEN c.held "
                "WHEN c.held + (SELECT n FROM s) > %s THEN c.held + (SELECT n FROM s) "
                f"ELSE c.held + (SELECT COUNT(*) FROM ({spread} UNION {edge_sql}) u) END, c.near FROM c"
            )
            params = [*inside_params, more_than, more_than, *spread_params, technique, *edge_params]
    database = connections[alias]
    with database.cursor() as cursor:
        cursor.execute(*prepared(database, sql, params))
        counted, held_near = cursor.fetchone()
        return int(counted), None if held_near is None else int(held_near)


# Maintenance ------------------------------------------------------------------------------------------------


def _batches(ids: list[int]) -> Iterator[list[int]]:
    size = len(ids) if connection.vendor == "postgresql" else SQLITE_BATCH
    for start in range(0, len(ids), max(size, 1)):
        yield ids[start : start + size]


def _in(column: str, ids: list[int] | None) -> tuple[str, list]:
    """`column` among `ids` (every row when None)."""
    if ids is None:
        return "1 = 1", []
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [ids]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _members_insert(cursor, ids: list[int] | None) -> None:
    """GridMember rows of the published practitioners among `ids` (all of them when None), from their
    locations and techniques as they are now."""
    location, practitioner = Location._meta.db_table, Practitioner._meta.db_table
    through = Practitioner.techniques.through._meta.db_table
    in_cells, cells_params = _in("l.practitioner_id", ids)
    in_techniques, techniques_params = _in("practitioner_id", ids)
    in_any, any_params = _in("id", ids)
    cursor.execute(
        f"""
        INSERT INTO {GridMember._meta.db_table} (practitioner_id, technique, cell, spread)
        SELECT c.practitioner_id, t.technique, c.grid_cell, s.cells > 1
        FROM (
            SELECT DISTINCT l.practitioner_id, l.grid_cell FROM {location} l
            JOIN {practitioner} p ON p.id = l.practitioner_id WHERE p.status = %s AND {in_cells}
        ) c
        JOIN (
            SELECT l.practitioner_id, COUNT(DISTINCT l.grid_cell) AS cells FROM {location} l
            WHERE {in_cells} GROUP BY l.practitioner_id
        ) s ON s.practitioner_id = c.practitioner_id
        JOIN (
            SELECT practitioner_id, technique_id AS technique FROM {through} WHERE {in_techniques}
            UNION ALL SELECT id, {GridCount.ANY_TECHNIQUE} FROM {practitioner} WHERE {in_any}
        ) t ON t.practitioner_id = c.practitioner_id
        """,
        [Practitioner.Status.PUBLISHED, *cells_params, *cells_params, *techniques_params, *any_params],
    )


def _counted(cursor, ids: list[int]) -> Counter:
    """How many of `ids` GridCount counts, per (technique, cell), as GridMember holds them now."""
    in_ids, params = _in("practitioner_id", ids)
    cursor.execute(
        f"SELECT technique, cell, COUNT(*) FROM {GridMember._meta.db_table} "
        f"WHERE NOT spread AND {in_ids} GROUP BY technique, cell",
        params,
    )
    return Counter({(technique, cell): number for technique, cell, number in cursor.fetchall()})


def _counts_add(cursor, deltas: dict[tuple[int, int], int]) -> None:
    """Adds `deltas` to GridCount, in one order (so two writers never wait for each other in a cycle)."""
    table = GridCount._meta.db_table
    rows = sorted((key, delta) for key, delta in deltas.items() if delta)
    for start in range(0, len(rows), 1000):
        batch = rows[start : start + 1000]
        values = ", ".join(["(%s, %s, %s)"] * len(batch))
        cursor.execute(
            f"INSERT INTO {table} (technique, cell, practitioners) VALUES {values} "
            f"ON CONFLICT (technique, cell) DO UPDATE SET practitioners = {table}.practitioners + "
            "excluded.practitioners",
            [value for (technique, cell), delta in batch for value in (technique, cell, delta)],
        )


def grid_refresh(*, practitioner_ids: Iterable[int]) -> None:
    """Brings the grid up to date for these practitioners (published or not, existing or not)."""
    ids = sorted(set(practitioner_ids))
    if not ids:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for batch in _batches(ids):
            # Two writers refreshing one practitioner must not both subtract its old cells. (As SQL of its own:
            # the ORM's pk__in builds one parameter per id: 0.38 s under cProfile for an import's 11,000 new
            # practitioners. SQLite takes one writer at a time by itself and has no FOR UPDATE.)
            if connection.vendor == "postgresql":
                in_pk, params = _in("id", batch)
                cursor.execute(
                    f"SELECT id FROM {Practitioner._meta.db_table} WHERE {in_pk} ORDER BY id FOR UPDATE", params
                )
            before = _counted(cursor, batch)
            in_ids, params = _in("practitioner_id", batch)
            cursor.execute(f"DELETE FROM {GridMember._meta.db_table} WHERE {in_ids}", params)
            _members_insert(cursor, batch)
            after = _counted(cursor, batch)
            after.subtract(before)
            _counts_add(cursor, after)


def grid_forget(*, practitioner_ids: Iterable[int]) -> None:
    """Takes these practitioners out of the grid (before they are deleted)."""
    ids = sorted(set(practitioner_ids))
    with transaction.atomic(), connection.cursor() as cursor:
        for batch in _batches(ids):
            before = _counted(cursor, batch)
            in_ids, params = _in("practitioner_id", batch)
            cursor.execute(f"DELETE FROM {GridMember._meta.db_table} WHERE {in_ids}", params)
            _counts_add(cursor, {key: -number for key, number in before.items()})


def grid_technique_forget(*, technique_id: int) -> None:
    """Takes a technique out of the grid (before it is deleted, which removes it from every practitioner)."""
    GridMember.objects.filter(technique=technique_id).delete()
    GridCount.objects.filter(technique=technique_id).delete()


def grid_rebuild() -> None:
    """Recomputes the whole grid from the practitioners, their locations and techniques."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"LOCK TABLE {GridCount._meta.db_table}, {GridMember._meta.db_table} IN SHARE ROW EXCLUSIVE MODE"
            )
        cursor.execute(f"DELETE FROM {GridMember._meta.db_table}")
        cursor.execute(f"DELETE FROM {GridCount._meta.db_table}")
        _members_insert(cursor, None)
        cursor.execute(
            f"INSERT INTO {GridCount._meta.db_table} (technique, cell, practitioners) "
            f"SELECT technique, cell, COUNT(*) FROM {GridMember._meta.db_table} WHERE NOT spread "
            "GROUP BY technique, cell"
        )
        if connection.vendor == "postgresql":  # the planner's statistics of two tables just rewritten whole
            cursor.execute(f"ANALYZE {GridCount._meta.db_table}, {GridMember._meta.db_table}")


def grid_recounted() -> tuple[dict[tuple[int, int], int], set[tuple[int, int, int, bool]]]:
    """What the grid should hold, recounted in Python from the practitioners as they are: the counts (without
    zeros) and the members. For tests and `grid_rebuild --check`."""
    cells: dict[int, set[int]] = {}
    for practitioner_id, cell in Location.objects.filter(
        practitioner__status=Practitioner.Status.PUBLISHED
    ).values_list("practitioner_id", "grid_cell"):
        cells.setdefault(practitioner_id, set()).add(cell)
    techniques: dict[int, set[int]] = {pk: {GridCount.ANY_TECHNIQUE} for pk in cells}
    for practitioner_id, technique_id in Practitioner.techniques.through.objects.filter(
        practitioner_id__in=cells
    ).values_list("practitioner_id", "technique_id"):
        techniques[practitioner_id].add(technique_id)
    counts: Counter = Counter()
    members = set()
    for practitioner_id, held in cells.items():
        for technique in techniques[practitioner_id]:
            for cell in held:
                members.add((practitioner_id, technique, cell, len(held) > 1))
                if len(held) == 1:
                    counts[(technique, cell)] += 1
    return dict(counts), members


def grid_as_stored() -> tuple[dict[tuple[int, int], int], set[tuple[int, int, int, bool]]]:
    """The grid as the database holds it, in grid_recounted()'s shape."""
    counts = {
        (technique, cell): number
        for technique, cell, number in GridCount.objects.exclude(practitioners=0).values_list(
            "technique", "cell", "practitioners"
        )
    }
    members = set(GridMember.objects.values_list("practitioner_id", "technique", "cell", "spread"))
    return counts, members
