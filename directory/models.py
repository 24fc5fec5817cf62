from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import connections, models
from django.db.models import Exists, F, Min, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import ATan, Cast, Coalesce, Cos, Floor, NullIf, Radians, Sin, Tan
from django.db.models.lookups import LessThanOrEqual
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from directory.compiled import template
from directory.geo import (
    BANDS_PER_DEGREE,
    GRID_CELLS_PER_DEGREE,
    GRID_COLUMNS,
    WGS84_F,
    Circle,
    GeodesicDistance,
    Point,
    coordinate_rounded,
    distance_km,
)
from directory.languages import language_codes, language_name_in_sentence
from directory.storage import private_storage
from directory.timezones import zone_at

# A circle that holds every point on Earth, as GeodesicDistance measures it: the longest geodesic is 20,004 km
# (pole to pole), but near the antipode Lambert's formula reads up to 34 km long (20,037.5 km from (0, 0) to
# (0, 180), half the equator), and a circle of 20,004 km left such a practitioner out of "the nearest".
FARTHEST_KM = 20_100.0
REDUCED_LATITUDE = ATan(Value(1 - WGS84_F) * Tan(Radians("latitude")))


class Coordinate(models.FloatField):
    """A latitude or longitude in degrees, written to the database rounded (geo.coordinate_rounded)."""

    def get_prep_value(self, value: object) -> float | None:
        value = super().get_prep_value(value)
        return None if value is None else coordinate_rounded(value)


