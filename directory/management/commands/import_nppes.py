import time
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from directory.nppes import RegistryFile, RegistryFileError, RegistryReport, registry_file_check, registry_import


class Command(BaseCommand):
    help = (
        "Seed unpublished listings from the NPI registry's monthly file (NPPES npidata_pfile_*.csv): every "
        "individual with a chiropractic taxonomy (111N) and a US practice location, keyed by NPI, placed at the "
        "centre of their ZIP code. The file is checked whole before anything is written; re-importing changes only "
        "what the registry changed and nobody edited since; deactivated NPIs are marked, never deleted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The registry's CSV file, as unzipped.")

    def handle(self, *args, path: Path, **options) -> None:
        try:
            size = path.stat().st_size
        except FileNotFoundError as error:
            raise CommandError(f"No such file: {path}") from error
        if size == 0:
            raise CommandError(f"{path} is empty (0 bytes): nothing was imported.")
        started = time.perf_counter()
        try:
            report = self.import_file(path, size)
        except RegistryFileError as error:
            raise CommandError(f"{path}: {error}") from error
        if report is None:
            self.stdout.write(f"{path} has the registry's header and no rows: nothing to import.")
        else:
            self.print_report(report, time.perf_counter() - started)

    def import_file(self, path: Path, size: int) -> RegistryReport | None:
        """Checks the whole file, then imports it; None when it has no rows."""
        with path.open("rb") as binary:
            with self.progress_bar(size, "Checking") as progress:
                rows = registry_file_check(RegistryFile(binary), progress)
            if rows == 0:
                return None
            binary.seek(0)
            with self.progress_bar(size, "Importing") as progress:
                return registry_import(file=RegistryFile(binary), progress=progress)

    @contextmanager
    def progress_bar(self, size: int, description: str):
        """A progress bar over the file's bytes on standard error (none when that is no terminal); yields the
        function to report the bytes read so far."""
        with tqdm(total=size, unit="B", unit_scale=True, desc=description, disable=None, file=self.stderr) as bar:
            yield lambda bytes_read: bar.update(bytes_read - bar.n)

    def print_report(self, report: RegistryReport, seconds: float) -> None:
        self.stdout.write(
            f"Read {report.rows:,} rows in {seconds:.1f} s ({report.rows / max(seconds, 1e-9):,.0f} rows/s); "
            f"kept {report.kept:,} chiropractors practising in the US."
        )
        for reason, count in report.skipped.most_common():
            self.stdout.write(f"  skipped {count:,}: {reason}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Listings: {report.created:,} created, {report.updated:,} updated, {report.unchanged:,} unchanged, "
                f"{report.deactivated:,} marked deactivated."
            )
        )
