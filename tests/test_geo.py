import pytest
from geopy.distance import geodesic

from directory.geo import KM_PER_MILE, InvalidPlace, Point, UnknownPlace, bounding_box, to_km, to_unit
from directory.places import locate_postal_code, normalize_city, resolve_place


class TestResolvePlace:
    def test_it_keeps_the_leading_zeros_of_new_england_zip_codes(self):
        place = resolve_place("02108")
        assert place.point == Point(42.3576, -71.0684)
        assert "Boston" in place.label

    def test_it_resolves_puerto_rico_zip_codes_that_start_with_two_zeros(self):
        assert "San Juan" in resolve_place("00901").label

    def test_it_resolves_po_box_zip_codes(self):
        barrow = resolve_place("99723")  # a PO Box ZIP in Utqiagvik (Barrow), Alaska, at 71.2906 N 156.7886 W
        assert geodesic((71.2906, -156.7886), (barrow.point.latitude, barrow.point.longitude)).km < 5

    @pytest.mark.parametrize("text", ["02108-1234", "021081234", "02108 1234", " 02108 "])
    def test_it_reads_zip_plus_four_as_its_five_digit_zip(self, text):
        assert resolve_place(text) == resolve_place("02108")

    @pytest.mark.parametrize("text", ["T2P 1J9", "t2p1j9", "T2P", "t2p"])
    def test_it_resolves_canadian_postal_codes_to_their_forward_sortation_area(self, text):
        place = resolve_place(text)
        assert place.point == Point(51.0472, -114.0802)
        assert place.label.startswith("T2P")

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Boston, MA", (42.36, -71.06)),
            ("boston,ma", (42.36, -71.06)),
            ("St. Louis, MO", (38.63, -90.24)),
            ("Calgary, AB", (51.04, -114.07)),
        ],
    )
    def test_it_resolves_city_and_state_near_the_city_centre(self, text, expected):
        point = resolve_place(text).point
        assert geodesic((point.latitude, point.longitude), expected).km < 15

    def test_it_accepts_coordinates(self):
        assert resolve_place(" 42.5 , -71.25 ").point == Point(42.5, -71.25)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("00000", "No such ZIP code: 00000"),
            ("99999-0000", "No such ZIP code: 99999"),
            ("Z9Z 9Z9", "No such Canadian postal code: Z9Z 9Z9"),
            ("Nowhereville, ZZ", "Unknown state or province: ZZ"),
            ("Nowhereville, MA", "No such city: Nowhereville, MA"),
            ("abc", "No such place: abc. Enter a ZIP code"),
            ("<script>alert(1)</script>", "No such place: <script>alert"),
        ],
    )
    def test_it_names_the_place_it_does_not_know(self, text, message):
        with pytest.raises(UnknownPlace, match=message):
            resolve_place(text)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("", "Enter a ZIP code, a city or a location"),
            ("91,0", "Latitude must be between -90 and 90"),
            ("0,181", "Longitude must be between -180 and 180"),
            ("1234", "Enter a ZIP code"),
            ("x" * 5000, "at most 200 characters"),
        ],
    )
    def test_it_explains_what_it_cannot_read(self, text, message):
        with pytest.raises(InvalidPlace, match=message):
            resolve_place(text)


def test_city_names_fold_case_accents_punctuation_and_abbreviations():
    assert normalize_city("St. Louis") == normalize_city("saint louis")
    assert normalize_city("Montréal") == "montreal"
    assert normalize_city("Ft. Worth") == "fort worth"


def test_postal_codes_are_located_by_country():
    assert locate_postal_code("02108-1234", "US") == Point(42.3576, -71.0684)
    assert locate_postal_code("t2p 1j9", "CA") == Point(51.0472, -114.0802)
    assert locate_postal_code("02108", "CA") is None
    assert locate_postal_code("00000", "US") is None


class TestBoundingBox:
    def test_it_contains_every_point_of_the_circle(self):
        origin = Point(42.3576, -71.0684)
        box = bounding_box(origin, 100)
        for bearing in range(0, 360, 5):
            edge = geodesic(kilometers=100).destination((origin.latitude, origin.longitude), bearing)
            assert box.min_latitude <= edge.latitude <= box.max_latitude
            assert any(low <= edge.longitude <= high for low, high in box.longitude_ranges)

    def test_it_splits_at_the_180th_meridian(self):
        box = bounding_box(Point(51.88, -176.66), 300)  # Adak, in the Aleutians
        assert len(box.longitude_ranges) == 2
        (west_low, west_high), (east_low, east_high) = box.longitude_ranges
        assert west_high == 180.0 and east_low == -180.0
        assert west_low < 180 and east_high < -170

    def test_it_spans_every_longitude_when_the_circle_covers_a_pole(self):
        box = bounding_box(Point(89.5, 0), 100)
        assert box.longitude_ranges == ((-180.0, 180.0),)
        assert box.max_latitude == 90


def test_units_convert_through_the_international_mile():
    assert to_km(10, "mi") == pytest.approx(16.09344)
    assert to_unit(KM_PER_MILE, "mi") == pytest.approx(1)
    assert to_unit(5, "km") == 5
