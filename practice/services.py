"""Writes of the practitioner side and of their review. Each is named <entity>_<action>, takes keyword
arguments only, runs in one transaction with the listing's row locked, and tells the owner by e-mail."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.answers import public_version_bump
from directory.models import Location, Photo, Practitioner, Training
from directory.services import evidence_file_delete_on_commit, photo_files_delete_on_commit
from practice.listing import LOCATION_FIELDS, PRACTITIONER_FIELDS, differs, listing_version
from practice.models import Claim, OnClosing, Revision
from practice.notifications import email_send, owner_notify
from practice.signals import account_closing, revisions_withdrawn
from practice.uploads import EncodedImage, Evidence


class ReviewConflict(Exception):
    """Someone else decided first: the item is no longer pending."""


class ListingChanged(Exception):
    """The listing changed after the edit form was filled: saving it would silently undo that change."""


def _locked(practitioner: Practitioner) -> Practitioner:
    return Practitioner.objects.select_for_update().get(pk=practitioner.pk)


def _apply(practitioner: Practitioner, proposed: dict) -> None:
    """Makes the live listing what `proposed` says: fields, techniques, locations (kept, changed, added, removed)."""
    for name in PRACTITIONER_FIELDS:
        # A proposal made before a field existed leaves it as it is.
        setattr(practitioner, name, proposed["practitioner"].get(name, getattr(practitioner, name)))
    practitioner.save()
    practitioner.techniques.set(proposed["techniques"])
    existing = {location.pk: location for location in practitioner.locations.all()}
    kept: set[int] = set()
    for values in proposed["locations"]:
        location = existing.get(values["id"]) if values["id"] is not None else None
        if location is None:
            location = Location(practitioner=practitioner)
        for name in LOCATION_FIELDS:
            # As with the practitioner's fields: a proposal made before a field existed leaves it as it is.
            setattr(location, name, values.get(name, getattr(location, name)))
        location.save()
        kept.add(location.pk)
    practitioner.locations.exclude(pk__in=kept).delete()  # with their photos, whose files go once committed


def listing_create(*, owner: AbstractBaseUser, proposed: dict, accepting_new_patients: bool) -> Practitioner:
    """A new listing, managed by `owner`, pending review."""
    with transaction.atomic():
        practitioner = Practitioner(
            owner=owner,
            status=Practitioner.Status.PENDING,
            accepting_new_patients=accepting_new_patients,
            confirmed_at=timezone.now(),
        )
        _apply(practitioner, proposed)
    return practitioner


def listing_edit(
    *,
    practitioner: Practitioner,
    editor: AbstractBaseUser,
    proposed: dict,
    accepting_new_patients: bool,
    based_on: str | None = None,
) -> Revision | None:
    """Saves an owner's edit. A listing not yet published changes at once (a rejected one goes back to review);
    a published one keeps what patients see and gets a pending revision, replacing any earlier one. "Accepting
    new patients" applies at once either way. Returns the pending revision, if one was made. With `based_on`
    (the listing_version the form was filled from), raises ListingChanged and saves nothing if the listing
    changed since."""
    with transaction.atomic():
        practitioner = _locked(practitioner)
        pending = Revision.objects.select_for_update().pending().filter(practitioner=practitioner).first()
        if based_on is not None and based_on != listing_version(practitioner, pending.pk if pending else None):
            raise ListingChanged(f"{practitioner.display_name} changed after the form was filled.")
        practitioner.accepting_new_patients = accepting_new_patients
        if practitioner.status != Practitioner.Status.PUBLISHED:
            if practitioner.status == Practitioner.Status.REJECTED:
                practitioner.status, practitioner.rejection_reason = Practitioner.Status.PENDING, ""
            _apply(practitioner, proposed)
            return None
        practitioner.save(update_fields=["accepting_new_patients", "updated_at"])
        public_version_bump()
        changes = differs(proposed, practitioner)
        if pending is not None:
            pending.status = Revision.Status.SUPERSEDED if changes else Revision.Status.WITHDRAWN
            pending.save(update_fields=["status"])
        if not changes:
            return None
        return Revision.objects.create(practitioner=practitioner, proposed=proposed, submitted_by=editor)


def listing_confirm(*, practitioner: Practitioner) -> None:
    """The owner says the listing is still correct (which lifts a "not recently confirmed" mark at once)."""
    with transaction.atomic():
        Practitioner.objects.filter(pk=practitioner.pk).update(confirmed_at=timezone.now())
        if Practitioner.objects.filter(pk=practitioner.pk, stale_since__isnull=False).update(stale_since=None):
            public_version_bump()


def _move(practitioner: Practitioner, *, allowed_from: set[str], to: str, template: str, reason: str = "") -> bool:
    """Moves a listing to status `to` (with the reason its owner reads) if it stands in `allowed_from`, and tells
    the owner; what patients see changes, and cached answers retire, exactly when published is on either side."""
    with transaction.atomic():
        practitioner = _locked(practitioner)
        if practitioner.status not in allowed_from:
            return False
        was_public = practitioner.status == Practitioner.Status.PUBLISHED
        practitioner.status, practitioner.rejection_reason = to, reason
        practitioner.save(update_fields=["status", "rejection_reason", "updated_at"])
        if was_public or to == Practitioner.Status.PUBLISHED:
            public_version_bump()
        owner_notify(practitioner=practitioner, template=template, reason=reason)
    return True


def listing_publish(*, practitioner: Practitioner, moderator: AbstractBaseUser) -> bool:
    """Publishes a pending or rejected listing; returns False if it was published already."""
    Status = Practitioner.Status
    return _move(
        practitioner, allowed_from={Status.PENDING, Status.REJECTED}, to=Status.PUBLISHED, template="listing_published"
    )


def listing_reject(*, practitioner: Practitioner, moderator: AbstractBaseUser, reason: str) -> bool:
    """Rejects a pending listing with a reason the owner reads; its data stay. False if it was not pending."""
    Status = Practitioner.Status
    return _move(
        practitioner, allowed_from={Status.PENDING}, to=Status.REJECTED, template="listing_rejected", reason=reason
    )


def listing_unpublish(*, practitioner: Practitioner, moderator: AbstractBaseUser, reason: str) -> bool:
    """Takes a published listing off the directory, at once, with a reason the owner reads; its data stay (the
    owner can correct it and send it back for review). False if it was not published."""
    Status = Practitioner.Status
    return _move(
        practitioner, allowed_from={Status.PUBLISHED}, to=Status.REJECTED, template="listing_unpublished", reason=reason
    )


def _decide(
    item: Revision | Claim, moderator: AbstractBaseUser | None, status: str, reason: str = ""
) -> Revision | Claim:
    locked = type(item).objects.select_for_update().get(pk=item.pk)
    if locked.status != type(item).Status.PENDING:
        raise ReviewConflict(f"{locked} was already decided ({locked.get_status_display().lower()}).")
    locked.status, locked.decided_by, locked.decided_at, locked.reason = status, moderator, timezone.now(), reason
    locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    return locked


def revision_approve(*, revision: Revision, moderator: AbstractBaseUser) -> None:
    """Applies a pending revision to the live listing, all of it or nothing."""
    with transaction.atomic():
        practitioner = _locked(revision.practitioner)
        revision = _decide(revision, moderator, Revision.Status.APPROVED)
        _apply(practitioner, revision.proposed)
        public_version_bump()
        owner_notify(practitioner=practitioner, template="revision_approved")


def revision_reject(*, revision: Revision, moderator: AbstractBaseUser, reason: str) -> None:
    with transaction.atomic():
        practitioner = _locked(revision.practitioner)
        _decide(revision, moderator, Revision.Status.REJECTED, reason)
        owner_notify(practitioner=practitioner, template="revision_rejected", reason=reason)


def _owner_change(practitioner: Practitioner, owner: AbstractBaseUser, actor: AbstractBaseUser | None) -> None:
    """Gives the (locked) listing to `owner`. An edit the previous owner left pending is withdrawn, not inherited:
    the new owner never sees nor publishes someone else's proposal (the revision and an audit entry keep it)."""
    withdrawn = list(Revision.objects.select_for_update().pending().filter(practitioner=practitioner))
    if withdrawn:
        Revision.objects.filter(pk__in=[revision.pk for revision in withdrawn]).update(
            status=Revision.Status.OWNER_CHANGED, decided_at=timezone.now()
        )
        revisions_withdrawn.send(sender=_owner_change, practitioner=practitioner, revisions=withdrawn, actor=actor)
    if practitioner.owner_id is not None and practitioner.owner_id != owner.pk:
        _training_forget(practitioner)
        _photos_forget(practitioner, approved_too=False)  # approved photos stay with the listing
    practitioner.owner = owner


