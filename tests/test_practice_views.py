"""The practitioner's area over HTTP: who may do what, the listing form, claims."""

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from directory.models import Location, Practitioner
from moderation import services as desk
from practice.models import Claim, Revision
from tests.factories import (
    ACCOUNT_PASSWORD,
    PractitionerFactory,
    TrainingFactory,
    UserFactory,
    listing_form_data,
    owned_listing,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(owner) -> Practitioner:
    return owned_listing(owner, name="Dr. Ada Atlas", email="ada@example.com", bio="Old bio.")


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


# who -> {(URL name, method): answer}; "login" is a redirect to the login page, "verify" the page asking the user to
# verify their e-mail address first. A signed-in practitioner may list a practice and claim another's listing
# (for review), never see or change another's listing. The page for practitioners is public and read-only.
PUBLIC = {("about", "get"): 200, ("about", "post"): 405}
SIGNED_IN_ELSEWHERE = {
    ("dashboard", "get"): 200,
    ("dashboard", "post"): 405,
    ("new", "get"): 200,
    ("new", "post"): 302,
    ("edit", "get"): 404,
    ("edit", "post"): 404,
    ("confirm", "get"): 405,
    ("confirm", "post"): 404,
    ("claim", "get"): 200,
    ("claim", "post"): 302,
    ("claim_by_npi", "get"): 200,
    ("claim_by_npi", "post"): 400,  # no NPI in the form posted here
    # Each account's own data and closing; a POST without the password is refused with the form.
    ("account_data", "get"): 200,
    ("account_data", "post"): 405,
    ("account_close", "get"): 200,
    ("account_close", "post"): 400,
    # Another's training records do not exist for them; the evidence is the owner's and the moderators' only.
    ("training", "get"): 404,
    ("training", "post"): 404,
    ("training_edit", "get"): 404,
    ("training_edit", "post"): 404,
    ("training_remove", "get"): 405,
    ("training_remove", "post"): 404,
    ("training_evidence", "get"): 404,
    ("training_evidence", "post"): 405,
    **PUBLIC,
}
# The evidence answers 404 to whoever may not see it, signed in or not: nobody learns that it exists.
EVIDENCE = {("training_evidence", "get"): 404, ("training_evidence", "post"): 405}
EXPECTED = {
    "anonymous": {**dict.fromkeys(SIGNED_IN_ELSEWHERE, "login"), **EVIDENCE, **PUBLIC},
    "unverified": {**dict.fromkeys(SIGNED_IN_ELSEWHERE, "verify"), **EVIDENCE, **PUBLIC},
    "another practitioner": SIGNED_IN_ELSEWHERE,
    "owner": {
        **SIGNED_IN_ELSEWHERE,
        ("edit", "get"): 200,
        ("edit", "post"): 302,
        ("confirm", "post"): 302,
        ("claim", "get"): 302,
        ("training", "get"): 200,
        ("training", "post"): 400,  # the form posted here has no training in it
        ("training_edit", "get"): 200,
        ("training_edit", "post"): 400,
        ("training_remove", "post"): 302,
        ("training_evidence", "get"): 200,
    },
    "moderator": {**SIGNED_IN_ELSEWHERE, ("training_evidence", "get"): 200},
    "staff": {**SIGNED_IN_ELSEWHERE, ("training_evidence", "get"): 200},
}
NAMES = ["dashboard", "new", "edit", "confirm", "claim", "claim_by_npi", "account_data", "account_close", "about",
         "training", "training_edit", "training_remove", "training_evidence"]  # fmt: skip


def url_of(name: str, listing: Practitioner) -> str:
    if name.startswith("training_"):
        record = listing.training.get()
        return reverse(f"practice:{name}", kwargs={"pk": listing.pk, "training_pk": record.pk})
    if name == "training":
        return reverse("practice:training", kwargs={"pk": listing.pk})
    if name == "claim":
        return reverse("practice:claim", kwargs={"pk": listing.pk, "slug": listing.slug})
    if name in ("edit", "confirm"):
        return reverse(f"practice:{name}", kwargs={"pk": listing.pk})
    return reverse(f"practice:{name}")


@pytest.mark.parametrize("who", list(EXPECTED))
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", NAMES)
def test_every_practice_url_answers_each_kind_of_visitor_as_it_should(visitors, listing, who, method, name):
    TrainingFactory(practitioner=listing)
    before = (Practitioner.objects.count(), Revision.objects.count(), Claim.objects.count())
    data = listing_form_data(listing, bio="Changed by whom?") if name in ("new", "edit") else {"note": "Mine."}
    response = getattr(visitors[who], method)(url_of(name, listing), data)
    expected = EXPECTED[who][(name, method)]
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")
    elif expected == "verify":
        assert response.status_code == 200
        assert b"Confirm your e-mail address" in response.content
        assert b"Old bio." not in response.content
    else:
        assert response.status_code == expected
    listing.refresh_from_db()
    assert listing.owner.email == "owner@example.com"  # no claim or edit hands a listing over by itself
    assert listing.bio == "Old bio."  # a published listing changes only by an approved revision
    if who in ("anonymous", "unverified"):
        assert (Practitioner.objects.count(), Revision.objects.count(), Claim.objects.count()) == before


def test_the_dashboard_shows_only_the_users_own_listings_with_their_status(owner_client, listing):
    owned_listing(
        owner_client.session and listing.owner,
        status=Practitioner.Status.REJECTED,
        name="Dr. Rejected",
        rejection_reason="Add a street address.",
    )
    PractitionerFactory(name="Dr. Somebody Else")
    page = owner_client.get(reverse("practice:dashboard")).content.decode()
    assert "Dr. Ada Atlas" in page and "Published" in page
    assert "Rejected: Add a street address." in page
    assert "Dr. Somebody Else" not in page


def test_a_new_listing_is_saved_pending_and_placed_from_its_postal_code(owner_client, owner, nucca):
    response = owner_client.post(reverse("practice:new"), listing_form_data(techniques=[str(nucca.pk)]))
    assert response.status_code == 302
    practitioner = Practitioner.objects.get(owner=owner)
    assert practitioner.status == Practitioner.Status.PENDING
    assert list(practitioner.techniques.all()) == [nucca]
    location = practitioner.locations.get()
    assert location.placement == Location.Placement.POSTAL_CODE
    assert abs(location.latitude - 42.3576) < 0.05 and abs(location.longitude - -71.0684) < 0.05
    dashboard = owner_client.get(response["Location"]).content.decode()
    assert "Pending review" in dashboard
    assert "only approximate" in dashboard


def test_status_owner_and_external_id_cannot_be_set_through_the_form(owner_client, owner):
    stranger = UserFactory(email="stranger@example.com")
    data = listing_form_data(status="published", owner=str(stranger.pk), external_id="forged-1")
    owner_client.post(reverse("practice:new"), data)
    practitioner = Practitioner.objects.get()
    assert (practitioner.status, practitioner.owner, practitioner.external_id) == ("pending", owner, None)


def test_an_address_that_cannot_be_placed_is_a_field_error_and_nothing_is_saved(owner_client):
    data = listing_form_data(**{"locations-0-postal_code": "00000"})
    response = owner_client.post(reverse("practice:new"), data)
    assert response.status_code == 400
    assert "postal code 00000 is not in our postal-code data" in response.content.decode()
    assert 'id="id_locations-0-postal_code_errors"' in response.content.decode()
    assert not Practitioner.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("phone", "617-555-0100 / 617-555-0101", "Enter one phone number"),
        ("email", "not-an-address", "Enter a valid email address."),
        ("website", "javascript:alert(1)", "Enter a valid web address starting with http:// or https://."),
        ("locations-0-state", "Massachusetts", "two-letter code"),
        ("locations-0-postal_code", "H3B 1A7", "a ZIP code such as 02108"),
        ("locations-0-latitude", "91", "less than or equal to 90"),
        ("locations-0-address_line1", "<script>alert(1)</script>" * 20, "at most 200 characters"),
        ("locations-0-country", "FR", "Select a valid choice."),
    ],
)
def test_every_bad_value_gets_a_field_error_beside_its_field(owner_client, field, value, message):
    response = owner_client.post(reverse("practice:new"), listing_form_data(**{field: value}))
    page = response.content.decode()
    assert response.status_code == 400
    errors = page.split(f'id="id_{field}_errors"')[1].split("</ul>")[0]
    assert message in errors
    assert "<script>alert" not in page
    assert not Practitioner.objects.exists()


