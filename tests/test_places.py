"""The place resolver against independent references: every form of each place a patient might type lands
within 25 km of GeoNames' published centre of that city (tests/references.py); every ZIP code and every
Canadian postal area resolves or gets a message of its own."""

import sqlite3
import string
import unicodedata

import pypostalcode.settings
import pytest
import zipcodes
from geopy.distance import geodesic

from directory.geo import AmbiguousPlace, InvalidPlace, PlaceError, UnknownPlace
from directory.places import (
    FIRST_WORD_ABBREVIATIONS,
    NOT_A_DIRECTION,
    US_STATES,
    USPS_ABBREVIATIONS,
    NoLocation,
    resolve_place,
    suggest_places,
)
from tests.references import canadian_cities_over, canadian_town, largest_us_cities, named_city

WITHIN_KM = 25
CANADIAN = canadian_cities_over(100_000)
AMERICAN = largest_us_cities(100)
ISSUE_EXAMPLES = [named_city("Yellowknife", "NT"), named_city("Victoria", "BC")]
TERRITORIAL_CAPITALS = [canadian_town("Iqaluit", "NU"), named_city("Whitehorse", "YT"), named_city("Yellowknife", "NT")]


def unaccented(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def forms_of(city) -> list[str]:
    """How patients write a city: with the code or the region's name, any case, no comma, no accents, extra
    spaces, St for Saint."""
    name = city.name
    forms = {
        f"{name}, {city.region}",
        f"{name} {city.region}",
        f"{name.lower()} {city.region.lower()}",
        f"{name.upper()}, {city.region_name.upper()}",
        f"{name}, {city.region_name}",
        f"  {name} ,   {city.region}  ",
        f"{unaccented(name)}, {city.region}",
    }
    if name.startswith("Saint "):
        forms.add(f"St. {name[6:]}, {city.region}")
    if name.startswith("St. "):
        forms.add(f"Saint {name[4:]}, {city.region}")
    return sorted(forms)


def assert_near(text: str, city) -> None:
    place = resolve_place(text)
    distance = geodesic((city.latitude, city.longitude), (place.point.latitude, place.point.longitude)).km
    assert distance <= WITHIN_KM, f"{text!r} -> {place.label}, {distance:.0f} km from {city}"


def test_the_reference_lists_hold_what_the_issue_asks_for():
    assert len(AMERICAN) == 100 and len(CANADIAN) >= 60
    assert {"Montréal", "Québec", "Halifax", "Laval", "Gatineau", "Kitchener", "St. John's"} <= {
        city.name for city in CANADIAN
    }


@pytest.mark.parametrize("city", CANADIAN + ISSUE_EXAMPLES, ids=str)
def test_every_canadian_city_above_100000_people_in_every_form(city):
    for text in forms_of(city):
        assert_near(text, city)


@pytest.mark.parametrize("city", AMERICAN, ids=str)
def test_the_100_largest_us_cities_in_every_form(city):
    for text in forms_of(city):
        assert_near(text, city)


@pytest.mark.parametrize("city", TERRITORIAL_CAPITALS, ids=str)
def test_the_territorial_capitals_in_every_form(city):
    for text in forms_of(city):
        assert_near(text, city)


@pytest.mark.parametrize(
    ("text", "name", "region"),
    [
        ("Montreal, QC", "Montréal", "QC"),
        ("Montréal, Quebec", "Montréal", "QC"),
        ("Quebec City, QC", "Québec", "QC"),
        ("St. John's, NL", "St. John's", "NL"),
        ("St Johns, Newfoundland", "St. John's", "NL"),
        ("Trois-Rivieres, QC", "Trois-Rivières", "QC"),
        ("Yellowknife, NT", "Yellowknife", "NT"),
        ("Yellowknife, Northwest Territories", "Yellowknife", "NT"),
        ("Calgary, Alberta", "Calgary", "AB"),
        ("boston ma", "Boston", "MA"),
        ("Boston, Massachusetts", "Boston", "MA"),
        ("Boston, MA 02108", "Boston", "MA"),
        ("Winston\u2013Salem, NC", "Winston-Salem", "NC"),
        ("Saint Paul, MN", "Saint Paul", "MN"),
        ("St. Louis, MO", "St. Louis", "MO"),
        ("New York City", "New York City", "NY"),
        ("Utqiagvik, AK", "Utqiagvik", "AK"),
    ],
)
def test_the_issues_examples(text, name, region):
    city = named_city(name, region) if name != "Utqiagvik" else None
    if city is None:  # not in GeoNames' list of cities above 15,000 people; its published centre:
        place = resolve_place(text)
        assert geodesic((71.2906, -156.7886), (place.point.latitude, place.point.longitude)).km <= WITHIN_KM
        assert place.label == "Utqiagvik, AK"
        return
    assert_near(text, city)


@pytest.mark.parametrize(
    ("text", "name", "region"),
    [
        ("Washington, D.C.", "Washington", "DC"),
        ("Washington D.C.", "Washington", "DC"),
        ("washington d.c.", "Washington", "DC"),
        ("Washington, D. C.", "Washington", "DC"),
        ("Washington DC", "Washington", "DC"),
        ("Washington, District of Columbia", "Washington", "DC"),
        ("Washington, D.C., USA", "Washington", "DC"),
        ("Vancouver, B.C.", "Vancouver", "BC"),
        ("New York, N.Y.", "New York City", "NY"),
    ],
)
def test_a_state_or_province_code_is_read_with_its_dots_too(text, name, region):
    assert_near(text, named_city(name, region))


BOSTON = (42.3601, -71.0589)  # Boston's published centre


@pytest.mark.parametrize(
    "text",
    [
        "02108",
        "02108-1234",
        "021081234",
        "02108 USA",
        "02108, United States",
        "\uff10\uff12\uff11\uff10\uff18",  # full-width digits
        "\u0660\u0662\u0661\u0660\u0668",  # Arabic-Indic digits
        "42.36 -71.06",
        "42.36,-71.06",
        "(42.36, -71.06)",
        "42.36N 71.06W",
        "42.36 N, 71.06 W",
        "71.06W 42.36N",
        "42°21'36\"N 71°3'36\"W",
        "42\u00b0 21\u2032 36\u2033 N, 71\u00b0 3\u2032 36\u2033 W",  # primes
        "+42.36, -71.06",
    ],
)
def test_codes_and_coordinates_in_every_form_land_in_boston(text):
    place = resolve_place(text)
    assert geodesic(BOSTON, (place.point.latitude, place.point.longitude)).km <= 5, place


def test_coordinates_are_labelled_as_such_and_kept_exact():
    place = resolve_place("42°21'36\"N 71°3'36\"W")
    assert place.is_coordinates and (place.point.latitude, place.point.longitude) == (42.36, -71.06)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("91 0", "Latitude must be between -90 and 90"),
        ("42N 181W", "Longitude must be between -180 and 180"),
        ("42°61'N 71°W", "below 60"),
        ("71W 42E", r"latitude \(N or S\) first"),
        ("-42.36N 71.06W", "not both"),
    ],
)
def test_impossible_coordinates_say_what_is_wrong(text, message):
    with pytest.raises(InvalidPlace, match=message):
        resolve_place(text)


