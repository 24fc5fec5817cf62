"""Load and fault test against gunicorn + PostgreSQL with 100k practitioners, at concurrency 16:

1. reads (searches and profiles), 60 s; 2. the same with PostgreSQL stopped for 10 s in the middle;
3. a mixed run, 60 s: patients searching, viewing profiles and filing reports, practitioners editing their
   listings and confirming them, admins approving edits, all through the site's own pages and forms;
4. the mixed run with PostgreSQL stopped for 10 s in the middle.

    python bench/load.py [--practitioners 100000] [--seconds 60] [--concurrency 16] [--outage 10] [--mixed-only]

Without an outage nothing may answer 5xx. While PostgreSQL is down, pages must answer 503 with the friendly page
(no traceback) and the site must recover by itself once it is back. After each mixed run every write is checked
against the database (bench/writers.py): each one the server accepted is there exactly once, none it refused is
there. PostgreSQL is stopped and started with pg_ctlcluster (root, this machine's cluster): run it on a machine
whose database you may stop. The clients are this script's threads (keep-alive connections), on loopback only.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

from serving import drop, gunicorn, prepare, server_shape
from writers import PASSWORD, Browser, Record, Visit, admin, approvals_audited, check, patient, practitioner

DATABASE = "directory_bench_load"
LABELS = {"confirm": "still correct"}


def cluster() -> tuple[str, str]:
    version = sorted(Path("/etc/postgresql").iterdir(), key=lambda path: float(path.name))[-1].name
    return version, "main"


def postgres(action: str) -> None:
    version, name = cluster()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action, *(
        ["-m", "fast"] if action == "stop" else [])], check=True)  # fmt: skip


def reader(stop_at: float, paths: list[tuple[str, str]], browser: Browser, seed: int) -> None:
    """A patient who only reads: search pages, API searches and profiles, one after another."""
    rng = random.Random(seed)
    while time.monotonic() < stop_at:
        kind, path = rng.choice(paths)
        browser.request(kind, "GET", path)


def drive(threads: list[threading.Thread], outage: tuple[float, float] | None) -> None:
    """Runs the clients; with an outage (start, seconds), PostgreSQL is stopped that long from that second."""
    for thread in threads:
        thread.start()
    if outage:
        time.sleep(outage[0])
        postgres("stop")
        time.sleep(outage[1])
        postgres("start")
    for thread in threads:
        thread.join()


def run(
    seconds: int, concurrency: int, paths: list[tuple[str, str]], outage: tuple[float, float] | None
) -> list[Visit]:
    record, began = Record(), time.monotonic()
    threads = [threading.Thread(target=reader, args=(began + seconds, paths, Browser(record, began), seed))
               for seed in range(concurrency)]  # fmt: skip
    drive(threads, outage)
    return record.visits


def accounts(practitioners: int = 5, admins: int = 2) -> tuple[list[tuple[str, int]], list[str]]:
    """The mixed run's accounts: practitioners managing one published listing each (a pin in Boston), and
    admins. Returns [(practitioner's e-mail, listing id)] and the admins' e-mails."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.db import connections
    from django.utils import timezone

    from directory.models import Location, Practitioner, Technique

    User = get_user_model()
    # Hashed as production hashes (this process runs the test settings, whose fast hasher production refuses).
    password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    owned = []
    for n in range(practitioners):
        user = User.objects.create_user(f"practitioner{n}@load.example")
        user.password = password
        user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        listing = Practitioner.objects.create(
            owner=user, name=f"Dr. Load {n}", slug=f"dr-load-{n}", credentials="DC", email=user.email,
            phone="(617) 555-0100", status=Practitioner.Status.PUBLISHED, confirmed_at=timezone.now(),
        )  # fmt: skip
        listing.techniques.set(Technique.objects.filter(slug="nucca"))
        Location.objects.create(
            practitioner=listing, clinic_name="Load Clinic", address_line1="1 Beacon Street", city="Boston",
            state="MA", postal_code="02108", country="US", latitude=42.3576, longitude=-71.0684,
            placement=Location.Placement.PIN,
        )  # fmt: skip
        owned.append((user.email, listing.pk))
    staff = [User.objects.create_superuser(f"admin{n}@load.example", password=None) for n in range(admins)]
    User.objects.filter(pk__in=[user.pk for user in staff]).update(password=password)
    staff = [user.email for user in staff]
    connections.close_all()
    return owned, staff


def mixed(seconds: int, concurrency: int, reads: list, profiles: list[str], owned: list, staff: list[str],
          outage: tuple[float, float] | None, tag: str) -> Record:  # fmt: skip
    """16 people at once: the admins, the practitioners, and patients for the rest of the clients."""
    record, began = Record(), time.monotonic()
    stop_at = began + seconds

    def as_admin(email: str, seed: int) -> None:
        browser = Browser(record, began, email)
        while not browser.sign_in("/admin/login/?next=/admin/", {"username": email, "password": PASSWORD}):
            if time.monotonic() > stop_at:
                return
            time.sleep(1)  # the database is away: try again in a moment
        admin(browser, random.Random(seed), stop_at)

    def as_practitioner(email: str, listing: int, seed: int) -> None:
        browser = Browser(record, began, email)
        while not browser.sign_in("/accounts/login/", {"login": email, "password": PASSWORD}):
            if time.monotonic() > stop_at:
                return
            time.sleep(1)
        practitioner(browser, random.Random(seed), stop_at, listing, tag)

    def as_patient(seed: int) -> None:
        patient(Browser(record, began), random.Random(seed), stop_at, reads, profiles, tag)

    threads = [threading.Thread(target=as_admin, args=(email, n)) for n, email in enumerate(staff)]
    threads += [threading.Thread(target=as_practitioner, args=(email, listing, 100 + n))
                for n, (email, listing) in enumerate(owned)]  # fmt: skip
    threads += [threading.Thread(target=as_patient, args=(200 + n,)) for n in range(concurrency - len(threads))]
    drive(threads, outage)
    return record


def writes_checked(record: Record) -> tuple[list, int, int]:
    """Each kind of write against the database, and (approved edits, audit entries of approvals)."""
    from django.db import connections

    connections.close_all()  # the server may have restarted since this process last asked
    return check(record.writes), *approvals_audited()


def mixed_report(title: str, record: Record, seconds: int, checked: tuple[list, int, int]) -> None:
    summarize(title, record.visits, seconds)
    for kind in sorted({visit.kind for visit in record.visits}):
        latencies = [visit.milliseconds for visit in record.visits if visit.kind == kind and visit.status]
        if latencies:
            print(f"- {kind}: {len(latencies):,} requests, p50 {statistics.median(latencies):.1f} ms, "
                  f"p99 {percentile(latencies, 0.99):.1f} ms")  # fmt: skip
    rows, approved, audited = checked
    print("\n| write | sent | accepted | refused | no answer | accepted, found once | accepted, missing | "
          "found twice or more | refused, found | no answer, found |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        label = LABELS.get(row.kind, row.kind)
        print(f"| {label} | {row.sent:,} | {row.accepted:,} | {row.refused:,} | {row.unanswered:,} | "
              f"{row.accepted_once:,} | {row.accepted_missing:,} | {row.duplicated:,} | {row.refused_found:,} | "
              f"{row.unanswered_found:,} |")  # fmt: skip
    print(f"\nApproved edits in the database: {approved:,}; audit entries of approvals: {audited:,}.")
    sound = all(row.sound for row in rows) and approved == audited
    print("Every accepted write is in the database exactly once and no refused one is." if sound else
          "WRITES LOST, DUPLICATED OR APPLIED AFTER A REFUSAL: see the table.")  # fmt: skip


def recovery(results: list, back: float) -> None:
    recovered = [r.started for r in results if r.started >= back and 200 <= r.status < 300 and r.kind != "profile"]
    if recovered:
        print(f"\nFirst successful search {min(recovered) - back:.1f} s after PostgreSQL was started again.")
    else:
        print("\nNo successful search after PostgreSQL was started again: the site did not recover.")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summarize(title: str, results: list[Visit], seconds: int) -> None:
    print(f"\n{title}\n")
    print(
        "| requests | requests/s | p50 ms | p95 ms | p99 ms | 2xx | 5xx | of which friendly 503 | failed connections |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    statuses = Counter(result.status for result in results)
    latencies = [result.milliseconds for result in results if result.status]
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    print(
        f"| {len(results):,} | {len(results) / seconds:.0f} | {statistics.median(latencies):.1f} | "
        f"{percentile(latencies, 0.95):.1f} | {percentile(latencies, 0.99):.1f} | "
        f"{sum(c for s, c in statuses.items() if 200 <= s < 300):,} | {server_errors:,} | "
        f"{sum(1 for r in results if r.friendly):,} | {statuses[0]:,} |"
    )


def timeline(results: list[Visit], seconds: int, step: int = 5) -> None:
    print("\n| seconds | 2xx | 503 (friendly) | other 5xx | failed connections |")
    print("|---|---:|---:|---:|---:|")
    for start in range(0, seconds, step):
        window = [r for r in results if start <= r.started < start + step]
        ok = sum(1 for r in window if 200 <= r.status < 300)
        friendly = sum(1 for r in window if r.friendly)
        unavailable = sum(1 for r in window if r.status == 503)
        other = sum(1 for r in window if r.status >= 500 and r.status != 503)
        failed = sum(1 for r in window if r.status == 0)
        print(f"| {start}-{start + step} | {ok:,} | {unavailable:,} ({friendly:,}) | {other:,} | {failed:,} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--practitioners", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--outage", type=int, default=10, help="Seconds PostgreSQL is stopped in phases 2 and 4.")
    parser.add_argument("--mixed-only", action="store_true", help="Only the mixed runs (phases 3 and 4).")
    options = parser.parse_args()

    zip_codes, ids = prepare(DATABASE, options.practitioners)
    owned, staff = accounts()
    profiles = [f"/practitioners/{pk}-bench-practitioner-{pk}/" for pk in ids[:400]]
    paths = (
        [("search page", f"/search/?near={code}&radius={(10, 25, 50)[n % 3]}") for n, code in enumerate(zip_codes)]
        + [("search API", f"/api/v1/practitioners/?near={code}&technique=nucca") for code in zip_codes[:250]]
        + [("profile", path) for path in profiles]
    )
    start = (options.seconds - options.outage) / 2
    environment = {"API_ANON_RATE": "100000000/min", "REPORT_RATE": "100000000/m/ip",
                   "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}  # fmt: skip
    try:
        with gunicorn(DATABASE, production=True, **environment):
            run(5, options.concurrency, paths, None)  # warm up
            if not options.mixed_only:
                steady = run(options.seconds, options.concurrency, paths, None)
                faulted = run(options.seconds, options.concurrency, paths, (start, options.outage))
            busy = mixed(options.seconds, options.concurrency, paths, profiles, owned, staff, None, "load-steady")
            busy_checked = writes_checked(busy)
            broken = mixed(options.seconds, options.concurrency, paths, profiles, owned, staff,
                           (start, options.outage), "load-outage")  # fmt: skip
            broken_checked = writes_checked(broken)
    finally:
        drop(DATABASE)

    print(f"gunicorn ({server_shape()}, production settings), PostgreSQL, {options.practitioners:,} "
          f"practitioners; {options.concurrency} clients")  # fmt: skip
    if not options.mixed_only:
        summarize(
            f"Phase 1: reads (search pages, API searches, profiles), {options.seconds} s", steady, options.seconds
        )
        for kind in ("search page", "search API", "profile"):
            latencies = [r.milliseconds for r in steady if r.kind == kind and r.status]
            print(f"- {kind}: {len(latencies):,} requests, p50 {statistics.median(latencies):.1f} ms, "
                  f"p99 {percentile(latencies, 0.99):.1f} ms")  # fmt: skip
        summarize(f"Phase 2: reads, {options.seconds} s with PostgreSQL stopped from {start:.0f} s to "
                  f"{start + options.outage:.0f} s", faulted, options.seconds)  # fmt: skip
        timeline(faulted, options.seconds)
        recovery(faulted, start + options.outage)
    mixed_report(f"Phase 3: mixed, {options.seconds} s", busy, options.seconds, busy_checked)
    mixed_report(f"Phase 4: mixed, {options.seconds} s with PostgreSQL stopped from {start:.0f} s to "
                 f"{start + options.outage:.0f} s", broken, options.seconds, broken_checked)  # fmt: skip
    timeline(broken.visits, options.seconds)
    recovery(broken.visits, start + options.outage)


if __name__ == "__main__":
    main()
