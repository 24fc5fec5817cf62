"""The API's JSON. The serializers describe it for the OpenAPI schema; practitioner_json() builds it (a plain
function of the listed practitioner: a serializer per row cost more than the search itself)."""

from django.http import HttpRequest
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directory.geo import Place, to_unit
from directory.hours import DAYS, week_in_order
from directory.languages import language_codes
from directory.models import Location, Practitioner, Technique, TechniqueTag
from directory.phones import phone_display


class TechniqueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Technique
        fields = ["slug", "name"]


class ListedTechniqueSerializer(TechniqueSerializer):
    """A technique a practitioner offers, with their training in it as a moderator verified it (or nulls)."""

    verified_on = serializers.DateField(
        allow_null=True, read_only=True, help_text="When a moderator verified the training; null when not verified."
    )
    verified_until = serializers.DateField(
        allow_null=True,
        read_only=True,
        help_text="The day the verification lapses (no longer shown from that day); null when it does not lapse "
        "or is not verified.",
    )

    class Meta(TechniqueSerializer.Meta):
        fields = ["slug", "name", "verified_on", "verified_until"]


_INTERVAL = {
    "type": "object",
    "properties": {
        "opens": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "example": "09:00"},
        "closes": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "example": "12:30"},
    },
    "required": ["opens", "closes"],
}
OPENING_HOURS_SCHEMA = {
    "type": "object",
    "nullable": True,
    "properties": {day: {"type": "array", "items": _INTERVAL} for day in DAYS},
    "additionalProperties": False,
}


class LocationSerializer(serializers.ModelSerializer):
    opening_hours = serializers.SerializerMethodField(
        help_text="The week on the clinic's own clock (`time_zone`): for each day, monday to sunday, its "
        'intervals as {"opens": "09:00", "closes": "12:30"} ("24:00" closes at midnight), [] when closed; null '
        "when the listing says nothing about its hours."
    )
    time_zone = serializers.CharField(
        read_only=True, help_text="The IANA time zone of the clinic, e.g. America/New_York, found from its position."
    )

    class Meta:
        model = Location
        fields = [
            "id",
            "clinic_name",
            "address_line1",
            "city",
            "state",
            "postal_code",
            "country",
            "latitude",
            "longitude",
            "phone",
            "opening_hours",
            "time_zone",
        ]

    @extend_schema_field(OPENING_HOURS_SCHEMA)
    def get_opening_hours(self, location: Location) -> dict | None:
        return week_in_order(location.opening_hours)


class PractitionerSerializer(serializers.ModelSerializer):
    techniques = ListedTechniqueSerializer(many=True, read_only=True)
    distance = serializers.SerializerMethodField(help_text="In the requested unit; null without `near`.")
    # A declared nested serializer is built once per response; one made per practitioner rebuilt its fields
    # every time (3 ms each).
    location = LocationSerializer(
        source="listed_location",
        read_only=True,
        allow_null=True,
        help_text="The nearest location (the first without `near`).",
    )
    url = serializers.SerializerMethodField(help_text="The practitioner's profile page.")
    languages = serializers.SerializerMethodField(
        help_text="The languages the practitioner speaks, as ISO 639-1 codes (es, fr, ...), in their order."
    )
    not_recently_confirmed = serializers.BooleanField(
        read_only=True, help_text="True when the practitioner has not confirmed the listing for over a year."
    )
    photo = serializers.SerializerMethodField(
        help_text="The practitioner's portrait (about 480 px on its long side, JPEG), or null without one."
    )

    class Meta:
        model = Practitioner
        fields = [
            *("id", "name", "credentials", "techniques", "distance", "location", "url", "languages"),
            "not_recently_confirmed",
            "photo",
        ]

    @extend_schema_field({"type": "array", "items": {"type": "string", "minLength": 2, "maxLength": 2}})
    def get_languages(self, practitioner: Practitioner) -> list[str]:
        return language_codes(practitioner.languages)

    @extend_schema_field({"type": "number", "nullable": True, "minimum": 0})
    def get_distance(self, practitioner: Practitioner) -> float | None:
        kilometres = getattr(practitioner, "distance_km", None)
        return None if kilometres is None else round(to_unit(kilometres, self.context["unit"]), 2)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, practitioner: Practitioner) -> str:
        return self.context["request"].build_absolute_uri(practitioner.get_absolute_url())

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_photo(self, practitioner: Practitioner) -> str | None:
        portrait = practitioner.listed_portrait
        return None if portrait is None else self.context["request"].build_absolute_uri(portrait.url_card)


