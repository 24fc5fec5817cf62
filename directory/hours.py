"""Opening hours: the stored shapes (a location's week and its dated exceptions), the practitioner's text for them
and back, the week as the profile shows it, the status at an instant in the location's own zone, and schema.org.

Stored, a week is {"monday": [{"opens": "09:00", "closes": "12:30"}, ...], ...} (a day missing or [] is closed;
{} says nothing about hours) and the exceptions [{"start": "2026-12-24", "end": "2027-01-02", "hours": [...]}]
(hours [] is closed for the span, else the intervals of each day in it). Times are the location's wall clock;
"24:00" closes at midnight; no interval runs overnight."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext

from directory.languages import first_of_the_month_written, in_english

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_NAMES = tuple(day.capitalize() for day in DAYS)
DAY_ABBREVIATIONS = tuple(day[:3].capitalize() for day in DAYS)
MIDNIGHT = 24 * 60  # "24:00": a closing time only
MAX_INTERVALS_A_DAY = 6
MAX_EXCEPTIONS = 30
MAX_EXCEPTION_DAYS = 366
# How far ahead "Closed, opens ..." looks for the next opening (exceptions can close a clinic for weeks).
LOOKAHEAD_DAYS = 62
CLOSED_WORDS = {"", "-", "closed", "cerrado", "fermé", "ferme"}  # as practitioners type it in each language

_CLOCK = re.compile(r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>[ap])?\.?\s*(?:m\.?)?$", re.I)
_STORED_CLOCK = re.compile(r"^\d{2}:\d{2}$")
_DASHES = re.compile(r"\s*(?:-|\u2013|\u2014|\bto\b)\s*", re.I)
_EXCEPTION_LINE = re.compile(
    r"^(?P<start>\d{4}-\d{2}-\d{2})(?:\s*(?:to|\u2013|\u2014|\s-\s)\s*(?P<end>\d{4}-\d{2}-\d{2}))?\s*:\s*(?P<hours>.*)$",
    re.I,
)
DASH = "\N{EN DASH}"  # between the ends of an interval or a span, as patients read them
INTERVAL_EXAMPLE = "9:00-12:30, 2:00 pm-6:00 pm"


class HoursError(ValueError):
    """Hours that cannot be read or stored, said in the practitioner's words."""


@dataclass(frozen=True, order=True)
class Interval:
    opens: int  # minutes after midnight
    closes: int  # up to MIDNIGHT

    def stored(self) -> dict[str, str]:
        return {"opens": _clock(self.opens), "closes": _clock(self.closes)}

    def typed(self) -> str:
        return f"{self.opens // 60}:{self.opens % 60:02d}-{self.closes // 60}:{self.closes % 60:02d}"

    def shown(self) -> str:
        return f"{time_shown(self.opens)}{DASH}{time_shown(self.closes)}"


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def time_shown(minutes: int) -> str:
    """A time as patients read it: "9:00 am", "12:30 pm", "midnight" (the end of a day); in another active
    language, as it writes times ("09:00", "minuit")."""
    if minutes == MIDNIGHT:
        return gettext("midnight")
    hour, minute = divmod(minutes, 60)
    if not in_english():
        return formats.time_format(time(hour, minute))
    return f"{(hour - 1) % 12 + 1}:{minute:02d} {'am' if hour < 12 else 'pm'}"


# ---- reading what a practitioner types ----


