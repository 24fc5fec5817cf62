"""Technique names and descriptions in each language (django-modeltranslation's columns): the English ones are the
columns the techniques had, and the eight techniques the directory started with get their Spanish and French."""

from django.db import migrations, models

# slug: (name in Spanish, description in Spanish, name in Canadian French, description in Canadian French)
TRANSLATIONS = {
    "nucca": (
        "NUCCA",
        "Procedimiento de la National Upper Cervical Chiropractic Association: una corrección suave del atlas, "
        "hecha a mano y planificada con mediciones precisas en radiografías.",
        "NUCCA",
        "Procédure de la National Upper Cervical Chiropractic Association : une correction douce de l'atlas, faite "
        "à la main et planifiée à partir de mesures radiographiques précises.",
    ),
    "blair": (
        "Blair",
        "Técnica Blair Upper Cervical: correcciones del atlas y del axis basadas en imágenes de la forma de las "
        "articulaciones de cada paciente.",
        "Blair",
        "Technique Blair Upper Cervical : corrections de l'atlas et de l'axis fondées sur l'imagerie de la forme des "
        "articulations de chaque patient.",
    ),
    "atlas-orthogonal": (
        "Atlas Orthogonal",
        "Atlas Orthogonal: un ajuste del atlas por percusión, aplicado con un instrumento y planificado con "
        "radiografías.",
        "Atlas Orthogonal",
        "Atlas Orthogonal : un ajustement de l'atlas par percussion, donné avec un instrument et planifié à partir "
        "de radiographies.",
    ),
    "orthospinology": (
        "Orthospinology",
        "Orthospinology: una corrección precisa del atlas, a mano o con instrumento, de la tradición Grostic.",
        "Orthospinology",
        "Orthospinology : une correction précise de l'atlas, à la main ou avec un instrument, issue de la tradition "
        "Grostic.",
    ),
    "qsm3": (
        "QSM3",
        "Quantum Spinal Mechanics (QSM3): un método de cervicales superiores que trata la cabeza, el cuello y la "
        "columna como un solo sistema.",
        "QSM3",
        "Quantum Spinal Mechanics (QSM3) : une méthode du haut cervical qui traite la tête, le cou et la colonne "
        "comme un seul système.",
    ),
    "knee-chest": (
        "Knee Chest (rodilla-pecho)",
        "Knee Chest: un ajuste de cervicales superiores hecho con el paciente en posición de rodillas y pecho.",
        "Knee Chest (genou-poitrine)",
        "Knee Chest : un ajustement du haut cervical donné au patient placé en position genou-poitrine.",
    ),
    "grostic": (
        "Grostic",
        "Procedimiento Grostic: la corrección original de cervicales superiores analizada por radiografía, "
        "antecesora de NUCCA y Orthospinology.",
        "Grostic",
        "Procédure Grostic : la correction originale du haut cervical analysée par radiographie, ancêtre de NUCCA "
        "et d'Orthospinology.",
    ),
    "hio": (
        "HIO (toggle recoil)",
        "HIO (hole in one) toggle recoil: un ajuste rápido del atlas a mano, la técnica original de cervicales "
        "superiores.",
        "HIO (toggle recoil)",
        "HIO (hole in one) toggle recoil : un ajustement rapide de l'atlas à la main, la technique originale du haut "
        "cervical.",
    ),
}


def translations_fill(apps, schema_editor):
    Technique = apps.get_model("directory", "Technique")
    for technique in Technique.objects.all():
        technique.name_en, technique.description_en = technique.name, technique.description
        if technique.slug in TRANSLATIONS:
            technique.name_es, technique.description_es, technique.name_fr_ca, technique.description_fr_ca = (
                TRANSLATIONS[technique.slug]
            )
        technique.save()


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0013_photos"),
    ]

    operations = [
        migrations.AddField(
            model_name="technique",
            name="description_en",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="technique",
            name="description_es",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="technique",
            name="description_fr_ca",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="technique",
            name="name_en",
            field=models.CharField(max_length=80, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="technique",
            name="name_es",
            field=models.CharField(max_length=80, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="technique",
            name="name_fr_ca",
            field=models.CharField(max_length=80, null=True, unique=True),
        ),
        migrations.RunPython(translations_fill, migrations.RunPython.noop),
    ]
