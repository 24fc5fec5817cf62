"""Writes of the public side (the CSV import has its own module, importing.py)."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from directory.geo import Place
from directory.models import Photo, Training, UnmetDemand


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


def photo_files_delete_on_commit(*, names: list[str]) -> None:
    """Deletes photo files from default_storage once the transaction commits, each unless another photo still
    uses it (names are content hashes: the same picture uploaded twice is one file). Called for every deleted
    Photo row (directory.signals), however it was deleted: by its owner, with its location or its listing, by an
    import or in the admin."""

    def delete() -> None:
        for name in names:
            used = Photo.objects.filter(Q(thumb_name=name) | Q(card_name=name) | Q(full_name=name)).exists()
            if name and not used:
                default_storage.delete(name)

    transaction.on_commit(delete, robust=True)


def evidence_file_delete_on_commit(*, name: str) -> None:
    """Deletes a training record's private evidence file once the transaction that stopped using it commits."""
    if name:
        storage = Training._meta.get_field("evidence").storage
        transaction.on_commit(lambda: storage.delete(name), robust=True)
