"""directory/hours.py: opening hours typed, stored, shown, and read on the clinic's own clock."""

import datetime

import pytest
import time_machine
from django.utils import timezone, translation

from directory.hours import (
    DASH,
    HoursError,
    day_parsed,
    day_typed,
    exceptions_parsed,
    exceptions_shown,
    exceptions_typed,
    hours_exceptions_checked,
    opening_hours_checked,
    opening_hours_specification,
    status_at,
    week_from_days,
    week_in_order,
    week_in_words,
    week_shown,
)

UTC = datetime.UTC
NEW_YORK = "America/New_York"
LOS_ANGELES = "America/Los_Angeles"


def stored(text: str) -> list[dict]:
    return [interval.stored() for interval in day_parsed(text)]


def week(**days: str) -> dict:
    """A stored week from typed days: week(monday="9-17")."""
    return week_from_days({day: day_parsed(text) for day, text in days.items()})


WEEKDAYS = week(
    monday="9:00-12:30, 14:00-17:30",
    tuesday="9:00-12:30, 14:00-17:30",
    wednesday="9:00-12:30, 14:00-17:30",
    thursday="9:00-12:30, 14:00-17:30",
    friday="9:00-12:30, 14:00-17:30",
)


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


# ---- typed and stored ----


def test_a_day_typed_in_either_clock_is_stored_sorted_in_24_hour_time():
    assert stored("2:00 pm-6:00 pm, 9:00-12:30") == [
        {"opens": "09:00", "closes": "12:30"},
        {"opens": "14:00", "closes": "18:00"},
    ]


def test_bare_hours_read_as_whole_hours():
    assert stored("9-17") == [{"opens": "09:00", "closes": "17:00"}]
    assert stored("9 am to 5:30 pm") == [{"opens": "09:00", "closes": "17:30"}]


def test_an_empty_or_closed_day_has_no_intervals():
    assert day_parsed("") == day_parsed("  ") == day_parsed("Closed") == []


def test_a_closed_day_may_be_written_in_spanish_or_french():
    assert day_parsed("Cerrado") == day_parsed("fermé") == day_parsed("Fermé") == day_parsed("ferme") == []


def test_a_day_may_close_at_24_00_or_at_12_am_which_are_both_midnight():
    assert stored("20:00-24:00") == stored("8 pm-12 am") == [{"opens": "20:00", "closes": "24:00"}]
    assert stored("0:00-24:00") == [{"opens": "00:00", "closes": "24:00"}]


def test_an_overnight_interval_is_refused_saying_how_to_split_it_at_midnight():
    with pytest.raises(HoursError, match="cannot run overnight: end the day at 24:00"):
        day_parsed("22:00-2:00")


def test_overlapping_intervals_are_refused_and_touching_ones_joined():
    with pytest.raises(HoursError, match="overlap"):
        day_parsed("9-12, 11:30-14")
    assert stored("9-12, 12-14") == [{"opens": "09:00", "closes": "14:00"}]


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("24:00-2:00", "Nothing opens at 24:00"),
        ("9:75-10", "minutes go up to 59"),
        ("13 pm-2 pm", "hours go from 1 to 12"),
        ("25-26", "hours go up to 24:00"),
        ("nine to five", "is not a time"),
        ("9:00", "write each interval as"),
    ],
)
def test_a_time_that_cannot_be_read_is_refused_with_what_to_write(typed, said):
    with pytest.raises(HoursError, match=said):
        day_parsed(typed)


def test_a_day_round_trips_through_the_form_text():
    typed = day_typed(stored("2 pm-6 pm, 9-12:30"))
    assert typed == "9:00-12:30, 14:00-18:00"
    assert stored(typed) == stored("9:00-12:30, 14:00-18:00")
    assert day_typed([]) == ""


def test_a_week_without_any_hours_says_nothing_and_one_with_hours_names_every_day():
    assert week() == {}
    hours = week(monday="9-17")
    assert hours["monday"] == [{"opens": "09:00", "closes": "17:00"}]
    assert hours["sunday"] == [] and len(hours) == 7


