import re

from django import template

from directory.geo import to_unit

register = template.Library()


@register.filter
def in_unit(kilometres: float | None, unit: str) -> float | None:
    """A distance in km shown in the patient's unit (mi or km)."""
    return None if kilometres is None else to_unit(kilometres, unit)


@register.filter
def phone_link(phone: str) -> str:
    """The digits of a phone number (with a leading +) for a tel: link."""
    return re.sub(r"[^\d+]", "", phone or "")


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters replaced, for pagination links."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()
