"""The practitioner's area. Thin views: every listing is fetched through owned_listing(), scoped to the user."""

from __future__ import annotations

from allauth.account.decorators import verified_email_required
from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts.emails import has_verified_email
from directory.languages import language_codes
from directory.models import Location, Practitioner, Training
from practice import services
from practice.forms import (
    AccountCloseForm,
    ClaimForm,
    ListingForm,
    LocationFormSet,
    NpiLookupForm,
    TrainingForm,
    training_body_suggestions,
)
from practice.listing import ADDRESS_FIELDS, PRACTITIONER_FIELDS, listing_changes, listing_values, listing_version
from practice.models import Claim, OnClosing, Revision
from practice.personal_data import personal_data

ADD_LOCATION = "add_location"
_TRAINING_SAVED = gettext_lazy("%(technique)s training is saved and waits for a moderator to verify it.")


def owned_listing(request: HttpRequest, pk: int) -> Practitioner:
    """The user's own listing, or a 404 (another practitioner's listing does not exist for them)."""
    return get_object_or_404(Practitioner, pk=pk, owner=request.user)


@verified_email_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    pending_revisions = Prefetch("revisions", queryset=Revision.objects.pending(), to_attr="pending_revisions")
    listings = (
        Practitioner.objects.filter(owner=request.user)
        .order_by("name", "pk")
        .prefetch_related(Prefetch("locations", queryset=Location.objects.order_by("pk")), pending_revisions)
    )
    claims = Claim.objects.pending().filter(claimant=request.user).select_related("practitioner")
    return render(request, "practice/dashboard.html", {"listings": listings, "claims": claims})


def _initial(values: dict, accepting_new_patients: bool) -> tuple[dict, list[dict]]:
    """Form initial data from a listing in the proposal's shape (live, or a pending revision)."""
    listing = {**values["practitioner"], "techniques": values["techniques"]}
    listing["accepting_new_patients"] = accepting_new_patients
    listing["languages"] = language_codes(listing.get("languages", ""))
    locations = []
    for location in values["locations"]:
        initial = {**location, "shown_at": (location["latitude"], location["longitude"])}
        if location["placement"] != Location.Placement.PIN:
            # Coordinates found from the address are found again from it, so a changed address moves the pin.
            initial["latitude"] = initial["longitude"] = None
        locations.append(initial)
    return listing, locations


def _with_another_location(request: HttpRequest) -> tuple[ListingForm, LocationFormSet]:
    """The submitted values, unvalidated, with one more empty location: "add another location" without script."""
    listing = ListingForm(request.POST)
    submitted = LocationFormSet(request.POST, prefix="locations")
    locations = [
        {name: form[name].data for name in form.fields}
        for form in submitted.forms
        if form.has_changed() or form["id"].data
    ]
    listing_form = ListingForm(initial={name: listing[name].data for name in listing.fields})
    with_another = LocationFormSet(initial=locations, prefix="locations")
    with_another.extra = 1
    return listing_form, with_another


def _mark_pins(locations: LocationFormSet) -> None:
    """Where each location's map starts: the pin typed or dragged, else where the location is now."""
    for form in locations.forms:
        latitude, longitude = form["latitude"].value(), form["longitude"].value()
        if latitude not in (None, "") and longitude not in (None, ""):
            form.pin, form.pin_placement = (latitude, longitude), Location.Placement.PIN
        else:
            form.pin, form.pin_placement = form.initial.get("shown_at", (None, None)), form.initial.get("placement")


def _listing_page(
    request: HttpRequest,
    form: ListingForm,
    locations: LocationFormSet,
    practitioner: Practitioner | None = None,
    pending: Revision | None = None,
    status: int = 200,
) -> HttpResponse:
    _mark_pins(locations)
    context = {"form": form, "locations": locations, "practitioner": practitioner, "pending": pending}
    return render(request, "practice/listing_form.html", context, status=status)


def _proposed(form: ListingForm, locations: LocationFormSet, practitioner: Practitioner | None) -> dict:
    own = set(practitioner.locations.values_list("pk", flat=True)) if practitioner else set()
    proposed_locations = []
    for values in locations.location_values():
        if values["id"] not in own:
            values["id"] = None  # a location id that is not this listing's is a new location
        proposed_locations.append(values)
    return {
        "practitioner": form.practitioner_values(),
        "techniques": form.technique_ids(),
        "locations": proposed_locations,
    }


