"""Patients' questions to practitioners: who gets the form, what it accepts, its limits, the e-mail it hides, the
owner's settings, the purge and what the desk sees (the e-mails themselves: test_questions_mail.py)."""

import datetime
import io
import json
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from directory.models import Practitioner
from practice.listing import listing_version
from practice.models import BlockedSender, PatientMessage
from practice.questions import sender_key
from tests.factories import PractitionerFactory, UserFactory, owned_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(owner) -> Practitioner:
    return owned_listing(owner, name="Dr. Ada Atlas", email="ada@clinic.example")


def ask_url(practitioner: Practitioner, name: str = "ask") -> str:
    return reverse(f"practice:{name}", kwargs={"pk": practitioner.pk, "slug": practitioner.slug})


def question(**changes: object) -> dict[str, object]:
    data = {
        "name": "Pat Patient",
        "email": "pat@patient.example",
        "phone": "",
        "contact_time": "morning",
        "message": "Do you see new patients on Saturdays?",
        "no_medical_details": "on",
        "website": "",
    }
    return {**data, **changes}


def json_ld(html: str) -> dict:
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block)


# Who gets the form, and the e-mail address it stands in for


def test_an_owned_published_listing_offers_the_form_and_hides_its_email(client, listing):
    page = client.get(listing.get_absolute_url()).content.decode()
    assert f'href="{ask_url(listing)}"' in page and "Ask a question" in page
    assert "ada@clinic.example" not in page
    assert "email" not in json_ld(page)


def test_an_owner_who_shows_the_email_gets_it_printed_beside_the_form(client, listing):
    Practitioner.objects.filter(pk=listing.pk).update(show_email=True)
    page = client.get(listing.get_absolute_url()).content.decode()
    assert f'href="{ask_url(listing)}"' in page
    assert 'href="mailto:ada@clinic.example"' in page
    assert json_ld(page)["email"] == "ada@clinic.example"


def test_with_the_form_switched_off_the_profile_prints_the_email_again_and_the_form_is_gone(client, listing):
    Practitioner.objects.filter(pk=listing.pk).update(questions_enabled=False)
    page = client.get(listing.get_absolute_url()).content.decode()
    assert ask_url(listing) not in page and "Ask a question" not in page
    assert 'href="mailto:ada@clinic.example"' in page and json_ld(page)["email"] == "ada@clinic.example"
    assert client.get(ask_url(listing)).status_code == 404
    assert client.post(ask_url(listing), question()).status_code == 404
    assert client.get(ask_url(listing, "ask_sent")).status_code == 404
    assert not PatientMessage.objects.exists() and not mail.outbox


def test_an_unowned_listing_has_no_form_and_keeps_its_email_on_the_profile(client):
    unowned = PractitionerFactory(email="solo@clinic.example")
    page = client.get(unowned.get_absolute_url()).content.decode()
    assert "Ask a question" not in page and "solo@clinic.example" in page
    assert client.get(ask_url(unowned)).status_code == 404
    assert client.post(ask_url(unowned), question()).status_code == 404


@pytest.mark.parametrize("status", [Practitioner.Status.PENDING, Practitioner.Status.REJECTED])
def test_an_unpublished_listing_has_no_form(client, owner, status):
    hidden = owned_listing(owner, status=status, email="hidden@clinic.example")
    assert client.get(ask_url(hidden)).status_code == 404
    assert client.post(ask_url(hidden), question()).status_code == 404
    assert not PatientMessage.objects.exists()


def test_a_listing_without_an_email_has_no_form(client, owner):
    no_address = owned_listing(owner, email="")
    assert "Ask a question" not in client.get(no_address.get_absolute_url()).content.decode()
    assert client.get(ask_url(no_address)).status_code == 404


def test_the_form_page_under_another_slug_redirects_to_its_own(client, listing):
    response = client.get(reverse("practice:ask", kwargs={"pk": listing.pk, "slug": "someone-else"}))
    assert response.status_code == 301 and response["Location"] == ask_url(listing)


# The form


def test_the_form_has_the_labels_patients_read_and_never_shows_the_practitioners_address(client, listing):
    page = client.get(ask_url(listing)).content.decode()
    for label in ("Your name", "Your e-mail", "Phone (optional)", "Best time to reach you", "Your question",
                  "This message holds no medical details (symptoms, diagnoses, records)"):  # fmt: skip
        assert label in page
    assert 'maxlength="2000"' in page
    assert "ada@clinic.example" not in page


