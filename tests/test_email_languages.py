"""Each e-mail in its recipient's language: a practitioner's in the language of their account (User.language),
its links to the pages in that language; a patient's copy of their question in the language of the page they
asked on, while the practitioner gets theirs in their own."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from directory.models import Practitioner
from practice import services
from tests.factories import UserFactory, owned_listing

pytestmark = pytest.mark.django_db

SITE = "https://directory.example"
QUESTION = {
    "name": "Pat Patient",
    "email": "pat@patient.example",
    "phone": "617-555-0123",
    "contact_time": "evening",
    "message": "Do you see new patients on Saturdays?",
    "no_medical_details": "on",
}


def listing_of(language: str) -> Practitioner:
    owner = UserFactory(email=f"owner-{language}@example.com", language=language)
    return owned_listing(owner, status=Practitioner.Status.PENDING, name="Dr. Ada Atlas", email="ada@clinic.example")


def published(practitioner: Practitioner, desk_moderator, sent):
    with sent():
        assert services.listing_publish(practitioner=practitioner, moderator=desk_moderator)
    (message,) = mail.outbox
    practitioner.refresh_from_db()
    return message


def links_in(language: str, practitioner: Practitioner) -> tuple[str, str, str]:
    """The profile, edit and practice-area addresses as the e-mail should write them in `language`."""
    with translation.override(language):
        return (
            SITE + practitioner.get_absolute_url(),
            SITE + reverse("practice:edit", kwargs={"pk": practitioner.pk}),
            SITE + reverse("practice:dashboard"),
        )


@pytest.mark.needs_catalogue
def test_an_owner_who_reads_spanish_gets_the_published_e_mail_in_spanish_with_spanish_links(desk_moderator, sent):
    practitioner = listing_of("es")
    message = published(practitioner, desk_moderator, sent)
    assert message.to == ["owner-es@example.com"]
    assert message.subject == "Su ficha está publicada: Dr. Ada Atlas, DC"
    assert message.body.startswith("Buenas noticias: la ficha de Dr. Ada Atlas, DC ya está publicada")
    assert "Good news" not in message.body and "Your practice area" not in message.body
    profile, edit, practice = links_in("es", practitioner)
    assert all(link.startswith(f"{SITE}/es/") for link in (profile, edit, practice))
    assert f"Su perfil: {profile}" in message.body
    assert edit in message.body and practice in message.body


@pytest.mark.needs_catalogue
def test_an_owner_who_reads_canadian_french_gets_it_in_french_with_french_links(desk_moderator, sent):
    practitioner = listing_of("fr-ca")
    message = published(practitioner, desk_moderator, sent)
    assert message.subject == "Votre fiche est publiée\xa0: Dr. Ada Atlas, DC"
    assert message.body.startswith("Bonne nouvelle\xa0: la fiche de Dr. Ada Atlas, DC est maintenant publiée")
    profile, edit, practice = links_in("fr-ca", practitioner)
    assert all(link.startswith(f"{SITE}/fr-ca/") for link in (profile, edit, practice))
    assert f"Votre profil\xa0: {profile}" in message.body
    assert edit in message.body and practice in message.body


def test_an_owner_who_reads_english_gets_it_as_before(desk_moderator, sent):
    practitioner = listing_of("en")
    message = published(practitioner, desk_moderator, sent)
    assert message.subject == "Your listing is published: Dr. Ada Atlas, DC"
    assert message.body.startswith("Good news: Dr. Ada Atlas, DC is now published on the Upper Cervical Directory")
    profile, edit, practice = links_in("en", practitioner)
    assert f"Your profile: {profile}" in message.body
    assert f"To change anything, edit the listing: {edit}" in message.body
    assert f"Your practice area: {practice}" in message.body
    assert "/es/" not in message.body and "/fr-ca/" not in message.body


def test_the_e_mail_is_in_the_owners_language_whatever_language_the_moderator_works_in(desk_moderator, sent):
    practitioner = listing_of("en")
    with translation.override("es"):
        message = published(practitioner, desk_moderator, sent)
    assert message.subject == "Your listing is published: Dr. Ada Atlas, DC"
    assert "/es/" not in message.body


def ask_on(language: str, practitioner: Practitioner):
    with translation.override(language):
        url = reverse("practice:ask", kwargs={"pk": practitioner.pk, "slug": practitioner.slug})
    assert url.startswith(f"/{language}/")
    return Client().post(url, QUESTION)


@pytest.mark.needs_catalogue
def test_a_patient_who_asks_in_spanish_gets_a_spanish_copy_and_the_practitioner_their_own_language(sent):
    practitioner = listing_of("en")
    practitioner.status = Practitioner.Status.PUBLISHED
    practitioner.save()
    with sent():
        response = ask_on("es", practitioner)
    assert response.status_code == 302
    to_practitioner, copy = mail.outbox
    assert to_practitioner.to == ["ada@clinic.example"]
    assert to_practitioner.subject == "Question from a patient: Pat Patient"
    assert "A patient wrote to Dr. Ada Atlas, DC through your listing" in to_practitioner.body
    assert "Best time to reach them: Evenings" in to_practitioner.body
    assert "/es/" not in to_practitioner.body
    assert copy.to == ["pat@patient.example"]
    assert copy.subject == "Su pregunta a Dr. Ada Atlas, DC"
    assert copy.body.startswith("Esta es una copia de la pregunta que envió a Dr. Ada Atlas, DC")
    assert "Mejor horario para comunicarse con usted: Por la noche" in copy.body
    with translation.override("es"):
        assert SITE + practitioner.get_absolute_url() in copy.body
    assert f"{SITE}/es/" in copy.body


@pytest.mark.needs_catalogue
def test_a_practitioner_who_reads_french_gets_a_spanish_speaking_patients_question_in_french(sent):
    practitioner = listing_of("fr-ca")
    practitioner.status = Practitioner.Status.PUBLISHED
    practitioner.save()
    with sent():
        ask_on("es", practitioner)
    to_practitioner, copy = mail.outbox
    assert to_practitioner.subject == "Question d'un patient\xa0: Pat Patient"
    assert "Moment idéal pour les joindre\xa0: Le soir" in to_practitioner.body
    with translation.override("fr-ca"):
        settings_url = SITE + reverse("practice:question_settings", kwargs={"pk": practitioner.pk})
    assert settings_url.startswith(f"{SITE}/fr-ca/") and settings_url in to_practitioner.body
    assert f"{SITE}/fr-ca/questions/spam/" in to_practitioner.body
    assert copy.subject == "Su pregunta a Dr. Ada Atlas, DC"
