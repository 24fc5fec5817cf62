"""The moderation desk in the admin: the queue, the actions (each through a service, with its audit entry), the
diff, reports, technique renames, the CSV import and export, unmet demand, and who may do any of it."""

import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from geopy.distance import geodesic

from directory.importing import IMPORT_COLUMNS, MAX_CELL_CHARACTERS
from directory.models import FormerSlug, Location, Practitioner, Technique, UnmetDemand
from moderation import services as desk
from moderation.diff import revision_changes
from moderation.models import AuditEntry, Report
from practice import services
from practice.listing import listing_values
from practice.models import Claim, Revision
from tests.factories import PractitionerFactory, UserFactory, owned_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(db) -> Client:
    client = Client()
    client.force_login(UserFactory(email="admin@example.com", is_staff=True, is_superuser=True))
    return client


def act(client: Client, model: str, action: str, items: list, **extra: str):
    url = reverse(f"admin:{model}_changelist")
    return client.post(url, {"action": action, ACTION_CHECKBOX_NAME: [item.pk for item in items], **extra})


def pending_revision(owner, bio: str = "<b>New</b> bio.") -> Revision:
    practitioner = owned_listing(owner, bio="Old bio.")
    proposed = listing_values(practitioner)
    proposed["practitioner"]["bio"] = bio
    return services.listing_edit(
        practitioner=practitioner, editor=owner, proposed=proposed, accepting_new_patients=True
    )


def test_publish_publishes_the_selected_listings_and_emails_their_owners(admin_client_, owner, sent):
    listing = owned_listing(owner, status=Practitioner.Status.PENDING)
    with sent():
        response = act(admin_client_, "directory_practitioner", "publish", [listing])
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.status == Practitioner.Status.PUBLISHED
    assert [email.to for email in mail.outbox] == [["owner@example.com"]]


def test_reject_asks_for_a_reason_first_and_requires_one(admin_client_, owner):
    listing = owned_listing(owner, status=Practitioner.Status.PENDING)
    page = act(admin_client_, "directory_practitioner", "reject", [listing])
    assert page.status_code == 200
    assert '<label for="id_reason" class="required">Reason</label>' in page.content.decode()
    empty = act(admin_client_, "directory_practitioner", "reject", [listing], apply="1", reason="")
    assert "This field is required." in empty.content.decode()
    listing.refresh_from_db()
    assert listing.status == Practitioner.Status.PENDING


def test_reject_with_a_reason_rejects_and_emails_the_reason(admin_client_, owner, sent):
    listing = owned_listing(owner, status=Practitioner.Status.PENDING)
    with sent():
        act(admin_client_, "directory_practitioner", "reject", [listing], apply="1", reason="No license number.")
    listing.refresh_from_db()
    assert listing.status_in_words == "Rejected: No license number."
    assert "No license number." in mail.outbox[0].body


def test_the_status_cannot_be_changed_in_the_admin_form(admin_client_, owner):
    listing = owned_listing(owner, status=Practitioner.Status.PENDING)
    page = admin_client_.get(reverse("admin:directory_practitioner_change", args=[listing.pk])).content.decode()
    assert 'name="status"' not in page
    assert 'name="owner"' not in page


def test_a_revision_shows_its_changes_escaped(admin_client_, owner):
    revision = pending_revision(owner)
    page = admin_client_.get(reverse("admin:practice_revision_change", args=[revision.pk])).content.decode()
    assert "&lt;b&gt;New&lt;/b&gt; bio." in page
    assert "<b>New</b>" not in page
    assert "Old bio." in page


def test_approving_a_revision_applies_it(admin_client_, owner, sent):
    revision = pending_revision(owner, bio="Approved bio.")
    with sent():
        act(admin_client_, "practice_revision", "approve", [revision])
    revision.practitioner.refresh_from_db()
    assert revision.practitioner.bio == "Approved bio."
    assert "approved your changes" in mail.outbox[0].body


def test_rejecting_a_revision_keeps_the_live_listing(admin_client_, owner, sent):
    revision = pending_revision(owner)
    with sent():
        act(admin_client_, "practice_revision", "reject", [revision], apply="1", reason="Please keep it factual.")
    revision.refresh_from_db()
    revision.practitioner.refresh_from_db()
    assert revision.status == Revision.Status.REJECTED
    assert revision.practitioner.bio == "Old bio."
    assert "Please keep it factual." in mail.outbox[0].body


