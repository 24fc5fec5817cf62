from django.db import migrations
from tzfpy import get_tz


def zones_fill(apps, schema_editor) -> None:
    """Every location's zone from its coordinates, in batches (a registry-seeded directory holds ~100,000)."""
    Location = apps.get_model("directory", "Location")
    batch = []
    for location in Location.objects.only("pk", "latitude", "longitude").iterator(chunk_size=2000):
        location.time_zone = get_tz(location.longitude, location.latitude)
        batch.append(location)
        if len(batch) == 2000:
            Location.objects.bulk_update(batch, ["time_zone"])
            batch = []
    Location.objects.bulk_update(batch, ["time_zone"])


class Migration(migrations.Migration):
    dependencies = [("directory", "0011_languages_payment_hours")]

    operations = [migrations.RunPython(zones_fill, migrations.RunPython.noop)]