def test_a_zip_code_without_coordinates_resolves_to_its_citys_centre_and_says_so():
    place = resolve_place("77352")
    assert place.label == "77352 (Livingston, TX)"
    assert "no location of its own" in place.note and "Livingston, TX" in place.note
    assert geodesic((30.7110, -94.9330), (place.point.latitude, place.point.longitude)).km <= WITHIN_KM


@pytest.mark.parametrize("code", ["09001", "96201", "34001"])
def test_military_codes_have_a_message_of_their_own(code):
    with pytest.raises(NoLocation, match=r"military .* type the city you are in"):
        resolve_place(code)


def test_a_city_name_alone_is_the_one_place_that_has_it():
    assert resolve_place("Yellowknife").label == "Yellowknife, NT"
    assert resolve_place("san francisco").label == "San Francisco, CA"


def test_a_city_name_several_places_share_lists_the_likeliest():
    with pytest.raises(AmbiguousPlace) as raised:
        resolve_place("Springfield")
    message = str(raised.value)
    assert message.startswith("Springfield: did you mean Springfield, IL, Springfield, MA, Springfield, MO")
    assert [place.label for place in raised.value.suggestions][:3] == [
        "Springfield, IL",
        "Springfield, MA",
        "Springfield, MO",
    ]


@pytest.mark.parametrize(
    ("typed", "message", "offered"),
    [
        ("Bostn, MA", "No such city: Bostn, MA. Did you mean Boston, MA?", ["Boston, MA"]),
        (
            "San Fransisco, CA",
            "No such city: San Fransisco, CA. Did you mean San Francisco, CA?",
            ["San Francisco, CA"],
        ),
        ("Montrel, QC", "No such city: Montrel, QC. Did you mean Montréal, QC?", ["Montréal, QC"]),
        (  # the spelling in the state given first, then the name as typed elsewhere
            "Pittsburg, PA",
            "No such city: Pittsburg, PA. Did you mean Pittsburgh, PA, Pittsburg, CA, Pittsburg, IL, Pittsburg, KS?",
            ["Pittsburgh, PA", "Pittsburg, CA", "Pittsburg, IL", "Pittsburg, KS"],
        ),
        ("Chicgo", "No such place: Chicgo. Did you mean Chicago, IL, Chico, CA?", ["Chicago, IL", "Chico, CA"]),
        ("Torronto", "No such place: Torronto. Did you mean Toronto, ON, Torreon, NM?", ["Toronto, ON", "Torreon, NM"]),
    ],
)
def test_a_city_misspelled_offers_the_cities_spelled_nearly_so(typed, message, offered):
    with pytest.raises(UnknownPlace) as raised:
        resolve_place(typed)
    assert str(raised.value) == message
    assert [place.label for place in raised.value.suggestions] == offered
    assert all(resolve_place(label).label == label for label in offered)  # each one a place the search finds