def _training_forget(practitioner: Practitioner) -> None:
    """Deletes the listing's training records and, once committed, their evidence: they were the previous
    owner's, whose certificates the next owner must never open (nor inherit the badges they earned)."""
    records = Training.objects.filter(practitioner=practitioner)
    if records.filter(status=Training.Status.VERIFIED).exists():
        public_version_bump()
    records.delete()  # their files go once committed (directory.signals)


def claim_submit(
    *, practitioner: Practitioner, claimant: AbstractBaseUser, note: str, npi: str, email_verified: bool
) -> Claim:
    """A claim of a listing. Approved at once when the claimant's verified e-mail is the listing's e-mail and
    nobody manages it yet; otherwise it waits for a moderator (a listing's owner is never replaced by a claim
    alone). A second claim by the same person updates the pending one."""
    with transaction.atomic():
        practitioner = _locked(practitioner)
        automatic = email_verified and practitioner.owner_id is None
        claim = Claim.objects.select_for_update().pending().filter(practitioner=practitioner, claimant=claimant)
        claim = claim.first() or Claim(practitioner=practitioner, claimant=claimant)
        claim.note, claim.npi = note, npi
        if automatic:
            claim.status, claim.approved_automatically, claim.decided_at = Claim.Status.APPROVED, True, timezone.now()
            _owner_change(practitioner, claimant, actor=None)
            practitioner.confirmed_at = timezone.now()
            practitioner.save(update_fields=["owner", "confirmed_at", "updated_at"])
        claim.save()
        if automatic:
            _other_claims_close(practitioner, approved=claim, moderator=None)
    return claim