def test_a_patient_sends_a_question_and_is_thanked_without_an_account(client, listing, sent):
    with sent():
        response = client.post(ask_url(listing), question(phone="617 555 0123"))
    assert response.status_code == 302 and response["Location"] == ask_url(listing, "ask_sent")
    message = PatientMessage.objects.get()
    assert (message.practitioner, message.sender_name, message.sender_email, message.sender_phone) == (
        listing, "Pat Patient", "pat@patient.example", "(617) 555-0123",
    )  # fmt: skip
    assert (message.contact_time, message.body, message.delivered) == ("morning", question()["message"], True)
    assert message.sender_key == sender_key("PAT@patient.example ")
    assert len(mail.outbox) == 2
    thanks = client.get(response["Location"]).content.decode()
    assert "your question is on its way" in thanks and "ada@clinic.example" not in thanks


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("name", "", "This field is required."),
        ("name", "x" * 101, "at most 100 characters"),
        ("name", "Pat\nPatient", "Enter your name on one line."),
        ("name", "Visit https://spam.example", "without links or markup"),
        ("email", "", "This field is required."),
        ("email", "not-an-address", "Enter a valid email address."),
        ("phone", "617-555-0100 / 617-555-0101", "Enter one phone number"),
        ("phone", "12", "Enter one phone number"),
        ("contact_time", "midnight", "Select a valid choice."),
        ("message", "", "This field is required."),
        ("message", "y" * 2001, "Keep the message to 2,000 characters (it has 2,001)."),
        ("no_medical_details", "", "Please confirm that the message holds no medical details"),
    ],
)
def test_each_field_is_checked_and_its_error_shown_beside_it(client, listing, field, value, error):
    response = client.post(ask_url(listing), question(**{field: value}))
    page = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}_errors"' in page and error in page
    assert not PatientMessage.objects.exists() and not mail.outbox


def test_line_breaks_count_as_one_character_as_the_browser_counts_them(client, listing):
    body = "\r\n".join(["a" * 99] * 20)  # 2,018 characters as posted, 1,999 as the browser's maxlength counts
    assert len(body) > 2000
    assert client.post(ask_url(listing), question(message=body)).status_code == 302
    assert PatientMessage.objects.get().body == "\n".join(["a" * 99] * 20)


def test_at_most_two_links_are_accepted(client, listing):
    two = "See https://a.example and www.b.example please."
    assert client.post(ask_url(listing), question(message=two)).status_code == 302
    three = two + " Also http://c.example"
    response = client.post(ask_url(listing), question(message=three))
    assert response.status_code == 400 and "at most 2 links" in response.content.decode()
    assert PatientMessage.objects.count() == 1