@pytest.mark.parametrize("typed", ["Qwzxv", "Filadelfia", "Qwzxv, TX", "abc"])  # Abac, GA is not what "abc" meant
def test_a_name_like_no_city_offers_nothing_and_says_what_to_enter(typed):
    with pytest.raises(UnknownPlace) as raised:
        resolve_place(typed)
    assert raised.value.suggestions == []
    assert "Did you mean" not in str(raised.value)


def test_an_fsa_is_labelled_with_its_real_municipality():
    assert resolve_place("H3B 2Y5").label == "H3B (Montréal, QC)"
    assert resolve_place("h7n").label == "H7N (Laval, QC)"
    assert resolve_place("T2P 1J9").label == "T2P (Calgary, AB)"


@pytest.mark.parametrize("text", ["T2P-1J9", "t2p-1j9", "T2P - 1J9", "Calgary, AB T2P-1J9"])
def test_a_postal_code_written_with_a_hyphen_is_read_as_with_a_space(text):
    assert resolve_place(text).label == "T2P (Calgary, AB)"
    assert_near(text, named_city("Calgary", "AB"))


def test_a_name_no_city_starts_with_is_suggested_the_cities_spelled_nearly_so():
    assert [place.label for place in suggest_places("bostn")] == ["Boston, MA"]
    assert [place.label for place in suggest_places("clevland, oh")] == ["Cleveland, OH"]
    assert suggest_places("qwzxv") == []


def test_a_code_half_typed_with_a_hyphen_is_suggested():
    assert suggest_places("t2p-1")[0].label == "T2P (Calgary, AB)"
    assert suggest_places("02108-12")[0].label == "02108 (Boston, MA)"


# Unique and PO box codes whose city has no other ZIP code to take a centre from (Micronesia, Palau, ...).
UNPLACEABLE = {"18768", "20588", "88888", "96939", "96941", "96942", "96943", "96944", "96970"}


def test_every_zip_code_resolves_or_says_why_it_cannot():
    rows = zipcodes.list_all()
    outcomes = {"placed": 0, "city centre": 0, "military": 0, "no location": 0}
    unplaced = set()
    for row in rows:
        try:
            place = resolve_place(row["zip_code"])
        except NoLocation as error:
            outcomes["military" if "military" in str(error) else "no location"] += 1
            assert row["zip_code"] in str(error)
            if "military" not in str(error):
                unplaced.add(row["zip_code"])
            continue
        outcomes["city centre" if place.note else "placed"] += 1
        has_point = float(row["lat"] or 0) != 0 or float(row["long"] or 0) != 0
        assert bool(place.note) != has_point, row
    print(f"{len(rows)} ZIP codes: {outcomes}")
    military = [row for row in rows if row["zip_code_type"] == "MILITARY" or row["city"] in ("Apo", "Fpo", "Dpo")]
    assert outcomes["military"] == len(military)
    assert unplaced == UNPLACEABLE
    assert sum(outcomes.values()) == len(rows)


