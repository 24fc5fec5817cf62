from django.core.management.base import BaseCommand

from moderation.services import LAPSE_WARNING, training_lapses_notify


class Command(BaseCommand):
    help = (
        f"For cron, daily: e-mails the owner of each verified training record {LAPSE_WARNING.days} days before its "
        "verification lapses, and on the day it lapses (the day patients stop seeing its badge). Each e-mail is "
        "sent once per lapse date, however often this runs; a day missed is made up by the next run."
    )

    def handle(self, *args, **options) -> None:
        warned, lapsed = training_lapses_notify()
        self.stdout.write(
            f"Warned {warned} owner(s) of a lapse within {LAPSE_WARNING.days} days; told {lapsed} of a lapse today."
        )
