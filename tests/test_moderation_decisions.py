"""Decisions on the page that shows the thing (moderation.decisions): the buttons each kind offers, the service
each calls (one audit entry, the same e-mails), the reason asked in place, the next item waiting, and who may."""

import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from directory.models import Practitioner
from moderation import services as desk
from moderation.models import AuditEntry, Report
from practice import services
from practice.listing import listing_values
from practice.models import Claim, Revision
from tests.factories import PractitionerFactory, UserFactory, owned_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client(desk_moderator) -> Client:
    client = Client()
    client.force_login(desk_moderator)
    return client


def edit_of(listing: Practitioner, bio: str) -> Revision:
    proposed = listing_values(listing)
    proposed["practitioner"]["bio"] = bio
    return services.listing_edit(
        practitioner=listing, editor=listing.owner, proposed=proposed, accepting_new_patients=True
    )


def change_url(item) -> str:
    return reverse(f"admin:{item._meta.app_label}_{item._meta.model_name}_change", args=[item.pk])


def decide_url(item, decision: str) -> str:
    return reverse(f"admin:{item._meta.app_label}_{item._meta.model_name}_decide", args=[item.pk, decision])


def buttons_on(client: Client, item) -> list[str]:
    return [decision.name for decision in client.get(change_url(item)).context["decisions"]]


def test_each_kind_offers_the_decisions_its_state_allows(moderator_client, owner):
    pending = owned_listing(owner, status=Practitioner.Status.PENDING)
    published = owned_listing(UserFactory())
    revision = edit_of(published, "New bio.")
    claim = services.claim_submit(
        practitioner=PractitionerFactory(), claimant=UserFactory(), note="", npi="", email_verified=False
    )
    report = desk.report_submit(practitioner=published, problem="moved", details="", email="")
    assert buttons_on(moderator_client, pending) == ["publish", "reject"]
    assert buttons_on(moderator_client, published) == ["unpublish"]
    assert buttons_on(moderator_client, revision) == ["approve", "reject"]
    assert buttons_on(moderator_client, claim) == ["approve", "reject"]
    assert buttons_on(moderator_client, report) == ["resolve"]
    page = moderator_client.get(change_url(revision)).content.decode()
    assert 'for="decide-reject-text">Reason for rejecting' in page and ">Approve</button>" in page


def test_approving_an_edit_from_its_page_applies_it_audits_it_mails_the_owner_and_opens_the_next(
    moderator_client, owner, sent
):
    first = edit_of(owned_listing(owner, bio="Old."), "First.")
    second = edit_of(owned_listing(UserFactory(), bio="Old."), "Second.")
    with sent():
        response = moderator_client.post(decide_url(first, "approve"))
    assert response.status_code == 302 and response["Location"] == change_url(second)
    first.refresh_from_db()
    assert first.status == Revision.Status.APPROVED and first.practitioner.bio == "First."
    assert AuditEntry.objects.get().action == AuditEntry.Action.REVISION_APPROVED
    assert [message.to for message in mail.outbox] == [[owner.email]]


def test_rejecting_asks_for_the_reason_in_place_and_refuses_without_one(moderator_client, owner, sent):
    revision = edit_of(owned_listing(owner), "Too promotional.")
    response = moderator_client.post(decide_url(revision, "reject"), {"text": "   "})
    assert response.status_code == 302 and response["Location"] == change_url(revision)
    revision.refresh_from_db()
    assert revision.status == Revision.Status.PENDING and not AuditEntry.objects.exists()
    with sent():
        response = moderator_client.post(decide_url(revision, "reject"), {"text": "Please keep it factual."})
    assert response["Location"] == reverse("admin:index")  # nothing else waits: back to the queue
    revision.refresh_from_db()
    assert (revision.status, revision.reason) == (Revision.Status.REJECTED, "Please keep it factual.")
    assert "Please keep it factual." in mail.outbox[0].body


def test_a_claim_a_listing_and_a_report_are_decided_from_their_pages(moderator_client, owner, sent):
    claimant = UserFactory(email="claimant@example.com")
    claim = services.claim_submit(
        practitioner=PractitionerFactory(), claimant=claimant, note="", npi="", email_verified=False
    )
    listing = owned_listing(owner, status=Practitioner.Status.PENDING)
    report = desk.report_submit(practitioner=listing, problem="moved", details="", email="p@example.com")
    with sent():
        moderator_client.post(decide_url(claim, "approve"))
        moderator_client.post(decide_url(listing, "publish"))
        moderator_client.post(decide_url(report, "resolve"), {"text": "Address corrected."})
    claim.refresh_from_db()
    listing.refresh_from_db()
    report.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED and claim.practitioner.owner == claimant
    assert listing.status == Practitioner.Status.PUBLISHED
    assert report.resolution == "Address corrected." and not report.is_open
    assert AuditEntry.objects.count() == 3


