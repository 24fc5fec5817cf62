"""Queries compiled once per shape: the search's SQL without building and compiling a QuerySet per request.

Building a QuerySet (filter(), annotate(), Subquery) and compiling it to SQL cost a cold search about as much as
the database's own work. But a search's SQL differs from the next one's only in its values (the origin, the
radius, the box, the bands, the ids), never in its text, once every such value is a parameter (GeodesicDistance
and the `any` lookup below see to that). So each shape of query (which filters, which page, which database and
language) is built once, with a stand-in value for each parameter that varies (a Slots), compiled, and kept as
its SQL and, for each parameter, either a constant or the name of the value it stands for (a Template); a
request fills in its own values. tests/test_compiled.py checks that a template filled in gives exactly the SQL
and parameters the ORM compiles for the same search.

On PostgreSQL the fixed text is also prepared once per connection (prepared()): not parsed again, and not
planned again once PostgreSQL settles on a generic plan. docs/performance.md has the figures.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from threading import Lock

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Field, ForeignObject, Lookup, Model, QuerySet

from directory.geo import BoundingBox, Circle, coordinate_rounded

# Templates kept per process: every shape in use (page 1-50 of a few filters, per database and language) fits.
TEMPLATES_KEPT = 512


class AnyOf(Lookup):
    """`field__any=[...]`: the field is one of the values, as ONE parameter (IN writes one per value), so that
    the SQL's text does not depend on how many there are: `= ANY(%s)` with an array on PostgreSQL, a JSON
    array read by json_each on SQLite. The values are not converted: give them as the column holds them."""

    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self) -> object:
        return self.rhs

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, any_param(self.rhs, connection.vendor)]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, any_param(self.rhs, connection.vendor)]


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # a relation's lookups are its own, not Field's


def any_param(values: Sequence, vendor: str) -> object:
    """The one parameter `field__any=values` passes to the database."""
    return list(values) if vendor == "postgresql" else json.dumps(list(values))


class SlotList(list):
    """The stand-in for a list of values (an `any` lookup's)."""


class Slots:
    """Stand-in values for a query's parameters, each named: numbers no search ever passes, one apart."""

    FIRST = -8_000_000_000_000_000

    def __init__(self) -> None:
        self.numbers: dict[float, str] = {}
        self.lists: dict[str, SlotList] = {}  # the stand-in lists, by name

    def number(self, name: str) -> float:
        value = float(self.FIRST - len(self.numbers) - len(self.lists))
        self.numbers[value] = name
        return value

    def list(self, name: str) -> SlotList:
        values = SlotList([self.FIRST - len(self.numbers) - len(self.lists)])
        self.lists[name] = values
        return values

    def circle(self, like: Circle) -> Circle:
        """A circle of stand-ins, of the shape of `like` (whether the box names its bands, how many longitude
        ranges it has): circle_values() names the same values."""
        box = like.box
        ranges = tuple((self.number(f"west{i}"), self.number(f"east{i}")) for i in range(len(box.longitude_ranges)))
        stand_in = BoundingBox(
            self.number("min_latitude"),
            self.number("max_latitude"),
            ranges,
            self.list("bands") if box.bands else (),
            (int(self.number("first_band")), int(self.number("last_band"))),
        )
        vector = (self.number("x0"), self.number("y0"), self.number("z0"))
        return Circle(vector, self.number("radius_km"), stand_in)

    def name_of(self, param: object, vendor: str) -> str | None:
        """The name of the value `param` stands for, if it is a stand-in."""
        if isinstance(param, bool):
            return None
        if isinstance(param, int | float):
            return self.numbers.get(param)
        for name, values in self.lists.items():
            if isinstance(param, list | str) and param == any_param(values, vendor):
                return name
        return None


def circle_values(circle: Circle) -> dict[str, object]:
    """The values Slots.circle() stands in for, as the ORM passes them (latitudes and longitudes rounded as a
    Coordinate field rounds them)."""
    box = circle.box
    values: dict[str, object] = {
        "min_latitude": coordinate_rounded(float(box.min_latitude)),
        "max_latitude": coordinate_rounded(float(box.max_latitude)),
        "bands": box.bands,
        "first_band": float(box.band_range[0]),  # the band's field is a float (an integer value, all the same)
        "last_band": float(box.band_range[1]),
        "x0": float(circle.vector[0]),
        "y0": float(circle.vector[1]),
        "z0": float(circle.vector[2]),
        "radius_km": float(circle.radius_km),
    }
    for i, (west, east) in enumerate(box.longitude_ranges):
        values[f"west{i}"], values[f"east{i}"] = coordinate_rounded(float(west)), coordinate_rounded(float(east))
    return values


def circle_shape(circle: Circle) -> tuple[bool, int]:
    """What of a circle changes its SQL's text: whether its box names its bands, and its longitude ranges."""
    return bool(circle.box.bands), len(circle.box.longitude_ranges)


@dataclass(frozen=True)
class Template:
    """A query's SQL and, per parameter, its constant value or the name of the value to fill in."""

    sql: str
    params: tuple[tuple[str | None, object], ...]  # (name, None) to fill in, (None, value) constant
    vendor: str
    lists: frozenset[str]  # the names of values given as lists (an `any` lookup's)
    compiler: object  # the compiler that wrote it: its columns and converters read the rows

    def filled(self, values: Mapping[str, object]) -> list:
        """The parameters for `values` (a value by name for each of the template's names)."""
        return [
            (any_param(values[name], self.vendor) if name in self.lists else values[name]) if name else constant
            for name, constant in self.params
        ]

    def rows(self, alias: str, values: Mapping[str, object]) -> Iterator[tuple]:
        """The query's rows for `values`, converted as the ORM converts them."""
        compiler = self._compiler(alias, values)
        return compiler.results_iter(compiler.execute_sql())

    def models(self, alias: str, values: Mapping[str, object]) -> list[Model]:
        """The query's model instances for `values`, with their annotations, as iterating the QuerySet gives."""
        compiler = self._compiler(alias, values)
        results = compiler.execute_sql()
        klass_info, annotations = compiler.klass_info, compiler.annotation_col_map
        start, stop = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in compiler.select[start:stop]]
        model = klass_info["model"]
        found = []
        for row in compiler.results_iter(results):
            instance = model.from_db(alias, names, row[start:stop])
            for name, position in annotations.items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found

    def _compiler(self, alias: str, values: Mapping[str, object]):
        compiler = copy.copy(self.compiler)
        compiler.connection, compiler.using = connections[alias], alias
        sql, params = prepared(connections[alias], self.sql, self.filled(values))
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        return compiler


