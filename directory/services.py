"""Writes of the public side (the CSV import has its own module, importing.py)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from directory.geo import Place
from directory.models import UnmetDemand


def demand_record(*, place: Place) -> None:
    """Counts one search that found nobody within its radius, by the place's coarse area (see Place.coarse)."""
    area, now = place.coarse(), timezone.now()
    counted = UnmetDemand.objects.filter(area=area.label).update(searches=F("searches") + 1, last_seen=now)
    if counted:
        return
    try:
        with transaction.atomic():
            UnmetDemand.objects.create(
                area=area.label,
                latitude=area.point.latitude,
                longitude=area.point.longitude,
                searches=1,
                first_seen=now,
                last_seen=now,
            )
    except IntegrityError:  # another request counted this area first
        UnmetDemand.objects.filter(area=area.label).update(searches=F("searches") + 1, last_seen=now)
