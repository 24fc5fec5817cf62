"""A location's time zone, found offline from its coordinates whichever way the location was written."""

import importlib

import pytest
from django.apps import apps

from directory.models import Location
from tests.factories import LocationFactory
from tests.test_import import ROW, run_import, write_csv

pytestmark = pytest.mark.django_db

# City halls and their zones as the IANA database assigns them (Montreal keeps Toronto's clocks).
CITIES = [
    ((41.8837, -87.6319), "America/Chicago"),
    ((34.0537, -118.2428), "America/Los_Angeles"),
    ((40.7127, -74.0059), "America/New_York"),
    ((33.4484, -112.0740), "America/Phoenix"),
    ((61.2176, -149.8997), "America/Anchorage"),
    ((21.3069, -157.8583), "Pacific/Honolulu"),
    ((45.5088, -73.5540), "America/Toronto"),
    ((44.6488, -63.5752), "America/Halifax"),
    ((47.5615, -52.7126), "America/St_Johns"),
    ((49.2827, -123.1207), "America/Vancouver"),
]


@pytest.mark.parametrize(("point", "zone"), CITIES)
def test_a_saved_location_keeps_the_zone_of_its_coordinates(point, zone):
    location = LocationFactory(latitude=point[0], longitude=point[1])
    location.refresh_from_db()
    assert location.time_zone == zone


def test_a_location_moved_to_another_zone_takes_that_zone_even_when_saving_only_its_pin():
    location = LocationFactory(latitude=41.8837, longitude=-87.6319)
    location.latitude, location.longitude = 34.0537, -118.2428
    location.save(update_fields=["latitude", "longitude"])
    location.refresh_from_db()
    assert location.time_zone == "America/Los_Angeles"


def test_an_imported_file_writes_each_locations_zone(tmp_path):
    run_import(write_csv(tmp_path / "one.csv", [ROW]))  # Boston
    assert Location.objects.get().time_zone == "America/New_York"


def test_the_migration_gives_every_existing_location_its_zone():
    chicago = LocationFactory(latitude=41.8837, longitude=-87.6319)
    honolulu = LocationFactory(latitude=21.3069, longitude=-157.8583)
    Location.objects.update(time_zone="")
    migration = importlib.import_module("directory.migrations.0012_location_time_zones")
    migration.zones_fill(apps, None)
    assert dict(Location.objects.values_list("pk", "time_zone")) == {
        chicago.pk: "America/Chicago",
        honolulu.pk: "Pacific/Honolulu",
    }
