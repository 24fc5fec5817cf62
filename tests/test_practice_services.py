"""The practitioner side's writes: listings, edits held as revisions, claims, and their review."""

import socket

import pytest
import time_machine
from django.core import mail

from directory.models import Location, Practitioner
from practice import services
from practice.listing import listing_values
from practice.models import Claim, Revision
from tests.factories import PractitionerFactory, UserFactory, owned_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(db):
    return UserFactory(email="moderator@example.com", is_staff=True)


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Runs the block's on-commit callbacks (the e-mails) when it ends; the test then reads mail.outbox."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def proposal_with(practitioner: Practitioner, **changes: object) -> dict:
    proposed = listing_values(practitioner)
    proposed["practitioner"].update(changes)
    return proposed


def edit(practitioner: Practitioner, accepting_new_patients: bool = True, **changes: object) -> Revision | None:
    """The owner saves the listing with `changes` to its practitioner's values."""
    return services.listing_edit(
        practitioner=practitioner,
        editor=practitioner.owner,
        proposed=proposal_with(practitioner, **changes),
        accepting_new_patients=accepting_new_patients,
    )


class TestListingCreate:
    def test_a_new_listing_is_pending_owned_and_confirmed_today(self, owner, nucca):
        proposed = {
            "practitioner": {
                "name": "Dr. Ada Atlas",
                "credentials": "DC",
                "npi": "",
                "email": "",
                "phone": "",
                "website": "",
                "bio": "",
                "languages": "es",
                "insurance_plans": "Aetna",
                "accepts_cash": True,
                "accepts_hsa_fsa": False,
                "offers_payment_plans": False,
                "first_visit_fee": None,
            },
            "techniques": [nucca.pk],
            "locations": [
                {
                    "id": None,
                    "clinic_name": "Atlas",
                    "address_line1": "1 Beacon St",
                    "city": "Boston",
                    "state": "MA",
                    "postal_code": "02108",
                    "country": "US",
                    "phone": "",
                    "latitude": 42.3,
                    "longitude": -71.0,
                    "placement": Location.Placement.ADDRESS,
                    "opening_hours": {},
                    "hours_exceptions": [],
                }
            ],
        }
        practitioner = services.listing_create(owner=owner, proposed=proposed, accepting_new_patients=False)
        practitioner.refresh_from_db()
        assert practitioner.status == Practitioner.Status.PENDING
        assert practitioner.owner == owner
        assert practitioner.confirmed_at is not None
        assert practitioner.accepting_new_patients is False
        assert list(practitioner.techniques.all()) == [nucca]
        assert practitioner.locations.get().placement == Location.Placement.ADDRESS
        assert listing_values(practitioner) == {
            **proposed,
            "locations": [{**proposed["locations"][0], "id": practitioner.locations.get().pk}],
        }


class TestPublishAndReject:
    def test_publishing_tells_the_owner_by_email_with_links_back(self, owner, moderator, sent):
        practitioner = owned_listing(owner, status=Practitioner.Status.PENDING, name="Dr. Ada Atlas")
        with sent():
            assert services.listing_publish(practitioner=practitioner, moderator=moderator) is True
        practitioner.refresh_from_db()
        assert practitioner.status == Practitioner.Status.PUBLISHED
        [email] = mail.outbox
        assert email.to == ["owner@example.com"]
        assert "published" in email.subject
        assert not email.alternatives  # plain text only
        assert f"https://directory.example{practitioner.get_absolute_url()}" in email.body
        assert "https://directory.example/practice/" in email.body
        assert "because your account manages this listing" in email.body

    def test_publishing_twice_sends_one_email(self, owner, moderator, sent):
        practitioner = owned_listing(owner, status=Practitioner.Status.PENDING)
        with sent():
            services.listing_publish(practitioner=practitioner, moderator=moderator)
            assert services.listing_publish(practitioner=practitioner, moderator=moderator) is False
        assert len(mail.outbox) == 1

    def test_an_imported_listing_without_owner_is_published_without_email(self, moderator, sent):
        practitioner = PractitionerFactory(status=Practitioner.Status.PENDING)
        with sent():
            services.listing_publish(practitioner=practitioner, moderator=moderator)
        assert mail.outbox == []

    def test_rejecting_keeps_every_value_and_says_why(self, owner, moderator, sent):
        practitioner = owned_listing(owner, status=Practitioner.Status.PENDING, bio="Kept.")
        before = listing_values(practitioner)
        with sent():
            services.listing_reject(practitioner=practitioner, moderator=moderator, reason="Add your license number.")
        practitioner.refresh_from_db()
        assert practitioner.status_in_words == "Rejected: Add your license number."
        assert listing_values(practitioner) == before
        assert "Add your license number." in mail.outbox[0].body

    def test_a_published_listing_cannot_be_rejected_by_the_pending_action(self, owner, moderator):
        practitioner = owned_listing(owner)
        assert services.listing_reject(practitioner=practitioner, moderator=moderator, reason="x") is False
        practitioner.refresh_from_db()
        assert practitioner.status == Practitioner.Status.PUBLISHED


