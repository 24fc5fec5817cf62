"""Demo of the desk for `make run`: a moderator (staff in the Moderators group, not a superuser) and a patient's
open report on the demo listing, beside the edit seed_demo_accounts leaves awaiting review. Idempotent."""

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from moderation import services
from moderation.models import Report
from practice.management.commands.seed_demo_accounts import DEMO_PASSWORD, demo_listing, verified_user

MODERATOR_EMAIL = "moderator@example.com"


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options) -> None:
        listing = demo_listing()
        moderator = verified_user(MODERATOR_EMAIL, is_staff=True)
        moderator.groups.add(Group.objects.get(name="Moderators"))
        if not Report.objects.open().filter(practitioner=listing).exists():
            services.report_submit(
                practitioner=listing,
                problem=Report.Problem.WRONG_PHONE,
                details="The number on the listing rang a different clinic on Monday.",
                email="",
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo moderator (password {DEMO_PASSWORD}): {MODERATOR_EMAIL} works the queue at /admin/, "
                f"with a patient's report on {listing.display_name}."
            )
        )
