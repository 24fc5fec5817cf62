"""When two e-mail addresses are one: accounts.emails, and the claim that trusts it."""

import pytest
from django.urls import reverse

from accounts.emails import email_canonical, emails_match
from directory.models import Practitioner
from practice.models import Claim
from tests.factories import PractitionerFactory, UserFactory

LOOK_ALIKES = {
    "dotless i": "dr@cl\u0131nic.com",
    "long s": "dr@clinic.\u017fite.com",
    "Kelvin sign": "dr@\u212ainetic.com",
    "full-width letters": "dr@\uff43\uff4c\uff49\uff4e\uff49\uff43.com",
    "full-width local part": "\uff44\uff52@clinic.com",
    "combining acute": "dr@cli\u0301nic.com",
    "combining dot above on a dotless i": "dr@cl\u0131\u0307nic.com",
    "dotless i in the local part": "d\u0131r@clinic.com",
}
REAL = {
    "dotless i": "dr@clinic.com",
    "long s": "dr@clinic.site.com",
    "Kelvin sign": "dr@kinetic.com",
    "full-width letters": "dr@clinic.com",
    "full-width local part": "dr@clinic.com",
    "combining acute": "dr@clinic.com",
    "combining dot above on a dotless i": "dr@clinic.com",
    "dotless i in the local part": "dir@clinic.com",
}


@pytest.mark.parametrize("kind", LOOK_ALIKES)
def test_a_look_alike_address_is_not_the_address_it_imitates(kind):
    assert not emails_match(LOOK_ALIKES[kind], REAL[kind])


def test_ascii_case_and_an_idn_domain_in_either_form_are_the_same_address():
    assert emails_match("Dr.Ada@Example.COM", "dr.ada@example.com")
    assert emails_match("dr@m\u00fcnchen.de", "dr@xn--mnchen-3ya.de")
    assert email_canonical("dr@m\u00fcnchen.de") == "dr@xn--mnchen-3ya.de"


def test_something_that_is_not_an_address_matches_nothing():
    assert email_canonical("no-at-sign") is None
    assert not emails_match("", "")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", LOOK_ALIKES)
def test_a_verified_look_alike_address_is_never_granted_the_listing(client, kind):
    practitioner = PractitionerFactory(email=REAL[kind])
    client.force_login(UserFactory(email=LOOK_ALIKES[kind]))
    response = client.post(reverse("practice:claim", args=[practitioner.pk, practitioner.slug]))
    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.owner is None
    assert Claim.objects.get().status == Claim.Status.PENDING


@pytest.mark.django_db
def test_the_real_owner_in_any_ascii_case_is_still_granted_the_listing_at_once(client):
    practitioner = PractitionerFactory(email="Dr@Clinic.com", status=Practitioner.Status.PUBLISHED)
    owner = UserFactory(email="DR@clinic.COM")
    client.force_login(owner)
    client.post(reverse("practice:claim", args=[practitioner.pk, practitioner.slug]))
    practitioner.refresh_from_db()
    assert practitioner.owner == owner