class TestListingEdit:
    def test_editing_an_unpublished_listing_changes_it_at_once(self, owner):
        practitioner = owned_listing(owner, status=Practitioner.Status.PENDING)
        revision = edit(practitioner, bio="New.")
        practitioner.refresh_from_db()
        assert revision is None
        assert practitioner.bio == "New."
        assert practitioner.status == Practitioner.Status.PENDING

    def test_editing_a_rejected_listing_sends_it_back_for_review(self, owner):
        practitioner = owned_listing(owner, status=Practitioner.Status.REJECTED, rejection_reason="Incomplete.")
        edit(practitioner, bio="Complete now.")
        practitioner.refresh_from_db()
        assert practitioner.status == Practitioner.Status.PENDING
        assert practitioner.rejection_reason == ""

    def test_editing_a_published_listing_keeps_it_live_and_holds_the_edit_as_a_revision(self, owner):
        practitioner = owned_listing(owner, bio="Old.")
        proposed = proposal_with(practitioner, bio="New.")
        revision = services.listing_edit(
            practitioner=practitioner, editor=owner, proposed=proposed, accepting_new_patients=True
        )
        practitioner.refresh_from_db()
        assert practitioner.status == Practitioner.Status.PUBLISHED
        assert practitioner.bio == "Old."
        assert revision.status == Revision.Status.PENDING
        assert revision.proposed == proposed

    def test_accepting_new_patients_applies_at_once_without_a_revision(self, owner):
        practitioner = owned_listing(owner, accepting_new_patients=True)
        revision = services.listing_edit(
            practitioner=practitioner,
            editor=owner,
            proposed=listing_values(practitioner),
            accepting_new_patients=False,
        )
        practitioner.refresh_from_db()
        assert revision is None
        assert practitioner.accepting_new_patients is False
        assert not Revision.objects.exists()

    def test_a_new_edit_replaces_the_pending_one(self, owner):
        practitioner = owned_listing(owner)
        first = edit(practitioner, bio="First.")
        second = edit(practitioner, bio="Second.")
        first.refresh_from_db()
        assert first.status == Revision.Status.SUPERSEDED
        assert list(Revision.objects.pending()) == [second]

    def test_an_edit_back_to_the_published_values_withdraws_the_pending_one(self, owner):
        practitioner = owned_listing(owner)
        first = edit(practitioner, bio="First.")
        services.listing_edit(
            practitioner=practitioner, editor=owner, proposed=listing_values(practitioner), accepting_new_patients=True
        )
        first.refresh_from_db()
        assert first.status == Revision.Status.WITHDRAWN
        assert not Revision.objects.pending().exists()