def test_every_canadian_postal_area_resolves_to_a_labelled_place():
    with sqlite3.connect(f"file:{pypostalcode.settings.db_location}?mode=ro", uri=True) as connection:
        fsas = [fsa for (fsa,) in connection.execute("SELECT fsa FROM PostalCodes")]
    labels = {fsa: resolve_place(fsa).label for fsa in fsas}
    assert len(labels) == len(fsas) == 1645
    assert all(label.startswith(f"{fsa.upper()} (") for fsa, label in labels.items())


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("00000", UnknownPlace),
        ("Nowhereville, MA", UnknownPlace),
        ("Boston, Atlantis", UnknownPlace),
        ("", InvalidPlace),
        ("!!!", InvalidPlace),
        ("x" * 300, InvalidPlace),
    ],
)
def test_anything_else_is_a_place_error(text, error):
    with pytest.raises(error):
        resolve_place(text)


def test_suggestions_are_best_first_and_at_most_ten():
    montreal = suggest_places("mont")
    assert len(montreal) == 10 and montreal[0].label == "Montréal, QC"
    assert suggest_places("Springfield")[0].label in {"Springfield, IL", "Springfield, MA", "Springfield, MO"}
    assert [place.label for place in suggest_places("0210")][:2] == ["02108 (Boston, MA)", "02109 (Boston, MA)"]
    assert suggest_places("t2p")[0].label == "T2P (Calgary, AB)"
    assert [place.label for place in suggest_places("springfield, mo")] == ["Springfield, MO"]
    assert suggest_places("") == [] and suggest_places("zzzzqq") == []


def test_suggestions_are_each_a_place_the_resolver_knows():
    for prefix in ("bo", "mont", "san", "st ", "qu", "0", "H3", "T2P"):
        for place in suggest_places(prefix):
            name = place.label.split(" (")[0]
            assert not isinstance(name, PlaceError)
            resolved = resolve_place(name)
            assert resolved.point == place.point, (prefix, place.label, resolved.label)


def usps_abbreviations_in(label: str) -> set[str]:
    name = label.rpartition(", ")[0]
    first, *rest = name.split()
    first_word = set() if name in NOT_A_DIRECTION else {first} & set(FIRST_WORD_ABBREVIATIONS)
    return first_word | ({first, *rest} & set(USPS_ABBREVIATIONS))


def test_suggestions_spell_out_the_postal_services_abbreviations():
    boston = [place.label for place in suggest_places("Boston", limit=50)]
    assert {"Boston Heights, OH", "Boston College, MA"} <= set(boston)
    every_us_city = [
        place.label
        for letter in string.ascii_lowercase
        for place in suggest_places(letter, limit=100_000)
        if place.label[-2:] in US_STATES
    ]
    assert len(every_us_city) > 20_000
    assert [label for label in boston + every_us_city if usps_abbreviations_in(label)][:20] == []


@pytest.mark.parametrize(
    ("abbreviated", "written_out"),
    [
        ("Boston Hts, OH", "Boston Heights, OH"),
        ("Boston Clg, MA", "Boston College, MA"),
        ("Long Is City, NY", "Long Island City, NY"),
        ("Seboeis Plt, ME", "Seboeis Plantation, ME"),
        ("N Hatfield, MA", "North Hatfield, MA"),
        ("Is Of Springs, ME", "Isle Of Springs, ME"),
    ],
)
def test_a_place_is_found_abbreviated_or_written_out_at_one_point_labelled_written_out(abbreviated, written_out):
    place = resolve_place(abbreviated)
    assert place.label == written_out
    assert place.point == resolve_place(written_out).point


def test_a_first_letter_that_names_no_direction_is_left_as_it_is():
    assert resolve_place("E Town, KY").label == "E Town, KY"
    assert_near("E Town, KY", named_city("Elizabethtown", "KY"))