@verified_email_required
def listing_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _listing_page(request, ListingForm(), LocationFormSet(prefix="locations"))
    if ADD_LOCATION in request.POST:
        return _listing_page(request, *_with_another_location(request))
    form, locations = ListingForm(request.POST), LocationFormSet(request.POST, prefix="locations")
    if not (form.is_valid() and locations.is_valid()):
        return _listing_page(request, form, locations, status=400)
    practitioner = services.listing_create(
        owner=request.user,
        proposed=_proposed(form, locations, None),
        accepting_new_patients=form.cleaned_data["accepting_new_patients"],
    )
    messages.success(
        request,
        _("%(name)s is saved and waiting for review.") % {"name": practitioner.display_name}
        + _placement_note(practitioner),
    )
    return redirect("practice:dashboard")


@verified_email_required
def listing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    practitioner = owned_listing(request, pk)
    pending = Revision.objects.pending().filter(practitioner=practitioner).first()
    if request.method != "POST":
        listing, location_initial = _initial(
            pending.proposed if pending else listing_values(practitioner), practitioner.accepting_new_patients
        )
        listing["based_on"] = listing_version(practitioner, pending.pk if pending else None)
        form, locations = ListingForm(initial=listing), LocationFormSet(initial=location_initial, prefix="locations")
        return _listing_page(request, form, locations, practitioner, pending)
    if ADD_LOCATION in request.POST:
        return _listing_page(request, *_with_another_location(request), practitioner, pending)
    form = ListingForm(request.POST, listing_pk=practitioner.pk)
    locations = LocationFormSet(request.POST, prefix="locations")
    if not (form.is_valid() and locations.is_valid()):
        return _listing_page(request, form, locations, practitioner, pending, status=400)
    proposed = _proposed(form, locations, practitioner)
    try:
        revision = services.listing_edit(
            practitioner=practitioner,
            editor=request.user,
            proposed=proposed,
            accepting_new_patients=form.cleaned_data["accepting_new_patients"],
            based_on=form.cleaned_data["based_on"] or None,
        )
    except services.ListingChanged:
        return _changed_meanwhile(request, form, locations, practitioner, proposed)
    practitioner.refresh_from_db()
    if revision is not None:
        messages.success(
            request, _("Your changes are waiting for review; patients see the published listing until then.")
        )
    elif practitioner.status == Practitioner.Status.PUBLISHED:
        messages.success(request, _("Saved. Nothing else changed, so nothing needs review."))
    else:
        messages.success(request, _("Saved; the listing is waiting for review.") + _placement_note(practitioner))
    return redirect("practice:dashboard")


def _changed_meanwhile(
    request: HttpRequest, form: ListingForm, locations: LocationFormSet, practitioner: Practitioner, proposed: dict
) -> HttpResponse:
    """The listing changed after the form was filled: nothing was saved. The owner's values stay in the form,
    which now carries the current version, with the lines where the listing now differs from them (409)."""
    practitioner.refresh_from_db()
    pending = Revision.objects.pending().filter(practitioner=practitioner).first()
    data = request.POST.copy()
    data["based_on"] = listing_version(practitioner, pending.pk if pending else None)
    form.data = data
    current = pending.proposed if pending else listing_values(practitioner)
    # The rows name fields as the model does ("Bio"); the owner's form calls some otherwise ("About").
    labels = {
        capfirst(Practitioner._meta.get_field(name).verbose_name): str(field.label)
        for name, field in ListingForm.base_fields.items()
        if name in PRACTITIONER_FIELDS
    }
    changes = listing_changes(proposed, current, location_fields=ADDRESS_FIELDS)
    empty = _("(empty)")
    changed = [f"{labels.get(what, what)}: {now or empty}" for what, _before, now in changes]
    _mark_pins(locations)
    context = {"form": form, "locations": locations, "practitioner": practitioner, "pending": pending,
               "changed": changed}  # fmt: skip
    return render(request, "practice/listing_form.html", context, status=409)


