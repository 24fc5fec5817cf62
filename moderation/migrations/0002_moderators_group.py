"""The "Moderators" group: staff in it run the desk without being superusers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATORS = "Moderators"
PERMISSIONS = {
    "directory": [
        "view_practitioner", "add_practitioner", "change_practitioner",
        "view_location", "change_location",
        "view_technique", "add_technique", "change_technique",
        "view_formerslug", "view_unmetdemand",
    ],
    "practice": ["view_revision", "change_revision", "view_claim", "change_claim"],
    "moderation": ["view_report", "change_report", "view_auditentry"],
}  # fmt: skip


def create_moderators(apps, schema_editor) -> None:
    # Permissions are made after migrations; make them now, so that a new database gets the group complete.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=MODERATORS)
    for app_label, codenames in PERMISSIONS.items():
        found = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        assert found.count() == len(codenames), f"missing permissions in {app_label}"
        group.permissions.add(*found)


def remove_moderators(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.filter(name=MODERATORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("directory", "0005_renames_freshness_demand"),
        ("practice", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_moderators, remove_moderators)]
