"""The desk's forms: a patient's report, a moderator's note, a CSV file to import."""

from __future__ import annotations

import csv
import io

from django import forms

from directory.importing import missing_columns
from moderation.models import Report

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class ReportForm(forms.ModelForm):
    """ "Report incorrect information". `website` is a honeypot: hidden from people, filled in by bots."""

    details = forms.CharField(
        label="Details",
        required=False,
        max_length=2000,
        help_text="What is different now: the new address, the right phone number, what you found.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = Report
        fields = ["problem", "details", "email"]
        labels = {"problem": "What is wrong?", "email": "E-mail for a reply (optional)"}
        help_texts = {"email": "Only if you would like to hear what we did. It is not shown anywhere."}
        widgets = {"problem": forms.RadioSelect}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["problem"].choices = Report.Problem.choices  # no empty choice among the radio buttons
        self.fields["problem"].error_messages["required"] = "Choose what is wrong."

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