class Technique(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:technique-detail", kwargs={"slug": self.slug})


class FormerSlug(models.Model):
    """A slug a technique had before it was renamed: old links and search URLs keep finding it."""

    technique = models.ForeignKey(Technique, on_delete=models.CASCADE, related_name="former_slugs")
    slug = models.SlugField(max_length=80, unique=True)

    def __str__(self) -> str:
        return f"{self.slug} (now {self.technique.slug})"


def in_the_active_language(field: str) -> Coalesce:
    """A translated field across a relation ("technique__name"), as the active language has it, or the English
    when that is empty: what modeltranslation's descriptor reads on a model, for a query that reads no model."""
    language = build_localized_fieldname(field, translation.get_language() or settings.LANGUAGE_CODE)
    english = build_localized_fieldname(field, settings.LANGUAGE_CODE)
    return Coalesce(NullIf(F(language), Value("")), F(english), output_field=models.CharField())


class PractitionerQuerySet(models.QuerySet["Practitioner"]):
    def published(self) -> PractitionerQuerySet:
        return self.filter(status=Practitioner.Status.PUBLISHED)

    def offering(self, techniques: Iterable[Technique]) -> PractitionerQuerySet:
        """Practitioners offering ANY of `techniques` (all of them when none are given)."""
        techniques = list(techniques)
        if not techniques:
            return self
        offers = Practitioner.techniques.through.objects.filter(practitioner=OuterRef("pk"), technique__in=techniques)
        return self.filter(Exists(offers))

    def awaiting_review(self) -> PractitionerQuerySet:
        """Pending listings a moderator should look at: not those seeded from the NPI registry file that nobody
        has claimed (they wait for their practitioner, not for the desk)."""
        return self.filter(status=Practitioner.Status.PENDING).exclude(owner=None, registry_values__isnull=False)

    def claimable(self) -> PractitionerQuerySet:
        """Listings someone may ask to manage: the published ones, and those seeded from the NPI registry file
        that nobody manages yet (unpublished until an owner claims them and a moderator publishes them)."""
        return self.filter(Q(status=Practitioner.Status.PUBLISHED) | Q(owner=None, registry_values__isnull=False))

    def speaking(self, language: str) -> PractitionerQuerySet:
        """Practitioners who speak `language` (an ISO 639-1 code; all of them when empty). A two-letter substring
        of the stored codes is always a whole code (directory.languages.languages_stored)."""
        return self.filter(languages__contains=language) if language else self

    def verified_in(self, techniques: Iterable[Technique]) -> PractitionerQuerySet:
        """Practitioners whose training is verified today in ANY of `techniques` (in any technique when none are
        given)."""
        verified = Training.objects.verified_on(timezone.localdate()).filter(practitioner=OuterRef("pk"))
        techniques = list(techniques)
        if techniques:
            verified = verified.filter(technique__in=techniques)
        return self.filter(Exists(verified))

    def by_name(self) -> PractitionerQuerySet:
        """Alphabetical, each listed with its first location (see listed())."""
        first = Location.objects.filter(practitioner=OuterRef("pk")).order_by("pk").values("pk")[:1]
        return self.order_by("name", "pk").annotate(listed_location_id=Subquery(first)).with_portrait()

    def near(self, origin: Point, radius_km: float) -> PractitionerQuerySet:
        """Practitioners with a location within `radius_km`, nearest first, each once, with `distance_km` (to its
        nearest location) and `listed_location_id` (that location; see listed())."""
        return self.in_circle(Circle.around(origin, radius_km))

    def in_circle(self, circle: Circle) -> PractitionerQuerySet:
        """near() for a circle (whose values directory.compiled may stand in for)."""
        nearest = (
            Location.objects.filter(practitioner=OuterRef("pk"))
            .annotate(distance_km=GeodesicDistance(circle.vector))
            .order_by("distance_km", "pk")
            .values("pk")[:1]
        )
        # The minimum is taken over the locations within the radius: the nearest is among them if any is.
        return (
            self.within(circle)
            .annotate(
                distance_km=Min(GeodesicDistance(circle.vector, prefix="locations__")),
                listed_location_id=Subquery(nearest),
            )
            .with_portrait()
            .order_by("distance_km", "name", "pk")
        )

    def with_portrait(self) -> PractitionerQuerySet:
        """Each practitioner with their approved portrait's PORTRAIT_LISTED fields as `portrait_<field>` (None
        without one), read by subqueries of the same query, as listed() reads verified training; listed() makes
        them `listed_portrait`."""
        portrait = Photo.objects.approved().portraits().filter(practitioner=OuterRef("pk")).order_by()
        # At most one portrait is approved (one_approved_portrait): no order is needed to pick it.
        return self.annotate(
            **{f"portrait_{name}": Subquery(portrait.values(name)[:1]) for name in Photo.PORTRAIT_LISTED}
        )

    def count_near(self, origin: Point, radius_km: float, up_to: int) -> int:
        """How many of these practitioners have a location within `radius_km` (no more than `up_to`)."""
        found = self.within(Circle.around(origin, radius_km)).order_by().values("pk").distinct()
        return found[:up_to].count()

    def within(self, circle: Circle) -> PractitionerQuerySet:
        """Practitioners with a location within the circle, once per such location (unordered, for near() and
        for counting with distinct())."""
        # One filter() call, so the box and the distance test apply to the same location (one join).
        within = LessThanOrEqual(GeodesicDistance(circle.vector, prefix="locations__"), circle.radius_km)
        return self.filter(circle.box.as_q(prefix="locations__"), within)

    def within_in_cells(self, circle: Circle, cells: Sequence[int]) -> PractitionerQuerySet:
        """The pks of these practitioners with a location within the circle in one of the search grid's `cells`
        (directory.grid), once each."""
        within = LessThanOrEqual(GeodesicDistance(circle.vector, prefix="locations__"), circle.radius_km)
        return self.filter(within, locations__grid_cell__any=cells).order_by().values("pk").distinct()

    def within_in_ranges(self, circle: Circle, lows: list[int], highs: list[int]) -> PractitionerQuerySet:
        """within_in_cells() of the cells lows[i]..highs[i], on PostgreSQL: one short scan of the grid cell's
        index per range (LATERAL), where `grid_cell = ANY(cells)` descends the index once per cell (a 100-mile
        circle's edge is about 1,200 cells in about 290 ranges, at most two per row of the grid). The bounds are
        lists: PostgreSQL's driver passes a list as an array (a tuple would be a record)."""
        connection = connections[self.db]
        column = connection.ops.quote_name(Location._meta.get_field("grid_cell").column)
        table = connection.ops.quote_name(Location._meta.db_table)
        in_range = RawSQL(f"{table}.{column} BETWEEN r.lo AND r.hi", (), output_field=models.BooleanField())
        located = (
            Location.objects.filter(LessThanOrEqual(GeodesicDistance(circle.vector), circle.radius_km), in_range)
            .order_by()
            .values("practitioner_id")
        )
        sql, params = located.query.get_compiler(connection=connection).as_sql()
        # OFFSET 0 keeps the subquery whole (not merged into a join the planner may run as one scan of every
        # location, each tested against each range): it runs once per range, as that range's index scan.
        edge = RawSQL(
            f"SELECT s.practitioner_id FROM unnest(%s::bigint[], %s::bigint[]) AS r (lo, hi) "
            f"CROSS JOIN LATERAL ({sql} OFFSET 0) s",
            (lows, highs, *params),
        )
        return self.filter(pk__in=edge).order_by().values("pk")

    def nearest(self, origin: Point, count: int, beyond_km: float = 0.0) -> list[Practitioner]:
        """The `count` practitioners nearest to `origin`, however far, widening an index-backed search."""
        first_km = max(beyond_km, 50.0) * 4
        return self.nearest_rows(origin, 0, count, first_km=first_km, last_km=FARTHEST_KM, growth=4)

    def nearest_rows(
        self, origin: Point, start: int, stop: int, *, first_km: float, last_km: float, growth: float
    ) -> list[Practitioner]:
        """Results start..stop of near(origin, last_km), listed (see nearest_in_circles)."""
        return nearest_in_circles(
            lambda circle: self.in_circle(circle)[start:stop].listed(),
            origin,
            stop - start,
            first_km=first_km,
            last_km=last_km,
            growth=growth,
        )

    def listed(self) -> list[Practitioner]:
        """The practitioners, each with `listed_location` (the one near() or by_name() chose) and
        `listed_techniques` (by name): two more queries for the whole list, and no model per technique."""
        return practitioners_listed(list(self), alias=self.db)

    def with_techniques(self) -> PractitionerQuerySet:
        return self.prefetch_related(Prefetch("techniques", queryset=Technique.objects.order_by("name")))


@dataclass(frozen=True)
class TechniqueTag:
    """A technique as a result lists it."""

    slug: str
    name: str
    # The practitioner's training in it as verified today (listed() reads it): the badge patients see.
    verified_on: date | None = None
    verified_until: date | None = None

    def __str__(self) -> str:
        return self.name


# A listing's website is a link patients open in their browser: a web address, never ftp:// (nor javascript:).
WEBSITE_SCHEMES = ["http", "https"]
validate_website = URLValidator(
    schemes=WEBSITE_SCHEMES, message=_("Enter a valid web address starting with http:// or https://.")
)


def nearest_in_circles(
    page: Callable[[Circle], list[Practitioner]],
    origin: Point,
    wanted: int,
    *,
    first_km: float,
    last_km: float,
    growth: float,
) -> list[Practitioner]:
    """A page of results read from the smallest circle around `origin` that holds it, trying circles from
    `first_km` growing by `growth` up to `last_km`: whoever is within a circle is nearer than everyone outside it,
    so a circle holding `wanted` results (the page's `page(circle)` lists) has the search's first ones."""
    circle_km = min(first_km, last_km)
    while True:
        found = page(Circle.around(origin, circle_km))
        if len(found) == wanted or circle_km >= last_km:
            return found
        circle_km = min(last_km, circle_km * growth)


def practitioners_listed(practitioners: list[Practitioner], *, alias: str) -> list[Practitioner]:
    """Sets `listed_location`, `listed_techniques`, `listed_portrait` and `listed_path` on practitioners read by
    near() or by_name() (see PractitionerQuerySet.listed), reading database `alias`: two queries, compiled once
    each (directory.compiled)."""
    location_ids = [p.listed_location_id for p in practitioners if getattr(p, "listed_location_id", None)]
    locations: dict[int, Location] = {}
    if location_ids:
        made = template(("listed locations",), alias, lambda slots: Location.objects.filter(pk__any=slots.list("ids")))
        locations = {location.pk: location for location in made.models(alias, {"ids": location_ids})}
    offered: dict[int, list[TechniqueTag]] = {p.pk: [] for p in practitioners}
    if offered:
        today, language = timezone.localdate(), translation.get_language()
        made = template(
            ("listed techniques", today, language), alias, lambda slots: techniques_offered(slots.list("ids"), today)
        )
        for practitioner_id, slug, name, verified_on, verified_until in made.rows(alias, {"ids": list(offered)}):
            offered[practitioner_id].append(TechniqueTag(slug, name, verified_on, verified_until))
    paths = Paths()
    for practitioner in practitioners:
        practitioner.listed_path = practitioner.profile_path(paths)
        practitioner.listed_portrait = Photo.listed_from(practitioner, paths)
        practitioner.listed_location = locations.get(getattr(practitioner, "listed_location_id", None))
        practitioner.listed_techniques = offered[practitioner.pk]
    return practitioners


def techniques_offered(ids: Sequence[int], today: date) -> models.QuerySet:
    """The techniques the practitioners `ids` offer, by name in the active language, each with its verified
    training's dates (None without)."""
    verification = (
        Training.objects.verified_on(today)
        .filter(practitioner=OuterRef("practitioner_id"), technique=OuterRef("technique_id"))
        .order_by("-verified_on", "-pk")
    )
    return (
        Practitioner.techniques.through.objects.filter(practitioner_id__any=ids)
        .annotate(
            verified_on=Subquery(verification.values("verified_on")[:1]),
            verified_until=Subquery(verification.values("verified_until")[:1]),
        )
        .annotate(technique_name=in_the_active_language("technique__name"))
        .order_by("technique_name")
        .values_list("practitioner_id", "technique__slug", "technique_name", "verified_on", "verified_until")
    )


SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")  # what the <slug:> converter takes, and reverse() leaves unquoted
FILE_NAME = re.compile(r"[-a-zA-Z0-9_.]+\Z")  # a photo's file name that reverse() leaves unquoted
# Each path Paths writes, with stand-ins for its arguments that nothing else in a path looks like.
_STAND_INS = {
    "directory:practitioner-detail": (("pk", 1234567), ("slug", "the-slug")),
    "directory:photo-file": (("pk", 1234567), ("name", "the-file.name")),
}


@dataclass(frozen=True)
class Paths:
    """Profile and photo paths as reverse() writes them, each view's path reversed once per script prefix, URLconf
    and language: reverse() took 40-60 us, and a search page asks for 100. Reading those three from the thread
    takes 7 us more, so a list of results makes one Paths for all its paths."""

    reversing: tuple[str, str | None, str | None] = dataclass_field(
        default_factory=lambda: (get_script_prefix(), get_urlconf(), translation.get_language())
    )

    def practitioner(self, pk: int, slug: str) -> str:
        """reverse("directory:practitioner-detail", kwargs={"pk": pk, "slug": slug})."""
        if not SLUG.match(slug):
            return reverse("directory:practitioner-detail", kwargs={"pk": pk, "slug": slug})  # refuses it, as ever
        head, middle, tail = _path_around("directory:practitioner-detail", *self.reversing)
        return f"{head}{int(pk)}{middle}{slug}{tail}"

    def photo(self, pk: int, name: str) -> str:
        """reverse("directory:photo-file", kwargs={"pk": pk, "name": name})."""
        if not FILE_NAME.match(name):
            return reverse("directory:photo-file", kwargs={"pk": pk, "name": name})
        head, middle, tail = _path_around("directory:photo-file", *self.reversing)
        return f"{head}{int(pk)}{middle}{name}{tail}"


def practitioner_path(pk: int, slug: str) -> str:
    """The profile's path (Paths.practitioner)."""
    return Paths().practitioner(pk, slug)


def photo_path(pk: int, name: str) -> str:
    """A photo file's path (Paths.photo)."""
    return Paths().photo(pk, name)


@functools.lru_cache(maxsize=64)
def _path_around(viewname: str, prefix: str, urlconf: str | None, language: str | None) -> tuple[str, ...]:
    """The text of `viewname`'s path around its arguments, in order: reversed with its stand-ins and split at each
    (prefix, urlconf and language are the cache's key: reverse() reads them from the thread)."""
    stand_ins = _STAND_INS[viewname]
    path = reverse(viewname, kwargs=dict(stand_ins))
    rest, parts = path, []
    for name, value in reversed(stand_ins):  # from the end: a script prefix may hold anything
        rest, found, after = rest.rpartition(str(value))
        if not found:  # the URL pattern no longer writes the argument as it was given
            raise ImproperlyConfigured(f"{viewname} reverses to {path}, without its {name} as given.")
        parts.insert(0, after)
    return (rest, *parts)


class Practitioner(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, blank=True)
    credentials = models.CharField(max_length=100, blank=True, help_text="For example DC, DCM.")
    bio = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True, validators=[validate_website])
    accepting_new_patients = models.BooleanField(default=True)
    # Patients' questions, relayed by e-mail from the profile's form (practice.questions) when the listing is owned.
    questions_enabled = models.BooleanField(
        "Questions from patients",
        default=True,
        help_text="Patients can write to the listing's e-mail from its profile.",
    )
    show_email = models.BooleanField(
        "Show the e-mail address", default=False, help_text="The profile also shows the e-mail when the form is on."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    external_id = models.CharField(
        max_length=100, unique=True, null=True, blank=True, help_text="Identifier in an imported file."
    )
    techniques = models.ManyToManyField(Technique, related_name="practitioners", blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practitioners",
        help_text="The account that manages this listing; a listing has at most one.",
    )
    rejection_reason = models.TextField(blank=True, help_text="Why the listing was rejected, as told to its owner.")
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the owner last confirmed that the listing is correct."
    )
    reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the owner was last asked to confirm the listing (remind_stale_listings)."
    )
    stale_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text='When the listing was marked "not recently confirmed"; confirming it clears the mark.',
    )
    languages = models.CharField(
        "languages spoken",
        max_length=200,
        blank=True,
        help_text="ISO 639-1 codes, space-separated (directory.languages): filtered with a substring match.",
    )
    insurance_plans = models.TextField(
        "insurance plans accepted", blank=True, max_length=2000, help_text="One plan per line."
    )
    accepts_cash = models.BooleanField("cash or card without insurance", default=False)
    accepts_hsa_fsa = models.BooleanField("HSA or FSA cards", default=False)
    offers_payment_plans = models.BooleanField("payment plans", default=False)
    first_visit_fee = models.PositiveIntegerField(
        "first visit fee",
        null=True,
        blank=True,
        validators=[MaxValueValidator(10_000)],
        help_text="Whole dollars, in the listing's own currency (US or Canadian).",
    )
    npi = models.CharField(
        "NPI", max_length=10, blank=True, help_text="National Provider Identifier (US), as the NPI registry lists it."
    )
    registry_values = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="What import_nppes last wrote from the NPI registry file: a later import overwrites only the "
        "fields that still hold these values (nobody has edited them since).",
    )
    registry_deactivated_on = models.DateField(
        null=True, blank=True, help_text="When the NPI registry deactivated this NPI (import_nppes)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PractitionerQuerySet.as_manager()

    # What a search lists with each practitioner (PractitionerQuerySet.listed() sets them).
    listed_location: Location | None = None
    listed_techniques: tuple[TechniqueTag, ...] = ()
    listed_portrait: ListedPortrait | None = None
    listed_path: str = ""

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["name", "id"], name="practitioner_name"),
            # Only the few listings awaiting or refused review are indexed by status: an index over "published"
            # (nearly every row) would tempt SQLite's planner away from the location box in searches.
            models.Index(fields=["status"], name="practitioner_unpublished", condition=~Q(status="published")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["npi"], condition=~Q(npi=""), name="one_listing_per_npi"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs) -> None:
        self.slug = self.slug_for(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return self.profile_path(Paths())

    def profile_path(self, paths: Paths) -> str:
        """The profile's path, written by `paths` (one Paths for a whole list of results)."""
        return paths.practitioner(self.pk, self.slug or "practitioner")

    @staticmethod
    def slug_for(name: str) -> str:
        return slugify(name)[:200] or "practitioner"

    @property
    def display_name(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    @property
    def takes_questions(self) -> bool:
        """Whether the profile offers the question form: published, managed by someone, with an e-mail to relay to,
        and not switched off by its owner."""
        return bool(self.questions_enabled and self.owner_id and self.email and self.status == self.Status.PUBLISHED)

    @property
    def public_email(self) -> str:
        """The e-mail the profile prints: none while the question form stands in for it, unless the owner wants
        it shown as well."""
        return self.email if self.show_email or not self.takes_questions else ""

    @property
    def language_names(self) -> list[str]:
        """The languages spoken, by name as a sentence writes them, in the order the practitioner gave them."""
        return [language_name_in_sentence(code) for code in language_codes(self.languages)]

    @property
    def insurance_plan_list(self) -> list[str]:
        return [plan for plan in self.insurance_plans.splitlines() if plan.strip()]

    @property
    def payment_options(self) -> list[str]:
        """The ways to pay besides insurance, as the profile lists them."""
        options = [
            (self.accepts_cash, gettext("Cash or card without insurance")),
            (self.accepts_hsa_fsa, gettext("HSA or FSA cards")),
            (self.offers_payment_plans, gettext("Payment plans")),
        ]
        return [words for offered, words in options if offered]

    @property
    def says_how_to_pay(self) -> bool:
        return bool(self.insurance_plans or self.payment_options or self.first_visit_fee is not None)

    @property
    def not_recently_confirmed(self) -> bool:
        """Marked by remind_stale_listings; confirming the listing lifts the mark."""
        return self.stale_since is not None

    @property
    def from_registry(self) -> bool:
        """Seeded from the NPI registry file (import_nppes)."""
        return self.registry_values is not None

    @property
    def status_in_words(self) -> str:
        """The status as its owner reads it: "Rejected: <reason>" when a reason was given."""
        if self.status == self.Status.REJECTED and self.rejection_reason:
            return f"{self.get_status_display()}: {self.rejection_reason}"
        return self.get_status_display()


class LocationQuerySet(models.QuerySet["Location"]):
    def measured_from(self, origin: Point) -> LocationQuerySet:
        """Each location with `distance_km` from `origin` (the search's own measure, so a profile says what the
        results said)."""
        return self.annotate(distance_km=distance_km(origin))


class Location(models.Model):
    class Country(models.TextChoices):
        US = "US", _("United States")
        CA = "CA", _("Canada")

    class Placement(models.TextChoices):
        """Where a location's coordinates came from."""

        FILE = "file", "Given in an imported file"
        ADDRESS = "address", "Found from the street address"
        POSTAL_CODE = "postal_code", "Centre of the postal code (approximate)"
        PIN = "pin", "Placed on the map by the practitioner"

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="locations")
    clinic_name = models.CharField(max_length=200, blank=True)
    address_line1 = models.CharField("address", max_length=200)
    address_line2 = models.CharField("address (line 2)", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField("state or province", max_length=50)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, choices=Country.choices, default=Country.US)
    latitude = Coordinate(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = Coordinate(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    phone = models.CharField(max_length=40, blank=True)
    placement = models.CharField(max_length=20, choices=Placement.choices, default=Placement.FILE)
    # Weekly hours: {"monday": [{"opens": "09:00", "closes": "12:30"}, ...], ...}, a day missing or empty being
    # closed; {} when the listing says nothing about its hours (which the profile never shows as "closed").
    opening_hours = models.JSONField("opening hours", default=dict, blank=True)
    # Dated exceptions: [{"start": "2026-12-24", "end": "2027-01-02", "hours": []}, ...], empty hours = closed.
    hours_exceptions = models.JSONField("exceptions to the opening hours", default=list, blank=True)
    # The IANA zone of the coordinates (found offline), in which the hours are read.
    time_zone = models.CharField("time zone", max_length=64, blank=True)
    # The point as a unit vector on the sphere of reduced latitude, kept by the database, for GeodesicDistance.
    sphere_x = models.GeneratedField(
        expression=Cos(REDUCED_LATITUDE) * Cos(Radians("longitude")), output_field=models.FloatField(), db_persist=True
    )
    sphere_y = models.GeneratedField(
        expression=Cos(REDUCED_LATITUDE) * Sin(Radians("longitude")), output_field=models.FloatField(), db_persist=True
    )
    latitude_band = models.GeneratedField(
        expression=Floor(F("latitude") * Value(float(BANDS_PER_DEGREE))),
        output_field=models.FloatField(),
        db_persist=True,
    )
    sphere_z = models.GeneratedField(
        expression=Sin(REDUCED_LATITUDE), output_field=models.FloatField(), db_persist=True
    )
    # The search grid's cell (directory/grid.py): row * GRID_COLUMNS + column, kept by the database.
    grid_cell = models.GeneratedField(
        expression=Cast(
            Floor((F("latitude") + Value(90.0)) * Value(float(GRID_CELLS_PER_DEGREE))), models.BigIntegerField()
        )
        * Value(GRID_COLUMNS)
        + Cast(Floor((F("longitude") + Value(180.0)) * Value(float(GRID_CELLS_PER_DEGREE))), models.BigIntegerField()),
        output_field=models.BigIntegerField(),
        db_persist=True,
    )

    objects = LocationQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [
            # The box a search reads, with what it reads of each location in it (whether it is within the circle,
            # how far, whose): on PostgreSQL a search reads its box from the index alone, not from a table page per
            # location (at 1M practitioners a 100-mile page read 800 locations, nearly each on its own page).
            # SQLite has no INCLUDE: Django makes the index there on its key columns alone (models.W040, silenced
            # in config/settings/base.py), which is the index a search there needs.
            models.Index(
                fields=["latitude_band", "longitude"],
                include=["latitude", "sphere_x", "sphere_y", "sphere_z", "practitioner"],
                name="location_band_covering",
            ),
            # The same for the count's edge (the grid's cells the circle's edge crosses, directory/grid.py): on
            # PostgreSQL it measures their locations from the index alone, not from a table page per location
            # (at 100k a 100-mile count's edge read 282 table pages for 306 locations). On SQLite: the grid cell.
            models.Index(
                fields=["grid_cell"],
                include=["sphere_x", "sphere_y", "sphere_z", "practitioner"],
                name="location_grid_cell_covering",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(latitude__gte=-90, latitude__lte=90), name="location_latitude_in_range"),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180, longitude__lte=180), name="location_longitude_in_range"
            ),
        ]

    def __str__(self) -> str:
        return self.clinic_name or f"{self.address_line1}, {self.city}"

    def save(self, *args, **kwargs) -> None:
        self.time_zone = zone_at(self.latitude, self.longitude)
        if kwargs.get("update_fields") is not None and {"latitude", "longitude"} & set(kwargs["update_fields"]):
            kwargs["update_fields"] = {*kwargs["update_fields"], "time_zone"}
        super().save(*args, **kwargs)

    @property
    def is_approximate(self) -> bool:
        return self.placement == self.Placement.POSTAL_CODE

    @property
    def address(self) -> str:
        parts = [self.address_line1, self.address_line2, f"{self.city}, {self.state} {self.postal_code}"]
        return ", ".join(part for part in parts if part)

    @property
    def directions_url(self) -> str:
        """A link that opens directions to this address in the patient's maps service."""
        destination = f"{self.address}, {self.get_country_display()}"
        return "https://www.google.com/maps/dir/?" + urlencode({"api": 1, "destination": destination})


class TrainingQuerySet(models.QuerySet["Training"]):
    def verified_on(self, day: date) -> TrainingQuerySet:
        """Records verified and not lapsed on `day` (a verification lapses at the start of its last day)."""
        return self.filter(status=Training.Status.VERIFIED, verified_on__lte=day).filter(
            Q(verified_until__isnull=True) | Q(verified_until__gt=day)
        )

    def pending(self) -> TrainingQuerySet:
        return self.filter(status=Training.Status.PENDING)

    def badges(self) -> dict[int, date]:
        """{technique id: the latest verification date} of these records (one query)."""
        rows = self.order_by("verified_on").values_list("technique_id", "verified_on")
        return {technique_id: verified_on for technique_id, verified_on in rows}


def evidence_path(training: Training, filename: str) -> str:
    """A name nobody can guess or read meaning into; the file's own name is kept in `evidence_name`."""
    return f"training/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class Training(models.Model):
    """What a practitioner holds in a technique (a seminar, a level, a certificate), with the evidence, and whether
    a moderator verified it. Patients see "Training verified <date>" and never the evidence nor the number."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Not verified")

    class EvidenceType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        JPEG = "image/jpeg", _("JPEG image")
        PNG = "image/png", _("PNG image")

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="training")
    technique = models.ForeignKey(Technique, on_delete=models.CASCADE, related_name="training")
    body = models.CharField("training body", max_length=200, help_text="Who trained or certified you.")
    level = models.CharField("level or title", max_length=200)
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(1900)])
    certificate_number = models.CharField(max_length=100, blank=True)
    expires_on = models.DateField("expiry date", null=True, blank=True)
    evidence = models.FileField(storage=private_storage, upload_to=evidence_path, max_length=200)
    evidence_name = models.CharField(max_length=255, help_text="The file's name as it was uploaded.")
    evidence_type = models.CharField(max_length=40, choices=EvidenceType.choices)
    evidence_size = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    submitted_at = models.DateTimeField()
    verified_on = models.DateField(null=True, blank=True)
    verified_until = models.DateField(
        null=True, blank=True, help_text="The verification lapses on this day (the badge disappears)."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was not verified, as told to the practitioner.")
    # The lapse date each reminder was sent for (lapse_credentials sends each once, even if run twice a day).
    lapse_warned_for = models.DateField(null=True, blank=True, editable=False)
    lapse_notified_for = models.DateField(null=True, blank=True, editable=False)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        ordering = ["technique__name", "-year", "pk"]
        verbose_name_plural = "training"
        indexes = [models.Index(fields=["status", "verified_until"], name="training_status_until")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="verified", verified_on__isnull=False) | ~Q(status="verified"),
                name="training_verified_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner}: {self.technique}, {self.level} ({self.body}, {self.year})"


class PublicVersion(models.Model):
    """One row whose number changes with every write a patient could see (directory.answers): cached search
    answers are keyed by it, so no process ever serves an answer older than the data."""

    number = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Public version {self.number}"


class GridCount(models.Model):
    """How many published practitioners have every location in one cell of the search grid (directory/grid.py),
    per cell and per technique they offer (technique 0: whatever they offer). Kept by directory.grid."""

    ANY_TECHNIQUE = 0

    technique = models.BigIntegerField()  # a Technique's pk, or ANY_TECHNIQUE
    cell = models.BigIntegerField()
    practitioners = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["technique", "cell"], name="grid_count_technique_cell")]
        # The count sums `practitioners` over ranges of cells from this index alone, without reading a row's table
        # page (at 1M practitioners a 100-mile count read 1,200 of them, most on a page of their own). SQLite has
        # no INCLUDE: there Django makes it on (technique, cell) alone, beside the constraint's own index.
        indexes = [models.Index(fields=["technique", "cell"], include=["practitioners"], name="grid_count_summed")]

    def __str__(self) -> str:
        return f"{self.practitioners} in cell {self.cell} (technique {self.technique})"


class GridMember(models.Model):
    """A published practitioner's cells of the search grid, once per technique they offer and once for
    ANY_TECHNIQUE: what GridCount counts (those `spread` over several cells are not counted there, and are read
    from here instead, so that none is counted twice)."""

    # No database constraint: directory.grid removes a practitioner's rows before the practitioner goes.
    practitioner = models.ForeignKey(Practitioner, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    technique = models.BigIntegerField()
    cell = models.BigIntegerField()
    spread = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(fields=["technique", "spread", "cell", "practitioner"], name="grid_member_spread_cell"),
        ]

    def __str__(self) -> str:
        return f"Practitioner {self.practitioner_id} in cell {self.cell} (technique {self.technique})"


class UnmetDemand(models.Model):
    """Searches that found nobody within their radius, counted by coarse area (a ZIP code, a postal-code area, a
    city, or coordinates rounded to 0.1 degree): where patients look and find no practitioner. Nothing personal."""

    area = models.CharField(max_length=200, unique=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    searches = models.PositiveIntegerField(default=0)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        ordering = ["-searches", "area"]
        verbose_name_plural = "unmet demand"

    def __str__(self) -> str:
        return self.area


class PhotoQuerySet(models.QuerySet["Photo"]):
    def approved(self) -> PhotoQuerySet:
        return self.filter(status=Photo.Status.APPROVED)

    def pending(self) -> PhotoQuerySet:
        return self.filter(status=Photo.Status.PENDING)

    def portraits(self) -> PhotoQuerySet:
        return self.filter(location__isnull=True)


@dataclass(frozen=True)
class Rendition:
    """One stored size of a photo: its file's name in default_storage and its pixels."""

    name: str
    width: int
    height: int


@dataclass(frozen=True)
class ListedPortrait:
    """An approved portrait as a result card and the API show it (Photo.listed_from)."""

    alt_text: str
    thumb_width: int
    thumb_height: int
    url_thumb: str
    url_card: str


class Photo(models.Model):
    """A practitioner's portrait (no location) or a photo of one of their locations, kept as three JPEG sizes under
    content-hashed names in default_storage (practice.uploads makes them). A moderator approves it before any
    patient sees it; directory.views.photo_file serves the files."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Size(models.TextChoices):
        THUMB = "thumb", "Thumbnail"
        CARD = "card", "Card"
        FULL = "full", "Full size"

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="photos")
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
        help_text="Empty: the practitioner's portrait.",
    )
    alt_text = models.CharField(
        "alt text", max_length=200, help_text="What the photo shows, for patients who cannot see it."
    )
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(blank=True, help_text="Why it was rejected, as told to the practitioner.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="uploaded_photos"
    )
    thumb_name = models.CharField(max_length=200)
    thumb_width = models.PositiveIntegerField()
    thumb_height = models.PositiveIntegerField()
    card_name = models.CharField(max_length=200)
    card_width = models.PositiveIntegerField()
    card_height = models.PositiveIntegerField()
    full_name = models.CharField(max_length=200)
    full_width = models.PositiveIntegerField()
    full_height = models.PositiveIntegerField()

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["location_id", "position", "pk"]
        indexes = [models.Index(fields=["practitioner", "status"], name="photo_practitioner_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner"],
                condition=Q(location__isnull=True, status="approved"),
                name="one_approved_portrait",
            ),
            models.UniqueConstraint(
                fields=["practitioner"],
                condition=Q(location__isnull=True, status="pending"),
                name="one_pending_portrait",
            ),
        ]

    def __str__(self) -> str:
        where = f"location {self.location}" if self.location_id else "portrait"
        return f"{self.practitioner}: {where} ({self.alt_text[:40]})"

    # What a result card and the API show of a portrait (PractitionerQuerySet.with_portrait() reads them).
    PORTRAIT_LISTED = ("pk", "alt_text", "thumb_name", "thumb_width", "thumb_height", "card_name")

    @staticmethod
    def listed_from(practitioner: Practitioner, paths: Paths) -> ListedPortrait | None:
        """The portrait PractitionerQuerySet.with_portrait() read with `practitioner` (None without one)."""
        pk = getattr(practitioner, "portrait_pk", None)
        if pk is None:
            return None
        return ListedPortrait(
            alt_text=practitioner.portrait_alt_text,
            thumb_width=practitioner.portrait_thumb_width,
            thumb_height=practitioner.portrait_thumb_height,
            url_thumb=paths.photo(pk, practitioner.portrait_thumb_name.rsplit("/", 1)[-1]),
            url_card=paths.photo(pk, practitioner.portrait_card_name.rsplit("/", 1)[-1]),
        )

    @property
    def is_portrait(self) -> bool:
        return self.location_id is None

    @property
    def file_names(self) -> list[str]:
        return [self.thumb_name, self.card_name, self.full_name]

    def rendition(self, size: str) -> Rendition:
        return Rendition(getattr(self, f"{size}_name"), getattr(self, f"{size}_width"), getattr(self, f"{size}_height"))

    @property
    def thumb(self) -> Rendition:
        return self.rendition(Photo.Size.THUMB)

    @property
    def card(self) -> Rendition:
        return self.rendition(Photo.Size.CARD)

    @property
    def full(self) -> Rendition:
        return self.rendition(Photo.Size.FULL)

    def url(self, size: str) -> str:
        """The address of one size, served by directory.views.photo_file (its name changes with its content)."""
        return photo_path(self.pk, getattr(self, f"{size}_name").rsplit("/", 1)[-1])

    @property
    def url_thumb(self) -> str:
        return self.url(Photo.Size.THUMB)

    @property
    def url_card(self) -> str:
        return self.url(Photo.Size.CARD)

    @property
    def url_full(self) -> str:
        return self.url(Photo.Size.FULL)
