from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the database DATABASE_URL names (created if missing on "
        "PostgreSQL). A database that already holds tables is refused unless --replace."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The backup file.")
        parser.add_argument("--database", default="default", help="The database alias (default: default).")
        parser.add_argument(
            "--replace", action="store_true", help="Replace the contents of a database that is not empty."
        )

    def handle(self, *args, path: Path, database: str, replace: bool, **options) -> None:
        try:
            backup_restore(path=path, database=database, replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {path}. Run `manage.py migrate` if the backup came from an older version.")