def test_exceptions_are_read_one_a_line_sorted_and_round_trip():
    text = "2026-12-31: 9:00-12:00\n\n2026-12-24 to 2026-12-26: closed"
    exceptions = exceptions_parsed(text)
    assert exceptions == [
        {"start": "2026-12-24", "end": "2026-12-26", "hours": []},
        {"start": "2026-12-31", "end": "2026-12-31", "hours": [{"opens": "09:00", "closes": "12:00"}]},
    ]
    assert exceptions_typed(exceptions) == "2026-12-24 to 2026-12-26: closed\n2026-12-31: 9:00-12:00"
    assert exceptions_parsed(exceptions_typed(exceptions)) == exceptions


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("2026-12-24 to 2027-01-02: closed\nChristmas: closed", "Line 2: could not read"),
        ("2027-01-02 to 2026-12-24: closed", "Line 1: 2026-12-24 is before 2027-01-02"),
        ("2026-02-30: closed", "a date that does not exist"),
        ("2026-12-31: 22:00-2:00", "Line 1: .* cannot run overnight"),
        ("2026-12-24 to 2027-01-02: closed\n2026-12-31: 9-12", "overlap"),
    ],
)
def test_an_exception_that_cannot_be_read_is_refused_naming_its_line(text, said):
    with pytest.raises(HoursError, match=said):
        exceptions_parsed(text)


def test_the_stored_shapes_are_checked():
    assert opening_hours_checked({"monday": [{"opens": "09:00", "closes": "17:00"}]})["tuesday"] == []
    assert opening_hours_checked({}) == {}
    for wrong in ({"funday": []}, {"monday": [{"opens": "17:00", "closes": "09:00"}]}, {"monday": "9-17"}, []):
        with pytest.raises(HoursError):
            opening_hours_checked(wrong)
    exceptions = [{"start": "2026-12-24", "end": "2026-12-26", "hours": []}]
    assert hours_exceptions_checked(exceptions) == exceptions
    with pytest.raises(HoursError):
        hours_exceptions_checked([{"start": "2026-12-24", "hours": []}])


# ---- the status at an instant, on the clinic's clock ----


def test_open_now_says_when_the_clinic_closes():
    # Tuesday 8 December 2026, 15:00 in New York (20:00 UTC).
    assert status_at(WEEKDAYS, [], NEW_YORK, at(2026, 12, 8, 20, 0)) == "Open now, closes 5:30 pm"


def test_closed_at_lunch_says_when_it_reopens_the_same_day():
    assert status_at(WEEKDAYS, [], NEW_YORK, at(2026, 12, 8, 18, 0)) == "Closed, opens 2:00 pm"


def test_closed_in_the_evening_names_the_next_day_it_opens():
    # Monday 19:00 in New York, then Friday evening: the weekend is closed.
    assert status_at(WEEKDAYS, [], NEW_YORK, at(2026, 12, 8, 0, 0)) == "Closed, opens Tue 9:00 am"
    assert status_at(WEEKDAYS, [], NEW_YORK, at(2026, 12, 12, 0, 0)) == "Closed, opens Mon 9:00 am"


def test_on_the_spring_forward_day_in_new_york_the_wall_clock_decides():
    sunday = week(sunday="1:00-4:00, 9:00-17:00")
    # 8 March 2026: 2:00 EST becomes 3:00 EDT. 12:30 UTC is 8:30 EDT (7:30 by the winter offset).
    assert status_at(sunday, [], NEW_YORK, at(2026, 3, 8, 12, 30)) == "Closed, opens 9:00 am"
    assert status_at(sunday, [], NEW_YORK, at(2026, 3, 8, 13, 0)) == "Open now, closes 5:00 pm"
    # 7:30 UTC is 3:30 EDT, just after the skipped hour: still inside 1:00-4:00.
    assert status_at(sunday, [], NEW_YORK, at(2026, 3, 8, 7, 30)) == "Open now, closes 4:00 am"
    assert status_at(sunday, [], NEW_YORK, at(2026, 3, 8, 8, 0)) == "Closed, opens 9:00 am"


def test_on_the_fall_back_day_in_new_york_the_wall_clock_decides():
    sunday = week(sunday="1:00-1:45, 9:00-17:00")
    # 1 November 2026: 2:00 EDT becomes 1:00 EST. 13:30 UTC is 8:30 EST (9:30 by the summer offset).
    assert status_at(sunday, [], NEW_YORK, at(2026, 11, 1, 13, 30)) == "Closed, opens 9:00 am"
    assert status_at(sunday, [], NEW_YORK, at(2026, 11, 1, 14, 0)) == "Open now, closes 5:00 pm"
    # 1:30 happens twice (5:30 UTC in EDT, 6:30 UTC in EST): open both times.
    assert status_at(sunday, [], NEW_YORK, at(2026, 11, 1, 5, 30)) == "Open now, closes 1:45 am"
    assert status_at(sunday, [], NEW_YORK, at(2026, 11, 1, 6, 30)) == "Open now, closes 1:45 am"