def _time_typed(text: str, *, closing: bool) -> int:
    match = _CLOCK.match(text.strip())
    if not match:
        raise HoursError(gettext('"%(text)s" is not a time: write 9:00, 17:30 or 5:30 pm.') % {"text": text.strip()})
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if minute > 59:
        raise HoursError(gettext('"%(text)s" is not a time: minutes go up to 59.') % {"text": text.strip()})
    if match["half"]:
        if not 1 <= hour <= 12:
            message = gettext('"%(text)s" is not a time: with am or pm, hours go from 1 to 12.')
            raise HoursError(message % {"text": text.strip()})
        hour = hour % 12 + (12 if match["half"].lower() == "p" else 0)
    elif hour > 24 or (hour == 24 and minute):
        raise HoursError(gettext('"%(text)s" is not a time: hours go up to 24:00 (midnight).') % {"text": text.strip()})
    minutes = hour * 60 + minute
    if closing and minutes == 0:
        return MIDNIGHT  # closing at 0:00 or 12 am is closing at the end of the day
    if not closing and minutes == MIDNIGHT:
        raise HoursError(gettext("Nothing opens at 24:00: write 0:00 for a clinic that opens at midnight."))
    return minutes


def day_parsed(text: str) -> list[Interval]:
    """A day's intervals from what the practitioner typed ("9:00-12:30, 2 pm-6 pm"; empty or "closed": none),
    sorted, touching ones joined; HoursError says what is wrong."""
    if text.strip().casefold() in CLOSED_WORDS:
        return []
    intervals = []
    for part in re.split(r"[,;]", text):
        if not part.strip():
            continue
        ends = _DASHES.split(part.strip())
        if len(ends) != 2 or not all(ends):
            message = gettext('Could not read "%(text)s": write each interval as %(example)s.')
            raise HoursError(message % {"text": part.strip(), "example": INTERVAL_EXAMPLE})
        interval = Interval(_time_typed(ends[0], closing=False), _time_typed(ends[1], closing=True))
        if interval.closes <= interval.opens:
            message = gettext(
                '"%(text)s" closes before it opens. Hours cannot run overnight: end the day at 24:00 and start the '
                "next one at 0:00."
            )
            raise HoursError(message % {"text": part.strip()})
        intervals.append(interval)
    return _joined(intervals)


def _joined(intervals: list[Interval]) -> list[Interval]:
    """Sorted, touching intervals joined; overlapping ones refused."""
    joined: list[Interval] = []
    for interval in sorted(intervals):
        if joined and interval.opens < joined[-1].closes:
            message = gettext("%(first)s and %(second)s overlap: give each time once.")
            raise HoursError(message % {"first": joined[-1].shown(), "second": interval.shown()})
        if joined and interval.opens == joined[-1].closes:
            joined[-1] = Interval(joined[-1].opens, interval.closes)
        else:
            joined.append(interval)
    if len(joined) > MAX_INTERVALS_A_DAY:
        raise HoursError(gettext("Give at most %(count)d intervals a day.") % {"count": MAX_INTERVALS_A_DAY})
    return joined


def day_typed(intervals: list[dict]) -> str:
    """A stored day as the form shows it, in the 24-hour clock ("9:00-12:30, 14:00-18:00"); "" when closed."""
    return ", ".join(interval.typed() for interval in _intervals(intervals))


def week_from_days(days: dict[str, list[Interval]]) -> dict:
    """The stored week from each day's intervals: {} when no day has hours, else every day, closed ones []."""
    if not any(days.get(day) for day in DAYS):
        return {}
    return {day: [interval.stored() for interval in days.get(day, [])] for day in DAYS}


def exceptions_parsed(text: str) -> list[dict]:
    """The stored exceptions from the practitioner's lines ("2026-12-24 to 2027-01-02: closed",
    "2026-12-31: 9:00-12:00"), sorted by date; HoursError names the line that is wrong."""
    exceptions = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                exceptions.append(_exception_parsed(line.strip()))
            except HoursError as error:
                raise HoursError(gettext("Line %(number)d: %(error)s") % {"number": number, "error": error}) from None
    if len(exceptions) > MAX_EXCEPTIONS:
        raise HoursError(gettext("Give at most %(count)d exceptions.") % {"count": MAX_EXCEPTIONS})
    exceptions.sort(key=lambda exception: exception["start"])
    for earlier, later in itertools.pairwise(exceptions):
        if later["start"] <= earlier["end"]:
            message = gettext("The exceptions from %(first)s and from %(second)s overlap.")
            raise HoursError(message % {"first": earlier["start"], "second": later["start"]})
    return exceptions


