from django.core.management.base import BaseCommand

from moderation.services import REMIND_AFTER, STALE_AFTER, listings_mark_stale, listings_remind


class Command(BaseCommand):
    help = (
        f"For cron, daily: e-mails the owner of each published listing not confirmed for {REMIND_AFTER.days} days "
        f'(11 months), and marks each not confirmed for {STALE_AFTER.days} days "not recently confirmed" on its '
        "profile and in the API. Each happens once per listing until it is confirmed again, however often this runs."
    )

    def handle(self, *args, **options) -> None:
        reminded = listings_remind()
        marked = listings_mark_stale()
        self.stdout.write(f"Reminded {reminded} owner(s); marked {marked} listing(s) not recently confirmed.")