def test_a_clinic_in_los_angeles_is_read_on_its_own_clock_not_the_servers(settings):
    settings.TIME_ZONE = "Europe/Paris"
    hours = week(tuesday="9-17")
    # Tuesday 8 December 2026 at 17:30 UTC: 18:30 in Paris, 9:30 in Los Angeles.
    with time_machine.travel(at(2026, 12, 8, 17, 30), tick=False):
        assert timezone.localtime().hour == 18
        assert status_at(hours, [], LOS_ANGELES, timezone.now()) == "Open now, closes 5:00 pm"
    # 16:30 UTC: already Tuesday in Paris and in New York, 8:30 in Los Angeles.
    with time_machine.travel(at(2026, 12, 8, 16, 30), tick=False):
        assert status_at(hours, [], LOS_ANGELES, timezone.now()) == "Closed, opens 9:00 am"
    # 2:00 UTC on Wednesday is still Tuesday evening in Los Angeles: it opens on Wednesday, not "at 9:00 today".
    two_days = week(tuesday="9-17", wednesday="9-17")
    assert status_at(two_days, [], LOS_ANGELES, at(2026, 12, 9, 2, 0)) == "Closed, opens Wed 9:00 am"
    # A week away is named by its date, not by a weekday that would read as today's.
    assert status_at(hours, [], LOS_ANGELES, at(2026, 12, 9, 2, 0)) == "Closed, opens Dec 15 9:00 am"


def test_an_interval_ending_at_midnight_is_open_until_midnight_or_into_the_next_day():
    late = week(friday="18:00-24:00")
    assert status_at(late, [], NEW_YORK, at(2026, 12, 12, 4, 59)) == "Open now, closes midnight"  # Fri 23:59
    assert status_at(late, [], NEW_YORK, at(2026, 12, 12, 5, 0)) == "Closed, opens Fri 6:00 pm"  # Sat 0:00
    through = week(friday="18:00-24:00", saturday="0:00-2:00, 9-12")
    assert status_at(through, [], NEW_YORK, at(2026, 12, 12, 4, 0)) == "Open now, closes Sat 2:00 am"
    always = week(**{day: "0-24" for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                              "sunday")})  # fmt: skip
    assert status_at(always, [], NEW_YORK, at(2026, 12, 8, 12, 0)) == "Open now, open all week"


NEW_YEAR = exceptions_parsed("2026-12-24 to 2027-01-02: closed")


def test_an_exception_spanning_new_year_closes_the_clinic_on_each_of_its_days():
    # Thursday 31 December 2026 and Friday 1 January 2027, at noon in New York.
    assert status_at(WEEKDAYS, NEW_YEAR, NEW_YORK, at(2026, 12, 31, 17, 0)) == "Closed today (holiday)"
    assert status_at(WEEKDAYS, NEW_YEAR, NEW_YORK, at(2027, 1, 1, 17, 0)) == "Closed today (holiday)"


def test_before_and_after_an_exception_the_next_opening_skips_it():
    # Wednesday 23 December 2026 at 18:00: the next opening is Monday 4 January, beyond a week.
    assert status_at(WEEKDAYS, NEW_YEAR, NEW_YORK, at(2026, 12, 23, 23, 0)) == "Closed, opens Jan 4 9:00 am"
    # Saturday 2 January 2027, the last closed day: a weekend day anyway, so no holiday is claimed after it.
    assert status_at(WEEKDAYS, NEW_YEAR, NEW_YORK, at(2027, 1, 3, 17, 0)) == "Closed, opens Mon 9:00 am"


def test_an_exception_with_hours_replaces_the_days_own():
    short = exceptions_parsed("2026-12-31: 9:00-12:00")
    assert status_at(WEEKDAYS, short, NEW_YORK, at(2026, 12, 31, 16, 0)) == "Open now, closes 12:00 pm"
    assert status_at(WEEKDAYS, short, NEW_YORK, at(2026, 12, 31, 18, 0)) == "Closed, opens Fri 9:00 am"


