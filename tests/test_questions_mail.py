"""The e-mails a question sends: to the listing's address with Reply-To the patient and From the directory, a copy
to the patient, both saying why; the "this is spam" link; delivery through a real SMTP server on loopback and
through Django's file backend."""

import email
import email.policy
import re
import socket
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from directory.models import Practitioner
from practice.models import BlockedSender, PatientMessage
from practice.questions import SPAM_LINK_SALT, sender_key
from tests.factories import owned_listing

pytestmark = pytest.mark.django_db

QUESTION = {
    "name": "Pat Patient",
    "email": "pat@patient.example",
    "phone": "617-555-0123",
    "contact_time": "evening",
    "message": "Do you see new patients on Saturdays?\nI work weekdays.",
    "no_medical_details": "on",
}


@pytest.fixture
def listing(owner) -> Practitioner:
    return owned_listing(owner, name="Dr. Ada Atlas", email="ada@clinic.example")


def ask(client: Client, listing: Practitioner, **changes: object):
    url = reverse("practice:ask", kwargs={"pk": listing.pk, "slug": listing.slug})
    return client.post(url, {**QUESTION, **changes})


def spam_url_in(body: str) -> str:
    (url,) = re.findall(r"https://directory\.example(/questions/spam/[^/\s]+/)", body)
    return url


def test_the_practitioner_gets_it_from_the_directory_with_reply_to_the_patient(client, listing, sent):
    with sent():
        ask(client, listing)
    to_practitioner, _ = mail.outbox
    assert to_practitioner.to == ["ada@clinic.example"]
    assert to_practitioner.from_email == settings.DEFAULT_FROM_EMAIL
    assert to_practitioner.reply_to == ["pat@patient.example"]
    assert to_practitioner.subject == "Question from a patient: Pat Patient"
    body = to_practitioner.body
    assert "A patient wrote to Dr. Ada Atlas, DC through your listing on the Upper Cervical Directory" in body
    assert "You can reply to this e-mail directly" in body
    assert "Phone: (617) 555-0123" in body and "Best time to reach them: Evenings" in body
    assert "Do you see new patients on Saturdays?\nI work weekdays." in body
    assert "https://directory.example/questions/spam/" in body
    assert f"https://directory.example{reverse('practice:question_settings', kwargs={'pk': listing.pk})}" in body
    assert "You get this e-mail because Dr. Ada Atlas, DC takes questions from patients" in body
    assert to_practitioner.content_subtype == "plain" and not getattr(to_practitioner, "alternatives", None)


def test_the_patient_gets_a_plain_copy_that_never_shows_the_practitioners_address(client, listing, sent):
    with sent():
        ask(client, listing)
    copy = mail.outbox[1]
    assert copy.to == ["pat@patient.example"] and copy.from_email == settings.DEFAULT_FROM_EMAIL
    assert copy.subject == "Your question to Dr. Ada Atlas, DC" and not copy.reply_to
    assert "This is a copy of the question you sent to Dr. Ada Atlas, DC" in copy.body
    assert "Do you see new patients on Saturdays?" in copy.body
    assert "You get this e-mail because this address was given on the question form of" in copy.body
    assert "ada@clinic.example" not in copy.body and "/questions/spam/" not in copy.body
    assert copy.content_subtype == "plain" and not getattr(copy, "alternatives", None)


def test_nothing_is_sent_before_the_message_is_saved(client, listing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ask(client, listing)
    assert len(callbacks) == 1 and not mail.outbox


# The "this is spam" link


def test_the_spam_link_asks_first_then_blocks_the_sender_for_the_listing(client, listing, sent):
    with sent():
        ask(client, listing)
    url = spam_url_in(mail.outbox[0].body)
    practitioner_client = Client()  # the link works signed out, from the inbox
    confirm = practitioner_client.get(url)
    assert confirm.status_code == 200 and "Block this sender?" in confirm.content.decode()
    assert not BlockedSender.objects.exists()  # a GET (a mail scanner following links) changes nothing
    done = practitioner_client.post(url)
    assert done.status_code == 302
    assert BlockedSender.objects.get().sender_key == sender_key("pat@patient.example")
    assert PatientMessage.objects.get().marked_spam_at is not None
    assert "Sender blocked" in practitioner_client.get(url).content.decode()
    mail.outbox.clear()
    with sent():
        assert ask(client, listing, message="Again!", email="PAT@patient.example").status_code == 302
    assert not mail.outbox


def test_a_tampered_spam_link_blocks_nobody(client, listing, sent):
    with sent():
        ask(client, listing)
    url = spam_url_in(mail.outbox[0].body)
    token = url.split("/")[-2]
    forged = signing.dumps({"p": listing.pk, "s": sender_key("someone@else.example"), "m": 1}, salt="another salt")
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "nonsense"):
        bad_url = reverse("practice:question_spam", kwargs={"token": bad})
        assert client.get(bad_url).status_code == 400
        response = client.post(bad_url)
        assert response.status_code == 400 and "This link no longer works" in response.content.decode()
    assert not BlockedSender.objects.exists()


def test_a_spam_link_expires_after_30_days(client, listing, sent):
    with time_machine.travel("2027-05-01 09:00Z", tick=False), sent():
        ask(client, listing)
    url = spam_url_in(mail.outbox[0].body)
    with time_machine.travel("2027-05-30 09:00Z", tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel("2027-06-01 09:00Z", tick=False):
        assert client.post(url).status_code == 400
    assert not BlockedSender.objects.exists()


def test_the_spam_link_holds_no_address_and_is_signed_for_this_purpose_only(client, listing, sent):
    with sent():
        ask(client, listing)
    token = spam_url_in(mail.outbox[0].body).split("/")[-2]
    content = signing.loads(token, salt=SPAM_LINK_SALT)
    assert "pat@patient.example" not in str(content) and content["p"] == listing.pk
    with pytest.raises(signing.BadSignature):
        signing.loads(token, salt="practice.something-else")


# Delivery through real transports


class Recorder:
    """An aiosmtpd handler keeping what it receives."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield recorder
    controller.stop()


def test_a_question_goes_through_a_real_smtp_server_with_the_right_headers(client, listing, sent, smtp_server):
    with sent():
        assert ask(client, listing).status_code == 302
    to_practitioner, copy = smtp_server.envelopes
    assert to_practitioner.rcpt_tos == ["ada@clinic.example"] and copy.rcpt_tos == ["pat@patient.example"]
    headers = email.message_from_bytes(to_practitioner.content, policy=email.policy.default)
    assert headers["To"] == "ada@clinic.example"
    assert headers["From"] == settings.DEFAULT_FROM_EMAIL
    assert headers["Reply-To"] == "pat@patient.example"
    assert headers.get_content_type() == "text/plain"
    assert "You can reply to this e-mail directly" in headers.get_content()
    patient = email.message_from_bytes(copy.content, policy=email.policy.default)
    assert patient["To"] == "pat@patient.example" and patient["Reply-To"] is None
    assert b"ada@clinic.example" not in copy.content


def test_a_mail_server_that_is_down_loses_no_message_and_shows_no_error(client, listing, sent, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    with sent():
        response = ask(client, listing)
    assert response.status_code == 302
    assert PatientMessage.objects.count() == 1


def test_a_question_goes_through_the_file_backend(client, listing, sent, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    with sent():
        ask(client, listing)
    written = "".join(path.read_text() for path in sorted(Path(tmp_path).iterdir()))
    assert "To: ada@clinic.example" in written and "Reply-To: pat@patient.example" in written
    assert "To: pat@patient.example" in written
    assert written.count(f"From: {settings.DEFAULT_FROM_EMAIL}") == 2