def test_approving_a_decided_revision_again_warns_and_changes_nothing(admin_client_, owner):
    revision = pending_revision(owner, bio="First decision.")
    act(admin_client_, "practice_revision", "reject", [revision], apply="1", reason="No.")
    response = act(admin_client_, "practice_revision", "approve", [revision])
    messages = [str(message) for message in response.wsgi_request._messages]
    assert any("already decided" in message for message in messages)
    revision.practitioner.refresh_from_db()
    assert revision.practitioner.bio == "Old bio."


def test_claims_are_approved_or_rejected_from_their_list(admin_client_, sent):
    first, second = PractitionerFactory(), PractitionerFactory()
    claimant = UserFactory(email="claimant@example.com")
    claims = [
        services.claim_submit(practitioner=p, claimant=claimant, note="", npi="", email_verified=False)
        for p in (first, second)
    ]
    with sent():
        act(admin_client_, "practice_claim", "approve", [claims[0]])
        act(admin_client_, "practice_claim", "reject", [claims[1]], apply="1", reason="Not the same person.")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.owner == claimant and second.owner is None
    assert list(Claim.objects.order_by("pk").values_list("status", flat=True)) == ["approved", "rejected"]
    assert len(mail.outbox) == 2


def test_nothing_a_practitioner_sent_can_be_deleted_from_the_review_lists(admin_client_, owner):
    revision = pending_revision(owner)
    assert admin_client_.get(reverse("admin:practice_revision_delete", args=[revision.pk])).status_code == 403
    assert admin_client_.get(reverse("admin:practice_revision_add")).status_code == 403


def test_each_decision_writes_an_audit_entry_shown_on_the_listings_admin_page(admin_client_, owner):
    listing = owned_listing(owner, status=Practitioner.Status.PENDING)
    act(admin_client_, "directory_practitioner", "reject", [listing], apply="1", reason="No <b>licence</b>.")
    act(admin_client_, "directory_practitioner", "publish", [listing])
    entries = list(AuditEntry.objects.order_by("pk").values_list("action", "changes", "reason"))
    assert entries == [
        ("rejected", [["status", "pending", "rejected"]], "No <b>licence</b>."),
        ("published", [["status", "rejected", "published"]], ""),
    ]
    page = admin_client_.get(reverse("admin:directory_practitioner_change", args=[listing.pk])).content.decode()
    assert "Audit trail" in page and "No &lt;b&gt;licence&lt;/b&gt;." in page and "admin@example.com" in page


def test_the_audit_trail_is_a_read_only_list_of_its_own(admin_client_, owner):
    listing = owned_listing(owner, status=Practitioner.Status.PENDING)
    act(admin_client_, "directory_practitioner", "publish", [listing])
    entry = AuditEntry.objects.get()
    assert str(listing) in admin_client_.get(reverse("admin:moderation_auditentry_changelist")).content.decode()
    page = admin_client_.get(reverse("admin:moderation_auditentry_change", args=[entry.pk]))
    assert page.status_code == 200 and 'name="reason"' not in page.content.decode()
    assert admin_client_.get(reverse("admin:moderation_auditentry_delete", args=[entry.pk])).status_code == 403
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_an_edit_in_the_admins_form_is_audited_with_its_before_and_after(admin_client_, owner):
    listing = owned_listing(owner, name="Dr. Old")
    url = reverse("admin:directory_practitioner_change", args=[listing.pk])
    form = admin_client_.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"name": "Dr. New", "techniques": [], "locations-TOTAL_FORMS": "0", "locations-INITIAL_FORMS": "0"})
    data["accepting_new_patients"] = ""
    response = admin_client_.post(url, data)
    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert entry.action == "edited" and ["Name", "Dr. Old", "Dr. New"] in entry.changes
    assert ["Accepting new patients", "Yes", "No"] in entry.changes  # labels, not accepting_new_patients


