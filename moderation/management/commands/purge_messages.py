"""Deletes patients' messages older than 30 days: run daily (README, "Running in production")."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from practice.questions import KEPT_DAYS, messages_purge


class Command(BaseCommand):
    help = f"Delete patients' messages to practitioners older than {KEPT_DAYS} days."

    def handle(self, *args: object, **options: object) -> None:
        deleted = messages_purge()
        self.stdout.write(f"Deleted {deleted} message{'s' if deleted != 1 else ''} older than {KEPT_DAYS} days.")