ANOTHER_CLAIM_APPROVED = "Another claim of this listing was approved: the listing has one manager."


def _other_claims_close(
    practitioner: Practitioner, *, approved: Claim, moderator: AbstractBaseUser | None
) -> list[Claim]:
    """Rejects, with the reason their claimants are told, the listing's other pending claims once one is approved:
    a listing has one owner, so of two claims decided at once only one can win."""
    others = Claim.objects.select_for_update().pending().filter(practitioner=practitioner).exclude(pk=approved.pk)
    return [_claim_refuse(other, moderator, ANOTHER_CLAIM_APPROVED) for other in others.select_related("claimant")]


def _claim_refuse(claim: Claim, moderator: AbstractBaseUser | None, reason: str) -> Claim:
    """Decides a pending claim as rejected and tells the claimant why."""
    claim = _decide(claim, moderator, Claim.Status.REJECTED, reason)
    email_send(to=claim.claimant.email, template="claim_rejected",
               context={"practitioner": claim.practitioner, "reason": reason},
               language=claim.claimant.language)  # fmt: skip
    return claim


def claim_approve(*, claim: Claim, moderator: AbstractBaseUser) -> list[Claim]:
    """Makes the claimant the listing's owner (replacing any owner: the moderator has decided), gives a listing
    without an NPI the one the claim gave (_npi_give), and closes the listing's other pending claims. Returns the
    claims it closed."""
    with transaction.atomic():
        practitioner = _locked(claim.practitioner)
        claim = _decide(claim, moderator, Claim.Status.APPROVED)
        if practitioner.owner_id != claim.claimant_id:
            _owner_change(practitioner, claim.claimant, actor=moderator)
        practitioner.save(update_fields=["owner", "updated_at"])
        if claim.npi and not practitioner.npi:
            _npi_give(practitioner, claim.npi)
        owner_notify(practitioner=practitioner, template="claim_approved")
        return _other_claims_close(practitioner, approved=claim, moderator=moderator)


