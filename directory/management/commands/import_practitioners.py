import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from directory.importing import IMPORT_COLUMNS, ImportReport, csv_rows, missing_columns, practitioners_import


class Command(BaseCommand):
    help = (
        "Import practitioners from a CSV file (columns: " + ", ".join(IMPORT_COLUMNS) + "). Rows sharing an "
        "external_id are one practitioner with several locations. Every row is validated first; if any is "
        "invalid nothing is imported (unless --skip-invalid). Re-importing a file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The CSV file (UTF-8, header on line 1).")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid practitioners and skip those with an invalid row.",
        )

    def handle(self, *args, path: Path, skip_invalid: bool, **options) -> None:
        try:
            with path.open(newline="", encoding="utf-8-sig") as file:
                self.check_header(next(csv.reader(file), []))
                total = sum(1 for _ in file)
                file.seek(0)
                with tqdm(total=total, unit="row", desc="Importing", disable=None, file=self.stderr) as bar:
                    report = practitioners_import(rows=csv_rows(file), skip_invalid=skip_invalid, progress=bar.update)
        except FileNotFoundError as error:
            raise CommandError(f"No such file: {path}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text: {error}") from error
        except csv.Error as error:
            raise CommandError(f"{path} is not a readable CSV file: {error}") from error
        self.print_report(report, skip_invalid)

    def check_header(self, columns: list[str]) -> None:
        missing = missing_columns(columns)
        if missing:
            raise CommandError(f"line 1: missing column(s): {', '.join(missing)}")

    def print_report(self, report: ImportReport, skip_invalid: bool) -> None:
        for line, postal_code in report.located_from_postal_code:
            self.stdout.write(f"line {line}: no coordinates; placed at the centroid of postal code {postal_code}")
        for problem in report.problems:
            self.stderr.write(str(problem))
        if report.unread_from is not None:
            raise CommandError(
                f"{len(report.problems)} problem(s) found; the file cannot be read past line {report.unread_from}, "
                "so nothing was imported. Fix it and import the file again."
            )
        if report.problems and not skip_invalid:
            raise CommandError(
                f"{len(report.problems)} problem(s) found; nothing was imported. Fix them, or pass --skip-invalid."
            )
        for line in report.owned_lines:
            self.stdout.write(f"line {line}: skipped (owned): the practitioner manages this listing themselves")
        if report.skipped_lines:
            self.stderr.write(f"Skipped {len(report.skipped_lines)} row(s) of practitioners with an invalid row.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported practitioners: {report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged, {len(report.owned_lines)} row(s) skipped (owned)."
            )
        )