def _exception_parsed(line: str) -> dict:
    match = _EXCEPTION_LINE.match(line)
    if not match:
        message = gettext(
            'could not read "%(line)s": write 2026-12-24 to 2027-01-02: closed, or 2026-12-31: 9:00-12:00.'
        )
        raise HoursError(message % {"line": line})
    try:
        start = date.fromisoformat(match["start"])
        end = date.fromisoformat(match["end"] or match["start"])
    except ValueError:
        message = gettext('"%(line)s" has a date that does not exist: write dates as YYYY-MM-DD.')
        raise HoursError(message % {"line": line}) from None
    if end < start:
        message = gettext("%(end)s is before %(start)s: give the first day first.")
        raise HoursError(message % {"end": end.isoformat(), "start": start.isoformat()})
    if (end - start).days >= MAX_EXCEPTION_DAYS:
        raise HoursError(gettext("an exception lasts at most %(count)d days.") % {"count": MAX_EXCEPTION_DAYS})
    hours = day_parsed(match["hours"])
    return {"start": start.isoformat(), "end": end.isoformat(), "hours": [interval.stored() for interval in hours]}


def exceptions_typed(exceptions: list[dict]) -> str:
    """Stored exceptions as the form shows them, one a line."""
    lines = []
    for exception in exceptions:
        span = (
            exception["start"]
            if exception["start"] == exception["end"]
            else f"{exception['start']} to {exception['end']}"
        )
        lines.append(f"{span}: {day_typed(exception['hours']) or 'closed'}")
    return "\n".join(lines)


# ---- the stored shapes ----


def _intervals(stored: object) -> list[Interval]:
    """A stored day's intervals, checked: HoursError unless they are what day_parsed() stores."""
    if not isinstance(stored, list):
        raise HoursError("A day's hours are a list of intervals.")
    intervals = []
    for item in stored:
        if not isinstance(item, dict) or set(item) != {"opens", "closes"}:
            raise HoursError('Each interval is {"opens": "HH:MM", "closes": "HH:MM"}.')
        if not all(isinstance(item[key], str) and _STORED_CLOCK.match(item[key]) for key in item):
            raise HoursError('Times are written "HH:MM", e.g. "09:00".')
        opens, closes = (_time_typed(item[key], closing=key == "closes") for key in ("opens", "closes"))
        if closes <= opens:
            raise HoursError(f"{item['opens']}-{item['closes']} closes before it opens (no overnight hours).")
        intervals.append(Interval(opens, closes))
    joined = _joined(intervals)
    if joined != intervals:
        raise HoursError("Intervals are sorted and apart.")
    return intervals


def opening_hours_checked(value: object) -> dict:
    """The stored week, checked (HoursError otherwise) and with every day present when any has hours."""
    if not isinstance(value, dict) or not set(value) <= set(DAYS):
        raise HoursError(f"Opening hours are keyed by day: {', '.join(DAYS)}.")
    return week_from_days({day: _intervals(value.get(day, [])) for day in DAYS})


def hours_exceptions_checked(value: object) -> list[dict]:
    """The stored exceptions, checked (HoursError otherwise): read back through exceptions_parsed()."""
    if not isinstance(value, list) or not all(
        isinstance(item, dict) and set(item) == {"start", "end", "hours"} for item in value
    ):
        raise HoursError('Exceptions are a list of {"start", "end", "hours"}.')
    for item in value:
        _intervals(item["hours"])
    return exceptions_parsed(exceptions_typed(value))


# ---- reading the stored shapes ----


def _week(opening_hours: dict) -> dict[str, list[Interval]]:
    return {day: _intervals(opening_hours.get(day, [])) for day in DAYS}


