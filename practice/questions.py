"""Patients' questions to practitioners, relayed by e-mail: the form on a profile, the relay (Reply-To the patient,
From the directory, the practitioner's address never shown), the "this is spam" link that blocks a sender for one
listing, the owner's two settings and the 30-day purge.

Forms, services and views of this one feature sit together here, in the order forms -> services -> views, so
the feature can grow without touching the modules other work is changing; each part keeps the house's rules
(forms validate, services write in a transaction and send after commit, views stay thin)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from allauth.account.decorators import verified_email_required
from allauth.core import ratelimit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from directory.answers import public_version_bump
from directory.forms import cleaned_phone
from directory.models import Practitioner
from practice.models import BlockedSender, PatientMessage
from practice.notifications import absolute_url, one_line, owner_language
from practice.views import owned_listing

MAX_MESSAGE_CHARS = PatientMessage._meta.get_field("body").max_length
MAX_LINKS = 2
KEPT_DAYS = 30  # message bodies are deleted after this many days (purge_messages); the spam link lasts as long
SPAM_LINK_SALT = "practice.questions.spam"
LINK = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)

# ---------------------------------------------------------------------------------------------------- forms


def _count(number: int) -> str:
    """A count as the reader's language writes it ("2,000", "2 000")."""
    return number_format(number, force_grouping=True)


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(character) in ("Cc", "Cf") for character in text)


class QuestionForm(forms.Form):
    """What a patient sends from a profile. `website` is a honeypot: hidden from people (and from assistive
    technology), filled in by bots."""

    name = forms.CharField(label=_("Your name"), max_length=PatientMessage._meta.get_field("sender_name").max_length)
    email = forms.EmailField(
        label=_("Your e-mail"),
        help_text=_("The practitioner replies to this address. We send you a copy of your message."),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"), max_length=40, required=False, help_text=_("If you would rather be called back.")
    )
    contact_time = forms.ChoiceField(
        label=_("Best time to reach you"),
        choices=PatientMessage.ContactTime.choices,
        initial=PatientMessage.ContactTime.ANY,
    )
    # No max_length here: the length is counted once line breaks are one character each, as the browser counts them.
    message = forms.CharField(
        label=_("Your question"),
        help_text=lazy(
            lambda: (
                _("At most %(chars)s characters and %(links)s links.")
                % {"chars": _count(MAX_MESSAGE_CHARS), "links": MAX_LINKS}
            ),
            str,
        )(),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_MESSAGE_CHARS}),
    )
    no_medical_details = forms.BooleanField(
        label=_("This message holds no medical details (symptoms, diagnoses, records)"),
        error_messages={"required": _("Please confirm that the message holds no medical details, or remove them.")},
    )
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if _has_control_characters(name):
            raise forms.ValidationError(_("Enter your name on one line."))
        if LINK.search(name) or "<" in name or ">" in name:
            raise forms.ValidationError(_("Enter your name without links or markup."))
        return name

    def clean_phone(self) -> str:
        return cleaned_phone(self.cleaned_data["phone"])

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].replace("\r\n", "\n").replace("\r", "\n")
        if len(message) > MAX_MESSAGE_CHARS:
            raise forms.ValidationError(
                _("Keep the message to %(most)s characters (it has %(count)s).")
                % {"most": _count(MAX_MESSAGE_CHARS), "count": _count(len(message))}
            )
        if len(LINK.findall(message)) > MAX_LINKS:
            raise forms.ValidationError(_("A message may hold at most %(count)s links.") % {"count": MAX_LINKS})
        return message

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class QuestionSettingsForm(forms.ModelForm):
    class Meta:
        model = Practitioner
        fields = ["questions_enabled", "show_email"]
        labels = {
            "questions_enabled": _("Patients can send me questions through the directory"),
            "show_email": _("Also show my e-mail address on my profile"),
        }
        help_texts = {
            "questions_enabled": _(
                "Each question comes to the listing's e-mail address; you reply to the patient "
                "directly. Your address stays hidden from patients."
            ),
            "show_email": _(
                "With the question form on, the profile does not print your address (which protects it from "
                "spam). With the form off, the address is shown."
            ),
        }


# ------------------------------------------------------------------------------------------------- services


def sender_key(email: str) -> str:
    """A sender's address as a keyed hash: blocks match it without the directory keeping the address itself."""
    return salted_hmac("practice.questions.sender", email.strip().lower(), algorithm="sha256").hexdigest()


