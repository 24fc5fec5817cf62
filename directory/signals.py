"""Keeps the search grid (directory.grid) in step with every save of what it counts: a practitioner's row (its
status), its locations and its techniques, in the transaction that saves them. Bulk writes, which send no
signals, call grid_refresh() themselves.

And deletes the files of every deleted photo and training record once the deletion commits, whichever way the
row went (its owner, a cascade from its location or listing, an import, the admin)."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from directory.grid import grid_forget, grid_refresh, grid_technique_forget
from directory.models import Location, Photo, Practitioner, Technique, Training
from directory.services import evidence_file_delete_on_commit, photo_files_delete_on_commit


@receiver(post_save, sender=Practitioner, dispatch_uid="grid_practitioner_saved")
def practitioner_saved(sender, instance: Practitioner, raw: bool = False, **kwargs) -> None:
    if not raw:
        grid_refresh(practitioner_ids=[instance.pk])


@receiver(pre_delete, sender=Practitioner, dispatch_uid="grid_practitioner_deleted")
def practitioner_deleted(sender, instance: Practitioner, **kwargs) -> None:
    grid_forget(practitioner_ids=[instance.pk])


@receiver(post_save, sender=Location, dispatch_uid="grid_location_saved")
@receiver(post_delete, sender=Location, dispatch_uid="grid_location_deleted")
def location_changed(sender, instance: Location, raw: bool = False, **kwargs) -> None:
    if not raw:
        grid_refresh(practitioner_ids=[instance.practitioner_id])


@receiver(m2m_changed, sender=Practitioner.techniques.through, dispatch_uid="grid_techniques_changed")
def techniques_changed(sender, instance, action: str, reverse: bool, pk_set: set[int] | None, **kwargs) -> None:
    if action == "pre_clear" and reverse:
        # A technique's practitioners cleared from the technique's side: pk_set is not given then.
        grid_technique_forget(technique_id=instance.pk)
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:
        if action == "post_clear":
            return
        grid_refresh(practitioner_ids=pk_set or [])
    else:
        grid_refresh(practitioner_ids=[instance.pk])


@receiver(pre_delete, sender=Technique, dispatch_uid="grid_technique_deleted")
def technique_deleted(sender, instance: Technique, **kwargs) -> None:
    grid_technique_forget(technique_id=instance.pk)


@receiver(post_delete, sender=Photo, dispatch_uid="photo_files_deleted")
def photo_deleted(sender, instance: Photo, **kwargs) -> None:
    photo_files_delete_on_commit(names=instance.file_names)


@receiver(post_delete, sender=Training, dispatch_uid="evidence_file_deleted")
def training_deleted(sender, instance: Training, **kwargs) -> None:
    evidence_file_delete_on_commit(name=instance.evidence.name)