def _npi_give(practitioner: Practitioner, npi: str) -> None:
    """Gives a listing the NPI of its approved claimant (the moderator saw it beside the registry's answer), so
    that the registry import and "claim by NPI" find it; unless another listing has it: two listings of one
    practitioner are for a moderator to merge, not for the approval to fail on the unique NPI."""
    try:
        with transaction.atomic():  # a savepoint: a listing given this NPI meanwhile leaves the approval whole
            if Practitioner.objects.filter(npi=npi).exclude(pk=practitioner.pk).exists():
                return
            practitioner.npi = npi
            practitioner.save(update_fields=["npi"])
    except IntegrityError:
        practitioner.npi = ""


def claim_reject(*, claim: Claim, moderator: AbstractBaseUser, reason: str) -> None:
    with transaction.atomic():
        _claim_refuse(claim, moderator, reason)


ACCOUNT_CLOSED_REASON = "Its owner closed their account and took the listing off the directory."


def account_close(*, user: AbstractBaseUser, listings: str) -> list[Practitioner]:
    """Closes an account for good: its listings are released (unowned) or also unpublished, as `listings`
    (an OnClosing value) says, their pending edits withdrawn; the account, its e-mail addresses and its claims
    are deleted, and the address it had is told. Returns the listings it managed."""
    with transaction.atomic():
        owned = list(Practitioner.objects.select_for_update().filter(owner=user).order_by("pk"))
        before = [(practitioner, practitioner.status) for practitioner in owned]
        for practitioner in owned:
            Revision.objects.pending().filter(practitioner=practitioner).update(status=Revision.Status.WITHDRAWN)
            practitioner.owner = None
            if listings == OnClosing.UNPUBLISH and practitioner.status != Practitioner.Status.REJECTED:
                practitioner.status, practitioner.rejection_reason = Practitioner.Status.REJECTED, ACCOUNT_CLOSED_REASON
            practitioner.save(update_fields=["owner", "status", "rejection_reason", "updated_at"])
        # The training records and their evidence were the account's: they go with it (the files once it is gone).
        for practitioner in owned:
            _training_forget(practitioner)
            _photos_forget(practitioner, approved_too=True)
        if any(status == Practitioner.Status.PUBLISHED for _, status in before):
            public_version_bump()  # a profile's "Is this your practice?" link, or the whole listing, changed
        account_closing.send(sender=account_close, user=user, listings=before)
        email_send(
            to=user.email,
            template="account_closed",
            context={"listings": owned, "unpublished": listings == OnClosing.UNPUBLISH},
            language=user.language,
        )
        user.delete()
    return owned


def _evidence_store(training: Training, evidence: Evidence) -> None:
    """Writes the evidence file and points the (unsaved) record at it."""
    training.evidence.save(f"evidence{evidence.extension}", ContentFile(evidence.content), save=False)
    training.evidence_name = evidence.name or f"evidence{evidence.extension}"
    training.evidence_type, training.evidence_size = evidence.content_type, len(evidence.content)


def training_add(*, practitioner: Practitioner, values: dict, evidence: Evidence) -> Training:
    """A training record of the listing, awaiting a moderator's verification."""
    training = Training(practitioner=practitioner, submitted_at=timezone.now(), **values)
    _evidence_store(training, evidence)
    try:
        with transaction.atomic():
            _locked(practitioner)
            training.save()
    except BaseException:
        training.evidence.storage.delete(training.evidence.name)
        raise
    return training


def training_change(*, training: Training, values: dict, evidence: Evidence | None) -> Training:
    """The owner's change of a record: it waits for verification again, and a verified one loses its badge until
    a moderator verifies it anew. A new evidence file replaces the old one (deleted once saved)."""
    old_file = ""
    if evidence is not None:
        fresh = Training(practitioner_id=training.practitioner_id)
        _evidence_store(fresh, evidence)
    try:
        with transaction.atomic():
            _locked(training.practitioner)
            locked = Training.objects.select_for_update().get(pk=training.pk)
            was_verified = locked.status == Training.Status.VERIFIED
            for name, value in values.items():
                setattr(locked, name, value)
            if evidence is not None:
                old_file = locked.evidence.name
                locked.evidence = fresh.evidence.name
                locked.evidence_name, locked.evidence_type = fresh.evidence_name, fresh.evidence_type
                locked.evidence_size = fresh.evidence_size
            locked.status, locked.submitted_at = Training.Status.PENDING, timezone.now()
            locked.verified_on = locked.verified_until = locked.decided_at = locked.decided_by = None
            locked.reason = ""
            locked.save()
            if was_verified:
                public_version_bump()
            evidence_file_delete_on_commit(name=old_file)
    except BaseException:
        if evidence is not None:
            fresh.evidence.storage.delete(fresh.evidence.name)
        raise
    return locked