def spam_link(message: PatientMessage) -> str:
    token = signing.dumps(
        {"p": message.practitioner_id, "s": message.sender_key, "m": message.pk}, salt=SPAM_LINK_SALT, compress=True
    )
    return absolute_url(reverse("practice:question_spam", kwargs={"token": token}))


def spam_link_read(token: str) -> dict:
    """The link's listing, sender and message; signing.BadSignature if it was altered or is older than KEPT_DAYS."""
    content = signing.loads(token, salt=SPAM_LINK_SALT, max_age=timedelta(days=KEPT_DAYS))
    if not isinstance(content, dict) or not {"p", "s", "m"} <= content.keys():
        raise signing.BadSignature("Not a spam link.")
    return content


def _mail(*, template: str, context: dict, to: str, language: str, reply_to: str | None = None) -> EmailMessage:
    """One e-mail rendered in `language`; the links the caller adds in `context` must be made in it too."""
    with translation.override(language):
        context = {"site_url": settings.SITE_URL, **context}
        subject = one_line(render_to_string(f"practice/email/{template}_subject.txt", context))
        body = render_to_string(f"practice/email/{template}.txt", context)
    return EmailMessage(subject, body, None, [to], reply_to=[reply_to] if reply_to else None)


def _relay(message: PatientMessage, patient_language: str) -> list[EmailMessage]:
    """The practitioner's e-mail (Reply-To the patient), in the language of the listing's owner, and the patient's
    copy, in `patient_language` (the one they asked in); the practitioner's address in neither the copy nor
    anything the patient sees."""
    practitioner = message.practitioner
    common = {"message": message, "practitioner": practitioner, "kept_days": KEPT_DAYS}
    practitioner_language = owner_language(practitioner)
    with translation.override(practitioner_language):
        to_practitioner = {
            **common,
            "profile_url": absolute_url(practitioner.get_absolute_url()),
            "spam_url": spam_link(message),
            "settings_url": absolute_url(reverse("practice:question_settings", kwargs={"pk": practitioner.pk})),
        }
    with translation.override(patient_language):
        to_patient = {**common, "profile_url": absolute_url(practitioner.get_absolute_url())}
    to_them = _mail(template="question", context=to_practitioner, to=practitioner.email,
                    language=practitioner_language, reply_to=message.sender_email)  # fmt: skip
    copy = _mail(template="question_copy", context=to_patient, to=message.sender_email, language=patient_language)
    return [to_them, copy]


def question_send(*, practitioner: Practitioner, name: str, email: str, phone: str, contact_time: str,
                  body: str, language: str | None = None) -> PatientMessage:  # fmt: skip
    """Keeps the message and, once that commits, e-mails it to the listing's address and a copy to its sender,
    the copy in `language` (the one the patient asked in: the current language when none is given; it is not
    stored). A sender the listing's owner blocked is kept as undelivered and sent nothing: they see the same
    thanks."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    key = sender_key(email)
    with transaction.atomic():
        blocked = BlockedSender.objects.filter(practitioner=practitioner, sender_key=key).exists()
        message = PatientMessage.objects.create(
            practitioner=practitioner, sender_name=name, sender_email=email, sender_phone=phone,
            contact_time=contact_time, body=body, sender_key=key, delivered=not blocked,
        )  # fmt: skip
        if not blocked:
            mails = _relay(message, language)
            # robust: a mail server that is down is logged; the patient is not shown an error for a kept message.
            transaction.on_commit(lambda: [mail.send() for mail in mails], robust=True)
    return message


def sender_block(*, practitioner_pk: int, key: str, message_pk: int) -> bool:
    """Blocks a sender for one listing and marks the message as spam. False if they were blocked already."""
    with transaction.atomic():
        _, created = BlockedSender.objects.get_or_create(practitioner_id=practitioner_pk, sender_key=key)
        PatientMessage.objects.filter(pk=message_pk, marked_spam_at__isnull=True).update(marked_spam_at=timezone.now())
    return created


def question_settings_save(*, practitioner: Practitioner, questions_enabled: bool, show_email: bool) -> None:
    """The owner's two settings, applied at once: they show or hide what is already reviewed (the listing's
    e-mail) and the form; nothing new for a moderator to check."""
    with transaction.atomic():
        # updated_at stays: it versions the listing's reviewed values, which an edit form open elsewhere holds.
        Practitioner.objects.filter(pk=practitioner.pk).update(
            questions_enabled=questions_enabled, show_email=show_email
        )
        if practitioner.status == Practitioner.Status.PUBLISHED:
            public_version_bump()


def messages_purge(*, now: datetime | None = None) -> int:
    """Deletes messages older than KEPT_DAYS; returns how many. Blocks stay (they hold no address)."""
    cutoff = (now or timezone.now()) - timedelta(days=KEPT_DAYS)
    deleted, _ = PatientMessage.objects.filter(sent_at__lt=cutoff).delete()
    return deleted


def message_counts(practitioner: Practitioner) -> dict[str, int]:
    """What the desk may know of a listing's messages: counts over the last KEPT_DAYS, never their text."""
    recent = PatientMessage.objects.filter(
        practitioner=practitioner, sent_at__gte=timezone.now() - timedelta(days=KEPT_DAYS)
    )
    return {
        "received": recent.count(),
        "undelivered": recent.filter(delivered=False).count(),
        "spam": recent.filter(marked_spam_at__isnull=False).count(),
        "blocked": BlockedSender.objects.filter(practitioner=practitioner).count(),
    }


