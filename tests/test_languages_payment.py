"""Languages spoken and ways to pay: entered by the practitioner, reviewed like any edit, shown on the profile and
the result card, and searched by language on the page and in the API."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from directory.languages import COMMON_LANGUAGES, LANGUAGE_NAMES, language_codes, language_name, languages_stored
from directory.models import Practitioner
from moderation import services as desk
from practice.listing import listing_changes, listing_values
from practice.models import Revision
from tests.factories import listing_form_data, owned_listing, practitioner_at
from tests.test_questions import json_ld
from tests.test_search import BOSTON, destination

pytestmark = pytest.mark.django_db

SEARCH = reverse("directory:search")
API = "/api/v1/practitioners/"


class TestTheLanguageList:
    def test_codes_are_two_letters_and_every_name_is_distinct(self):
        assert all(len(code) == 2 and code.isalpha() and code.islower() for code in LANGUAGE_NAMES)
        assert len(set(LANGUAGE_NAMES.values())) == len(LANGUAGE_NAMES)

    def test_the_languages_most_asked_for_in_north_american_clinics_are_there(self):
        expected = {"es": "Spanish", "fr": "French", "zh": "Chinese", "tl": "Tagalog", "vi": "Vietnamese"}
        expected |= {"ht": "Haitian Creole", "ko": "Korean", "ar": "Arabic"}
        assert {code: LANGUAGE_NAMES[code] for code in expected} == expected

    # Names that Spanish or French write as English does (checked against each language's own usage); any other
    # name left in English is a name no catalogue translated.
    SAME_AS_ENGLISH = {
        "es": {"Hindi", "Igbo", "Kannada", "Khmer", "Lao", "Malayalam", "Navajo", "Tamil", "Telugu", "Urdu", "Yoruba"},
        "fr-ca": {"Afrikaans", "Basque", "Bengali", "Breton", "Catalan", "Gujarati", "Hindi", "Igbo", "Kannada",
                  "Kazakh", "Khmer", "Lao", "Malayalam", "Marathi", "Navajo", "Somali", "Swahili", "Tagalog", "Tatar",
                  "Yiddish", "Yoruba"},
    }  # fmt: skip

    @pytest.mark.needs_catalogue
    @pytest.mark.parametrize("language", ["es", "fr-ca"])
    def test_every_name_is_translated_but_those_the_language_writes_as_english_does(self, language):
        with translation.override(language):
            untranslated = {name for code, name in LANGUAGE_NAMES.items() if language_name(code) == name}
        assert untranslated == self.SAME_AS_ENGLISH[language]

    @pytest.mark.needs_catalogue
    @pytest.mark.parametrize(
        ("language", "names"),
        [
            ("en", ["Norwegian", "Norwegian Bokmål", "Norwegian Nynorsk", "Azerbaijani", "Scottish Gaelic"]),
            # Django's Spanish catalogue: "Azerbaiyán" (the country), "Nynorsk", "Gaélico Escocés".
            ("es", ["Noruego", "Noruego bokmål", "Noruego nynorsk", "Azerí", "Gaélico escocés"]),
            ("fr-ca", ["Norvégien", "Norvégien bokmål", "Norvégien nynorsk", "Azéri", "Gaélique écossais"]),
        ],
    )
    def test_names_djangos_catalogue_misses_or_mistakes_are_named_as_the_language_does(self, language, names):
        with translation.override(language):
            assert [language_name(code) for code in ("no", "nb", "nn", "az", "gd")] == names

    def test_codes_are_stored_once_each_in_the_order_given_and_unknown_ones_dropped(self):
        assert languages_stored(["es", "fr", "es", "xx"]) == "es fr"
        assert language_codes("fr es qq") == ["fr", "es"]


class TestThePractitionersForm:
    def test_a_new_listing_keeps_its_languages_and_payment(self, owner_client, owner):
        data = listing_form_data(
            languages=["es", "fr"],
            insurance_plans="Aetna\n\n  Blue   Cross Blue Shield \naetna\nCigna",
            accepts_cash="on",
            accepts_hsa_fsa="on",
            first_visit_fee="75",
        )
        assert owner_client.post(reverse("practice:new"), data).status_code == 302
        practitioner = Practitioner.objects.get(owner=owner)
        assert practitioner.languages == "es fr"
        assert practitioner.insurance_plans == "Aetna\nBlue Cross Blue Shield\nCigna"  # each once, spaces tidied
        assert (practitioner.accepts_cash, practitioner.accepts_hsa_fsa, practitioner.offers_payment_plans) == (
            True,
            True,
            False,
        )
        assert practitioner.first_visit_fee == 75

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("languages", ["es", "klingon"], "Select a valid choice. klingon is not one of the available choices."),
            ("first_visit_fee", "-5", "Ensure this value is greater than or equal to 0."),
            ("first_visit_fee", "75.50", "Enter a whole number."),
            ("first_visit_fee", "20000", "Ensure this value is less than or equal to 10000."),
            ("insurance_plans", "A" * 101, "Keep each plan to 100 characters: one plan a line."),
            ("insurance_plans", "\n".join(f"Plan {n}" for n in range(31)), "List at most 30 plans."),
        ],
    )
    def test_a_bad_value_is_a_field_error_and_nothing_is_saved(self, owner_client, owner, field, value, message):
        response = owner_client.post(reverse("practice:new"), listing_form_data(**{field: value}))
        assert response.status_code == 400
        assert message in response.context["form"].errors[field]
        assert f'id="id_{field}_errors"' in response.content.decode()
        assert not Practitioner.objects.filter(owner=owner).exists()

    def test_the_edit_form_shows_the_languages_and_payment_as_saved(self, owner_client, owner):
        listing = owned_listing(owner, languages="zh en", insurance_plans="Medicare", first_visit_fee=0)
        page = owner_client.get(reverse("practice:edit", args=[listing.pk])).content.decode()
        assert 'value="zh" id="id_languages_3" checked' in page
        assert 'value="en" id="id_languages_0" checked' in page
        assert "Medicare</textarea>" in page
        assert 'name="first_visit_fee" value="0"' in page
        assert "<legend>Payment</legend>" in page

    def test_the_common_languages_are_in_view_and_the_others_folded_closed(self, owner_client):
        page = owner_client.get(reverse("practice:new")).content.decode()
        shown, folded = page.split('<details class="more-choices"><summary>More languages</summary>')
        shown = shown[shown.index("<legend>Languages spoken</legend>") :]
        folded = folded[: folded.index("</details>")]
        assert re.findall(r'name="languages" value="(\w+)"', shown) == list(COMMON_LANGUAGES)
        offered = re.findall(r'name="languages" value="(\w+)"', folded)
        assert sorted(offered) == sorted(set(LANGUAGE_NAMES) - set(COMMON_LANGUAGES))

    @pytest.mark.parametrize(("languages", "open"), [("en es", False), ("en nv", True)])
    def test_the_fold_starts_open_where_a_language_in_it_is_ticked(self, owner_client, owner, languages, open):
        listing = owned_listing(owner, languages=languages)
        page = owner_client.get(reverse("practice:edit", args=[listing.pk])).content.decode()
        fold = '<details class="more-choices" open>' if open else '<details class="more-choices">'
        assert fold in page

    def test_new_languages_on_a_published_listing_wait_for_a_moderator(
        self, owner_client, owner, client, desk_moderator
    ):
        listing = owned_listing(owner, name="Dr. Ada Atlas")
        data = listing_form_data(listing, languages=["es"], insurance_plans="Aetna", offers_payment_plans="on")
        assert owner_client.post(reverse("practice:edit", args=[listing.pk]), data).status_code == 302
        assertNotContains(client.get(listing.get_absolute_url()), "Spanish")
        assertNotContains(client.get(SEARCH, {"near": "02108", "language": "es"}), "Dr. Ada Atlas")

        revision = Revision.objects.pending().get()
        before = listing_values(listing)
        assert ["Languages spoken", "", "Spanish"] in listing_changes(before, revision.proposed)
        assert ["Payment plans", "No", "Yes"] in listing_changes(before, revision.proposed)
        desk.revision_approve(revision=revision, moderator=desk_moderator)

        profile = client.get(listing.get_absolute_url())
        assertContains(profile, "Dr. Ada Atlas, DC speaks Spanish.")
        assertContains(profile, "<li>Aetna</li>", html=False)
        assertContains(client.get(SEARCH, {"near": "02108", "language": "es"}), "Dr. Ada Atlas")

    def test_a_fee_in_the_desks_diff_reads_in_dollars(self, owner):
        listing = owned_listing(owner)
        after = listing_values(listing)
        after["practitioner"]["first_visit_fee"] = 60
        assert ["First visit fee", "", "$60"] in listing_changes(listing_values(listing), after)


class TestTheProfile:
    def test_it_lists_languages_by_name_and_the_ways_to_pay(self, client):
        practitioner = practitioner_at(
            BOSTON.latitude,
            BOSTON.longitude,
            name="Dr. Ana Soto",
            languages="es en",
            insurance_plans="Aetna\nMedicare",
            accepts_hsa_fsa=True,
            first_visit_fee=90,
        )
        page = client.get(practitioner.get_absolute_url()).content.decode()
        assert "Dr. Ana Soto, DC speaks Spanish, English." in page
        assert "<dt>Insurance plans accepted</dt><dd><ul><li>Aetna</li><li>Medicare</li></ul></dd>" in page
        assert "<dt>Also accepted</dt><dd><ul><li>HSA or FSA cards</li></ul></dd>" in page
        assert "<dt>First visit</dt><dd>$90</dd>" in page
        data = json_ld(page)
        assert data["knowsLanguage"] == ["es", "en"]
        assert data["paymentAccepted"] == "HSA or FSA cards, Aetna, Medicare"

    def test_a_canadian_fee_says_its_currency_and_a_free_first_visit_says_free(self, client):
        toronto = practitioner_at(43.6535, -79.3841, first_visit_fee=80)
        toronto.locations.update(country="CA")
        assertContains(client.get(toronto.get_absolute_url()), "<dd>$80 (Canadian dollars)</dd>", html=False)
        free = practitioner_at(BOSTON.latitude, BOSTON.longitude, first_visit_fee=0)
        assertContains(client.get(free.get_absolute_url()), "<dt>First visit</dt><dd>Free</dd>", html=False)

    def test_a_listing_that_says_nothing_about_them_shows_no_heading(self, client):
        page = client.get(practitioner_at(BOSTON.latitude, BOSTON.longitude).get_absolute_url()).content.decode()
        assert "<h2>Languages</h2>" not in page and "<h2>Payment</h2>" not in page
        assert "knowsLanguage" not in page and "paymentAccepted" not in page

    def test_a_plan_typed_as_markup_is_shown_as_text(self, client):
        practitioner = practitioner_at(BOSTON.latitude, BOSTON.longitude, insurance_plans='<script>alert("x")</script>')
        page = client.get(practitioner.get_absolute_url()).content.decode()
        assert '<script>alert("x")' not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


class TestSearchingByLanguage:
    @pytest.fixture
    def speakers(self):
        return {
            "spanish": practitioner_at(*destination(BOSTON, 2), name="Dr. Spanish Speaker", languages="en es"),
            "french": practitioner_at(*destination(BOSTON, 3), name="Dr. French Speaker", languages="fr"),
            "nepali_estonian": practitioner_at(*destination(BOSTON, 4), name="Dr. Ne Et", languages="ne et"),
            "unsaid": practitioner_at(*destination(BOSTON, 5), name="Dr. Unsaid"),
        }

    def test_the_page_lists_only_those_who_speak_it_and_says_so(self, client, speakers):
        response = client.get(SEARCH, {"near": "02108", "language": "es"})
        page = response.content.decode()
        assert "Dr. Spanish Speaker" in page
        assert [name for name in ("Dr. French Speaker", "Dr. Ne Et", "Dr. Unsaid") if name in page] == []
        assert "1 practitioner within 25 mi of 02108" in page and ", speaking Spanish" in page
        assert '<option value="es" selected>Spanish</option>' in page
        assert '<p class="languages">Speaks English, Spanish</p>' in page

    def test_a_code_in_capitals_or_with_spaces_is_the_same_language(self, client, speakers):
        assertContains(client.get(SEARCH, {"near": "02108", "language": " ES "}), "Dr. Spanish Speaker")

    def test_the_search_keeps_the_language_in_its_page_links(self, client, speakers):
        page = client.get(SEARCH, {"near": "02108", "language": "fr"}).content.decode()
        assert "language=fr" in page

    @pytest.mark.parametrize("value", ["xx", "spanish", "<b>es</b>", "e"])
    def test_an_unknown_language_is_a_field_error_on_the_page_and_a_400_naming_it_in_the_api(self, client, value):
        page = client.get(SEARCH, {"near": "02108", "language": value})
        assert page.status_code == 400
        assert 'id="language-errors"' in page.content.decode()
        assert "<b>es</b>" not in page.content.decode()
        answer = client.get(API, {"near": "02108", "language": value})
        assert answer.status_code == 400
        assert "language" in answer.json()

    def test_the_api_filters_by_language_and_gives_each_results_languages(self, client, speakers):
        results = client.get(API, {"near": "02108", "language": "fr"}).json()["results"]
        assert [(result["name"], result["languages"]) for result in results] == [("Dr. French Speaker", ["fr"])]
        everyone = client.get(API, {"near": "02108"}).json()["results"]
        assert {result["name"]: result["languages"] for result in everyone}["Dr. Ne Et"] == ["ne", "et"]

    def test_languages_on_the_cards_cost_no_query(self, client, django_assert_max_num_queries, nucca, unprepared):
        for index in range(20):
            practitioner_at(*destination(BOSTON, 1 + index), techniques=[nucca], languages="es fr", bio="Hello.")
        client.get(SEARCH, {"near": "10001"})  # the techniques are read once per public version, then cached
        with django_assert_max_num_queries(5):  # the public version, count, page, its locations, its techniques
            response = client.get(SEARCH, {"near": "02108", "language": "es"})
        assert response.content.decode().count("Speaks Spanish, French") == 20


def test_the_data_download_holds_the_languages_payment_and_question_settings(owner_client, owner):
    owned_listing(owner, languages="es", insurance_plans="Aetna", accepts_cash=True, first_visit_fee=50)
    listing = owner_client.get(reverse("practice:account_data")).json()["listings"][0]
    assert (listing["languages"], listing["insurance_plans"], listing["accepts_cash"]) == ("es", "Aetna", True)
    assert (listing["first_visit_fee"], listing["questions_enabled"], listing["show_email"]) == (50, True, False)