def training_remove(*, training: Training) -> None:
    """Deletes the record and, once that is saved, its evidence file."""
    with transaction.atomic():
        _locked(training.practitioner)
        locked = Training.objects.select_for_update().filter(pk=training.pk).first()
        if locked is None:
            return
        if locked.status == Training.Status.VERIFIED:
            public_version_bump()
        locked.delete()  # its file goes once committed (directory.signals)


def _training_decide(training: Training, moderator: AbstractBaseUser | None, **fields: object) -> Training:
    locked = Training.objects.select_for_update().get(pk=training.pk)
    if locked.status != Training.Status.PENDING:
        raise ReviewConflict(f"{locked} was already decided ({locked.get_status_display().lower()}).")
    for name, value in {"decided_by": moderator, "decided_at": timezone.now(), **fields}.items():
        setattr(locked, name, value)
    locked.save()
    return locked


def training_verify(*, training: Training, moderator: AbstractBaseUser, until: date | None = None) -> Training:
    """Verifies a pending record from today until `until` (by default the certificate's expiry, if it has
    one): patients see the badge at once. Tells the owner."""
    with transaction.atomic():
        practitioner = _locked(training.practitioner)
        until = until or training.expires_on
        training = _training_decide(
            training, moderator, status=Training.Status.VERIFIED, verified_on=timezone.localdate(),
            verified_until=until, reason="",
        )  # fmt: skip
        public_version_bump()
        owner_notify(practitioner=practitioner, template="training_verified", training=training)
    return training


def training_reject(*, training: Training, moderator: AbstractBaseUser, reason: str) -> Training:
    """Declines to verify a pending record, with the reason its owner reads; the record stays, to correct."""
    with transaction.atomic():
        practitioner = _locked(training.practitioner)
        training = _training_decide(training, moderator, status=Training.Status.REJECTED, reason=reason)
        owner_notify(practitioner=practitioner, template="training_rejected", training=training, reason=reason)
    return training


class PhotoRefused(Exception):
    """The listing already holds as many photos as it may (six per location, one portrait waiting at a time)."""


PHOTOS_PER_LOCATION = 6


def _photo_store(renditions: dict[str, EncodedImage]) -> dict[str, object]:
    """Writes each size to default_storage under its content hash (once: the same bytes are the same file) and
    returns the Photo fields naming them."""
    fields: dict[str, object] = {}
    for size, image in renditions.items():
        if not default_storage.exists(image.name):
            default_storage.save(image.name, ContentFile(image.content))
        fields.update({f"{size}_name": image.name, f"{size}_width": image.width, f"{size}_height": image.height})
    return fields


def _photo_room_check(practitioner: Practitioner, location: Location | None) -> None:
    photos = Photo.objects.filter(practitioner=practitioner)
    if location is None:
        if photos.portraits().pending().exists():
            raise PhotoRefused(
                _("A portrait is already waiting for review: remove it first, or wait for the decision.")
            )
        return
    if photos.filter(location=location).exclude(status=Photo.Status.REJECTED).count() >= PHOTOS_PER_LOCATION:
        raise PhotoRefused(
            _("%(location)s has %(count)s photos (counting those waiting for review): remove one first.")
            % {"location": location, "count": PHOTOS_PER_LOCATION}
        )


