import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory.grid import grid_as_stored, grid_rebuild, grid_recounted


class Command(BaseCommand):
    help = (
        "Recompute the search grid (the per-cell counts that answer how many practitioners a search finds) from "
        "the practitioners, their locations and techniques. With --check, only compare it with a recount and exit "
        "with status 1 if they differ."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Compare with a recount; change nothing.")

    def handle(self, *args, check: bool, **options) -> None:
        if check:
            (counts, members), (expected_counts, expected_members) = grid_as_stored(), grid_recounted()
            if (counts, members) != (expected_counts, expected_members):
                wrong = len(set(counts.items()) ^ set(expected_counts.items()))
                raise CommandError(
                    f"The search grid differs from a recount: {wrong} cell counts and "
                    f"{len(members ^ expected_members)} memberships. Run grid_rebuild to mend it."
                )
            self.stdout.write(f"The search grid matches a recount: {len(counts):,} cell counts.")
            return
        started = time.perf_counter()
        grid_rebuild()
        counts, _ = grid_as_stored()
        self.stdout.write(
            f"Rebuilt the search grid: {len(counts):,} cell counts in {time.perf_counter() - started:.1f} s."
        )