def _exception_on(exceptions: list[dict], day: date) -> dict | None:
    iso = day.isoformat()
    return next((item for item in exceptions if item["start"] <= iso <= item["end"]), None)


def _intervals_on(week: dict[str, list[Interval]], exceptions: list[dict], day: date) -> list[Interval]:
    exception = _exception_on(exceptions, day)
    return _intervals(exception["hours"]) if exception else week[DAYS[day.weekday()]]


def local_now(zone: str, instant: datetime) -> datetime:
    """The wall clock at the location at `instant` (an aware datetime)."""
    return instant.astimezone(ZoneInfo(zone))


def status_at(opening_hours: dict, exceptions: list[dict], zone: str, instant: datetime) -> str | None:
    """ "Open now, closes 5:30 pm", "Closed, opens Tue 9:00 am" or "Closed today (holiday)" at `instant`, read on
    the location's own clock; None for a location that says nothing about its hours. The browser computes the
    same (directory/static/directory/opening-hours.js): a page never carries a status that would go stale."""
    if not opening_hours:
        return None
    week, now = _week(opening_hours), local_now(zone, instant)
    today, minute = now.date(), now.hour * 60 + now.minute
    current = next((i for i in _intervals_on(week, exceptions, today) if i.opens <= minute < i.closes), None)
    if current is not None:
        return "Open now, " + _closing(week, exceptions, today, current)
    exception = _exception_on(exceptions, today)
    if exception is not None and not exception["hours"]:
        return "Closed today (holiday)"
    for ahead in range(LOOKAHEAD_DAYS + 1):
        day = today + timedelta(days=ahead)
        later = [i for i in _intervals_on(week, exceptions, day) if ahead or i.opens > minute]
        if later:
            return f"Closed, opens {_when(ahead, day)}{time_shown(later[0].opens)}"
    return "Closed"


def _closing(week: dict[str, list[Interval]], exceptions: list[dict], today: date, current: Interval) -> str:
    """When the clinic closes, following intervals that run on past midnight into the next day."""
    closes, ahead = current.closes, 0
    while closes == MIDNIGHT and ahead < 7:
        following = _intervals_on(week, exceptions, today + timedelta(days=ahead + 1))
        if not following or following[0].opens != 0:
            break
        closes, ahead = following[0].closes, ahead + 1
    if closes == MIDNIGHT and ahead == 7:
        return "open all week"
    return f"closes {_when(ahead, today + timedelta(days=ahead))}{time_shown(closes)}"


def _when(ahead: int, day: date) -> str:
    """ "" today, "Tue " within a week, "Jan 3 " further."""
    if ahead == 0:
        return ""
    if ahead < 7:
        return f"{DAY_ABBREVIATIONS[day.weekday()]} "
    return f"{day:%b} {day.day} "


# ---- shown on the profile, the desk's diff and in JSON-LD ----


@dataclass(frozen=True)
class DayShown:
    day: str  # "monday"
    name: str  # "Monday"
    hours: str  # "9:00 am-12:30 pm, 2:00 pm-6:00 pm" or "Closed"
    today: bool

    @property
    def intervals(self) -> list[str]:
        """The day's intervals one by one ("9:00 am-12:30 pm"), or ["Closed"]: the profile keeps each unbroken."""
        return self.hours.split(", ")


@dataclass(frozen=True)
class ExceptionShown:
    dates: str  # "Dec 24, 2026 - Jan 2, 2027"
    hours: str  # "Closed" or "9:00 am-12:00 pm"


def _day_shown(intervals: list[Interval]) -> str:
    return ", ".join(interval.shown() for interval in intervals) or gettext("Closed")