class TestRevisionReview:
    def test_approval_applies_fields_techniques_and_locations_atomically(self, owner, moderator, nucca, blair, sent):
        practitioner = owned_listing(owner, techniques=[nucca])
        kept = practitioner.locations.get()
        proposed = proposal_with(practitioner, name="Dr. Ada Atlas-Axis", phone="(617) 555-0199")
        proposed["techniques"] = [blair.pk]
        proposed["locations"][0]["city"] = "Cambridge"
        proposed["locations"].append({**proposed["locations"][0], "id": None, "clinic_name": "Second Office"})
        revision = services.listing_edit(
            practitioner=practitioner, editor=owner, proposed=proposed, accepting_new_patients=True
        )
        with sent():
            services.revision_approve(revision=revision, moderator=moderator)
        practitioner.refresh_from_db()
        revision.refresh_from_db()
        assert practitioner.name == "Dr. Ada Atlas-Axis"
        assert list(practitioner.techniques.all()) == [blair]
        assert [
            (location.pk == kept.pk, location.city, location.clinic_name)
            for location in practitioner.locations.order_by("pk")
        ] == [(True, "Cambridge", "Atlas Clinic"), (False, "Cambridge", "Second Office")]
        assert revision.status == Revision.Status.APPROVED
        assert revision.decided_by == moderator
        assert "approved your changes" in mail.outbox[0].body

    def test_approval_removes_a_location_the_edit_removed(self, owner, moderator):
        practitioner = owned_listing(owner)
        first = practitioner.locations.get()
        proposed = listing_values(practitioner)
        proposed["locations"] = [{**proposed["locations"][0], "id": None, "clinic_name": "New Place"}]
        revision = services.listing_edit(
            practitioner=practitioner, editor=owner, proposed=proposed, accepting_new_patients=True
        )
        services.revision_approve(revision=revision, moderator=moderator)
        assert not Location.objects.filter(pk=first.pk).exists()
        assert practitioner.locations.get().clinic_name == "New Place"

    def test_rejection_leaves_the_listing_and_tells_the_owner_why(self, owner, moderator, sent):
        practitioner = owned_listing(owner, bio="Old.")
        revision = edit(practitioner, bio="Spam!")
        with sent():
            services.revision_reject(revision=revision, moderator=moderator, reason="Advertising is not allowed.")
        practitioner.refresh_from_db()
        revision.refresh_from_db()
        assert practitioner.bio == "Old."
        assert revision.status == Revision.Status.REJECTED
        assert revision.proposed["practitioner"]["bio"] == "Spam!"  # what was submitted is kept
        assert "Advertising is not allowed." in mail.outbox[0].body

    def test_a_decided_revision_cannot_be_decided_again(self, owner, moderator):
        practitioner = owned_listing(owner)
        revision = edit(practitioner, bio="New.")
        services.revision_reject(revision=revision, moderator=moderator, reason="No.")
        with pytest.raises(services.ReviewConflict):
            services.revision_approve(revision=revision, moderator=moderator)
        practitioner.refresh_from_db()
        assert practitioner.bio != "New."


