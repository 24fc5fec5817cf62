"""Photos of a listing, from its owner's side: a portrait and up to six photos per location, uploaded, given alt
text, changed and removed on /practice/<pk>/photos/. Each waits for a moderator before patients see it.

Forms and views of this one feature sit together here, as practice/questions.py does, so the feature grows
without touching the modules other work is changing; the files are read by practice.uploads and written by
practice.services."""

from __future__ import annotations

from allauth.account.decorators import verified_email_required
from allauth.core import ratelimit
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from directory.models import Location, Photo, Practitioner
from practice import services
from practice.uploads import EncodedImage, photo_read
from practice.views import owned_listing

PORTRAIT = "portrait"
ALT_TEXT_MAX = Photo._meta.get_field("alt_text").max_length

# ---------------------------------------------------------------------------------------------------- forms


def _alt_text_field() -> forms.CharField:
    return forms.CharField(
        label=_("Alt text"),
        max_length=ALT_TEXT_MAX,
        help_text=format_lazy(
            _(
                "What the photo shows, for patients who cannot see it (at most {count} characters), e.g. "
                "“Dr. Atlas smiling at the front desk”."
            ),
            count=ALT_TEXT_MAX,
        ),
    )


class PhotoForm(forms.Form):
    """A photo to upload: where it goes (the portrait or one of the listing's locations), its alt text, the file."""

    place = forms.ChoiceField(label=_("This photo is"), widget=forms.RadioSelect)
    alt_text = _alt_text_field()
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_(
            "JPEG, PNG, WebP or HEIC, at most 10 MB and 40 million pixels. We remove its metadata (where and "
            "when it was taken) and keep it in three sizes."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,.heic"}),
    )

    def __init__(self, *args: object, locations: list[Location], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.locations = {str(location.pk): location for location in locations}
        self.fields["place"].choices = [(PORTRAIT, _("Your portrait"))] + [
            (key, _("A photo of location %(number)s: %(location)s") % {"number": number, "location": location})
            for number, (key, location) in enumerate(self.locations.items(), start=1)
        ]
        self.fields["place"].initial = PORTRAIT

    def clean_photo(self) -> dict[str, EncodedImage]:
        return photo_read(self.cleaned_data["photo"])

    @property
    def location(self) -> Location | None:
        return self.locations.get(self.cleaned_data["place"])


class AltTextForm(forms.Form):
    alt_text = _alt_text_field()


# ---------------------------------------------------------------------------------------------------- views


def _photos_page(
    request: HttpRequest, practitioner: Practitioner, form: PhotoForm, *, status: int = 200
) -> HttpResponse:
    locations = list(practitioner.locations.order_by("pk"))
    photos = list(practitioner.photos.order_by("position", "pk"))
    for location in locations:
        location.own_photos = [photo for photo in photos if photo.location_id == location.pk]
    context = {
        "practitioner": practitioner,
        "portraits": [photo for photo in photos if photo.is_portrait],
        "locations": locations,
        "form": form,
        "per_location": services.PHOTOS_PER_LOCATION,
    }
    return render(request, "practice/photos.html", context, status=status)


def _owned_photo(request: HttpRequest, pk: int, photo_pk: int) -> tuple[Practitioner, Photo]:
    practitioner = owned_listing(request, pk)
    return practitioner, get_object_or_404(Photo.objects.select_related("location"), pk=photo_pk,
                                           practitioner=practitioner)  # fmt: skip


@verified_email_required
def photos(request: HttpRequest, pk: int) -> HttpResponse:
    """The listing's photos with their review status, and the form that uploads one."""
    practitioner = owned_listing(request, pk)
    locations = list(practitioner.locations.order_by("pk"))
    if request.method != "POST":
        return _photos_page(request, practitioner, PhotoForm(locations=locations))
    if not ratelimit.consume(request, action="photo", user=request.user):
        return ratelimit.respond_429(request)
    form = PhotoForm(request.POST, request.FILES, locations=locations)
    if not form.is_valid():
        return _photos_page(request, practitioner, form, status=400)
    try:
        services.photo_add(
            practitioner=practitioner,
            location=form.location,
            alt_text=form.cleaned_data["alt_text"],
            renditions=form.cleaned_data["photo"],
            uploaded_by=request.user,
        )
    except services.PhotoRefused as refused:
        form.add_error("place", str(refused))
        return _photos_page(request, practitioner, form, status=400)
    messages.success(request, _("The photo is saved and waits for a moderator; patients see it once approved."))
    return redirect("practice:photos", pk=practitioner.pk)


@verified_email_required
@require_POST
def photo_alt_text(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    """New alt text sends the photo back to review (an approved one is hidden from patients until then)."""
    practitioner, photo = _owned_photo(request, pk, photo_pk)
    form = AltTextForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Alt text: %(errors)s") % {"errors": " ".join(form.errors["alt_text"])})
        return redirect("practice:photos", pk=practitioner.pk)
    try:
        services.photo_alt_change(photo=photo, alt_text=form.cleaned_data["alt_text"])
    except services.PhotoRefused as refused:
        messages.error(request, str(refused))
        return redirect("practice:photos", pk=practitioner.pk)
    messages.success(request, _("The alt text is saved; the photo waits for a moderator again."))
    return redirect("practice:photos", pk=practitioner.pk)


@verified_email_required
@require_POST
def photo_remove(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    practitioner, photo = _owned_photo(request, pk, photo_pk)
    services.photo_remove(photo=photo)
    messages.success(request, _("The photo “%(alt_text)s” is removed.") % {"alt_text": photo.alt_text})
    return redirect("practice:photos", pk=practitioner.pk)