def test_what_was_typed_comes_back_escaped_never_as_markup(client, listing):
    response = client.post(
        ask_url(listing), question(name="<script>alert(1)</script>", message="<img src=x onerror=alert(1)>", email="x")
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_post_without_the_csrf_token_is_refused(listing):
    response = Client(enforce_csrf_checks=True).post(ask_url(listing), question())
    assert response.status_code == 403
    assert not PatientMessage.objects.exists()


def test_the_honeypot_is_hidden_from_people_assistive_technology_and_the_keyboard(client, listing):
    page = client.get(ask_url(listing)).content.decode()
    (honeypot,) = re.findall(r'<div class="honeypot" aria-hidden="true">(.*?)</div>\s*</div>', page, re.S)
    assert 'name="website"' in honeypot and 'tabindex="-1"' in honeypot and 'autocomplete="off"' in honeypot


def test_a_bot_filling_the_honeypot_is_thanked_and_nothing_is_kept_or_sent(client, listing, sent):
    with sent():
        response = client.post(ask_url(listing), question(website="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == ask_url(listing, "ask_sent")
    assert not PatientMessage.objects.exists() and not mail.outbox


# Limits


def test_one_address_may_send_five_an_hour_then_429(client, listing, owner):
    answers = [client.post(ask_url(listing), question()).status_code for _ in range(6)]
    assert answers == [302, 302, 302, 302, 302, 429]
    assert PatientMessage.objects.count() == 5
    another_listing = owned_listing(owner, email="bob@clinic.example")
    assert client.post(ask_url(another_listing), question()).status_code == 429  # counted per address
    assert client.post(ask_url(listing), question(), REMOTE_ADDR="192.0.2.9").status_code == 302


def test_invalid_posts_count_against_the_address_too(client, listing):
    answers = [client.post(ask_url(listing), question(email="nope")).status_code for _ in range(6)]
    assert answers == [400, 400, 400, 400, 400, 429]


def test_one_listing_takes_twenty_a_day_from_all_addresses_together(client, listing, owner):
    answers = [
        client.post(ask_url(listing), question(), REMOTE_ADDR=f"192.0.2.{number}").status_code
        for number in range(1, 22)
    ]
    assert answers == [302] * 20 + [429]
    assert (
        "Too many questions today"
        in client.post(ask_url(listing), question(), REMOTE_ADDR="198.51.100.1").content.decode()
    )
    assert PatientMessage.objects.count() == 20
    other = owned_listing(owner, email="bob@clinic.example")
    assert client.post(ask_url(other), question(), REMOTE_ADDR="198.51.100.2").status_code == 302


def test_the_listing_limit_is_not_spent_by_bots_or_invalid_posts(client, listing):
    for number in range(1, 30):
        client.post(ask_url(listing), question(website="x"), REMOTE_ADDR=f"192.0.2.{number}")
        client.post(ask_url(listing), question(email="bad"), REMOTE_ADDR=f"198.51.100.{number}")
    assert client.post(ask_url(listing), question(), REMOTE_ADDR="203.0.113.1").status_code == 302


# Blocked senders


def test_a_blocked_senders_message_is_thanked_alike_kept_as_undelivered_and_sent_to_nobody(client, listing, sent):
    BlockedSender.objects.create(practitioner=listing, sender_key=sender_key("pat@patient.example"))
    with sent():
        response = client.post(ask_url(listing), question(email="Pat@Patient.example"))
    assert response.status_code == 302 and response["Location"] == ask_url(listing, "ask_sent")
    assert PatientMessage.objects.get().delivered is False
    assert not mail.outbox


def test_a_block_holds_for_its_listing_only(client, listing, owner, sent):
    BlockedSender.objects.create(practitioner=listing, sender_key=sender_key("pat@patient.example"))
    other = owned_listing(owner, email="bob@clinic.example")
    with sent():
        client.post(ask_url(other), question())
    assert [message.to for message in mail.outbox] == [["bob@clinic.example"], ["pat@patient.example"]]


# The owner's settings


def settings_url(practitioner: Practitioner) -> str:
    return reverse("practice:question_settings", kwargs={"pk": practitioner.pk})


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def visitors(owner, desk_moderator) -> dict[str, Client]:
    return {
        "anonymous": Client(),
        "unverified": signed_in(UserFactory(email="unverified@example.com", verified=False)),
        "another practitioner": signed_in(UserFactory(email="other@example.com")),
        "owner": signed_in(owner),
        "moderator": signed_in(desk_moderator),
        "staff": signed_in(UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)),
    }


# who -> (GET, POST) of the settings page; "login" a redirect to sign in, "verify" the page asking to verify first.
SETTINGS_ACCESS = {
    "anonymous": ("login", "login"),
    "unverified": ("verify", "verify"),
    "another practitioner": (404, 404),
    "owner": (200, 302),
    "moderator": (404, 404),
    "staff": (404, 404),
}


@pytest.mark.parametrize("who", list(SETTINGS_ACCESS))
def test_only_the_owner_can_see_and_change_the_question_settings(visitors, listing, who):
    for method, expected in zip(("get", "post"), SETTINGS_ACCESS[who], strict=True):
        response = getattr(visitors[who], method)(settings_url(listing), {"show_email": "on"})
        if expected == "login":
            assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
        elif expected == "verify":
            assert response.status_code == 200 and b"Confirm your e-mail address" in response.content
        else:
            assert response.status_code == expected
    listing.refresh_from_db()
    changed = (listing.questions_enabled, listing.show_email) == (False, True)
    assert changed is (who == "owner")


@pytest.mark.parametrize("who", ["anonymous", "unverified", "another practitioner", "owner", "moderator", "staff"])
def test_anyone_may_use_the_question_form(visitors, listing, who):
    assert visitors[who].get(ask_url(listing)).status_code == 200
    assert visitors[who].post(ask_url(listing), question()).status_code == 302


def test_the_owner_switches_the_form_off_and_on_at_once_without_review(owner_client, listing, client):
    page = owner_client.get(settings_url(listing)).content.decode()
    assert "Patients can send me questions through the directory" in page and "need no review" in page
    assert owner_client.post(settings_url(listing), {}).status_code == 302
    listing.refresh_from_db()
    assert (listing.questions_enabled, listing.show_email) == (False, False)
    assert listing.revisions.count() == 0
    assert client.get(ask_url(listing)).status_code == 404
    owner_client.post(settings_url(listing), {"questions_enabled": "on", "show_email": "on"})
    listing.refresh_from_db()
    assert (listing.questions_enabled, listing.show_email) == (True, True)
    profile = client.get(listing.get_absolute_url()).content.decode()
    assert "Ask a question" in profile and "ada@clinic.example" in profile


def test_the_dashboard_links_to_the_settings(owner_client, listing):
    assert settings_url(listing) in owner_client.get(reverse("practice:dashboard")).content.decode()


def test_a_new_owned_listing_takes_questions_and_hides_its_email_by_default(owner):
    fresh = owned_listing(owner, email="new@clinic.example")
    assert (fresh.questions_enabled, fresh.show_email, fresh.takes_questions, fresh.public_email) == (
        True, False, True, "",
    )  # fmt: skip


# Retention and the desk


def test_purge_messages_deletes_what_is_older_than_30_days(client, listing):
    out = io.StringIO()
    with time_machine.travel(datetime.datetime(2027, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        client.post(ask_url(listing), question(message="Old question."))
    with time_machine.travel(datetime.datetime(2027, 3, 20, 12, tzinfo=datetime.UTC), tick=False):
        client.post(ask_url(listing), question(message="Newer question."), REMOTE_ADDR="192.0.2.2")
    with time_machine.travel(datetime.datetime(2027, 3, 31, 11, tzinfo=datetime.UTC), tick=False):
        call_command("purge_messages", stdout=out)
        assert PatientMessage.objects.count() == 2  # 29 days and 23 hours: kept
    with time_machine.travel(datetime.datetime(2027, 3, 31, 13, tzinfo=datetime.UTC), tick=False):
        call_command("purge_messages", stdout=out)
    assert list(PatientMessage.objects.values_list("body", flat=True)) == ["Newer question."]
    assert out.getvalue().splitlines() == [
        "Deleted 0 messages older than 30 days.",
        "Deleted 1 message older than 30 days.",
    ]


def test_the_desk_sees_counts_per_listing_never_the_text(client, listing, desk_moderator):
    client.post(ask_url(listing), question(message="A private question about parking."))
    client.post(ask_url(listing), question(message="Another private question."), REMOTE_ADDR="192.0.2.2")
    PatientMessage.objects.filter(pk=PatientMessage.objects.first().pk).update(
        marked_spam_at=datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)
    )
    desk = signed_in(desk_moderator)
    page = desk.get(reverse("admin:directory_practitioner_change", args=[listing.pk])).content.decode()
    assert "Questions from patients" in page
    assert "2 in the last 30 days (0 from blocked senders, 1 marked as spam); 0 sender(s) blocked" in page
    assert "private question" not in page and "pat@patient.example" not in page and "Pat Patient" not in page
    assert desk.get("/admin/practice/patientmessage/").status_code == 404  # no page of messages at the desk


def test_changing_the_settings_leaves_an_edit_form_open_elsewhere_valid(owner_client, listing):
    before = listing_version(listing, None)
    owner_client.post(settings_url(listing), {"show_email": "on"})
    listing.refresh_from_db()
    assert listing.show_email and listing_version(listing, None) == before


def test_the_desk_sees_the_owners_settings_but_cannot_change_them(listing, desk_moderator):
    desk = signed_in(desk_moderator)
    page = desk.get(reverse("admin:directory_practitioner_change", args=[listing.pk])).content.decode()
    assert "Questions from patients" in page and "Show the e-mail address" in page
    assert 'name="questions_enabled"' not in page and 'name="show_email"' not in page
