from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Concat

ACTIONS = [
    ("published", "Published"),
    ("rejected", "Rejected"),
    ("unpublished", "Unpublished"),
    ("edited", "Edited in the admin"),
    ("revision_approved", "Edit approved"),
    ("revision_rejected", "Edit rejected"),
    ("claim_approved", "Claim approved"),
    ("claim_rejected", "Claim rejected"),
    ("report_resolved", "Report resolved"),
    ("imported", "Imported from a CSV file"),
    ("exported", "Given an external id for export"),
    ("reminded", "Owner reminded to confirm"),
    ("marked_stale", 'Marked "not recently confirmed"'),
    ("technique_changed", "Technique changed"),
    ("account_closed", "Owner closed their account"),
]


def label_existing(apps, schema_editor) -> None:
    """Entries made before the label: named by their actor's number, as new ones are."""
    AuditEntry = apps.get_model("moderation", "AuditEntry")
    AuditEntry.objects.filter(actor__isnull=False).update(
        actor_label=Concat(Value("account #"), F("actor_id"), output_field=models.CharField())
    )


class Migration(migrations.Migration):
    dependencies = [("moderation", "0002_moderators_group")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="actor_label",
            field=models.CharField(
                blank=True,
                help_text='Who did it, by number ("account #12"); kept when the account is closed.',
                max_length=40,
                verbose_name="by account",
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(choices=ACTIONS, max_length=30),
        ),
        migrations.RunPython(label_existing, migrations.RunPython.noop),
    ]
