import django.core.validators
from django.db import migrations

import directory.models

HALF_THE_LAST_PLACE = 5e-10  # coordinates are kept to 9 decimal places (directory.geo.COORDINATE_DECIMALS)


def tiny_coordinates_zeroed(apps, schema_editor) -> None:
    """Coordinates that round to zero become zero (a vector of 1e-300 underflows in PostgreSQL's arithmetic)."""
    Location = apps.get_model("directory", "Location")
    for name in ("latitude", "longitude"):
        tiny = {f"{name}__gt": -HALF_THE_LAST_PLACE, f"{name}__lt": HALF_THE_LAST_PLACE}
        Location.objects.filter(**tiny).exclude(**{name: 0}).update(**{name: 0.0})


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0006_normalize_phones"),
    ]

    operations = [
        migrations.AlterField(
            model_name="location",
            name="latitude",
            field=directory.models.Coordinate(
                validators=[
                    django.core.validators.MinValueValidator(-90),
                    django.core.validators.MaxValueValidator(90),
                ]
            ),
        ),
        migrations.AlterField(
            model_name="location",
            name="longitude",
            field=directory.models.Coordinate(
                validators=[
                    django.core.validators.MinValueValidator(-180),
                    django.core.validators.MaxValueValidator(180),
                ]
            ),
        ),
        migrations.RunPython(tiny_coordinates_zeroed, migrations.RunPython.noop),
    ]
