"""Templates (directory.compiled) give exactly the SQL and parameters the ORM compiles for the same query."""

import random

import pytest
from django.db import DEFAULT_DB_ALIAS, connection
from django.utils import timezone, translation

from directory.compiled import TEMPLATES_KEPT, Slots, circle_values, template, templates_forget
from directory.geo import Circle, Place, Point, Unit
from directory.models import Location, Practitioner, Technique, Training, techniques_offered
from directory.search import Search
from tests.factories import LocationFactory, PractitionerFactory, TechniqueFactory, TrainingFactory

pytestmark = pytest.mark.django_db

# Places whose circles take every shape: narrow and tall boxes, named bands and a band range, one longitude
# range and two (across the antimeridian), and a box that is every longitude (near the pole).
ORIGINS = [
    Point(42.3601, -71.0589),  # Boston
    Point(34.0522, -118.2437),  # Los Angeles
    Point(61.2181, -149.9003),  # Anchorage
    Point(51.88, -176.66),  # Adak: its circles cross the antimeridian
    Point(52.0, 179.5),
    Point(89.5, 0.0),
    Point(-33.86, 151.21),
    Point(0.0, 0.0),
]


def orm_sql(queryset) -> tuple[str, list]:
    sql, params = queryset.query.get_compiler(using=DEFAULT_DB_ALIAS).as_sql()
    return sql, typed(params)


def typed(params) -> list[tuple[str, object]]:
    """Parameters with their types: 90 and 90.0 are equal in Python, not in the SQL written."""
    return [(type(param).__name__, param) for param in params]


def random_search(rng: random.Random, techniques: list) -> Search:
    origin = rng.choice(ORIGINS)
    origin = Point(origin.latitude + rng.uniform(-0.5, 0.5), origin.longitude + rng.uniform(-0.5, 0.5))
    unit = rng.choice([Unit.MILES, Unit.KILOMETRES])
    return Search(
        place=Place(origin, "somewhere"),
        radius=rng.choice([0.5, 5, 25, 100, 250, 500, rng.uniform(1, 500)]),
        unit=unit,
        techniques=rng.sample(techniques, rng.choice([0, 0, 1, 1, 2])),
        accepting_new_patients=rng.choice([None, None, True, False]),
        verified=rng.random() < 0.2,
        language=rng.choice(["", "", "es", "fr"]),
    )


class TestTheSearchTemplates:
    def test_a_page_template_filled_in_is_the_sql_the_orm_compiles_for_random_searches(self):
        rng = random.Random(21)
        techniques = [TechniqueFactory() for _ in range(3)]
        for _ in range(200):
            search = random_search(rng, techniques)
            km = search.radius_km * rng.choice([0.1, 0.5, 1.0])
            circle = Circle.around(search.place.point, km)
            start = rng.choice([0, 20, 40, 980])
            made = search.page_template(DEFAULT_DB_ALIAS, circle, start, start + 20)
            expected = orm_sql(search.matching().in_circle(circle)[start : start + 20])
            assert (made.sql, typed(made.filled(circle_values(circle)))) == expected, search

    def test_an_edge_template_filled_in_is_the_sql_the_orm_compiles_for_random_searches(self):
        rng = random.Random(22)
        techniques = [TechniqueFactory() for _ in range(3)]
        for _ in range(100):
            search = random_search(rng, techniques)
            circle = Circle.around(search.place.point, search.radius_km)
            cells = rng.sample(range(1, 10**9), rng.randint(1, 300))
            made = search.edge_template(DEFAULT_DB_ALIAS, circle)
            expected = orm_sql(search.matching().within_in_cells(circle, cells))
            assert (made.sql, typed(made.filled({**circle_values(circle), "cells": cells}))) == expected, search

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="the edge is read by ranges on PostgreSQL")
    def test_an_edge_by_ranges_template_filled_in_is_the_sql_the_orm_compiles_for_random_searches(self):
        rng = random.Random(23)
        techniques = [TechniqueFactory() for _ in range(3)]
        for _ in range(100):
            search = random_search(rng, techniques)
            circle = Circle.around(search.place.point, search.radius_km)
            lows = sorted(rng.sample(range(1, 10**9), rng.randint(1, 150)))
            highs = [low + rng.randint(0, 40) for low in lows]
            made = search.edge_ranges_template(DEFAULT_DB_ALIAS, circle)
            expected = orm_sql(search.matching().within_in_ranges(circle, lows, highs))
            filled = made.filled({**circle_values(circle), "lows": lows, "highs": highs})
            assert (made.sql, typed(filled)) == expected, search

    def test_the_listed_techniques_template_filled_in_is_the_sql_the_orm_compiles(self):
        today = timezone.localdate()
        for language in ("en", "es", "fr-ca"):
            with translation.override(language):
                made = template(("test techniques", today, language), DEFAULT_DB_ALIAS,
                                lambda slots: techniques_offered(slots.list("ids"), today))  # fmt: skip
                for ids in ([1], [3, 1, 2], list(range(500))):
                    assert (made.sql, typed(made.filled({"ids": ids}))) == orm_sql(techniques_offered(ids, today))

    def test_one_template_serves_every_circle_of_a_shape(self):
        search = Search(place=Place(ORIGINS[0], "Boston"), radius=25)
        boston, worcester = Circle.around(ORIGINS[0], 40), Circle.around(Point(42.2626, -71.8023), 60)
        assert search.page_template("default", boston, 0, 20) is search.page_template("default", worcester, 0, 20)

    def test_the_templates_kept_are_bounded_and_the_oldest_goes_first(self):
        templates_forget()
        first = template(("test", 0), DEFAULT_DB_ALIAS, lambda slots: Location.objects.filter(pk__any=[0]))
        for number in range(1, TEMPLATES_KEPT + 1):
            template(("test", number), DEFAULT_DB_ALIAS, lambda slots: Location.objects.filter(pk__any=[0]))
        again = template(("test", 0), DEFAULT_DB_ALIAS, lambda slots: Location.objects.filter(pk__any=[0]))
        assert again is not first and again.sql == first.sql