def test_a_latitude_without_a_longitude_is_an_error_on_the_missing_one(owner_client):
    response = owner_client.post(reverse("practice:new"), listing_form_data(**{"locations-0-latitude": "42.3"}))
    errors = response.content.decode().split('id="id_locations-0-longitude_errors"')[1].split("</ul>")[0]
    assert "Give both latitude and longitude." in errors


def test_a_pin_far_from_the_postal_code_is_refused(owner_client):
    data = listing_form_data(**{"locations-0-latitude": "40.7128", "locations-0-longitude": "-74.0060"})
    response = owner_client.post(reverse("practice:new"), data)
    assert response.status_code == 400
    assert "more than 50 km from postal code 02108" in response.content.decode()


def test_a_pin_on_the_door_is_kept_as_the_practitioner_placed_it(owner_client, owner):
    data = listing_form_data(**{"locations-0-latitude": "42.35799", "locations-0-longitude": "-71.06371"})
    owner_client.post(reverse("practice:new"), data)
    location = Location.objects.get()
    assert (location.latitude, location.longitude, location.placement) == (42.35799, -71.06371, "pin")


def test_add_another_location_shows_one_more_empty_location_and_keeps_what_was_typed(owner_client):
    data = listing_form_data(name="Dr. Typed So Far", add_location="1")
    response = owner_client.post(reverse("practice:new"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Location 2" in page
    assert 'value="Dr. Typed So Far"' in page
    assert 'name="locations-1-address_line1"' in page
    assert "field-errors" not in page
    assert not Practitioner.objects.exists()


def test_two_locations_are_saved_and_an_empty_extra_one_is_ignored(owner_client, owner):
    data = listing_form_data(
        **{
            "locations-TOTAL_FORMS": "3",
            "locations-INITIAL_FORMS": "2",
            "locations-1-clinic_name": "Calgary Office",
            "locations-1-address_line1": "100 8 Ave SW",
            "locations-1-city": "Calgary",
            "locations-1-state": "Alberta",
            "locations-1-postal_code": "t2p1j9",
            "locations-1-country": "CA",
            "locations-2-country": "US",
        }
    )
    assert owner_client.post(reverse("practice:new"), data).status_code == 302
    calgary = Location.objects.get(clinic_name="Calgary Office")
    assert (calgary.state, calgary.postal_code, calgary.country) == ("AB", "T2P 1J9", "CA")
    assert Location.objects.count() == 2


def test_a_listing_needs_at_least_one_location(owner_client):
    response = owner_client.post(reverse("practice:new"), listing_form_data(**{"locations-0-DELETE": "on"}))
    assert response.status_code == 400
    assert "Add at least one location." in response.content.decode()


def test_editing_a_published_listing_holds_the_change_until_it_is_approved(owner_client, listing, client):
    response = owner_client.post(reverse("practice:edit", args=[listing.pk]), listing_form_data(listing, bio="New."))
    assert response.status_code == 302
    assert Revision.objects.pending().get().proposed["practitioner"]["bio"] == "New."
    assert "Old bio." in client.get(listing.get_absolute_url()).content.decode()
    edit_page = owner_client.get(reverse("practice:edit", args=[listing.pk])).content.decode()
    assert "awaiting review" in edit_page
    assert "New." in edit_page  # the form shows the pending edit


class TestAFormFilledBeforeSomeoneElseChangedTheListing:
    """The edit form carries the version it was filled from; saving it after the listing changed would silently
    undo that change, so nothing is saved and the owner is shown where the listing now differs (409)."""

    def filled(self, owner_client, listing, **changes) -> dict:
        page = owner_client.get(reverse("practice:edit", args=[listing.pk]))
        based_on = page.context["form"].initial["based_on"]
        return {**listing_form_data(listing, **changes), "based_on": based_on}

    def test_a_moderators_correction_made_meanwhile_is_not_undone(self, owner_client, listing, desk_moderator):
        listing.status = Practitioner.Status.PENDING
        listing.save()
        stale = self.filled(owner_client, listing, bio="Now with evening hours.")
        listing.refresh_from_db()
        listing.phone = "(617) 555-0199"  # a moderator's correction in the admin
        listing.save()

        response = owner_client.post(reverse("practice:edit", args=[listing.pk]), stale)
        assert response.status_code == 409
        page = response.content.decode()
        assert "While you were editing, this listing changed" in page
        assert "<li>Phone: (617) 555-0199</li>" in page and "Now with evening hours." in page  # theirs, kept
        listing.refresh_from_db()
        assert (listing.phone, listing.bio) == ("(617) 555-0199", "Old bio.")

        again = {**stale, "phone": "(617) 555-0199", "based_on": response.context["form"].data["based_on"]}
        assert owner_client.post(reverse("practice:edit", args=[listing.pk]), again).status_code == 302
        listing.refresh_from_db()
        assert (listing.phone, listing.bio) == ("(617) 555-0199", "Now with evening hours.")

    def test_an_edit_approved_meanwhile_is_not_replaced_unseen(self, owner_client, owner, listing, desk_moderator):
        owner_client.post(reverse("practice:edit", args=[listing.pk]), listing_form_data(listing, bio="First."))
        stale = self.filled(owner_client, listing, bio="Second.")
        desk.revision_approve(revision=Revision.objects.pending().get(), moderator=desk_moderator)
        response = owner_client.post(reverse("practice:edit", args=[listing.pk]), stale)
        assert response.status_code == 409
        assert not Revision.objects.pending().exists()

    def test_a_version_that_was_never_issued_saves_nothing(self, owner_client, listing):
        tampered = {**listing_form_data(listing, bio="New."), "based_on": "<b>" + "9" * 5000}
        response = owner_client.post(reverse("practice:edit", args=[listing.pk]), tampered)
        assert response.status_code == 409 and "<b>9" not in response.content.decode()
        assert not Revision.objects.exists()

    def test_a_form_filled_from_the_current_listing_saves(self, owner_client, listing):
        fresh = self.filled(owner_client, listing, bio="New.")
        assert owner_client.post(reverse("practice:edit", args=[listing.pk]), fresh).status_code == 302
        assert Revision.objects.pending().get().proposed["practitioner"]["bio"] == "New."


def test_an_edit_cannot_take_over_another_listings_location(owner_client, listing):
    elsewhere = owned_listing(UserFactory()).locations.get()
    data = listing_form_data(listing, **{"locations-0-id": str(elsewhere.pk)})
    owner_client.post(reverse("practice:edit", args=[listing.pk]), data)
    proposed = Revision.objects.pending().get().proposed
    assert proposed["locations"][0]["id"] is None  # a new location of this listing, not the other one
    elsewhere.refresh_from_db()
    assert elsewhere.practitioner_id != listing.pk


def test_still_correct_is_shown_on_the_profile_by_month(owner, listing, client):
    with time_machine.travel("2027-03-15 12:00Z", tick=False):
        response = signed_in(owner).post(reverse("practice:confirm", args=[listing.pk]))
    assert response.status_code == 302
    assert "Confirmed by the practitioner in March 2027" in client.get(listing.get_absolute_url()).content.decode()


class TestClaimPage:
    def test_unowned_profiles_link_to_the_claim_and_owned_ones_do_not(self, client, listing):
        unowned = PractitionerFactory()
        assert "Is this your practice?" in client.get(unowned.get_absolute_url()).content.decode()
        assert "Is this your practice?" not in client.get(listing.get_absolute_url()).content.decode()

    def test_a_matching_verified_email_claims_at_once(self):
        practitioner = PractitionerFactory(email="Dr.Ada@Example.com")
        claimant = UserFactory(email="dr.ada@example.com")
        response = signed_in(claimant).post(reverse("practice:claim", args=[practitioner.pk, practitioner.slug]))
        assert response.status_code == 302
        practitioner.refresh_from_db()
        assert practitioner.owner == claimant

    def test_another_email_sends_the_claim_for_review_with_its_note_and_npi(self):
        practitioner = PractitionerFactory(email="clinic@example.com")
        claimant = UserFactory(email="me@example.com")
        data = {"note": "I own the clinic.", "npi": "1234567893"}
        signed_in(claimant).post(reverse("practice:claim", args=[practitioner.pk, practitioner.slug]), data)
        claim = Claim.objects.get()
        assert (claim.status, claim.note, claim.npi) == ("pending", "I own the clinic.", "1234567893")
        practitioner.refresh_from_db()
        assert practitioner.owner is None

    def test_an_npi_with_a_wrong_check_digit_is_a_field_error(self):
        practitioner = PractitionerFactory()
        response = signed_in(UserFactory()).post(
            reverse("practice:claim", args=[practitioner.pk, practitioner.slug]), {"npi": "1234567890"}
        )
        assert response.status_code == 400
        assert "valid check digit" in response.content.decode()
        assert not Claim.objects.exists()

    def test_an_unpublished_listing_cannot_be_claimed(self):
        practitioner = PractitionerFactory(status=Practitioner.Status.PENDING)
        response = signed_in(UserFactory()).get(reverse("practice:claim", args=[practitioner.pk, practitioner.slug]))
        assert response.status_code == 404

    def test_claims_are_rate_limited_per_account(self, settings):
        settings.ACCOUNT_RATE_LIMITS = {"claim": "2/h/user"}
        practitioner = PractitionerFactory()
        client = signed_in(UserFactory())
        url = reverse("practice:claim", args=[practitioner.pk, practitioner.slug])
        statuses = [client.post(url, {"note": f"Try {n}"}).status_code for n in range(3)]
        assert statuses == [302, 302, 429]


def test_practice_forms_need_a_csrf_token(owner):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    assert strict.post(reverse("practice:new"), listing_form_data()).status_code == 403
    assert not Practitioner.objects.exists()


def test_signing_in_by_email_and_password_reaches_the_practice(client, owner):
    response = client.post(reverse("account_login"), {"login": "OWNER@example.com", "password": ACCOUNT_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("practice:dashboard")).status_code == 200
    assert mail.outbox == []


HOSTILE = [
    '"><script>alert(1)</script>',
    "<img src=x onerror=alert(1)>",
    "{{ settings.SECRET_KEY }}",
    "' OR '1'='1",
    "\x00",
    "x" * 10_000,
    "\u202e10820",
    "9" * 400,
    "-1",
    "1e309",
]
LISTING_FIELDS = [
    *(name for name in listing_form_data() if not name.startswith("locations-0-id")),
    "techniques",
    "locations-0-id",
    "locations-0-DELETE",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_in_any_listing_field_get_an_answer_never_a_500_or_live_markup(owner_client, listing, value):
    for name in LISTING_FIELDS:
        for url in (reverse("practice:new"), reverse("practice:edit", args=[listing.pk])):
            data = listing_form_data(listing, **{name: value})
            response = owner_client.post(url, data)
            assert response.status_code in (302, 400), (name, response.status_code)
            page = response.content.decode()
            assert "<script>alert(1)" not in page and "<img src=x onerror" not in page
    listing.refresh_from_db()
    assert listing.bio == "Old bio."


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_in_the_claim_form_get_an_answer_never_a_500(value):
    practitioner = PractitionerFactory()
    client = signed_in(UserFactory())
    url = reverse("practice:claim", args=[practitioner.pk, practitioner.slug])
    for name in ("note", "npi"):
        response = client.post(url, {name: value})
        assert response.status_code in (302, 400)
        assert "<script>alert(1)" not in response.content.decode()


def test_the_dashboard_reads_any_number_of_listings_in_a_fixed_number_of_queries(
    owner_client, owner, django_assert_max_num_queries
):
    for number in range(6):
        owned_listing(owner, name=f"Dr. Number {number}")
    with django_assert_max_num_queries(9):
        response = owner_client.get(reverse("practice:dashboard"))
    assert response.content.decode().count('class="listing-card"') == 6


def test_an_id_too_large_for_the_database_is_a_404(owner_client):
    huge = "9" * 30
    assert owner_client.get(f"/practice/{huge}/edit/").status_code == 404
    assert owner_client.post(f"/practice/{huge}/confirm/").status_code == 404
    assert owner_client.get(f"/practitioners/{huge}-someone/claim/").status_code == 404


@pytest.mark.parametrize("website", ["ftp://example.com", "ftps://example.com"])
def test_the_edit_form_takes_web_addresses_only(owner_client, listing, website):
    url = reverse("practice:edit", args=[listing.pk])
    response = owner_client.post(url, listing_form_data(listing, website=website))
    assert response.status_code == 400
    errors = response.content.decode().split('id="id_website_errors"')[1].split("</ul>")[0]
    assert "Enter a valid web address starting with http:// or https://." in errors
    assert not Revision.objects.exists()
    assert owner_client.post(url, listing_form_data(listing, website="http://example.com")).status_code == 302