def _placement_note(practitioner: Practitioner) -> str:
    if any(location.is_approximate for location in practitioner.locations.all()):
        # A sentence following another: it begins with the space between them.
        return " " + _(
            "A pin is only approximate (at the centre of its postal code): edit the listing to drag it to your door."
        )
    return " "


@verified_email_required
@require_POST
def listing_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    practitioner = owned_listing(request, pk)
    services.listing_confirm(practitioner=practitioner)
    messages.success(
        request, _("Thank you: %(name)s is marked as still correct today.") % {"name": practitioner.display_name}
    )
    return redirect("practice:dashboard")


def _form_answer(request: HttpRequest, template: str, context: dict, *, limit: str) -> HttpResponse | None:
    """The page's answer, unless a valid form (context["form"]) was posted within the account's rate limit for
    `limit`: the empty form, a 429, or the form with its errors (400). None means: act on the form."""
    if request.method != "POST":
        return render(request, template, context)
    if not ratelimit.consume(request, action=limit, user=request.user):
        return ratelimit.respond_429(request)
    if not context["form"].is_valid():
        return render(request, template, context, status=400)
    return None


@verified_email_required
def claim_by_npi(request: HttpRequest) -> HttpResponse:
    """Finds, by NPI, the listing someone may claim (one seeded from the NPI registry, or a published one)."""
    form = NpiLookupForm(request.POST if request.method == "POST" else None)
    context = {"form": form}
    if (answer := _form_answer(request, "practice/claim_by_npi.html", context, limit="npi_lookup")) is not None:
        return answer
    npi = form.cleaned_data["npi"]
    found = Practitioner.objects.claimable().filter(npi=npi).first()
    if found is None:
        form.add_error("npi", _("No listing you can claim has this NPI. List your practice instead: it is free."))
        return render(request, "practice/claim_by_npi.html", {**context, "not_found": True}, status=404)
    return redirect(reverse("practice:claim", kwargs={"pk": found.pk, "slug": found.slug}) + f"?npi={npi}")


@verified_email_required
def claim(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    practitioner = get_object_or_404(Practitioner.objects.claimable(), pk=pk)
    if practitioner.owner_id == request.user.pk:
        messages.info(request, _("You already manage this listing."))
        return redirect("practice:dashboard")
    email_matches = has_verified_email(request.user, practitioner.email)
    initial = {"npi": request.GET.get("npi", "")[:20]}
    form = ClaimForm(request.POST if request.method == "POST" else None, initial=initial)
    location = practitioner.locations.order_by("pk").first()
    context = {"practitioner": practitioner, "form": form, "email_matches": email_matches, "location": location}
    if (answer := _form_answer(request, "practice/claim_form.html", context, limit="claim")) is not None:
        return answer
    claimed = services.claim_submit(
        practitioner=practitioner,
        claimant=request.user,
        note=form.cleaned_data["note"],
        npi=form.cleaned_data["npi"],
        email_verified=email_matches,
    )
    if claimed.status == Claim.Status.APPROVED:
        messages.success(
            request,
            _("You now manage %(name)s: your verified e-mail matched it.") % {"name": practitioner.display_name},
        )
    else:
        messages.success(
            request, _("Your claim of %(name)s is waiting for review.") % {"name": practitioner.display_name}
        )
    return redirect("practice:dashboard")


@verified_email_required
@require_safe
@never_cache
def account_data(request: HttpRequest) -> HttpResponse:
    """Everything the directory holds about the signed-in account, as a JSON file to keep."""
    response = JsonResponse(
        personal_data(user=request.user), encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2}
    )
    name = f"upper-cervical-directory-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@verified_email_required
def account_close(request: HttpRequest) -> HttpResponse:
    listings = list(Practitioner.objects.filter(owner=request.user).order_by("name", "pk"))
    form = AccountCloseForm(
        request.POST if request.method == "POST" else None, user=request.user, owns_listings=bool(listings)
    )
    context = {"form": form, "listings": listings}
    if (answer := _form_answer(request, "practice/account_close.html", context, limit="reauthenticate")) is not None:
        return answer
    services.account_close(user=request.user, listings=form.cleaned_data.get("listings", OnClosing.RELEASE))
    logout(request)
    messages.success(request, _("Your account is closed. An e-mail confirms what became of your listings."))
    return redirect("directory:home")


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    """Why and how to list a practice: public, for anyone, signed in or not."""
    return render(request, "practice/about.html", {"review_days": settings.REVIEW_DAYS_TYPICAL})