# Statements prepared per connection at most: a connection's shapes in use fit; past it, all are deallocated.
PREPARED_KEPT = 256
_PLACEHOLDER = re.compile("%s|%%")


def prepared(connection, sql: str, params: Sequence) -> tuple[str, Sequence]:
    """`sql` (with `params`) as the EXECUTE of a statement prepared on `connection`, PREPAREd the first time this
    connection runs it: PostgreSQL then neither parses it again nor, once a generic plan is found as good as the
    ones it made for the first executions, plans it again. As it is elsewhere (SQLite, or with
    DATABASE_PREPARED_STATEMENTS off)."""
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        return sql, params
    connection.ensure_connection()
    server, names = getattr(connection, "prepared_statements", (None, set()))
    if server is not connection.connection:  # a new connection to the server has none yet
        server, names = connection.connection, set()
        connection.prepared_statements = (server, names)
    name = "q" + hashlib.blake2b(sql.encode(), digest_size=12).hexdigest()
    if name not in names:
        counter = itertools.count(1)
        text = _PLACEHOLDER.sub(lambda match: "%" if match[0] == "%%" else f"${next(counter)}", sql)
        # In a savepoint where a transaction is open: a statement that cannot be prepared must not end it.
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if len(names) >= PREPARED_KEPT:
                cursor.execute("DEALLOCATE ALL")
                names.clear()
            cursor.execute(f"PREPARE {name} AS {text}")
        names.add(name)
    return f"EXECUTE {name}({', '.join(['%s'] * len(params))})", params


_templates: OrderedDict[Hashable, Template] = OrderedDict()
_templates_lock = Lock()


def template(key: Hashable, alias: str, build: Callable[[Slots], QuerySet]) -> Template:
    """The template of the query `build` makes from stand-ins, for the database `alias`: compiled the first
    time `key` (which must name everything `build` depends on besides its slots) is asked for on that database,
    then kept (the TEMPLATES_KEPT used last)."""
    full_key = (alias, key)
    with _templates_lock:
        found = _templates.get(full_key)
        if found is not None:
            _templates.move_to_end(full_key)
            return found
    slots = Slots()
    queryset = build(slots).using(alias)
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    vendor = connections[alias].vendor
    named = tuple((name, None) if (name := slots.name_of(param, vendor)) else (None, param) for param in params)
    made = Template(sql, named, vendor, frozenset(slots.lists), compiler)
    with _templates_lock:
        _templates[full_key] = made
        while len(_templates) > TEMPLATES_KEPT:
            _templates.popitem(last=False)
    return made


def templates_forget() -> None:
    """Forgets every template (tests that change the schema's SQL, such as a setting, call it)."""
    with _templates_lock:
        _templates.clear()