def test_a_listing_without_hours_says_nothing_rather_than_closed():
    assert status_at({}, [], NEW_YORK, at(2026, 12, 8, 20, 0)) is None
    assert status_at({}, NEW_YEAR, NEW_YORK, at(2026, 12, 31, 17, 0)) is None
    assert week_shown({}) == []
    assert opening_hours_specification({}, NEW_YEAR) == []
    assert week_in_words({}) == "Not given"


# ---- shown ----


def test_the_week_is_shown_monday_first_with_today_marked_and_closed_days_named():
    rows = week_shown(WEEKDAYS, datetime.date(2026, 12, 8))
    assert [(row.name, row.hours, row.today) for row in rows[:2]] == [
        ("Monday", f"9:00 am{DASH}12:30 pm, 2:00 pm{DASH}5:30 pm", False),
        ("Tuesday", f"9:00 am{DASH}12:30 pm, 2:00 pm{DASH}5:30 pm", True),
    ]
    assert rows[6].name == "Sunday" and rows[6].hours == "Closed"


@pytest.mark.parametrize(
    ("language", "monday"),
    [
        ("es", f"09:00{DASH}12:30, 14:00{DASH}17:30"),
        # Canadian French writes the hour with an "h" between non-breaking spaces (Django's own fr_CA format
        # printed "09 09 00" and "14 02 00": its "h" was the 12-hour hour; config/formats/fr_CA corrects it).
        ("fr-ca", f"09\xa0h\xa000{DASH}12\xa0h\xa030, 14\xa0h\xa000{DASH}17\xa0h\xa030"),
    ],
)
def test_the_week_is_shown_in_the_clock_of_the_pages_language(language, monday):
    with translation.override(language):
        rows = week_shown(WEEKDAYS, datetime.date(2026, 12, 8))
    assert rows[0].hours == monday


def test_only_exceptions_not_yet_over_are_shown():
    exceptions = exceptions_parsed("2026-11-26: closed\n2026-12-24 to 2027-01-02: closed\n2027-01-04: 9-12")
    shown = exceptions_shown(exceptions, datetime.date(2026, 12, 5))
    assert [(item.dates, item.hours) for item in shown] == [
        (f"Dec 24, 2026 {DASH} Jan 2, 2027", "Closed"),
        ("Jan 4, 2027", f"9:00 am{DASH}12:00 pm"),
    ]


def test_the_week_in_words_for_the_desk():
    assert week_in_words(week(monday="9-12:30, 14-18", friday="9-12")) == (
        f"Mon 9:00 am{DASH}12:30 pm, 2:00 pm{DASH}6:00 pm; Tue closed; Wed closed; Thu closed; "
        f"Fri 9:00 am{DASH}12:00 pm; Sat closed; Sun closed"
    )


def test_schema_org_groups_days_sharing_an_interval_and_dates_each_exception():
    hours = week(monday="9-12:30, 14-18", tuesday="9-12:30", saturday="20:00-24:00")
    exceptions = exceptions_parsed("2026-12-24 to 2027-01-02: closed\n2027-01-04: 10-12")
    assert opening_hours_specification(hours, exceptions) == [
        {"@type": "OpeningHoursSpecification", "dayOfWeek": ["https://schema.org/Monday", "https://schema.org/Tuesday"],
         "opens": "09:00", "closes": "12:30"},
        {"@type": "OpeningHoursSpecification", "dayOfWeek": ["https://schema.org/Monday"], "opens": "14:00",
         "closes": "18:00"},
        {"@type": "OpeningHoursSpecification", "dayOfWeek": ["https://schema.org/Saturday"], "opens": "20:00",
         "closes": "23:59"},
        {"@type": "OpeningHoursSpecification", "opens": "00:00", "closes": "00:00", "validFrom": "2026-12-24",
         "validThrough": "2027-01-02"},
        {"@type": "OpeningHoursSpecification", "opens": "10:00", "closes": "12:00", "validFrom": "2027-01-04",
         "validThrough": "2027-01-04"},
    ]  # fmt: skip


def test_the_week_is_given_monday_first_whatever_order_the_database_kept_its_keys_in():
    shuffled = dict(reversed(list(WEEKDAYS.items())))
    assert list(week_in_order(shuffled)) == [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
    assert week_in_order(shuffled) == WEEKDAYS
    assert week_in_order({}) is None