def test_a_form_opened_before_the_owner_changed_the_listing_is_refused_with_what_changed(admin_client_, owner):
    listing = owned_listing(owner, name="Dr. Old", status=Practitioner.Status.PENDING)
    url = reverse("admin:directory_practitioner_change", args=[listing.pk])
    form = admin_client_.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"name": "Dr. Corrected", "techniques": [], "locations-TOTAL_FORMS": "0",
                 "locations-INITIAL_FORMS": "0", "accepting_new_patients": "on"})  # fmt: skip
    listing.refresh_from_db()
    listing.bio = "Saved by the owner meanwhile."
    listing.save()

    refused = admin_client_.post(url, data)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "This listing changed after you opened it, so nothing was saved." in page
    assert "bio: Saved by the owner meanwhile." in page
    listing.refresh_from_db()
    assert (listing.name, listing.bio) == ("Dr. Old", "Saved by the owner meanwhile.")
    assert not AuditEntry.objects.exists()

    again = {
        **data,
        "bio": "Saved by the owner meanwhile.",
        "based_on": refused.context["adminform"].form.data["based_on"],
    }
    assert admin_client_.post(url, again).status_code == 302
    listing.refresh_from_db()
    assert (listing.name, listing.bio) == ("Dr. Corrected", "Saved by the owner meanwhile.")


def test_listings_a_practitioner_manages_cannot_be_deleted_and_there_is_no_bulk_delete(admin_client_, owner):
    owned = owned_listing(owner)
    assert admin_client_.get(reverse("admin:directory_practitioner_delete", args=[owned.pk])).status_code == 403
    page = admin_client_.get(reverse("admin:directory_practitioner_changelist")).content.decode()
    assert "delete_selected" not in page


def test_the_queue_on_the_admin_index_counts_each_kind_oldest_first(admin_client_, owner):
    older = owned_listing(owner, name="Dr. Older", status=Practitioner.Status.PENDING)
    owned_listing(UserFactory(), name="Dr. Newer", status=Practitioner.Status.PENDING)
    pending_revision(UserFactory())
    services.claim_submit(
        practitioner=PractitionerFactory(), claimant=UserFactory(), note="", npi="", email_verified=False
    )
    desk.report_submit(practitioner=older, problem=Report.Problem.MOVED, details="", email="")
    page = admin_client_.get(reverse("admin:index")).content.decode()
    assert "Listings awaiting review: 2" in page
    assert "Edits awaiting review: 1" in page
    assert "Claims awaiting review: 1" in page
    assert "Open reports: 1" in page
    assert page.index("Dr. Older") < page.index("Dr. Newer")


def test_the_queue_costs_the_same_few_queries_however_long_it_is(admin_client_, owner, django_assert_max_num_queries):
    for _ in range(12):
        pending_revision(UserFactory())
        desk.report_submit(practitioner=PractitionerFactory(), problem="closed", details="", email="")
    with django_assert_max_num_queries(16):
        page = admin_client_.get(reverse("admin:index"))
    assert "Edits awaiting review: 12" in page.content.decode()


def test_a_revisions_diff_names_techniques_and_locations(admin_client_, owner, nucca, blair):
    practitioner = owned_listing(owner, techniques=[nucca])
    proposed = listing_values(practitioner)
    proposed["techniques"] = [blair.pk]
    proposed["locations"][0]["city"] = "Cambridge <script>"
    revision = services.listing_edit(
        practitioner=practitioner, editor=owner, proposed=proposed, accepting_new_patients=True
    )
    page = admin_client_.get(reverse("admin:practice_revision_change", args=[revision.pk])).content.decode()
    assert "<th scope='row'>Techniques</th><td>NUCCA</td><td>Blair</td>" in page
    assert "<th scope='row'>Location 1: city</th><td>Boston</td><td>Cambridge &lt;script&gt;</td>" in page
    assert "Cambridge <script>" not in page


def test_a_report_is_resolved_with_a_note_which_the_owner_and_reporter_receive(admin_client_, owner, sent):
    listing = owned_listing(owner)
    report = desk.report_submit(
        practitioner=listing, problem=Report.Problem.WRONG_PHONE, details="It rings a bakery.", email="p@example.com"
    )
    page = act(admin_client_, "moderation_report", "resolve", [report])
    assert '<label for="id_note" class="required">Note</label>' in page.content.decode()
    with sent():
        act(admin_client_, "moderation_report", "resolve", [report], apply="1", note="Asked the clinic to update it.")
    report.refresh_from_db()
    assert not report.is_open and report.resolution == "Asked the clinic to update it."
    assert sorted(email.to[0] for email in mail.outbox) == ["owner@example.com", "p@example.com"]
    assert all("Asked the clinic to update it." in email.body for email in mail.outbox)
    assert AuditEntry.objects.get().action == "report_resolved"
    listing.refresh_from_db()
    assert listing.status == Practitioner.Status.PUBLISHED  # a report changes nothing by itself