def week_shown(opening_hours: dict, today: date | None = None) -> list[DayShown]:
    """The week, Monday first, `today` marked; [] for a location that says nothing about its hours."""
    if not opening_hours:
        return []
    week = _week(opening_hours)
    weekday = None if today is None else today.weekday()
    # Django's catalogue names the days in the active language (WEEKDAYS: Monday is 0, as here).
    return [
        DayShown(day, str(WEEKDAYS[index]), _day_shown(week[day]), index == weekday) for index, day in enumerate(DAYS)
    ]


def _date_shown(day: str) -> str:
    value = date.fromisoformat(day)
    if not in_english():
        return first_of_the_month_written(formats.date_format(value), value.day)  # "24 décembre 2026", "1er janvier"
    return f"{value:%b} {value.day}, {value.year}"


def exceptions_shown(exceptions: list[dict], today: date | None = None) -> list[ExceptionShown]:
    """The exceptions not yet over on `today` (all of them without it), in date order."""
    shown = []
    for item in sorted(exceptions, key=lambda item: item["start"]):
        if today is not None and item["end"] < today.isoformat():
            continue
        dates = _date_shown(item["start"])
        if item["end"] != item["start"]:
            dates += f" {DASH} {_date_shown(item['end'])}"
        shown.append(ExceptionShown(dates, _day_shown(_intervals(item["hours"]))))
    return shown


def week_in_words(opening_hours: dict) -> str:
    """The week on one line, as the desk's diff shows it: "Mon 9:00 am-12:30 pm; ...; Sun closed"."""
    if not opening_hours:
        return "Not given"
    week = _week(opening_hours)
    return "; ".join(
        f"{DAY_ABBREVIATIONS[index]} {_day_shown(week[day]).replace('Closed', 'closed')}"
        for index, day in enumerate(DAYS)
    )


def exceptions_in_words(exceptions: list[dict]) -> str:
    """The exceptions on one line: "Dec 24, 2026 - Jan 2, 2027 closed; Dec 31, 2026 9:00 am-12:00 pm"."""
    return "; ".join(f"{item.dates} {item.hours.replace('Closed', 'closed')}" for item in exceptions_shown(exceptions))


def _schema_time(minutes: int) -> str:
    # schema.org's Time has no 24:00; search engines read 23:59 as "until midnight".
    return "23:59" if minutes == MIDNIGHT else _clock(minutes)


def opening_hours_specification(opening_hours: dict, exceptions: list[dict]) -> list[dict]:
    """schema.org OpeningHoursSpecification items: the week (days sharing an interval grouped), then each
    exception with validFrom/validThrough (a closed one as opens = closes = 00:00, as search engines read it)."""
    if not opening_hours:
        return []
    days_of: dict[Interval, list[str]] = {}
    for index, intervals in enumerate(_week(opening_hours).values()):
        for interval in intervals:
            days_of.setdefault(interval, []).append(f"https://schema.org/{DAY_NAMES[index]}")
    items = [
        {"@type": "OpeningHoursSpecification", "dayOfWeek": days, "opens": _clock(interval.opens),
         "closes": _schema_time(interval.closes)}
        for interval, days in sorted(days_of.items())
    ]  # fmt: skip
    for item in exceptions:
        span = {"validFrom": item["start"], "validThrough": item["end"]}
        intervals = _intervals(item["hours"]) or [Interval(0, 0)]
        items.extend(
            {"@type": "OpeningHoursSpecification", "opens": _clock(interval.opens),
             "closes": _schema_time(interval.closes), **span}
            for interval in intervals
        )  # fmt: skip
    return items


def week_in_order(opening_hours: dict) -> dict | None:
    """The stored week Monday first (PostgreSQL's jsonb keeps keys in its own order); None when it says nothing."""
    return {day: opening_hours.get(day, []) for day in DAYS} if opening_hours else None


def hours_data(opening_hours: dict, exceptions: list[dict], zone: str) -> dict | None:
    """What the browser needs to say whether a location is open: None when it says nothing about hours."""
    if not opening_hours or not zone:
        return None
    return {"zone": zone, "week": opening_hours, "exceptions": exceptions}