class TestSlots:
    def test_a_constant_is_never_taken_for_a_stand_in(self):
        slots = Slots()
        circle = slots.circle(Circle.around(ORIGINS[0], 40))
        ids = slots.list("ids")
        for constant in (0, 1, -1, 2.0, 6378.137, "published", True, [1, 2], "[1, 2]"):
            assert slots.name_of(constant, connection.vendor) is None
        assert slots.name_of(circle.box.min_latitude, connection.vendor) == "min_latitude"
        assert slots.name_of(circle.vector[2], connection.vendor) == "z0"
        assert slots.name_of(ids[0] + 0.0, connection.vendor) is None  # a list's stand-in is a list


class TestTheRowsOfATemplate:
    def test_a_page_read_through_its_template_is_the_page_the_queryset_reads(self):
        nucca, blair = Technique.objects.get(slug="nucca"), Technique.objects.get(slug="blair")
        rng = random.Random(5)
        for number in range(60):
            practitioner = PractitionerFactory(
                name=f"Dr. {number:02}", languages="es" if number % 3 else "", status=Practitioner.Status.PUBLISHED
            )
            practitioner.techniques.set(rng.sample([nucca, blair], rng.randint(0, 2)))
            for _ in range(rng.randint(1, 2)):
                LocationFactory(practitioner=practitioner, latitude=42.36 + rng.uniform(-0.4, 0.4),
                                longitude=-71.06 + rng.uniform(-0.5, 0.5))  # fmt: skip
            if number % 4 == 0:
                TrainingFactory(practitioner=practitioner, technique=nucca, status=Training.Status.VERIFIED)
        pages = 0
        for techniques, language in (([], ""), ([nucca], ""), ([nucca, blair], "es")):
            search = Search(place=Place(ORIGINS[0], "Boston"), radius=30, techniques=techniques, language=language)
            circle = Circle.around(ORIGINS[0], search.radius_km)
            for start in (0, 20, 40):
                compiled = search._page_compiled(circle, start, start + 20)
                orm = search.matching().in_circle(circle)[start : start + 20].listed()
                assert [p.pk for p in compiled] == [p.pk for p in orm]
                pages += bool(compiled)
                for mine, theirs in zip(compiled, orm, strict=True):
                    assert mine.distance_km == theirs.distance_km
                    assert mine.listed_location == theirs.listed_location
                    assert mine.listed_location.city == theirs.listed_location.city
                    assert mine.listed_techniques == theirs.listed_techniques
                    assert isinstance(mine, Practitioner) and mine.name == theirs.name
        assert pages >= 5  # most of the pages have someone on them
