from django.db import migrations

TECHNIQUES = [
    (
        "NUCCA",
        "nucca",
        "National Upper Cervical Chiropractic Association procedure: a gentle, hand-delivered correction of the "
        "atlas planned from precise X-ray measurements.",
    ),
    (
        "Blair",
        "blair",
        "Blair Upper Cervical technique: corrections of the atlas and axis based on imaging of each patient's "
        "individual joint shapes.",
    ),
    (
        "Atlas Orthogonal",
        "atlas-orthogonal",
        "Atlas Orthogonal: an instrument-delivered percussion adjustment of the atlas, planned from X-rays.",
    ),
    (
        "Orthospinology",
        "orthospinology",
        "Orthospinology: a precise correction of the atlas by hand or instrument, from the Grostic tradition.",
    ),
    (
        "QSM3",
        "qsm3",
        "Quantum Spinal Mechanics (QSM3): an upper cervical method addressing the head, neck and spine as one system.",
    ),
    (
        "Knee Chest",
        "knee-chest",
        "Knee Chest: an upper cervical adjustment delivered with the patient in a knee-chest posture.",
    ),
    (
        "Grostic",
        "grostic",
        "Grostic procedure: the original X-ray-analysed upper cervical correction, ancestor of NUCCA and "
        "Orthospinology.",
    ),
    (
        "HIO (toggle recoil)",
        "hio",
        "HIO (hole in one) toggle recoil: a quick hand adjustment of the atlas, the original upper cervical technique.",
    ),
]


def seed_techniques(apps, schema_editor):
    Technique = apps.get_model("directory", "Technique")
    for name, slug, description in TECHNIQUES:
        Technique.objects.update_or_create(slug=slug, defaults={"name": name, "description": description})


def unseed_techniques(apps, schema_editor):
    Technique = apps.get_model("directory", "Technique")
    Technique.objects.filter(slug__in=[slug for _, slug, _ in TECHNIQUES]).delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(seed_techniques, unseed_techniques)]