class TestClaims:
    def test_a_verified_matching_email_claims_an_unowned_listing_at_once(self):
        practitioner = PractitionerFactory(email="Ada@Example.com")
        claimant = UserFactory(email="ada@example.com")
        claim = services.claim_submit(
            practitioner=practitioner, claimant=claimant, note="", npi="", email_verified=True
        )
        practitioner.refresh_from_db()
        assert claim.status == Claim.Status.APPROVED and claim.approved_automatically
        assert practitioner.owner == claimant

    def test_any_other_claim_waits_for_review(self):
        practitioner = PractitionerFactory()
        claimant = UserFactory()
        claim = services.claim_submit(
            practitioner=practitioner, claimant=claimant, note="I work there.", npi="1234567893", email_verified=False
        )
        practitioner.refresh_from_db()
        assert claim.status == Claim.Status.PENDING
        assert practitioner.owner is None

    def test_a_claim_on_an_owned_listing_never_replaces_the_owner_by_itself(self, owner):
        practitioner = owned_listing(owner, email="shared@example.com")
        claimant = UserFactory(email="shared2@example.com")
        claim = services.claim_submit(
            practitioner=practitioner, claimant=claimant, note="", npi="", email_verified=True
        )
        practitioner.refresh_from_db()
        assert claim.status == Claim.Status.PENDING
        assert practitioner.owner == owner

    def test_claiming_again_updates_the_pending_claim(self):
        practitioner, claimant = PractitionerFactory(), UserFactory()
        services.claim_submit(practitioner=practitioner, claimant=claimant, note="One", npi="", email_verified=False)
        services.claim_submit(practitioner=practitioner, claimant=claimant, note="Two", npi="", email_verified=False)
        assert list(Claim.objects.values_list("note", flat=True)) == ["Two"]

    def test_approving_a_claim_makes_the_claimant_the_owner(self, owner, moderator, sent):
        practitioner = owned_listing(owner)
        claimant = UserFactory(email="new-owner@example.com")
        claim = services.claim_submit(
            practitioner=practitioner, claimant=claimant, note="", npi="", email_verified=False
        )
        with sent():
            services.claim_approve(claim=claim, moderator=moderator)
        practitioner.refresh_from_db()
        assert practitioner.owner == claimant
        assert mail.outbox[0].to == ["new-owner@example.com"]

    @pytest.mark.parametrize(
        ("listing_npi", "claim_npi", "expected"),
        [("", "1234567893", "1234567893"), ("1245319599", "1234567893", "1245319599"), ("", "", "")],
    )
    def test_approving_a_claim_gives_a_listing_without_an_npi_the_claimants(
        self, moderator, sent, listing_npi, claim_npi, expected
    ):
        practitioner = PractitionerFactory(npi=listing_npi)
        claim = services.claim_submit(
            practitioner=practitioner, claimant=UserFactory(), note="", npi=claim_npi, email_verified=False
        )
        with sent():
            services.claim_approve(claim=claim, moderator=moderator)
        practitioner.refresh_from_db()
        assert practitioner.npi == expected

    def test_an_npi_another_listing_has_is_not_given_and_the_claim_is_still_approved(self, moderator, sent):
        PractitionerFactory(npi="1234567893")
        practitioner, claimant = PractitionerFactory(), UserFactory()
        claim = services.claim_submit(
            practitioner=practitioner, claimant=claimant, note="", npi="1234567893", email_verified=False
        )
        with sent():
            services.claim_approve(claim=claim, moderator=moderator)
        practitioner.refresh_from_db()
        assert (practitioner.owner, practitioner.npi) == (claimant, "")

    def test_approving_one_claim_closes_the_listings_other_claims_and_tells_their_claimants(self, moderator, sent):
        practitioner = PractitionerFactory()
        first, second = UserFactory(email="first@example.com"), UserFactory(email="second@example.com")
        claims = [
            services.claim_submit(practitioner=practitioner, claimant=claimant, note="", npi="", email_verified=False)
            for claimant in (first, second)
        ]
        with sent():
            closed = services.claim_approve(claim=claims[0], moderator=moderator)
        assert [claim.pk for claim in closed] == [claims[1].pk]
        claims[1].refresh_from_db()
        assert (claims[1].status, claims[1].reason) == (Claim.Status.REJECTED, services.ANOTHER_CLAIM_APPROVED)
        assert [email.to for email in mail.outbox] == [["first@example.com"], ["second@example.com"]]
        assert services.ANOTHER_CLAIM_APPROVED in mail.outbox[1].body
        with pytest.raises(services.ReviewConflict):
            services.claim_approve(claim=claims[1], moderator=moderator)

    def test_rejecting_a_claim_tells_the_claimant_why(self, moderator, sent):
        practitioner, claimant = PractitionerFactory(), UserFactory(email="claimant@example.com")
        claim = services.claim_submit(
            practitioner=practitioner, claimant=claimant, note="", npi="", email_verified=False
        )
        with sent():
            services.claim_reject(claim=claim, moderator=moderator, reason="We could not reach the clinic.")
        practitioner.refresh_from_db()
        assert practitioner.owner is None
        [email] = mail.outbox
        assert email.to == ["claimant@example.com"]
        assert "We could not reach the clinic." in email.body
        assert "because you claimed this listing" in email.body


def test_still_correct_records_today(owner):
    practitioner = owned_listing(owner)
    with time_machine.travel("2027-03-15 12:00Z", tick=False):
        services.listing_confirm(practitioner=practitioner)
    practitioner.refresh_from_db()
    assert practitioner.confirmed_at.isoformat() == "2027-03-15T12:00:00+00:00"


def test_unpublishing_takes_a_listing_off_keeps_its_data_and_tells_the_owner_why(owner, moderator, sent):
    practitioner = owned_listing(owner, bio="Kept.")
    before = listing_values(practitioner)
    with sent():
        assert services.listing_unpublish(practitioner=practitioner, moderator=moderator, reason="Moved away.")
    practitioner.refresh_from_db()
    assert practitioner.status_in_words == "Rejected: Moved away."
    assert listing_values(practitioner) == before
    assert "Moved away." in mail.outbox[0].body and "off the" in mail.outbox[0].subject
    assert services.listing_unpublish(practitioner=practitioner, moderator=moderator, reason="Again.") is False


def test_a_mail_server_that_is_down_never_fails_a_decision_that_was_saved(owner, moderator, sent, settings, caplog):
    with socket.socket() as probe:  # a loopback port with nothing listening: the connection is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    practitioner = owned_listing(owner, status=Practitioner.Status.PENDING)
    with sent():
        assert services.listing_publish(practitioner=practitioner, moderator=moderator)
    practitioner.refresh_from_db()
    assert practitioner.status == Practitioner.Status.PUBLISHED
    assert "ConnectionRefusedError" in caplog.text