def test_renaming_a_technique_keeps_its_old_slug_and_is_audited(admin_client_, nucca):
    url = reverse("admin:directory_technique_change", args=[nucca.pk])
    response = admin_client_.post(url, {"name_en": "NUCCA", "slug": "nucca-method", "description_en": "Renamed."})
    assert response.status_code == 302
    assert FormerSlug.objects.get().slug == "nucca" and Technique.objects.get(pk=nucca.pk).slug == "nucca-method"
    assert ["slug", "nucca", "nucca-method"] in AuditEntry.objects.get().changes
    taken = admin_client_.post(reverse("admin:directory_technique_add"), {"name_en": "New", "slug": "nucca"})
    assert "was the slug of NUCCA before a rename" in taken.content.decode()
    back = admin_client_.post(url, {"name_en": "NUCCA", "slug": "nucca", "description_en": ""})
    assert back.status_code == 302 and FormerSlug.objects.get().slug == "nucca-method"


def test_a_technique_on_listings_or_in_an_edit_awaiting_review_cannot_be_deleted(admin_client_, owner, nucca, blair):
    PractitionerFactory(techniques=[nucca])
    assert admin_client_.get(reverse("admin:directory_technique_delete", args=[nucca.pk])).status_code == 403
    listing = owned_listing(owner)
    proposed = listing_values(listing)
    proposed["techniques"] = [blair.pk]
    services.listing_edit(practitioner=listing, editor=owner, proposed=proposed, accepting_new_patients=True)
    assert admin_client_.get(reverse("admin:directory_technique_delete", args=[blair.pk])).status_code == 403
    unused = Technique.objects.create(name="Unused", slug="unused")
    assert admin_client_.get(reverse("admin:directory_technique_delete", args=[unused.pk])).status_code == 200


def csv_upload(rows: list[dict], name: str = "listings.csv") -> SimpleUploadedFile:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=IMPORT_COLUMNS)
    writer.writeheader()
    writer.writerows({column: row.get(column, "") for column in IMPORT_COLUMNS} for row in rows)
    return SimpleUploadedFile(name, text.getvalue().encode(), content_type="text/csv")


ROW = {
    "external_id": "imp-1",
    "name": "Dr. Imported",
    "address_line1": "1 Main St",
    "city": "Boston",
    "state": "MA",
    "postal_code": "02108",
    "techniques": "NUCCA",
}


def test_the_admin_import_shows_the_report_then_imports_only_on_confirmation(admin_client_):
    url = reverse("admin:directory_practitioner_import")
    checked = admin_client_.post(url, {"file": csv_upload([ROW])})
    assert checked.status_code == 200 and "Every row is valid: 1 listing" in checked.content.decode()
    assert not Practitioner.objects.exists()
    confirmed = admin_client_.post(url, {"confirm": "1", "token": checked.context["token"]})
    assert confirmed.status_code == 302
    assert Practitioner.objects.get().name == "Dr. Imported"
    assert AuditEntry.objects.get().action == "imported"


def test_confirming_the_same_upload_twice_imports_it_once_and_says_so(admin_client_):
    url = reverse("admin:directory_practitioner_import")
    token = admin_client_.post(url, {"file": csv_upload([ROW])}).context["token"]
    admin_client_.post(url, {"confirm": "1", "token": token})
    again = admin_client_.post(url, {"confirm": "1", "token": token}, follow=True)
    assert "That upload was already confirmed: it is imported once." in again.content.decode()
    assert Practitioner.objects.count() == 1
    assert AuditEntry.objects.filter(action="imported").count() == 1