def photo_add(
    *,
    practitioner: Practitioner,
    location: Location | None,
    alt_text: str,
    renditions: dict[str, EncodedImage],
    uploaded_by: AbstractBaseUser,
) -> Photo:
    """A portrait (no `location`) or a photo of one of the listing's locations, waiting for a moderator. Raises
    PhotoRefused, having stored nothing, when the listing has no room for it."""
    fields = _photo_store(renditions)
    try:
        with transaction.atomic():
            _locked(practitioner)
            _photo_room_check(practitioner, location)
            last = Photo.objects.filter(practitioner=practitioner, location=location).aggregate(Max("position"))
            return Photo.objects.create(
                practitioner=practitioner,
                location=location,
                alt_text=alt_text,
                position=(last["position__max"] or 0) + 1,
                uploaded_by=uploaded_by,
                **fields,
            )
    except BaseException:
        photo_files_delete_on_commit(names=[image.name for image in renditions.values()])
        raise


def photo_alt_change(*, photo: Photo, alt_text: str) -> Photo:
    """The owner's new alt text: the photo waits for review again (an approved one leaves patients' pages until
    then, as a changed training record loses its badge). Raises PhotoRefused for an approved portrait while
    another portrait waits."""
    with transaction.atomic():
        _locked(photo.practitioner)
        locked = Photo.objects.select_for_update().get(pk=photo.pk)
        if locked.alt_text == alt_text:
            return locked
        was_approved = locked.status == Photo.Status.APPROVED
        if locked.is_portrait and locked.status != Photo.Status.PENDING:
            _photo_room_check(locked.practitioner, None)
        locked.alt_text, locked.status, locked.submitted_at = alt_text, Photo.Status.PENDING, timezone.now()
        locked.decided_by, locked.decided_at, locked.reason = None, None, ""
        locked.save()
        if was_approved:
            public_version_bump()
    return locked


def photo_remove(*, photo: Photo) -> None:
    """Deletes the photo at once and, once that is saved, its files."""
    with transaction.atomic():
        _locked(photo.practitioner)
        locked = Photo.objects.select_for_update().filter(pk=photo.pk).first()
        if locked is None:
            return
        if locked.status == Photo.Status.APPROVED:
            public_version_bump()
        locked.delete()  # its files go once committed (directory.signals)


def _photo_decide(photo: Photo, moderator: AbstractBaseUser | None, status: str, reason: str = "") -> Photo:
    # Only the photo's row is locked: its location (for the e-mail) is an outer join PostgreSQL cannot lock.
    locked = Photo.objects.select_for_update(of=("self",)).select_related("location").get(pk=photo.pk)
    if locked.status != Photo.Status.PENDING:
        raise ReviewConflict(f"{locked} was already decided ({locked.get_status_display().lower()}).")
    locked.status, locked.decided_by, locked.decided_at, locked.reason = status, moderator, timezone.now(), reason
    locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    return locked


def photo_approve(*, photo: Photo, moderator: AbstractBaseUser) -> Photo:
    """Shows a pending photo to patients; an approved portrait replaces the previous one (its files deleted once
    committed). Tells the owner."""
    with transaction.atomic():
        practitioner = _locked(photo.practitioner)
        if photo.is_portrait:
            # The previous portrait; its files go once committed (directory.signals).
            Photo.objects.portraits().approved().filter(practitioner=practitioner).delete()
        approved = _photo_decide(photo, moderator, Photo.Status.APPROVED)
        public_version_bump()
        owner_notify(practitioner=practitioner, template="photo_approved", photo=approved,
                     listing_published=practitioner.status == Practitioner.Status.PUBLISHED)  # fmt: skip
    return approved


def photo_reject(*, photo: Photo, moderator: AbstractBaseUser, reason: str) -> Photo:
    """Refuses a pending photo, with the reason its owner reads; it stays on their page, to remove."""
    with transaction.atomic():
        practitioner = _locked(photo.practitioner)
        rejected = _photo_decide(photo, moderator, Photo.Status.REJECTED, reason)
        owner_notify(practitioner=practitioner, template="photo_rejected", photo=rejected, reason=reason)
    return rejected


def _photos_forget(practitioner: Practitioner, *, approved_too: bool) -> None:
    """Deletes the listing's photos no moderator approved (and, with `approved_too`, every photo) and, once
    committed, their files."""
    photos = Photo.objects.filter(practitioner=practitioner)
    if not approved_too:
        photos = photos.exclude(status=Photo.Status.APPROVED)
    elif photos.filter(status=Photo.Status.APPROVED).exists():
        public_version_bump()
    photos.delete()  # their files go once committed (directory.signals)