def test_a_decision_already_taken_elsewhere_warns_and_changes_nothing(moderator_client, owner, desk_moderator):
    revision = edit_of(owned_listing(owner), "New.")
    desk.revision_reject(revision=revision, moderator=desk_moderator, reason="No.")
    response = moderator_client.post(decide_url(revision, "approve"))
    assert response["Location"] == change_url(revision)
    revision.refresh_from_db()
    assert revision.status == Revision.Status.REJECTED and AuditEntry.objects.count() == 1


@pytest.mark.parametrize("who", ["anonymous", "practitioner", "staff outside the group"])
def test_nobody_but_moderators_can_decide_from_a_page(client, owner, who):
    revision = edit_of(owned_listing(owner), "New.")
    report = desk.report_submit(practitioner=revision.practitioner, problem="moved", details="", email="")
    if who == "practitioner":
        client.force_login(owner)
    elif who != "anonymous":
        client.force_login(UserFactory(is_staff=True))
    for url, data in [(decide_url(revision, "approve"), {}), (decide_url(report, "resolve"), {"text": "x"})]:
        response = client.post(url, data)
        assert response.status_code in (302, 403)
        assert response.status_code == 403 or reverse("admin:login") in response["Location"]
    revision.refresh_from_db()
    report.refresh_from_db()
    assert revision.status == Revision.Status.PENDING and report.is_open and not AuditEntry.objects.exists()


def test_a_decision_is_taken_by_post_only_and_with_a_csrf_token(owner, desk_moderator):
    revision = edit_of(owned_listing(owner), "New.")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(desk_moderator)
    assert strict.get(decide_url(revision, "approve")).status_code == 405
    assert strict.post(decide_url(revision, "approve")).status_code == 403
    assert Revision.objects.get().status == Revision.Status.PENDING


def test_an_unknown_decision_is_a_404(moderator_client, owner):
    report = desk.report_submit(practitioner=owned_listing(owner), problem="moved", details="", email="")
    assert moderator_client.post(decide_url(report, "approve")).status_code == 404
    assert Report.objects.get().is_open


def test_an_edits_page_shows_what_it_proposes_before_who_sent_it(moderator_client, owner):
    revision = edit_of(owned_listing(owner), "New bio.")
    fieldset = moderator_client.get(change_url(revision)).context["adminform"]
    first_fields = [field for line in next(iter(fieldset)) for field in line][:2]
    assert [field.field["name"] for field in first_fields] == ["changes", "practitioner"]


def test_the_admin_index_names_each_section_once(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    sections = [app["name"] for app in client.get(reverse("admin:index")).context["app_list"]]
    assert "People" in sections and len(sections) == len(set(sections))  # "Accounts" was there twice


def test_the_queue_says_how_long_the_oldest_has_waited_and_always_links_to_the_whole_list(client, owner):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    with time_machine.travel("2026-11-01 09:00Z", tick=False):
        edit_of(owned_listing(owner), "Older.")
    with time_machine.travel("2026-11-04 09:00Z", tick=False):
        page = client.get(reverse("admin:index")).content.decode()
    assert 'Edits awaiting review: 1 <span class="waiting">(the oldest waiting 3\xa0days)</span>' in page
    assert f'href="{reverse("admin:practice_revision_changelist")}?status__exact=pending">See all 1</a>' in page


def test_the_listings_list_shows_status_owner_city_and_age_and_names_the_no_technique_choice(client, owner):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    owned_listing(owner, name="Dr. Listed")
    page = client.get(reverse("admin:directory_practitioner_changelist")).content.decode()
    table = page.split('id="result_list"')[1]
    assert re.findall(r'<th scope="col" class="[^"]*column-(\w+)', table) == ["name", "status", "owner", "city",
                                                                              "added"]  # fmt: skip
    assert '<td class="field-city">Boston</td>' in page
    assert "No technique named" in page and ">-</a>" not in page.split('id="changelist-filter"')[1]
