"""The desk's NPI registry panel on a listing's and a claim's page, against a real loopback server speaking the
NPPES API: what the registry says, each difference in words, a claim it confirms; a registry that is down never
breaks the page. Also the listing form's NPI and the "NPI registry" filter."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from directory.models import Practitioner
from practice.models import Claim
from tests.factories import LocationFactory, PractitionerFactory, UserFactory
from tests.registry_server import npi, record, registry_server

pytestmark = pytest.mark.django_db

JANE = npi("123456789")
OTHER = npi("198765432")


@pytest.fixture
def registry(settings):
    with registry_server(settings) as server:
        yield server


@pytest.fixture
def moderator_client(desk_moderator) -> Client:
    client = Client()
    client.force_login(desk_moderator)
    return client


@pytest.fixture
def listing() -> Practitioner:
    practitioner = PractitionerFactory(name="Dr. Jane Q. Smith", npi=JANE)
    LocationFactory(practitioner=practitioner, state="MA")
    return practitioner


@pytest.fixture
def claim(listing) -> Claim:
    return Claim.objects.create(practitioner=listing, claimant=UserFactory(email="jane@example.com"), npi=JANE)


def listing_page(client: Client, practitioner: Practitioner):
    return client.get(reverse("admin:directory_practitioner_change", args=[practitioner.pk]))


def claim_page(client: Client, claim: Claim):
    return client.get(reverse("admin:practice_claim_change", args=[claim.pk]))


def text_of(response) -> str:
    return " ".join(response.content.decode().split())


def test_a_listings_page_shows_what_the_registry_says(moderator_client, registry, listing):
    registry.records[JANE] = record(JANE)
    response = listing_page(moderator_client, listing)
    assert response.status_code == 200
    text = text_of(response)
    assert '<h2 id="registry-heading">NPI registry</h2>' in text
    assert f"What the national NPI registry says about NPI {JANE}, checked" in text
    for shown in ("JANE SMITH", "D.C.", "111N00000X (Chiropractor)", "DC-4567, MA", "1 TREMONT ST, Suite 200, BOSTON",
                  "<dt>Status</dt><dd>Active</dd>", "No differences from the listing"):  # fmt: skip
        assert shown in text


def test_a_non_chiropractor_in_another_state_is_flagged_in_words(moderator_client, registry, listing):
    registry.records[JANE] = record(
        JANE, taxonomy=("225100000X", "Physical Therapist"), licence=("NY", "PT-1"), address_state="NY"
    )
    text = text_of(listing_page(moderator_client, listing))
    assert "Differences from the listing" in text
    assert "Not a chiropractor: the primary taxonomy is 225100000X (Physical Therapist)." in text
    assert (
        "State differs: the listing is in MA; the registry&#x27;s practice address and licences are in NH, NY." in text
    )


def test_a_deactivated_npi_is_flagged_on_the_listings_page(moderator_client, registry, listing):
    registry.records[JANE] = record(JANE, status="D", deactivation_date="2023-05-01")
    text = text_of(listing_page(moderator_client, listing))
    assert "Deactivated on 2023-05-01" in text
    assert "The NPI is deactivated on 2023-05-01." in text


def test_an_npi_the_registry_does_not_know_is_flagged(moderator_client, registry, listing):
    text = text_of(listing_page(moderator_client, listing))
    assert "The registry has no record of this NPI" in text


def test_a_registry_that_is_down_leaves_the_page_working_and_says_so(moderator_client, registry, listing):
    registry.status = 500
    response = listing_page(moderator_client, listing)
    assert response.status_code == 200
    assert "Registry unavailable, checked" in text_of(response)
    assert "the registry answered HTTP 500" in text_of(response)


def test_a_registry_that_does_not_answer_delays_the_page_by_the_timeout_at_most(
    moderator_client, registry, listing, settings
):
    registry.delay = 3
    settings.NPPES_TIMEOUT_SECONDS = 0.5
    started = time.monotonic()
    response = listing_page(moderator_client, listing)
    assert time.monotonic() - started < 2
    assert response.status_code == 200
    assert "Registry unavailable, checked" in text_of(response)


def test_a_registry_that_is_not_listening_leaves_the_page_working(moderator_client, listing, settings):
    settings.NPPES_API_URL = "http://127.0.0.1:9/api/"
    response = listing_page(moderator_client, listing)
    assert response.status_code == 200
    assert "Registry unavailable, checked" in text_of(response)


def test_the_registry_is_asked_once_a_day_for_a_listing(moderator_client, registry, listing):
    registry.records[JANE] = record(JANE)
    listing_page(moderator_client, listing)
    listing_page(moderator_client, listing)
    assert len(registry.requests) == 1


def test_the_page_says_when_the_check_is_switched_off(moderator_client, listing, settings):
    settings.NPPES_API_URL = ""
    response = listing_page(moderator_client, listing)
    assert response.status_code == 200
    assert "The NPI registry check is switched off" in text_of(response)


def test_a_listing_without_an_npi_has_no_registry_panel_and_asks_nothing(moderator_client, registry):
    practitioner = PractitionerFactory(name="Dr. Jane Q. Smith")
    response = listing_page(moderator_client, practitioner)
    assert response.status_code == 200
    assert "registry-heading" not in response.content.decode()
    assert registry.requests == []


def test_a_claim_the_registry_confirms_is_marked_so(moderator_client, registry, claim):
    registry.records[JANE] = record(JANE)
    response = claim_page(moderator_client, claim)
    assert response.status_code == 200
    assert "Registry confirms this claim" in text_of(response)


def test_a_claim_of_another_persons_npi_is_not_confirmed_and_says_why(moderator_client, registry, claim):
    registry.records[JANE] = record(JANE, first_name="JOHN", last_name="DOE")
    text = text_of(claim_page(moderator_client, claim))
    assert "The registry does not confirm this claim." in text
    assert "Registry confirms this claim" not in text
    assert "Name differs: the registry says &quot;JOHN DOE&quot;, the listing &quot;Dr. Jane Q. Smith&quot;." in text


def test_a_claim_giving_another_npi_than_the_listings_is_flagged(moderator_client, registry, claim):
    Claim.objects.filter(pk=claim.pk).update(npi=OTHER)
    registry.records[OTHER] = record(OTHER)
    text = text_of(claim_page(moderator_client, claim))
    assert f"The listing already gives another NPI, {JANE}." in text


def test_a_claims_page_works_when_the_registry_is_down(moderator_client, registry, claim):
    registry.status = 503
    response = claim_page(moderator_client, claim)
    assert response.status_code == 200
    text = text_of(response)
    assert "Registry unavailable, checked" in text
    assert "confirm this claim" not in text


def test_the_claims_list_shows_the_cached_verdict_and_never_asks_the_registry(moderator_client, registry, claim):
    registry.records[JANE] = record(JANE)
    changelist = reverse("admin:practice_claim_changelist")
    assert "Not checked yet" in text_of(moderator_client.get(changelist))
    assert registry.requests == []
    claim_page(moderator_client, claim)
    assert '<td class="field-registry">Confirms</td>' in text_of(moderator_client.get(changelist))
    assert len(registry.requests) == 1


@pytest.mark.parametrize("page", [listing_page, claim_page], ids=["listing", "claim"])
@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_someone_not_on_the_staff_cannot_reach_the_pages(registry, claim, page, who):
    client = Client()
    if who == "member":
        client.force_login(UserFactory(email="member@example.com"))
    response = page(client, claim if page is claim_page else claim.practitioner)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert registry.requests == []


def edit(client: Client, practitioner: Practitioner, **changes: str):
    """Posts the listing's admin form as it stands (its locations left alone), with `changes`."""
    url = reverse("admin:directory_practitioner_change", args=[practitioner.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"techniques": [], "locations-TOTAL_FORMS": "0", "locations-INITIAL_FORMS": "0", **changes})
    data["accepting_new_patients"] = "on"
    return client.post(url, data)


