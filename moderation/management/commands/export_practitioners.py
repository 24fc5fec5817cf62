from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from directory.models import Practitioner
from moderation.exporting import export_write


class Command(BaseCommand):
    help = (
        "Export every listing, whatever its status, to a CSV file in the columns of import_practitioners (one row "
        "per location). A listing without an external id is given a stable one first, so that importing the file "
        "again changes nothing. Cells a spreadsheet would run as formulas are written after a quote (read back "
        "unchanged by the import)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The CSV file to write (UTF-8); an existing file is replaced.")

    def handle(self, *args, path: Path, **options) -> None:
        practitioners = Practitioner.objects.all()
        try:
            with path.open("w", newline="", encoding="utf-8") as file:
                total = practitioners.count()
                with tqdm(total=total, unit="listing", desc="Exporting", disable=None, file=self.stderr) as bar:
                    rows = export_write(file=file, practitioners=practitioners, progress=bar.update)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}") from error
        self.stdout.write(self.style.SUCCESS(f"Exported {total} listing(s) in {rows} row(s) to {path}."))
