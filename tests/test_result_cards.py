"""The result cards (directory_tags.result_cards): what each card says, escaped, in each language, and the same
on the search page and a technique's page."""

import datetime
import html
import json
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.template import Context
from django.urls import reverse
from django.utils import translation

from directory.hours import day_parsed, exceptions_parsed, week_from_days
from directory.models import Practitioner, Training
from directory.templatetags.directory_tags import result_cards
from tests.factories import LocationFactory, PractitionerFactory, TrainingFactory, practitioner_at, stored_photo
from tests.test_search import BOSTON, destination

pytestmark = pytest.mark.django_db

SEARCH = reverse("directory:search")
HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quoted&#x27;"


class Balance(HTMLParser):
    """Checks that every element opened is closed in order (void elements aside) and collects the text."""

    VOID = {"img", "br", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.items = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in self.VOID:
            self.open.append(tag)
        if tag == "li" and attrs == [("class", "result")]:
            self.items += 1

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, f"</{tag}> closes {self.open}"


def cards(practitioners: list[Practitioner], unit: str = "mi", query: str = "") -> str:
    return result_cards(Context({"query": query}), practitioners, unit)


def listed() -> list[Practitioner]:
    """The practitioners as a search lists them, nearest first, 25 mi around Boston."""
    return list(Practitioner.objects.published().near(BOSTON, 40.2336).listed())


def test_every_value_a_practitioner_typed_is_escaped(nucca):
    practitioner = PractitionerFactory(name=HOSTILE, bio=HOSTILE, phone=HOSTILE, techniques=[nucca])
    latitude, longitude = destination(BOSTON, 2)
    LocationFactory(
        practitioner=practitioner, clinic_name=HOSTILE, address_line1=HOSTILE, city=HOSTILE, state="MA",
        postal_code=HOSTILE[:10], latitude=latitude, longitude=longitude, phone="",
    )  # fmt: skip
    stored_photo(practitioner, alt_text=HOSTILE)

    shown = cards(listed(), query='near=02108&x="><b>')

    assert "<script>" not in shown and "<b>" not in shown
    # the name, the clinic, the address, the city, the phone shown as typed (it is no number), the bio, the alt text
    assert shown.count(ESCAPED) == 7
    assert f'alt="{ESCAPED}"' in shown
    assert '?near=02108&amp;x=&quot;&gt;&lt;b&gt;"' in shown
    assert '<p class="bio">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quoted&#x27;</p>' in shown
    parser = Balance()
    parser.feed(shown)
    assert parser.open == [] and parser.items == 1


@time_machine.travel(datetime.datetime(2026, 12, 5, 12, tzinfo=datetime.UTC), tick=False)
@pytest.mark.parametrize(
    ("language", "away", "speaks", "verified", "accepting"),
    [
        ("en", "2.5 mi away", "Speaks English, Spanish", "Training verified November 20, 2026",
         "Accepting new patients"),
        ("es", "a 2,5 mi", "Habla inglés, español", "Formación verificada el 20 de noviembre de 2026",
         "Acepta pacientes nuevos"),
        ("fr-ca", "à 2,5 mi", "Parle anglais, espagnol", "Formation vérifiée le 20 novembre 2026",
         "Accepte de nouveaux patients"),
    ],
)  # fmt: skip
def test_a_card_speaks_the_pages_language(nucca, language, away, speaks, verified, accepting):
    practitioner = practitioner_at(*destination(BOSTON, 4), techniques=[nucca], languages="en es")
    TrainingFactory(
        practitioner=practitioner, technique=nucca, status=Training.Status.VERIFIED,
        verified_on=datetime.date(2026, 11, 20),
    )  # fmt: skip

    with translation.override(language):
        shown = cards(listed())

    assert f'<p class="distance">{away}</p>' in shown  # 4 km
    assert f'<p class="languages">{speaks}</p>' in shown
    assert f'<li>NUCCA <span class="verified">{verified}</span></li>' in shown
    assert f'<p class="accepting">{accepting}</p>' in shown


def test_a_phone_is_a_link_to_call_and_what_is_not_a_number_is_shown_as_typed():
    practitioner_at(*destination(BOSTON, 1), name="Dr. Dial", phone="(617) 555-0100 ext. 12")
    practitioner_at(*destination(BOSTON, 2), name="Dr. Words", phone="Ask at the desk")

    shown = cards(listed())

    assert '<p class="phone"><a href="tel:+1-617-555-0100;ext=12">(617) 555-0100 ext. 12</a></p>' in shown
    assert '<p class="phone">Ask at the desk</p>' in shown


def test_a_location_with_hours_hands_the_browser_its_week_and_one_without_says_nothing():
    week = week_from_days({"monday": day_parsed("9-17")})
    closed = exceptions_parsed("2026-12-24 to 2027-01-02: closed")
    with_hours = practitioner_at(*destination(BOSTON, 1), name="Dr. Hours")
    with_hours.locations.update(opening_hours=week, hours_exceptions=closed, time_zone="America/New_York")
    practitioner_at(*destination(BOSTON, 2), name="Dr. Unsaid")

    shown = cards(listed())

    [handed] = re.findall(r'data-opening-hours="([^"]*)"', shown)
    assert json.loads(html.unescape(handed)) == {"zone": "America/New_York", "week": week, "exceptions": closed}
    assert shown.count('class="opening-status"') == 1


def test_the_search_page_and_a_techniques_page_show_the_same_cards_with_and_without_a_distance(client, nucca):
    practitioner = practitioner_at(*destination(BOSTON, 3), techniques=[nucca], name="Dr. Both")

    search = client.get(SEARCH, {"near": "02108", "technique": "nucca"}).content.decode()
    technique = client.get(nucca.get_absolute_url()).content.decode()

    for page in (search, technique):
        [card] = re.findall(r'<li class="result">.*?</li>\n', page, re.S)
        assert f">{practitioner.display_name}</a></h3>" in card
        assert '<ul class="tags" aria-label="Techniques"><li>NUCCA</li></ul>' in card
    assert '<p class="distance">1.9 mi away</p>' in search
    assert 'class="distance"' not in technique


def test_no_practitioners_no_cards():
    assert cards([]).strip() == ""