def _training_page(
    request: HttpRequest, practitioner: Practitioner, form: TrainingForm, *, status: int = 200
) -> HttpResponse:
    records = practitioner.training.select_related("technique").order_by("technique__name", "-year", "pk")
    context = {
        "practitioner": practitioner,
        "records": records,
        "form": form,
        "suggestions": training_body_suggestions(),
        "today": timezone.localdate(),
    }
    return render(request, "practice/training.html", context, status=status)


def _owned_training(request: HttpRequest, pk: int, training_pk: int) -> tuple[Practitioner, Training]:
    practitioner = owned_listing(request, pk)
    return practitioner, get_object_or_404(Training, pk=training_pk, practitioner=practitioner)


@verified_email_required
def training(request: HttpRequest, pk: int) -> HttpResponse:
    """The listing's training records, and the form that adds one."""
    practitioner = owned_listing(request, pk)
    if request.method != "POST":
        return _training_page(request, practitioner, TrainingForm())
    if not ratelimit.consume(request, action="training", user=request.user):
        return ratelimit.respond_429(request)
    form = TrainingForm(request.POST, request.FILES)
    if not form.is_valid():
        return _training_page(request, practitioner, form, status=400)
    record = services.training_add(
        practitioner=practitioner, values=form.record_values(), evidence=form.cleaned_data["evidence"]
    )
    messages.success(request, _TRAINING_SAVED % {"technique": record.technique})
    return redirect("practice:training", pk=practitioner.pk)


@verified_email_required
def training_edit(request: HttpRequest, pk: int, training_pk: int) -> HttpResponse:
    """Changing a record sends it back to verification (a verified one loses its badge until then)."""
    practitioner, record = _owned_training(request, pk, training_pk)
    context = {"practitioner": practitioner, "record": record, "suggestions": training_body_suggestions()}
    if request.method != "POST":
        initial = {name: getattr(record, name) for name in ("body", "level", "year", "certificate_number")}
        initial.update(technique=record.technique_id, expires_on=record.expires_on)
        context["form"] = TrainingForm(initial=initial, evidence_kept=True)
        return render(request, "practice/training_form.html", context)
    if not ratelimit.consume(request, action="training", user=request.user):
        return ratelimit.respond_429(request)
    form = context["form"] = TrainingForm(request.POST, request.FILES, evidence_kept=True)
    if not form.is_valid():
        return render(request, "practice/training_form.html", context, status=400)
    record = services.training_change(
        training=record, values=form.record_values(), evidence=form.cleaned_data["evidence"]
    )
    messages.success(request, _TRAINING_SAVED % {"technique": record.technique})
    return redirect("practice:training", pk=practitioner.pk)


@verified_email_required
@require_POST
def training_remove(request: HttpRequest, pk: int, training_pk: int) -> HttpResponse:
    practitioner, record = _owned_training(request, pk, training_pk)
    services.training_remove(training=record)
    messages.success(
        request,
        _("%(technique)s training (%(level)s) is removed, with its evidence.")
        % {"technique": record.technique, "level": record.level},
    )
    return redirect("practice:training", pk=practitioner.pk)


def may_see_evidence(user: object, record: Training) -> bool:
    """The owner of the listing (with a verified e-mail) and the desk's moderators; nobody else."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff and user.has_perm("directory.view_training"):
        return True
    return record.practitioner.owner_id == user.pk and EmailAddress.objects.filter(user=user, verified=True).exists()


@require_safe
@never_cache
def training_evidence(request: HttpRequest, pk: int, training_pk: int) -> HttpResponse:
    """A record's evidence file, as a download, to its owner and the moderators; a 404 to anyone else (who
    cannot tell whether it exists)."""
    record = get_object_or_404(Training.objects.select_related("practitioner"), pk=training_pk, practitioner_id=pk)
    if not may_see_evidence(request.user, record) or not record.evidence.storage.exists(record.evidence.name):
        raise Http404("No such file.")
    response = FileResponse(
        record.evidence.open("rb"),
        as_attachment=True,
        filename=record.evidence_name,
        content_type=record.evidence_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_cache_control(response, private=True, no_store=True)
    return response
