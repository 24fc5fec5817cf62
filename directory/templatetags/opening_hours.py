"""A location's opening hours on the profile and the result card (directory.hours). The pages carry the hours,
never whether the clinic is open: the browser says that (directory/static/directory/opening-hours.js), so a
cached page does not go stale."""

import json

from django import template
from django.utils import timezone

from directory.hours import DayShown, ExceptionShown, exceptions_shown, hours_data, local_now, week_shown
from directory.models import Location

register = template.Library()


def _today(location: Location) -> object:
    """Today on the clinic's own clock (the server's zone when the location has none yet)."""
    now = timezone.now()
    return (local_now(location.time_zone, now) if location.time_zone else timezone.localtime(now)).date()


@register.filter
def hours_json(location: Location) -> str:
    """What opening-hours.js reads (the zone, the week, the exceptions), as JSON; "" without hours."""
    data = hours_data(location.opening_hours, location.hours_exceptions, location.time_zone)
    return "" if data is None else json.dumps(data, separators=(",", ":"))


@register.filter
def week_of(location: Location) -> list[DayShown]:
    """The week, Monday first, today at the clinic marked; [] for a location that says nothing about hours."""
    return week_shown(location.opening_hours, _today(location))


@register.filter
def exceptions_upcoming(location: Location) -> list[ExceptionShown]:
    """The exceptions not yet over at the clinic, in date order."""
    return exceptions_shown(location.hours_exceptions, _today(location))
