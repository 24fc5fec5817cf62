"""The desk's forms: a patient's report, a moderator's note, a CSV file to import, a listing's admin form."""

from __future__ import annotations

import csv
import io

from django import forms
from django.utils.translation import gettext_lazy as _

from directory.importing import missing_columns
from directory.models import Practitioner
from moderation.models import Report
from practice.listing import PRACTITIONER_FIELDS, listing_version

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class ReportForm(forms.ModelForm):
    """ "Report incorrect information". `website` is a honeypot: hidden from people, filled in by bots."""

    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=2000,
        help_text=_("What is different now: the new address, the right phone number, what you found."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = Report
        fields = ["problem", "details", "email"]
        labels = {"problem": _("What is wrong?"), "email": _("E-mail for a reply (optional)")}
        help_texts = {"email": _("Only if you would like to hear what we did. It is not shown anywhere.")}
        widgets = {"problem": forms.RadioSelect}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["problem"].choices = Report.Problem.choices  # no empty choice among the radio buttons
        self.fields["problem"].error_messages["required"] = _("Choose what is wrong.")

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class NoteForm(forms.Form):
    """A moderator's note resolving a report; the listing's owner and the reporter read it."""

    note = forms.CharField(label="Note", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, with the columns of python manage.py import_practitioners (header on line 1).",
    )

    def clean_file(self) -> str:
        """The file's text, once its size, encoding and header are right."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(f"The file is not UTF-8 text ({error.reason}).") from error
        try:
            header = next(csv.reader(io.StringIO(text)), [])
        except csv.Error as error:
            raise forms.ValidationError(f"The file is not a readable CSV file: {error}") from error
        if missing := missing_columns(header):
            raise forms.ValidationError(f"line 1: missing column(s): {', '.join(missing)}")
        return text


class ListingAdminForm(forms.ModelForm):  # the admin gives it its model and fields
    """A listing in the admin, with the version it was opened at: saved after the listing changed (its owner
    saved it, an edit was approved, another moderator corrected it), it is refused with what changed, so a
    moderator never undoes a change unseen. The row stays locked from this check to the save (the admin saves
    in one transaction)."""

    based_on = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["based_on"].initial = listing_version(self.instance, None)

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.instance.pk or "based_on" not in self.data:
            return cleaned
        current = Practitioner.objects.select_for_update().get(pk=self.instance.pk)
        version = listing_version(current, None)
        if self.data["based_on"] != version:
            self.data = self.data.copy()
            self.data["based_on"] = version  # saving again, having seen what changed, is a decision
            changed = [
                f"{Practitioner._meta.get_field(name).verbose_name}: {getattr(current, name) or '(empty)'}"
                for name in (*PRACTITIONER_FIELDS, "accepting_new_patients")
                if name in cleaned and cleaned[name] != getattr(current, name)
            ]
            raise forms.ValidationError(
                "This listing changed after you opened it, so nothing was saved. "
                + (f"It now says: {'; '.join(changed)}. " if changed else "")
                + "Check the values below and save again."
            )
        return cleaned
