from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory.backups import BackupError, backup_verify


class Command(BaseCommand):
    help = (
        "Check that a backup restores: restore it into a scratch database, print the rows of every table, and "
        "drop the copy. Exits with status 1 if it cannot be restored or lacks a table."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The backup file.")

    def handle(self, *args, path: Path, **options) -> None:
        try:
            verified = backup_verify(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        width = max(len(table) for table in verified.rows)
        for table, rows in verified.rows.items():
            self.stdout.write(f"{table:<{width}}  {rows:>9,}")
        self.stdout.write(f"{path} restores: {verified.migrations} migrations applied, {len(verified.rows)} tables.")
