"""Phone numbers in their one stored form (directory.phones), so that equal numbers compare equal; a number
that cannot be read is left as it was (the page shows it as typed, without a link that would dial wrongly)."""

from django.db import migrations

from directory.phones import PhoneError, phone_normalized


def normalize(apps, schema_editor) -> None:
    for model_name in ("Practitioner", "Location"):
        model = apps.get_model("directory", model_name)
        changed = []
        for row in model.objects.exclude(phone="").only("pk", "phone").iterator():
            try:
                phone = phone_normalized(row.phone)
            except PhoneError:
                continue
            if phone != row.phone:
                row.phone = phone
                changed.append(row)
        model.objects.bulk_update(changed, ["phone"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("directory", "0005_renames_freshness_demand")]

    operations = [migrations.RunPython(normalize, migrations.RunPython.noop)]