def test_a_moderator_can_set_a_listings_npi(moderator_client, registry, listing):
    Practitioner.objects.filter(pk=listing.pk).update(npi="")
    response = edit(moderator_client, listing, npi=OTHER)
    assert response.status_code == 302, response.context["adminform"].form.errors
    listing.refresh_from_db()
    assert listing.npi == OTHER


def test_an_npi_failing_its_check_digit_is_refused_with_a_clear_error(moderator_client, registry, listing):
    response = edit(moderator_client, listing, npi="1234567890")
    assert response.status_code == 200
    assert "1234567890 is not a valid NPI" in response.context["adminform"].form.errors["npi"][0]
    listing.refresh_from_db()
    assert listing.npi == JANE


def test_an_npi_another_listing_has_is_refused(moderator_client, registry, listing):
    other = PractitionerFactory(name="Dr. Ann Other", npi=OTHER)
    response = edit(moderator_client, listing, npi=OTHER)
    assert response.status_code == 200
    assert f"Another listing already has NPI {OTHER}: {other}" in response.context["adminform"].form.errors["npi"][0]


def test_the_listings_can_be_filtered_by_whether_they_came_from_the_registry(moderator_client, listing):
    seeded = PractitionerFactory(name="Dr. Seeded From File", registry_values={"name": "Dr. Seeded From File"})
    changelist = reverse("admin:directory_practitioner_changelist")
    from_registry = moderator_client.get(changelist, {"from_registry": "yes"})
    assert [p.pk for p in from_registry.context["cl"].result_list] == [seeded.pk]
    not_from_registry = moderator_client.get(changelist, {"from_registry": "no"})
    assert [p.pk for p in not_from_registry.context["cl"].result_list] == [listing.pk]
    assert "From the NPI registry" in from_registry.content.decode()
