"""The patient search as one object: what was asked (a place, a radius in the patient's unit, techniques) and
how to answer it cheaply: count(), page() and nearest_beyond(). PractitionerSearch (filters.py) validates the
parameters and builds it; the page and the API ask it."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connections, router
from django.utils import formats, timezone

from directory.compiled import Template, circle_shape, circle_values, template
from directory.geo import Circle, Place, Unit, to_km
from directory.grid import Cover, grid_count, grid_cover
from directory.languages import language_name_in_sentence
from directory.models import (
    GridCount,
    Practitioner,
    PractitionerQuerySet,
    Technique,
    nearest_in_circles,
    practitioners_listed,
)

DEFAULT_RADIUS = 25
MAX_RADIUS = {Unit.MILES: 500, Unit.KILOMETRES: 805}
# Counted exactly up to here, "1,000+" beyond, and paged no further: a number nobody pages through. (Counted by
# the grid, a circle whose inner cells pass the cap is not measured at its edge; counted from the locations, a
# dense circle is still read whole before the count stops.)
COUNT_CAP = 1000
# A page near a place is read from the smallest circle that holds it. The first circle is sized from the density
# the count shows (if `total` results fill the radius evenly, the first `stop` fill radius * sqrt(stop / total)),
# with this margin for uneven density; each retry grows the circle by CIRCLE_GROWTH.
FIRST_CIRCLE_MARGIN = 1.5
CIRCLE_GROWTH = 2.0
# The circle around the origin whose cells the count also sums (for the first circle's size): the share of the
# radius that holds a page of 20 where COUNT_CAP practitioners are spread evenly, with FIRST_CIRCLE_MARGIN
# (0.21 of the radius: 8.5 km of a 25-mile circle, 34 km of a 100-mile one).
NEAR_SHARE = FIRST_CIRCLE_MARGIN * math.sqrt(20 / COUNT_CAP)


@dataclass(frozen=True)
class Count:
    """How many practitioners a search finds: exact, or at least COUNT_CAP."""

    value: int
    capped: bool = False
    # How many there are beyond the cap, where the search grid counted them (else value), and how many the grid
    # holds within `near[0]` km of the origin (`near[1]`): only for sizing the first circle a page is read from,
    # never shown.
    beyond: int | None = field(default=None, compare=False)
    near: tuple[float, int] | None = field(default=None, compare=False)

    @property
    def known(self) -> int:
        """As many as are known to be found: past COUNT_CAP where the grid counted them."""
        return self.value if self.beyond is None else self.beyond

    def __str__(self) -> str:
        return f"{self.value:,}+" if self.capped else f"{self.value:,}"

    @property
    def shown(self) -> str:
        """As a page in the active language writes it: "1,000+", "1 000+" in French."""
        number = formats.number_format(self.value, force_grouping=True)
        return f"{number}+" if self.capped else number


@dataclass(eq=False)
class Search:
    place: Place | None = None
    radius: float = DEFAULT_RADIUS  # as the patient gave it, in `unit`
    unit: Unit = Unit.MILES
    techniques: list[Technique] = field(default_factory=list)
    accepting_new_patients: bool | None = None  # only those accepting (True), only those not (False), or any
    verified: bool = False  # only practitioners whose training (in a chosen technique, if any) is verified today
    language: str = ""  # only practitioners who speak it (an ISO 639-1 code), or any

    @property
    def language_name(self) -> str:
        """The language's name as a sentence in the active language writes it ("" for any)."""
        return language_name_in_sentence(self.language)

    @property
    def radius_km(self) -> float:
        return to_km(self.radius, self.unit)

    @property
    def radius_text(self) -> str:
        """The radius as the patient gave it: 2.25 stays 2.25, 25.0 is 25."""
        return f"{self.radius:g}"

    def matching(self) -> PractitionerQuerySet:
        """Published practitioners offering the chosen techniques (and accepting, and verified in them, if
        asked), anywhere."""
        found = Practitioner.objects.published().offering(self.techniques)
        if self.accepting_new_patients is not None:
            found = found.filter(accepting_new_patients=self.accepting_new_patients)
        if self.verified:
            found = found.verified_in(self.techniques)
        return found.speaking(self.language)

    @cached_property
    def count(self) -> Count:
        near_origin = None
        if self.place is None:
            counted = self.matching()[: COUNT_CAP + 1].count()
        elif (cover := self.grid_cover()) is not None:
            technique = self.techniques[0].pk if self.techniques else GridCount.ANY_TECHNIQUE
            alias = router.db_for_read(Practitioner)
            edge = self._edge_compiled(alias, Circle.around(self.place.point, self.radius_km))
            near_km = self.radius_km * NEAR_SHARE
            counted, held_near = grid_count(
                technique=technique,
                cover=cover,
                edge=edge,
                alias=alias,
                more_than=COUNT_CAP,
                near=grid_cover(self.place.point, near_km),
            )
            near_origin = None if held_near is None else (near_km, held_near)
        else:
            counted = self.matching().count_near(self.place.point, self.radius_km, up_to=COUNT_CAP + 1)
        return Count(min(counted, COUNT_CAP), capped=counted > COUNT_CAP, beyond=counted, near=near_origin)

    def grid_cover(self) -> Cover | None:
        """The search grid's cells of the circle, when the grid can count this search: the grid keeps published
        practitioners per technique, so a search with more than one technique, or another filter, is counted
        from the locations themselves."""
        if self.place is None or len(self.techniques) > 1:
            return None
        if self.accepting_new_patients is not None or self.verified or self.language:
            return None
        return grid_cover(self.place.point, self.radius_km)

    def page(self, start: int, stop: int) -> list[Practitioner]:
        """Results start..stop (of at most count.value), listed with their location and techniques."""
        total = self.count.value
        stop = min(stop, total)
        if start >= stop:
            return []
        if self.place is None:
            return self.matching().by_name()[start:stop].listed()
        # Sized from the whole count where the grid knows it: in a dense circle, "1,000+" may be 20,000. And from
        # the grid's cells around the origin where they hold the page: practitioners cluster in towns, and a
        # search starts in one (at 1M, the whole circle's density made the first circle read 12 times the page).
        first_km = self.radius_km * min(1.0, FIRST_CIRCLE_MARGIN * math.sqrt(stop / self.count.known))
        if self.count.near is not None and self.count.near[1] >= stop:
            near_km, held = self.count.near
            first_km = min(first_km, near_km * FIRST_CIRCLE_MARGIN * math.sqrt(stop / held))
        return nearest_in_circles(
            lambda circle: self._page_compiled(circle, start, stop),
            self.place.point,
            stop - start,
            first_km=first_km,
            last_km=self.radius_km,
            growth=CIRCLE_GROWTH,
        )

    # The queries of a search near a place, compiled once per shape (directory.compiled): what `matching()`
    # filters on is part of each template's key, the circle's values are its parameters.

    def _shape(self) -> tuple:
        verified_on = timezone.localdate() if self.verified else None
        techniques = tuple(technique.pk for technique in self.techniques)  # in order: the SQL lists them so
        return techniques, self.accepting_new_patients, verified_on, self.language

    def page_template(self, alias: str, circle: Circle, start: int, stop: int) -> Template:
        """The template of matching().in_circle(circle)[start:stop]: fill it in with circle_values(circle)."""
        key = ("page", self._shape(), circle_shape(circle), start, stop)
        return template(key, alias, lambda slots: self.matching().in_circle(slots.circle(circle))[start:stop])

    def edge_template(self, alias: str, circle: Circle) -> Template:
        """The template of matching().within_in_cells(circle, cells): fill it in with circle_values(circle) and
        the cells."""
        key = ("edge", self._shape(), circle_shape(circle))
        return template(
            key, alias, lambda slots: self.matching().within_in_cells(slots.circle(circle), slots.list("cells"))
        )

    def edge_ranges_template(self, alias: str, circle: Circle) -> Template:
        """The template of matching().within_in_ranges(circle, lows, highs) (PostgreSQL): fill it in with
        circle_values(circle), the lows and the highs."""
        key = ("edge ranges", self._shape(), circle_shape(circle))
        return template(
            key,
            alias,
            lambda slots: self.matching().within_in_ranges(
                slots.circle(circle), slots.list("lows"), slots.list("highs")
            ),
        )

    def _page_compiled(self, circle: Circle, start: int, stop: int) -> list[Practitioner]:
        """Results start..stop of matching().in_circle(circle), listed."""
        alias = router.db_for_read(Practitioner)
        found = self.page_template(alias, circle, start, stop).models(alias, circle_values(circle))
        return practitioners_listed(found, alias=alias)

    def _edge_compiled(self, alias: str, circle: Circle) -> Callable[[Cover], tuple[str, list]]:
        """The SQL (and its parameters) of the pks of matching() with a location within the circle in a cover's
        edge cells, for grid_count: by ranges of cells on PostgreSQL, cell by cell on SQLite."""
        values = circle_values(circle)
        if connections[alias].vendor == "postgresql":
            ranges = self.edge_ranges_template(alias, circle)

            def by_ranges(cover: Cover) -> tuple[str, list]:
                lows, highs = [low for low, _ in cover.edge_ranges], [high for _, high in cover.edge_ranges]
                return ranges.sql, ranges.filled({**values, "lows": lows, "highs": highs})

            return by_ranges
        cells = self.edge_template(alias, circle)
        return lambda cover: (cells.sql, cells.filled({**values, "cells": list(cover.edge)}))

    def nearest_beyond(self, count: int = 3) -> list[Practitioner]:
        """When nothing is within the radius: the `count` nearest matching practitioners, however far."""
        if self.place is None:
            return []
        return self.matching().nearest(self.place.point, count, beyond_km=self.radius_km)