# ---------------------------------------------------------------------------------------------------- views


def _asked(pk: int) -> Practitioner:
    """The published listing whose form patients may use, or a 404 (unowned, switched off, no e-mail)."""
    practitioner = get_object_or_404(Practitioner.objects.published(), pk=pk)
    if not practitioner.takes_questions:
        raise Http404("This listing takes no questions.")
    return practitioner


def _ask_page(request: HttpRequest, practitioner: Practitioner, form: QuestionForm, status: int = 200) -> HttpResponse:
    context = {"practitioner": practitioner, "form": form, "kept_days": KEPT_DAYS}
    return render(request, "practice/ask.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def ask(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    practitioner = _asked(pk)
    if request.method != "POST":
        if slug != practitioner.slug:
            return redirect("practice:ask", pk=practitioner.pk, slug=practitioner.slug, permanent=True)
        return _ask_page(request, practitioner, QuestionForm())
    if not ratelimit.consume(request, action="question"):
        return ratelimit.respond_429(request)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        return _ask_page(request, practitioner, form, status=400)
    sent = redirect("practice:ask_sent", pk=practitioner.pk, slug=practitioner.slug)
    if form.is_spam:  # a bot that filled the hidden field is thanked like anyone, and nothing is kept or sent
        return sent
    if not ratelimit.consume(request, action="question_listing", key=f"listing:{practitioner.pk}"):
        return render(request, "practice/ask_busy.html", {"practitioner": practitioner}, status=429)
    data = form.cleaned_data
    question_send(
        practitioner=practitioner, name=data["name"], email=data["email"], phone=data["phone"],
        contact_time=data["contact_time"], body=data["message"], language=translation.get_language(),
    )  # fmt: skip
    return sent


@require_safe
def ask_sent(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    return render(request, "practice/ask_sent.html", {"practitioner": _asked(pk)})


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def question_spam(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the practitioner's e-mail: a page asking to confirm, then (POST) the block. The signed link is
    the permission, so it works signed out, from the inbox where the e-mail arrived."""
    try:
        link = spam_link_read(token)
    except signing.BadSignature:
        return render(request, "practice/question_spam.html", {"invalid": True}, status=400)
    practitioner = get_object_or_404(Practitioner, pk=link["p"])
    if request.method == "POST":
        sender_block(practitioner_pk=practitioner.pk, key=link["s"], message_pk=link["m"])
        return redirect("practice:question_spam", token=token)
    context = {
        "practitioner": practitioner,
        "message": PatientMessage.objects.filter(pk=link["m"]).first(),
        "blocked": BlockedSender.objects.filter(practitioner=practitioner, sender_key=link["s"]).exists(),
    }
    return render(request, "practice/question_spam.html", context)


@verified_email_required
@require_http_methods(["GET", "HEAD", "POST"])
def question_settings(request: HttpRequest, pk: int) -> HttpResponse:
    practitioner = owned_listing(request, pk)
    form = QuestionSettingsForm(request.POST if request.method == "POST" else None, instance=practitioner)
    if request.method != "POST" or not form.is_valid():
        status = 400 if form.is_bound else 200
        return render(request, "practice/question_settings.html", {"practitioner": practitioner, "form": form},
                      status=status)  # fmt: skip
    question_settings_save(practitioner=practitioner, **form.cleaned_data)
    messages.success(request, _("Saved: the question settings of %(name)s.") % {"name": practitioner.display_name})
    return redirect("practice:dashboard")