def test_the_admin_import_lists_problems_by_line_and_imports_nothing(admin_client_):
    url = reverse("admin:directory_practitioner_import")
    page = admin_client_.post(
        url, {"file": csv_upload([ROW, {**ROW, "external_id": "imp-2", "techniques": "<b>Reiki</b>"}])}
    )
    text = page.content.decode()
    assert "line 3: techniques: Unknown technique: &lt;b&gt;Reiki&lt;/b&gt;." in text
    assert 'name="confirm"' not in text and not Practitioner.objects.exists()


@pytest.mark.parametrize(
    ("bio", "problem"),
    [
        ("x" * 140_000, "line 3: bio: Ensure this value has at most 5000 characters"),
        (("x" * 99 + "\n") * 1_500, "line 3: bio: Ensure this value has at most 5000 characters"),
        (
            ("x" * 99 + "\n") * (MAX_CELL_CHARACTERS // 100 + 1),
            f"line 3: a cell is longer than {MAX_CELL_CHARACTERS:,}",
        ),
    ],
    ids=["longer than csv's default limit", "the same on many lines", "longer than the import reads"],
)
def test_the_admin_import_reports_an_over_long_cell_on_its_line_and_imports_nothing(admin_client_, bio, problem):
    url = reverse("admin:directory_practitioner_import")
    rows = [ROW, {**ROW, "external_id": "imp-2", "bio": bio}, {**ROW, "external_id": "imp-3"}]
    page = admin_client_.post(url, {"file": csv_upload(rows)})
    text = page.content.decode()
    assert page.status_code == 200 and problem in text
    assert 'name="confirm"' not in text and not Practitioner.objects.exists()


def test_the_admin_import_refuses_a_file_that_is_not_a_csv_of_listings(admin_client_):
    url = reverse("admin:directory_practitioner_import")
    binary = admin_client_.post(url, {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00")})
    assert binary.status_code == 400 and "not UTF-8 text" in binary.content.decode()
    wrong = admin_client_.post(url, {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")})
    assert "line 1: missing column(s): address_line1" in wrong.content.decode()
    expired = admin_client_.post(url, {"confirm": "1", "token": "nope"}, follow=True)
    assert "That upload has expired" in expired.content.decode()


def test_the_export_action_downloads_the_selected_listings_in_the_imports_columns(admin_client_, owner):
    listing = owned_listing(owner, name="=HYPERLINK(1)")
    response = act(admin_client_, "directory_practitioner", "export_csv", [listing])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == IMPORT_COLUMNS
    assert rows[0]["name"] == "'=HYPERLINK(1)" and rows[0]["external_id"] == f"listing-{listing.pk}"


def test_the_unmet_demand_page_lists_areas_with_counts_and_map_data(admin_client_):
    now = "2027-01-05T10:00:00Z"
    UnmetDemand.objects.create(area="59801 (Missoula, MT)", latitude=46.86, longitude=-114.0, searches=7,
                               first_seen=now, last_seen=now)  # fmt: skip
    page = admin_client_.get(reverse("admin:directory_unmetdemand_changelist")).content.decode()
    assert "59801 (Missoula, MT)" in page and 'id="demand-data"' in page and '"searches": 7' in page


ADMIN_URLS = [
    ("admin:index", []),
    ("admin:directory_practitioner_changelist", []),
    ("admin:directory_practitioner_import", []),
    ("admin:practice_revision_changelist", []),
    ("admin:practice_claim_changelist", []),
    ("admin:moderation_report_changelist", []),
    ("admin:moderation_auditentry_changelist", []),
    ("admin:directory_technique_changelist", []),
    ("admin:directory_unmetdemand_changelist", []),
]


@pytest.mark.parametrize(("name", "args"), ADMIN_URLS)
def test_every_desk_page_sends_anonymous_visitors_and_practitioners_to_the_admin_login(client, owner, name, args):
    url = reverse(name, args=args)
    assert client.get(url)["Location"].startswith(reverse("admin:login"))
    client.force_login(owner)
    assert client.get(url)["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(("name", "args"), ADMIN_URLS[1:])
def test_staff_outside_the_moderators_group_can_do_none_of_it(client, name, args):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse(name, args=args)).status_code == 403


@pytest.mark.parametrize(("name", "args"), ADMIN_URLS)
def test_a_moderator_can_open_every_desk_page(client, desk_moderator, name, args):
    client.force_login(desk_moderator)
    assert client.get(reverse(name, args=args)).status_code == 200


def test_a_moderator_works_the_queue_without_being_a_superuser(client, desk_moderator, owner, sent):
    client.force_login(desk_moderator)
    listing = owned_listing(owner, status=Practitioner.Status.PENDING)
    revision = pending_revision(UserFactory())
    assert "Listings awaiting review: 1" in client.get(reverse("admin:index")).content.decode()
    with sent():
        act(client, "directory_practitioner", "publish", [listing])
        act(client, "practice_revision", "approve", [revision])
    listing.refresh_from_db()
    revision.refresh_from_db()
    assert listing.status == Practitioner.Status.PUBLISHED and revision.status == Revision.Status.APPROVED
    assert set(AuditEntry.objects.values_list("actor", flat=True)) == {desk_moderator.pk}


def test_a_moderator_cannot_manage_accounts(client, desk_moderator):
    client.force_login(desk_moderator)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_the_admin_login_is_rate_limited_after_repeated_failures(client):
    UserFactory(email="staff@example.com", is_staff=True)
    url = reverse("admin:login")
    answers = [client.post(url, {"username": "staff@example.com", "password": "wrong"}).status_code for _ in range(6)]
    assert answers == [200, 200, 200, 200, 200, 429]


def test_a_successful_admin_login_does_not_count_against_the_limit(client):
    from tests.factories import ACCOUNT_PASSWORD

    UserFactory(email="staff@example.com", is_staff=True)
    url = reverse("admin:login")
    for _ in range(8):
        response = client.post(url, {"username": "staff@example.com", "password": ACCOUNT_PASSWORD})
        assert response.status_code == 302
        client.logout()


@pytest.mark.parametrize("who", ["anonymous", "practitioner", "staff outside the group"])
def test_nobody_but_moderators_can_post_a_decision(client, owner, who):
    listing = owned_listing(owner, status=Practitioner.Status.PENDING)
    report = desk.report_submit(practitioner=listing, problem="moved", details="", email="")
    if who == "practitioner":
        client.force_login(owner)
    elif who != "anonymous":
        client.force_login(UserFactory(is_staff=True))
    responses = [
        act(client, "directory_practitioner", "publish", [listing]),
        act(client, "moderation_report", "resolve", [report], apply="1", note="Done."),
        client.post(reverse("admin:directory_practitioner_import"), {"confirm": "1", "token": "x"}),
    ]
    assert all(response.status_code in (302, 403) for response in responses)
    assert all(reverse("admin:login") in response.get("Location", reverse("admin:login")) for response in responses)
    listing.refresh_from_db()
    report.refresh_from_db()
    assert listing.status == Practitioner.Status.PENDING and report.is_open
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "spelled",
    [
        "\uff53\uff54\uff41\uff46\uff46@example.com",  # full-width letters, which the login form folds to ASCII
        "STAFF@EXAMPLE.COM",
        "  staff@example.com ",
        "\uff33\uff34\uff21\uff26\uff26@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.\uff43\uff4f\uff4d",
    ],
)
@pytest.mark.parametrize("from_address", ["127.0.0.1", "192.0.2.44"])
def test_a_locked_admin_account_stays_locked_however_its_address_is_spelled(client, spelled, from_address):
    from tests.factories import ACCOUNT_PASSWORD

    UserFactory(email="staff@example.com", is_staff=True)
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "staff@example.com", "password": "wrong"})
    response = client.post(url, {"username": spelled, "password": ACCOUNT_PASSWORD}, REMOTE_ADDR=from_address)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def _change_form_data(client: Client, listing: Practitioner) -> tuple[str, dict]:
    """The listing's admin change form as the browser would send it back unchanged, its locations included."""
    url = reverse("admin:directory_practitioner_change", args=[listing.pk])
    page = client.get(url).context
    data = {name: page["adminform"].form[name].value() or "" for name in page["adminform"].form.fields}
    data["techniques"] = [str(pk) for pk in listing.techniques.values_list("pk", flat=True)]
    data["accepting_new_patients"] = "on" if listing.accepting_new_patients else ""
    (formset,) = [inline.formset for inline in page["inline_admin_formsets"]]
    data.update({f"{formset.prefix}-{key}": value for key, value in formset.management_form.initial.items()})
    for form in formset.forms:
        data.update({form.add_prefix(name): form[name].value() or "" for name in form.fields})
    return url, data


def test_an_unchanged_save_in_the_admin_records_nothing(admin_client_, owner):
    listing = owned_listing(owner)
    url, data = _change_form_data(admin_client_, listing)
    assert admin_client_.post(url, data).status_code == 302
    assert not AuditEntry.objects.exists()


def test_an_inline_naming_another_listings_location_records_no_change_that_did_not_happen(admin_client_, owner):
    listing, other = owned_listing(owner), owned_listing(UserFactory(), name="Dr. Elsewhere")
    theirs = other.locations.get()
    before = sorted(Location.objects.values_list("pk", "practitioner_id", "address_line1", "latitude"))
    url, data = _change_form_data(admin_client_, listing)
    data["locations-0-id"] = str(theirs.pk)
    response = admin_client_.post(url, data)
    assert response.status_code in (200, 302)
    assert sorted(Location.objects.values_list("pk", "practitioner_id", "address_line1", "latitude")) == before
    assert not AuditEntry.objects.exists()


def test_an_inline_location_changed_in_the_admin_is_recorded_field_by_field(admin_client_, owner):
    listing = owned_listing(owner)
    url, data = _change_form_data(admin_client_, listing)
    data["locations-0-address_line1"] = "2 Beacon Street"
    assert admin_client_.post(url, data).status_code == 302
    assert AuditEntry.objects.get().changes == [["Location 1: address", "1 Beacon Street", "2 Beacon Street"]]


@pytest.mark.parametrize("website", ["ftp://example.com", "ftps://example.com"])
def test_the_admin_takes_web_addresses_only_as_a_listings_website(admin_client_, owner, website):
    listing = owned_listing(owner, website="https://example.com/before")
    url, data = _change_form_data(admin_client_, listing)
    page = admin_client_.post(url, {**data, "website": website})
    assert page.status_code == 200
    assert "Enter a valid web address starting with http:// or https://." in page.content.decode()
    listing.refresh_from_db()
    assert listing.website == "https://example.com/before"
    assert admin_client_.post(url, {**data, "website": "http://example.com"}).status_code == 302
    listing.refresh_from_db()
    assert listing.website == "http://example.com"


@pytest.mark.parametrize("data", [{}, {"password": "x"}, {"username": "", "password": ""}])
def test_an_admin_sign_in_without_a_name_is_the_form_again_not_a_500(client, data):
    response = client.post(reverse("admin:login"), data)
    assert response.status_code == 200 and "This field is required" in response.content.decode()


def test_a_revisions_diff_shows_labels_added_and_removed_locations_and_how_far_a_pin_moved(admin_client_, owner):
    practitioner = owned_listing(owner)
    proposed = listing_values(practitioner)
    proposed["practitioner"]["credentials"] = "DC, DCM"
    first = proposed["locations"][0]
    proposed["locations"] = [
        {**first, "latitude": first["latitude"] + 0.005},  # about 0.35 mi north
        {**first, "id": None, "clinic_name": "Second Office", "address_line1": "9 Elm St"},
    ]
    revision = services.listing_edit(
        practitioner=practitioner, editor=owner, proposed=proposed, accepting_new_patients=False
    )
    rows = {what: (was, now) for what, was, now in revision_changes(revision)}
    assert rows["Credentials"] == ("DC", "DC, DCM")
    _, moved = rows["Location 1: pin"]
    miles = geodesic((first["latitude"], first["longitude"]), (first["latitude"] + 0.005, first["longitude"])).miles
    assert moved.startswith(f"moved {miles:.1f} mi")
    assert rows["Location 2"] == ("", "Added: Second Office, 9 Elm St, Boston MA 02108")
    page = admin_client_.get(reverse("admin:practice_revision_change", args=[revision.pk])).content.decode()
    assert "<th scope='row'>Location 1: pin</th>" in page

    proposed["locations"] = [proposed["locations"][1]]
    revision = services.listing_edit(
        practitioner=practitioner, editor=owner, proposed=proposed, accepting_new_patients=False
    )
    rows = {what: (was, now) for what, was, now in revision_changes(revision)}
    assert rows["Location 1 (removed)"] == ("Atlas Clinic, 1 Beacon Street, Boston MA 02108", "")
