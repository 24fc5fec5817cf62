"""Demo accounts for `make run`: a practitioner who manages one published listing with an edit awaiting review,
and an administrator to review it. Run after seed_demo; idempotent."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from directory.models import Practitioner
from practice import services
from practice.listing import listing_values
from practice.models import Revision

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
        verified_user(ADMIN_EMAIL, is_staff=True, is_superuser=True)
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
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo accounts (password {DEMO_PASSWORD}): {PRACTITIONER_EMAIL} manages {listing.display_name} "
                f"with an edit awaiting review; {ADMIN_EMAIL} reviews at /admin/."
            )
        )
