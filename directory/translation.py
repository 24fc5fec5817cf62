"""What is stored in each language (django-modeltranslation): a technique's name and description. Each gains a
column per language (name_en, name_es, name_fr_ca, ...); `technique.name` reads the active language's, and an
empty one reads as the English. The desk edits them all on the technique's page."""

from modeltranslation.translator import TranslationOptions, register

from directory.models import Technique


@register(Technique)
class TechniqueTranslations(TranslationOptions):
    fields = ("name", "description")
    # English is required (the unique name everything falls back to); the others may wait for a translator.
    required_languages = ("en",)
