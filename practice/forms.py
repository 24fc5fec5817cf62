"""The practitioner's forms: they validate (placing each clinic on the map) and never write."""

from __future__ import annotations

from datetime import date

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from directory.forms import WebsiteField, cleaned_phone
from directory.geo import Point
from directory.hours import (
    DAY_NAMES,
    DAYS,
    HoursError,
    day_parsed,
    day_typed,
    exceptions_parsed,
    exceptions_typed,
    week_from_days,
)
from directory.languages import COMMON_LANGUAGES, language_choices_common_first, languages_stored
from directory.models import Location, Practitioner, Technique
from directory.npi import is_valid_npi
from directory.places import CA_POSTAL_CODE, CA_PROVINCES, US_STATES, US_ZIP, locate_postal_code
from practice.geocoding import Address, AddressNotPlaced, km_between, place_address
from practice.listing import LOCATION_FIELDS, PRACTITIONER_FIELDS
from practice.models import OnClosing
from practice.uploads import Evidence, evidence_read

MAX_LOCATIONS = 10
# A pin dragged farther than this from the clinic's postal code is a slip of the mouse, not the clinic's door.
MAX_PIN_KM_FROM_POSTAL_CODE = 50.0


PAYMENT_FIELDS = ("insurance_plans", "accepts_cash", "accepts_hsa_fsa", "offers_payment_plans", "first_visit_fee")
MAX_PLANS = 30
MAX_PLAN_LENGTH = 100


def technique_choices() -> list[tuple[int, str]]:
    return list(Technique.objects.order_by("name").values_list("pk", "name"))


class FoldedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes of which the first `shown` are in view and the others folded under `more` (a <details>, open
    where one of them is ticked), as templates/_field.html lays them out: the 91 languages, all in view, made the
    new-listing form 10,893 px tall on a 360 px phone (7,301 with 75 of them folded)."""

    def __init__(self, *, shown: int, more: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.shown, self.more = shown, more


class ListingForm(forms.Form):
    """The practitioner's own values; the locations come in LocationFormSet."""

    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("As patients know you, e.g. Dr. Ada Atlas."))
    credentials = forms.CharField(
        label=_("Credentials"), max_length=100, required=False, help_text=_("For example DC.")
    )
    npi = forms.CharField(
        label=_("NPI (optional)"),
        max_length=20,
        required=False,
        help_text=_(
            "Your 10-digit National Provider Identifier, if you practise in the United States. Moderators "
            "check it against the national NPI registry; patients do not see it."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_(
            "Patients' questions from your profile are sent here; the address itself is shown only when "
            "the question form is off or you choose to show it (Questions from patients, on your practice page)."
        ),
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    website = WebsiteField(label=_("Website"), max_length=200, required=False)
    bio = forms.CharField(label=_("About"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    accepting_new_patients = forms.BooleanField(label=_("Accepting new patients"), required=False, initial=True)
    # Choices rather than a queryset: a posted value is checked against the list, never sent to the database
    # (where a 400-digit "id" would overflow its integer column).
    techniques = forms.TypedMultipleChoiceField(
        label=_("Techniques"),
        choices=technique_choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=language_choices_common_first,
        required=False,
        widget=FoldedCheckboxes(shown=len(COMMON_LANGUAGES), more=_("More languages")),
        help_text=_("Patients can search for a practitioner who speaks their language."),
    )
    insurance_plans = forms.CharField(
        label=_("Insurance plans accepted"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line, as patients know them: for example Medicare, Blue Cross Blue Shield, Aetna, "
            "Cigna, UnitedHealthcare; in Canada Sun Life, Manulife, Canada Life."
        ),
    )
    accepts_cash = forms.BooleanField(label=_("Cash or card without insurance"), required=False)
    accepts_hsa_fsa = forms.BooleanField(label=_("HSA or FSA cards"), required=False)
    offers_payment_plans = forms.BooleanField(label=_("Payment plans"), required=False)
    first_visit_fee = forms.IntegerField(
        label=_("First visit fee (optional)"),
        required=False,
        min_value=0,
        max_value=10_000,
        help_text=_("In whole dollars (Canadian for a practice in Canada), for a new patient's first visit."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    # The version of the listing the form was filled from (practice.listing.listing_version); empty for a new one.
    based_on = forms.CharField(required=False, widget=forms.HiddenInput)  # any other value is simply a mismatch

    def __init__(self, *args: object, listing_pk: int | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.listing_pk = listing_pk

    def clean_phone(self) -> str:
        return cleaned_phone(self.cleaned_data["phone"])

    def clean_npi(self) -> str:
        npi = "".join(self.cleaned_data["npi"].split())
        if not npi:
            return ""
        if not is_valid_npi(npi):
            raise forms.ValidationError(_("An NPI has 10 digits and a valid check digit; check it and try again."))
        if Practitioner.objects.filter(npi=npi).exclude(pk=self.listing_pk).exists():
            raise forms.ValidationError(
                _(
                    "Another listing has this NPI. If it is your practice, claim that listing instead: "
                    '"Find your listing by NPI" on your practice page.'
                )
            )
        return npi

    def clean_languages(self) -> str:
        return languages_stored(self.cleaned_data["languages"])

    def clean_insurance_plans(self) -> str:
        """One plan a line, each once (ignoring case and spacing), without empty lines."""
        plans: dict[str, str] = {}
        for line in self.cleaned_data["insurance_plans"].splitlines():
            plan = " ".join(line.split())
            if len(plan) > MAX_PLAN_LENGTH:
                raise forms.ValidationError(
                    _("Keep each plan to %(count)s characters: one plan a line.") % {"count": MAX_PLAN_LENGTH}
                )
            if plan:
                plans.setdefault(plan.casefold(), plan)
        if len(plans) > MAX_PLANS:
            raise forms.ValidationError(_("List at most %(count)s plans.") % {"count": MAX_PLANS})
        return "\n".join(plans.values())

    def payment_fields(self) -> list[forms.BoundField]:
        """The fields the form shows under "Payment"; the others stay under "Practitioner"."""
        return [self[name] for name in PAYMENT_FIELDS]

    def practitioner_fields(self) -> list[forms.BoundField]:
        return [field for field in self.visible_fields() if field.name not in PAYMENT_FIELDS]

    def practitioner_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in PRACTITIONER_FIELDS}

    def technique_ids(self) -> list[int]:
        return sorted(set(self.cleaned_data["techniques"]))


class LocationForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    clinic_name = forms.CharField(label=_("Clinic name"), max_length=200, required=False)
    address_line1 = forms.CharField(label=_("Address"), max_length=200, help_text=_("Street and number."))
    city = forms.CharField(label=_("City"), max_length=100)
    state = forms.CharField(label=_("State or province"), max_length=50, help_text=_("Two letters, e.g. MA or ON."))
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    country = forms.ChoiceField(label=_("Country"), choices=Location.Country.choices, initial=Location.Country.US)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False, help_text=_("If it differs from yours."))
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    hours_exceptions = forms.CharField(
        label=_("Holidays and other exceptions"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One a line: a date or a span of dates (YYYY-MM-DD), a colon, then the hours that day or "
            '"closed". For example "2026-12-24 to 2027-01-02: closed" or "2026-12-31: 9:00-12:00".'
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.placement: Location.Placement | None = None
        for name in ("latitude", "longitude"):
            # No word of a map here: there is none before the first save, nor without JavaScript.
            self.fields[name].help_text = _("Leave both empty to place the pin from the address when you save.")
        for day, name in zip(DAYS, DAY_NAMES, strict=True):
            self.fields[f"hours_{day}"] = forms.CharField(label=name, required=False, max_length=200)
        self.fields["hours_monday"].help_text = _(
            'Times in your clinic\'s own time zone, such as "9:00-12:30, 14:00-18:00" or "9 am-5 pm"; leave a '
            "day empty when closed, and every day empty to say nothing about your hours."
        )
        self.initial = {**self.initial, **_hours_initial(self.initial)}

    def hours_fields(self) -> list[forms.BoundField]:
        """The fields the form shows under "Opening hours": the seven days, then the exceptions."""
        return [self[f"hours_{day}"] for day in DAYS] + [self["hours_exceptions"]]

    def place_fields(self) -> list[forms.BoundField]:
        """The location's other visible fields (its address and pin), removal apart."""
        hours = {field.name for field in self.hours_fields()}
        return [field for field in self.visible_fields() if field.name != "DELETE" and field.name not in hours]

    def clean_phone(self) -> str:
        return cleaned_phone(self.cleaned_data["phone"])

    def clean_hours_exceptions(self) -> list[dict]:
        try:
            return exceptions_parsed(self.cleaned_data["hours_exceptions"])
        except HoursError as error:
            raise forms.ValidationError(str(error)) from None

    def _clean_hours(self, cleaned: dict) -> None:
        """The week in its stored shape (directory.hours), each day's mistake said on its own field."""
        days = {}
        for day in DAYS:
            try:
                days[day] = day_parsed(cleaned.get(f"hours_{day}", ""))
            except HoursError as error:
                self.add_error(f"hours_{day}", str(error))
        cleaned["opening_hours"] = week_from_days(days)

    def clean_state(self) -> str:
        state = self.cleaned_data["state"].strip()
        return CA_PROVINCES.get(state.title(), state.upper())

    def clean(self) -> dict:
        cleaned = super().clean()
        self._clean_hours(cleaned)
        if self.errors:
            return cleaned
        country = cleaned["country"]
        self._check_state_and_postal_code(cleaned, country)
        if self.errors:
            return cleaned
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None):
            self.add_error("latitude" if latitude is None else "longitude", _("Give both latitude and longitude."))
        elif latitude is not None:
            self._check_pin(cleaned, Point(latitude, longitude))
        else:
            self._place(cleaned)
        return cleaned

    def _check_state_and_postal_code(self, cleaned: dict, country: str) -> None:
        states = US_STATES if country == Location.Country.US else set(CA_PROVINCES.values())
        if cleaned["state"] not in states:
            example = "MA" if country == Location.Country.US else "ON"
            self.add_error(
                "state",
                _("Enter the two-letter code of a %(country)s state or province, such as %(example)s.")
                % {"country": Location.Country(country).label, "example": example},
            )
        code = " ".join(cleaned["postal_code"].split()).upper()
        pattern = US_ZIP if country == Location.Country.US else CA_POSTAL_CODE
        if not pattern.match(code):
            if country == Location.Country.US:
                self.add_error("postal_code", _("Enter a ZIP code such as 02108."))
            else:
                self.add_error("postal_code", _("Enter a postal code such as H3B 1A7."))
        elif country == Location.Country.CA and " " not in code:
            code = f"{code[:3]} {code[3:]}"
        cleaned["postal_code"] = code

    def _check_pin(self, cleaned: dict, pin: Point) -> None:
        centre = locate_postal_code(cleaned["postal_code"], cleaned["country"])
        if centre is not None and km_between(pin, centre) > MAX_PIN_KM_FROM_POSTAL_CODE:
            self.add_error(
                "latitude",
                _(
                    "The pin is more than %(km)s km from postal code %(postal_code)s. Move it to the clinic, or "
                    "empty both fields to place it from the address."
                )
                % {"km": number_format(MAX_PIN_KM_FROM_POSTAL_CODE, 0), "postal_code": cleaned["postal_code"]},
            )
            return
        self.placement = Location.Placement.PIN

    def _place(self, cleaned: dict) -> None:
        try:
            placed = place_address(self._address(cleaned))
        except AddressNotPlaced as error:
            self.add_error("postal_code", str(error))
            return
        cleaned["latitude"], cleaned["longitude"] = placed.point.latitude, placed.point.longitude
        self.placement = placed.placement

    @staticmethod
    def _address(cleaned: dict) -> Address:
        return Address(
            cleaned["address_line1"], cleaned["city"], cleaned["state"], cleaned["postal_code"], cleaned["country"]
        )

    def location_values(self) -> dict:
        values = {name: self.cleaned_data.get(name) for name in LOCATION_FIELDS if name != "placement"}
        values["placement"] = self.placement
        return {"id": self.cleaned_data.get("id"), **values}


def _hours_initial(initial: dict) -> dict:
    """The day fields and the exceptions' text from a location's stored hours, when `initial` holds them."""
    typed = {}
    if isinstance(initial.get("opening_hours"), dict):
        typed.update({f"hours_{day}": day_typed(initial["opening_hours"].get(day, [])) for day in DAYS})
    if isinstance(initial.get("hours_exceptions"), list):
        typed["hours_exceptions"] = exceptions_typed(initial["hours_exceptions"])
    return typed


class BaseLocationFormSet(BaseFormSet):
    default_error_messages = {
        "too_few_forms": _("Add at least one location."),
        "too_many_forms": format_lazy(_("A listing has at most {count} locations."), count=MAX_LOCATIONS),
    }

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("Remove this location")

    def kept_forms(self) -> list[LocationForm]:
        """The filled-in forms not marked for removal (of a valid formset)."""
        return [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]

    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.kept_forms():
            raise forms.ValidationError(_("Add at least one location."))

    def location_values(self) -> list[dict]:
        return [form.location_values() for form in self.kept_forms()]


LocationFormSet = formset_factory(
    LocationForm,
    formset=BaseLocationFormSet,
    extra=0,
    min_num=1,
    max_num=MAX_LOCATIONS,
    absolute_max=MAX_LOCATIONS,
    validate_max=True,
    can_delete=True,
)


# What a practitioner is likely to type as the training body, per technique (by slug): the form suggests these
# and accepts anything else.
TRAINING_BODIES = {
    "nucca": ["National Upper Cervical Chiropractic Association (NUCCA)"],
    "blair": ["Blair Upper Cervical Chiropractic Society", "Blair Chiropractic Society"],
    "atlas-orthogonal": ["Atlas Orthogonal Program", "Sweat Institute"],
    "orthospinology": ["Society of Chiropractic Orthospinology"],
    "qsm3": ["QSM3 Institute"],
    "knee-chest": ["Knee Chest Upper Cervical Society"],
    "grostic": ["Grostic Procedure seminars"],
}


def training_body_suggestions() -> list[str]:
    return sorted({body for bodies in TRAINING_BODIES.values() for body in bodies})


class TrainingForm(forms.Form):
    """One training record: what the practitioner holds in a technique, and the evidence (PDF, JPEG or PNG,
    read by practice.uploads). The evidence is required for a new record; an edit may keep the one it has."""

    technique = forms.TypedChoiceField(
        label=_("Technique"),
        choices=lambda: [("", _("Choose a technique")), *technique_choices()],
        coerce=int,
        empty_value=None,
        error_messages={"required": _("Choose the technique this training is in.")},
    )
    body = forms.CharField(
        label=_("Training body"),
        max_length=200,
        help_text=_("Who trained or certified you, e.g. the technique's society."),
        widget=forms.TextInput(attrs={"list": "training-bodies", "autocomplete": "off"}),
    )
    level = forms.CharField(
        label=_("Level or title"), max_length=200, help_text=_("For example: Level II certification.")
    )
    year = forms.IntegerField(label=_("Year"), help_text=_("The year you obtained it."))
    certificate_number = forms.CharField(
        label=_("Certificate number (optional)"),
        max_length=100,
        required=False,
        help_text=_("Only moderators see it, to check it with the training body."),
    )
    expires_on = forms.DateField(
        label=_("Expiry date (optional)"),
        required=False,
        help_text=_("If the certificate must be renewed: the day it expires (YYYY-MM-DD)."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD, e.g. 2027-06-30.")},
    )
    evidence = forms.FileField(
        label=_("Evidence"),
        help_text=_(
            "Your certificate or proof of attendance: a PDF, JPEG or PNG file of at most 10 MB. Only you "
            "and the moderators can open it; patients never see it."
        ),
        error_messages={"required": _("Upload your certificate as a PDF, JPEG or PNG file.")},
    )

    def __init__(self, *args: object, evidence_kept: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].required = not evidence_kept
        if evidence_kept:
            self.fields["evidence"].label = _("Replace the evidence (optional)")

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        this_year = timezone.localdate().year
        if not 1950 <= year <= this_year:
            raise forms.ValidationError(_("Enter a year from 1950 to %(year)s.") % {"year": this_year})
        return year

    def clean_expires_on(self) -> date | None:
        expires_on = self.cleaned_data["expires_on"]
        if expires_on is not None and expires_on <= timezone.localdate():
            raise forms.ValidationError(
                _("This date has passed: a lapsed certificate cannot be verified. Add it again once it is renewed.")
            )
        return expires_on

    def clean_evidence(self) -> Evidence | None:
        upload = self.cleaned_data.get("evidence")
        return None if not upload else evidence_read(upload)

    def record_values(self) -> dict:
        """The record's fields as the services take them (the evidence apart)."""
        names = ("body", "level", "year", "certificate_number", "expires_on")
        return {"technique_id": self.cleaned_data["technique"], **{name: self.cleaned_data[name] for name in names}}


class ClaimForm(forms.Form):
    note = forms.CharField(
        label=_("How can we tell this is your practice?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example your role at the clinic, or a phone number at the clinic we can call."),
    )
    npi = forms.CharField(
        label=_("NPI (optional)"),
        required=False,
        max_length=20,
        help_text=_("Your 10-digit National Provider Identifier, if you are in the United States."),
    )

    def clean_npi(self) -> str:
        npi = "".join(self.cleaned_data["npi"].split())
        if npi and not is_valid_npi(npi):
            raise forms.ValidationError(_("An NPI has 10 digits and a valid check digit; check it and try again."))
        return npi


class NpiLookupForm(forms.Form):
    """A practitioner's NPI, to find the listing the directory made for them from the NPI registry."""

    npi = forms.CharField(
        label=_("Your NPI"),
        max_length=20,
        help_text=_("Your 10-digit National Provider Identifier."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_npi(self) -> str:
        npi = "".join(self.cleaned_data["npi"].split())
        if not is_valid_npi(npi):
            raise forms.ValidationError(_("An NPI has 10 digits and a valid check digit; check it and try again."))
        return npi


class AccountCloseForm(forms.Form):
    """Closing an account: what becomes of its listings (asked only of an account that manages one), and the
    password, so that a session left open on a shared computer cannot close it."""

    listings = forms.ChoiceField(
        label=_("Your listings"),
        choices=OnClosing.choices,
        widget=forms.RadioSelect,
        help_text=_("Either way, your pending edits are withdrawn."),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To be sure it is you."),
    )

    def __init__(self, *args: object, user: object, owns_listings: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not owns_listings:
            del self.fields["listings"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password


class ReasonForm(forms.Form):
    """The reason a moderator gives for a rejection; the practitioner reads it."""

    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
