from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directory.geo import to_unit
from directory.models import Location, Practitioner, Technique


class TechniqueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Technique
        fields = ["slug", "name"]


class LocationSerializer(serializers.ModelSerializer):
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
        ]


class PractitionerSerializer(serializers.ModelSerializer):
    techniques = TechniqueSerializer(many=True, read_only=True)
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

    class Meta:
        model = Practitioner
        fields = ["id", "name", "credentials", "techniques", "distance", "location", "url"]

    @extend_schema_field({"type": "number", "nullable": True, "minimum": 0})
    def get_distance(self, practitioner: Practitioner) -> float | None:
        kilometres = getattr(practitioner, "distance_km", None)
        return None if kilometres is None else round(to_unit(kilometres, self.context["unit"]), 2)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, practitioner: Practitioner) -> str:
        return self.context["request"].build_absolute_uri(practitioner.get_absolute_url())
