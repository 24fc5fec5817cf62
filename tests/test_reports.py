"""'Report incorrect information': any patient, no account; spam-proofed; never changes a listing by itself."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from directory.models import Practitioner
from moderation import services as desk
from moderation.models import Report
from practice.listing import listing_values
from tests.factories import PractitionerFactory, UserFactory, owned_listing

pytestmark = pytest.mark.django_db


def report_url(practitioner: Practitioner) -> str:
    return reverse("moderation:report", kwargs={"pk": practitioner.pk, "slug": practitioner.slug})


def test_every_profile_links_to_its_report_form(client, owner):
    listing = owned_listing(owner)
    page = client.get(listing.get_absolute_url()).content.decode()
    assert f'href="{report_url(listing)}">Report incorrect information</a>' in page


def test_the_form_has_exactly_the_labels_patients_read(client, owner):
    page = client.get(report_url(owned_listing(owner))).content.decode()
    assert "<legend>What is wrong?</legend>" in page
    assert '<label for="id_details">Details</label>' in page
    assert '<label for="id_email">E-mail for a reply (optional)</label>' in page
    for choice in ("moved", "closed", "wrong_phone", "wrong_technique", "other"):
        assert f'value="{choice}"' in page


def test_a_report_is_kept_for_moderators_and_the_listing_stays_as_it_was(client, owner):
    listing = owned_listing(owner)
    before = listing_values(listing)
    response = client.post(report_url(listing), {"problem": "moved", "details": "Now at 9 Elm St.", "email": ""})
    assert response.status_code == 302 and response["Location"] == listing.get_absolute_url()
    report = Report.objects.get()
    assert (report.practitioner, report.problem, report.details, report.is_open) == (
        listing,
        "moved",
        "Now at 9 Elm St.",
        True,
    )
    listing.refresh_from_db()
    assert listing_values(listing) == before and listing.status == Practitioner.Status.PUBLISHED
    assert "A moderator will check the listing" in client.get(listing.get_absolute_url()).content.decode()


def test_a_missing_choice_or_a_bad_address_is_a_field_error_and_what_was_typed_is_escaped(client, owner):
    listing = owned_listing(owner)
    response = client.post(report_url(listing), {"details": "<script>alert(1)</script>", "email": "not-an-address"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose what is wrong." in page and "Enter a valid email address." in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert not Report.objects.exists()


def test_details_longer_than_2000_characters_are_refused(client, owner):
    response = client.post(report_url(owned_listing(owner)), {"problem": "other", "details": "x" * 2001})
    assert response.status_code == 400 and not Report.objects.exists()


def test_a_bot_filling_the_honeypot_is_thanked_and_nothing_is_kept(client, owner):
    listing = owned_listing(owner)
    response = client.post(report_url(listing), {"problem": "closed", "details": "spam", "website": "http://spam"})
    assert response.status_code == 302
    assert not Report.objects.exists()


def test_the_honeypot_is_hidden_from_people_and_from_the_keyboard(client, owner):
    page = client.get(report_url(owned_listing(owner))).content.decode()
    assert '<div class="honeypot" aria-hidden="true">' in page
    assert 'name="website"' in page and 'tabindex="-1"' in page


def test_each_address_may_send_five_reports_an_hour(client, owner):
    listing = owned_listing(owner)
    answers = [client.post(report_url(listing), {"problem": "other", "details": f"#{n}"}).status_code for n in range(6)]
    assert answers == [302, 302, 302, 302, 302, 429]
    assert Report.objects.count() == 5
    other_address = client.post(report_url(listing), {"problem": "other"}, REMOTE_ADDR="192.0.2.9")
    assert other_address.status_code == 302


def test_unpublished_listings_have_no_report_form(client, owner):
    listing = owned_listing(owner, status=Practitioner.Status.PENDING)
    assert client.get(report_url(listing)).status_code == 404
    assert client.post(report_url(listing), {"problem": "other"}).status_code == 404


def test_an_old_slug_is_sent_to_the_current_address(client):
    listing = PractitionerFactory(name="Dr. New Name")
    old = reverse("moderation:report", kwargs={"pk": listing.pk, "slug": "dr-old-name"})
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == report_url(listing)


def test_the_report_form_needs_a_csrf_token(owner):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(report_url(owned_listing(owner)), {"problem": "other"}).status_code == 403


@pytest.mark.parametrize(
    ("language", "subject", "thanks", "link"),
    [
        (
            "en",
            "Your report about",
            "Thank you for telling us that a listing",
            "https://directory.example/practitioners/",
        ),
        (
            "es",
            "Su reporte sobre",
            "Gracias por avisarnos que una ficha",
            "https://directory.example/es/practitioners/",
        ),
        (
            "fr-ca",
            "Votre signalement concernant",
            "Merci de nous avoir signalé",
            "https://directory.example/fr-ca/practitioners/",
        ),
    ],
)
def test_the_reporter_is_answered_in_the_language_of_the_page_they_reported_on(
    client, owner, django_capture_on_commit_callbacks, language, subject, thanks, link
):
    listing = owned_listing(owner)
    with translation.override(language):
        url = report_url(listing)
    client.post(url, {"problem": "closed", "details": "", "email": "patient@example.net"})
    report = Report.objects.get()
    assert report.language == language
    moderator = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        desk.report_resolve(report=report, moderator=moderator, note="Checked.")
    (answer,) = [email for email in mail.outbox if email.to == ["patient@example.net"]]
    assert answer.subject.startswith(subject)
    assert thanks in answer.body and f"{link}{listing.pk}-" in answer.body and "Checked." in answer.body
