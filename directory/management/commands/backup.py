from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory.backups import BACKUP_DIR, BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the whole database (pg_dump's custom format for PostgreSQL, SQLite's online backup API for the "
        "embedded database) into a new file under backups/, and print its path."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default="default", help="The database alias (default: default).")
        parser.add_argument("--folder", type=Path, default=BACKUP_DIR, help="Where to write it (default: backups/).")

    def handle(self, *args, database: str, folder: Path, **options) -> None:
        try:
            path = backup_create(database=database, folder=folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(path))
