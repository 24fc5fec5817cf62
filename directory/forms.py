"""Forms validate; they never write."""

from __future__ import annotations

from django import forms

from directory.models import Location, Practitioner, Technique, validate_website
from directory.phones import PhoneError, phone_normalized
from directory.places import locate_postal_code

YES_WORDS = {"yes", "y", "true", "1"}
NO_WORDS = {"no", "n", "false", "0"}
COUNTRY_NAMES = {
    "": "US",
    "us": "US",
    "usa": "US",
    "united states": "US",
    "united states of america": "US",
    "ca": "CA",
    "can": "CA",
    "canada": "CA",
}
PRACTITIONER_FIELDS = [
    "name",
    "credentials",
    "bio",
    "email",
    "website",
    "accepting_new_patients",
    "status",
    "techniques",
]
LOCATION_FIELDS = [
    "clinic_name",
    "address_line1",
    "city",
    "state",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "phone",
]


CELLS_REMEMBERED = 200_000  # ImportRowForm's memory of cells cleaned, a bound on it for a file of any size


def cleaned_phone(text: str) -> str:
    """A phone number typed into any form, in its stored form ("" for none); a field error when it is not one
    number."""
    try:
        return phone_normalized(text)
    except PhoneError as error:
        raise forms.ValidationError(str(error)) from error


class WebsiteField(forms.URLField):
    """A listing's website: a web address (http or https only); a bare domain is taken as https."""

    default_validators = [validate_website]
    default_error_messages = {"invalid": validate_website.message}  # else URLField's own replaces the validator's

    def __init__(self, **kwargs: object) -> None:
        longest = Practitioner._meta.get_field("website").max_length  # the column's; longer would fail to save
        super().__init__(**{"assume_scheme": "https", "max_length": longest, **kwargs})


class ImportRowForm(forms.Form):
    """One row of a practitioner CSV file; `techniques_by_name` maps folded names and slugs to techniques."""

    external_id = forms.CharField(max_length=100)
    name = forms.CharField(max_length=200)
    credentials = forms.CharField(max_length=100, required=False)
    bio = forms.CharField(required=False, max_length=5000)
    clinic_name = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    practitioner_phone = forms.CharField(max_length=40, required=False)
    website = WebsiteField(required=False)
    address_line1 = forms.CharField(max_length=200)
    address_line2 = forms.CharField(max_length=200, required=False)
    city = forms.CharField(max_length=100)
    state = forms.CharField(max_length=50)
    postal_code = forms.CharField(max_length=20)
    country = forms.CharField(max_length=40, required=False)
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180)
    techniques = forms.CharField(required=False, max_length=1000)
    accepting_new_patients = forms.CharField(required=False)
    status = forms.CharField(required=False)

    def __init__(self, *args, techniques_by_name: dict[str, Technique], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.techniques_by_name = techniques_by_name
        self.located_from_postal_code = False
        # Each (column, cell) cleaned before, as its cleaned value or the error it gave (see _clean_fields).
        self.cells_read: dict[tuple[str, str], tuple[object, forms.ValidationError | None]] = {}

    def validate(self, data: dict[str, str]) -> bool:
        """Validates a further row with this same form: building a form per row costs more than validating
        one (every field is deep-copied), and an import may have a million rows."""
        self.data, self.is_bound, self._errors, self.located_from_postal_code = data, True, None, False
        return self.is_valid()

    def clean_country(self) -> str:
        country = COUNTRY_NAMES.get(self.cleaned_data["country"].strip().lower())
        if country is None:
            raise forms.ValidationError("Country must be US or CA.")
        return country

    def clean_techniques(self) -> list[Technique]:
        names = [name.strip() for name in self.cleaned_data["techniques"].split(";") if name.strip()]
        unknown = [name for name in names if name.lower() not in self.techniques_by_name]
        if unknown:
            raise forms.ValidationError(f"Unknown technique: {', '.join(unknown)}.")
        found = {self.techniques_by_name[name.lower()] for name in names}
        return sorted(found, key=lambda technique: technique.slug)

    def clean_phone(self) -> str:
        return self._phone("phone")

    def clean_practitioner_phone(self) -> str:
        return self._phone("practitioner_phone")

    def _phone(self, name: str) -> str:
        return cleaned_phone(self.cleaned_data[name])

    def _clean_fields(self) -> None:
        """As Form's, but each (column, cell) is cleaned once per import, then its value or its error is given
        again: a file repeats its cells (a practitioner's phone, website and techniques on each location's row; a
        state, a country, a status on many), and each column here is cleaned from its own cell alone (its
        field, then its clean_<column>). Reading phone numbers and web addresses was most of a row's time."""
        for name, field in self.fields.items():
            cell = self.data.get(name, "")
            read = self.cells_read.get((name, cell))
            if read is None:
                try:
                    self.cleaned_data[name] = field.clean(cell)
                    if clean := getattr(self, f"clean_{name}", None):
                        self.cleaned_data[name] = clean()
                    read = (self.cleaned_data[name], None)
                except forms.ValidationError as error:
                    read = (None, error)
                if len(self.cells_read) >= CELLS_REMEMBERED:
                    self.cells_read.clear()
                self.cells_read[name, cell] = read
            value, error = read
            if error is None:
                self.cleaned_data[name] = list(value) if isinstance(value, list) else value  # a row's own list
            else:
                self.add_error(name, error)

    def clean_accepting_new_patients(self) -> bool:
        word = self.cleaned_data["accepting_new_patients"].strip().lower()
        if word == "" or word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
        raise forms.ValidationError("Enter yes or no.")

    def clean_status(self) -> str:
        status = self.cleaned_data["status"].strip().lower() or Practitioner.Status.PUBLISHED
        if status not in Practitioner.Status.values:
            raise forms.ValidationError(f"Status must be one of: {', '.join(Practitioner.Status.values)}.")
        return status

    def clean(self) -> dict:
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if "latitude" in self.errors or "longitude" in self.errors:
            return cleaned
        if (latitude is None) != (longitude is None):
            raise forms.ValidationError("Give both latitude and longitude, or neither.")
        if latitude is None and "postal_code" in cleaned and "country" in cleaned:
            point = locate_postal_code(cleaned["postal_code"], cleaned["country"])
            if point is None:
                raise forms.ValidationError(
                    f"No coordinates, and postal code {cleaned['postal_code']} is not in the bundled "
                    f"{cleaned['country']} postal-code data."
                )
            cleaned["latitude"], cleaned["longitude"] = point.latitude, point.longitude
            self.located_from_postal_code = True
        return cleaned

    def practitioner_values(self) -> dict:
        return {field: self.cleaned_data[field] for field in PRACTITIONER_FIELDS}

    def location_values(self) -> dict:
        values = {field: self.cleaned_data[field] for field in LOCATION_FIELDS}
        values["address_line2"] = self.cleaned_data["address_line2"]
        values["country"] = Location.Country(values["country"])
        values["placement"] = (
            Location.Placement.POSTAL_CODE if self.located_from_postal_code else Location.Placement.FILE
        )
        return values
