"""Dates and language names inside a sentence, as each of the site's languages writes them: "November 20, 2026" and
"speaks English"; "20 de noviembre de 2026" and "habla inglés"; "20 novembre 2026" and "parle anglais". (The
expected words are written out here, not taken from Django's formats.)"""

import datetime

import pytest
import time_machine
from django.template import Context, Template
from django.utils import timezone, translation

from directory.filters import PractitionerSearch
from directory.languages import language_name_in_sentence
from directory.models import Practitioner, Training
from directory.templatetags.directory_tags import date_in_words, month_in_words
from tests.factories import TrainingFactory, practitioner_at
from tests.test_search import BOSTON, destination

DAY = datetime.date(2026, 11, 20)


@pytest.mark.parametrize(
    ("language", "day", "month"),
    [
        ("en", "November 20, 2026", "November 2026"),
        ("es", "20 de noviembre de 2026", "noviembre de 2026"),
        ("fr-ca", "20 novembre 2026", "novembre 2026"),
    ],
)
def test_a_date_reads_as_the_pages_language_writes_one(language, day, month):
    with translation.override(language):
        assert date_in_words(DAY) == day
        assert month_in_words(DAY) == month


@pytest.mark.needs_catalogue
@pytest.mark.parametrize(
    ("language", "first", "eleventh"),
    [
        ("en", "January 1, 2027", "January 11, 2027"),
        ("es", "1 de enero de 2027", "11 de enero de 2027"),
        ("fr-ca", "1er janvier 2027", "11 janvier 2027"),
    ],
)
def test_the_first_of_a_month_is_the_first_as_french_writes_it_and_a_plain_one_elsewhere(language, first, eleventh):
    with translation.override(language):
        assert date_in_words(datetime.date(2027, 1, 1)) == first
        assert date_in_words(datetime.date(2027, 1, 11)) == eleventh


def test_no_date_is_no_words():
    assert date_in_words(None) == ""


@pytest.mark.parametrize(
    ("language", "english", "haitian_creole"),
    [("en", "English", "Haitian Creole"), ("es", "inglés", "criollo haitiano"), ("fr-ca", "anglais", "créole haïtien")],
)
def test_a_language_named_in_a_sentence_is_lower_case_where_the_pages_language_writes_it_so(
    language, english, haitian_creole
):
    with translation.override(language):
        assert language_name_in_sentence("en") == english
        assert language_name_in_sentence("ht") == haitian_creole  # a name of ours, not Django's


@pytest.mark.django_db
def test_a_language_select_still_names_its_options_capitalised():
    with translation.override("es"):
        assert dict(PractitionerSearch().form.fields["language"].choices)["en"] == "Inglés"


@pytest.mark.django_db
@time_machine.travel(datetime.datetime(2026, 12, 5, 12, tzinfo=datetime.UTC), tick=False)
def test_a_spanish_profile_and_search_say_the_date_and_the_languages_as_spanish_writes_them(client, nucca):
    practitioner = practitioner_at(*destination(BOSTON, 3), techniques=[nucca], languages="en es", name="Dr. Ana")
    TrainingFactory(practitioner=practitioner, technique=nucca, status=Training.Status.VERIFIED, verified_on=DAY)
    confirmed = datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC)
    Practitioner.objects.filter(pk=practitioner.pk).update(confirmed_at=confirmed)

    with translation.override("es"):
        profile = client.get(practitioner.get_absolute_url()).content.decode()
    search = client.get("/es/search/", {"near": "02108", "radius": "25", "language": "en"}).content.decode()

    assert "Dr. Ana, DC habla inglés, español." in profile
    assert "Formación verificada el 20 de noviembre de 2026" in profile
    assert "marzo de 2026" in profile
    assert "Habla inglés, español" in search  # the card
    assert "habla inglés" in search  # what was searched for
    assert "Inglés" not in profile and "Español," not in search


def test_a_moment_is_dated_in_the_active_time_zone_as_djangos_date_filter_dates_it():
    moment = datetime.datetime(2026, 3, 1, 2, 30, tzinfo=datetime.UTC)  # still 28 February in New York
    page = Template("{% load directory_tags %}{{ moment|date_in_words }} / {{ moment|month_in_words }}")
    with timezone.override("America/New_York"):
        assert page.render(Context({"moment": moment})) == "February 28, 2026 / February 2026"