class OriginSerializer(serializers.Serializer):
    label = serializers.CharField(help_text='The place the search resolved `near` to, e.g. "02108 (Boston, MA)".')
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()


class SearchPageSerializer(serializers.Serializer):
    """One page of a search, in DRF's page shape, with where it searched from."""

    origin = OriginSerializer(allow_null=True, help_text="Where the search measured from; null without `near`.")

    count = serializers.IntegerField(
        help_text="How many practitioners the search finds, at most 1000 (see count_is_exact)."
    )
    count_is_exact = serializers.BooleanField(
        help_text="False when the search finds more than 1000: count is then 1000."
    )
    next = serializers.URLField(allow_null=True, help_text="The next page, if any.")
    previous = serializers.URLField(allow_null=True, help_text="The previous page, if any.")
    results = PractitionerSerializer(many=True)


LOCATION_FIELDS = LocationSerializer.Meta.fields


def place_json(place: Place) -> dict:
    """A place as OriginSerializer describes it: where a search measured from, or a suggestion."""
    return {"label": place.label, "latitude": place.point.latitude, "longitude": place.point.longitude}


def location_json(location: Location, practitioner: Practitioner) -> dict:
    """A location as the API gives it: its phone (or the practitioner's) as the page shows it."""
    found = {name: getattr(location, name) for name in LOCATION_FIELDS}
    found["phone"] = phone_display(location.phone or practitioner.phone)
    found["opening_hours"] = week_in_order(location.opening_hours)
    return found


def technique_json(tag: TechniqueTag) -> dict:
    """A listed technique as ListedTechniqueSerializer describes it (dates in ISO 8601)."""
    return {
        "slug": tag.slug,
        "name": tag.name,
        "verified_on": None if tag.verified_on is None else tag.verified_on.isoformat(),
        "verified_until": None if tag.verified_until is None else tag.verified_until.isoformat(),
    }


def practitioner_json(practitioner: Practitioner, unit: str, site: str) -> dict:
    """What PractitionerSerializer describes, for a practitioner listed by a search (PractitionerQuerySet.listed());
    `site` is the request's scheme and host, which its addresses start with."""
    location = practitioner.listed_location
    kilometres = getattr(practitioner, "distance_km", None)
    portrait = practitioner.listed_portrait
    return {
        "id": practitioner.pk,
        "name": practitioner.name,
        "credentials": practitioner.credentials,
        "techniques": [technique_json(tag) for tag in practitioner.listed_techniques],
        "distance": None if kilometres is None else round(to_unit(kilometres, unit), 2),
        "location": None if location is None else location_json(location, practitioner),
        "url": site + practitioner.listed_path,
        "languages": language_codes(practitioner.languages),
        "not_recently_confirmed": practitioner.not_recently_confirmed,
        "photo": None if portrait is None else site + portrait.url_card,
    }


def site_of(request: HttpRequest) -> str:
    """The scheme and host that request.build_absolute_uri() puts before a path ("https://example.org"): read once
    for a page of results rather than twice a result."""
    return request.build_absolute_uri("/").removesuffix("/")


class PlaceSuggestionsSerializer(serializers.Serializer):
    results = OriginSerializer(many=True, help_text="Up to 10 places, best first.")
