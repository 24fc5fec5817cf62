"""Demo accounts for `make run`: a practitioner who manages one published listing with an edit awaiting review
and two training records (one verified, one awaiting verification), and an administrator to review them. Run
after seed_demo; idempotent."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from directory.models import Practitioner
from practice import services
from practice.listing import listing_values
from practice.models import Revision
from practice.uploads import Evidence

# A one-page PDF standing in for a certificate scan.
DEMO_CERTIFICATE = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/MediaBox[0 0 612 792]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

DEMO_PASSWORD = "adjust-the-atlas-2027"
PRACTITIONER_EMAIL = "practitioner@example.com"
ADMIN_EMAIL = "admin@example.com"
DEMO_LISTING = "demo-0001"


def verified_user(email: str, **fields: bool):
    user, created = get_user_model().objects.get_or_create(email=email, defaults=fields)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def demo_listing() -> Practitioner:
    listing = Practitioner.objects.published().filter(external_id=DEMO_LISTING).first()
    if listing is None:
        raise CommandError(f"Run seed_demo first: the published demo listing {DEMO_LISTING} is missing.")
    return listing


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options) -> None:
        listing = demo_listing()
        practitioner = verified_user(PRACTITIONER_EMAIL)
        admin = verified_user(ADMIN_EMAIL, is_staff=True, is_superuser=True)
        if listing.owner_id is None:
            listing.owner = practitioner
            listing.save(update_fields=["owner"])
            services.listing_confirm(practitioner=listing)
        if not Revision.objects.pending().filter(practitioner=listing).exists():
            proposed = listing_values(listing)
            proposed["practitioner"]["bio"] += " Evening appointments on Tuesdays and Thursdays."
            services.listing_edit(
                practitioner=listing,
                editor=practitioner,
                proposed=proposed,
                accepting_new_patients=listing.accepting_new_patients,
            )
        if not listing.training.exists():
            evidence = Evidence(DEMO_CERTIFICATE, "application/pdf", ".pdf", "certificate.pdf")
            techniques = list(listing.techniques.order_by("name")[:2])
            for number, technique in enumerate(techniques):
                values = {"technique_id": technique.pk, "body": f"{technique.name} seminars",
                          "level": "Certified practitioner", "year": 2018 + number, "certificate_number": "",
                          "expires_on": None}  # fmt: skip
                record = services.training_add(practitioner=listing, values=values, evidence=evidence)
                if number == 0:
                    services.training_verify(training=record, moderator=admin)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo accounts (password {DEMO_PASSWORD}): {PRACTITIONER_EMAIL} manages {listing.display_name} "
                f"with an edit and training awaiting review; {ADMIN_EMAIL} reviews at /admin/."
            )
        )
