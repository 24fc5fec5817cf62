"""The mixed load's clients: patients searching, viewing profiles and filing reports, practitioners editing and
confirming their listings, admins approving edits; each through the pages a person uses (forms, CSRF tokens,
sessions), each write recorded with what the server answered. Then the check against the database: every write
the server accepted is there exactly once, none it refused is there, and what got no answer at most once."""

from __future__ import annotations

import http.client
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from serving import ADDRESS

ORIGIN = "https://127.0.0.1"
PASSWORD = "load-test-atlas-axis-2026"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SELECTED = re.compile(r'name="_selected_action" value="(\d+)"')
APPROVED = re.compile(r"Approved (\d+) of (\d+)\.")


@dataclass
class Write:
    """One write a client sent: what, the key that finds it in the database, and what the server answered."""

    kind: str  # "edit", "confirm", "report" or "approval"
    key: str  # the edit's or report's marker, the listing confirmed, the revision approved
    started: float  # wall clock, as the server's timestamps are
    outcome: str = "no answer"  # "accepted", "refused" or "no answer"
    status: int = 0


@dataclass
class Visit:
    started: float  # seconds from the start of the run
    kind: str
    status: int
    milliseconds: float
    friendly: bool


@dataclass
class Record:
    visits: list[Visit] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)


class FormValues(HTMLParser):
    """The values a browser would submit from the page's forms: {form index: [(name, value), ...]}, submit
    buttons left out (the listing form's "add another location" is one)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append([])
        elif not self.forms:
            return
        elif tag == "input" and attributes.get("name"):
            kind = attributes.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self.forms[-1].append((attributes["name"], attributes.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = attributes.get("name")
        elif tag == "option" and self._select and "selected" in attributes:
            self.forms[-1].append((self._select, attributes.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = attributes.get("name"), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.forms[-1].append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)


def form_with(html: str, field_name: str) -> list[tuple[str, str]]:
    parser = FormValues()
    parser.feed(html)
    return next(form for form in parser.forms if any(name == field_name for name, _ in form))


class Browser:
    """One person's browser: a keep-alive connection, cookies, and the HTTPS headers the proxy would add."""

    def __init__(self, record: Record, began: float, email: str = "") -> None:
        self.record, self.began, self.email = record, began, email
        self.cookies: dict[str, str] = {}
        self._connect()

    def _connect(self) -> None:
        host, port = ADDRESS.split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=30)

    def request(self, kind: str, method: str, path: str, fields=None) -> tuple[int, str, str]:
        """Returns (status, Location, body); status 0 when no answer came."""
        headers = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if method == "POST":
            body = urlencode(fields or [], doseq=True)
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": ORIGIN,
                            "Referer": ORIGIN + path})  # fmt: skip
        started = time.monotonic()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            status, location = response.status, response.getheader("Location", "")
            for cookie in response.msg.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(cookie).items():
                    self.cookies[name] = morsel.value
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self._connect()
            status, location, text = 0, "", ""
        friendly = status == 503 and "briefly unavailable" in text and "Traceback" not in text
        elapsed = (time.monotonic() - started) * 1000
        self.record.visits.append(Visit(started - self.began, kind, status, elapsed, friendly))
        return status, location, text

    def token(self, kind: str, path: str) -> tuple[int, str, str]:
        """GETs a form page; returns (status, CSRF token, body)."""
        status, _, body = self.request(kind, "GET", path)
        found = CSRF.search(body)
        return status, (found.group(1) if found else ""), body

    def sign_in(self, path: str, fields: dict[str, str]) -> bool:
        status, token, _ = self.token("sign in", path)
        if status != 200:
            return False
        status, _, _ = self.request("sign in", "POST", path, {**fields, "csrfmiddlewaretoken": token})
        return status == 302


def write(record: Record, kind: str, key: str) -> Write:
    sent = Write(kind, key, time.time())
    record.writes.append(sent)
    return sent


def answered(sent: Write, status: int, accepted: bool) -> None:
    """What the server said: accepted; refused (a 4xx or 5xx page: it says it did not); or no answer at all."""
    sent.status = status
    sent.outcome = "no answer" if status == 0 else ("accepted" if accepted else "refused")


def patient(browser: Browser, rng: random.Random, stop_at: float, reads: list, profiles: list[str], tag: str) -> None:
    """Searches and profiles; one visit in ten files a report, one report in five missing its problem."""
    number = 0
    while time.monotonic() < stop_at:
        if rng.random() >= 0.1:
            kind, path = rng.choice(reads)
            browser.request(kind, "GET", path)
            continue
        number += 1
        report_path = rng.choice(profiles) + "report/"
        status, token, _ = browser.token("report form", report_path)
        if status != 200:
            continue
        marker = f"{tag}-report-{id(browser)}-{number}"
        fields = {"csrfmiddlewaretoken": token, "details": marker, "email": "", "website": ""}
        if rng.random() >= 0.2:
            fields["problem"] = rng.choice(["moved", "closed", "wrong_phone", "other"])
        sent = write(browser.record, "report", marker)
        status, location, _ = browser.request("report", "POST", report_path, fields)
        answered(sent, status, status == 302 and urlsplit(location).path == report_path.removesuffix("report/"))


def practitioner(browser: Browser, rng: random.Random, stop_at: float, listing: int, tag: str) -> None:
    """Edits the listing again and again (a new "About" each time), and says it is still correct now and then."""
    edit_path, number = f"/practice/{listing}/edit/", 0
    while time.monotonic() < stop_at:
        number += 1
        if number % 4 == 0:
            status, token, _ = browser.token("dashboard", "/practice/")
            if status != 200:
                continue
            sent = write(browser.record, "confirm", str(listing))
            status, location, _ = browser.request(
                "confirm", "POST", f"/practice/{listing}/confirm/", {"csrfmiddlewaretoken": token}
            )
            answered(sent, status, status == 302 and urlsplit(location).path == "/practice/")
            continue
        status, _, body = browser.token("edit form", edit_path)
        if status != 200:
            continue
        marker = f"{tag}-edit-{listing}-{number}"
        fields = [(name, marker if name == "bio" else value) for name, value in form_with(body, "bio")]
        sent = write(browser.record, "edit", marker)
        status, location, _ = browser.request("edit", "POST", edit_path, fields)
        answered(sent, status, status == 302 and urlsplit(location).path == "/practice/")


def admin(browser: Browser, rng: random.Random, stop_at: float) -> None:
    """Opens the edits awaiting review and approves one of them; its decision is read from the message shown."""
    changelist = "/admin/practice/revision/"
    while time.monotonic() < stop_at:
        status, token, body = browser.token("admin list", changelist + "?status__exact=pending")
        waiting = SELECTED.findall(body)
        if status != 200 or not waiting:
            time.sleep(0.05)
            continue
        revision = rng.choice(waiting)
        fields = {"csrfmiddlewaretoken": token, "action": "approve", "_selected_action": revision, "index": "0",
                  "select_across": "0"}  # fmt: skip
        sent = write(browser.record, "approval", f"{browser.email}:{revision}")
        status, location, _ = browser.request("approval", "POST", changelist, fields)
        if status != 302:
            answered(sent, status, False)
            continue
        status, _, page = browser.request("admin list", "GET", urlsplit(location).path or changelist)
        told = APPROVED.search(page)
        # The decision is known only from the message; a page that did not come leaves it unknown.
        answered(sent, status if told else 0, bool(told) and told.group(1) == "1")


@dataclass
class Checked:
    kind: str
    sent: int
    accepted: int
    refused: int
    unanswered: int
    accepted_once: int
    accepted_missing: int
    duplicated: int
    refused_found: int
    unanswered_found: int

    @property
    def sound(self) -> bool:
        return not (self.accepted_missing or self.duplicated or self.refused_found)


def approvals_audited() -> tuple[int, int]:
    """(approved revisions, audit entries of approvals): equal when every approval was recorded once."""
    from moderation.models import AuditEntry
    from practice.models import Revision

    approved = Revision.objects.filter(status=Revision.Status.APPROVED).count()
    return approved, AuditEntry.objects.filter(action=AuditEntry.Action.REVISION_APPROVED).count()


def check(writes: list[Write]) -> list[Checked]:
    """Each kind of write against the database (Django's ORM, on the benchmark's database)."""
    from django.db.models import Max

    from directory.models import Practitioner
    from moderation.models import Report
    from practice.models import Revision

    found: dict[str, Counter] = {
        "edit": Counter(
            Revision.objects.filter(proposed__practitioner__bio__startswith="load-").values_list(
                "proposed__practitioner__bio", flat=True
            )
        ),
        "report": Counter(Report.objects.filter(details__startswith="load-").values_list("details", flat=True)),
        # An approval is found as its revision, approved by that admin (another admin's refusal of it is not).
        "approval": Counter(
            f"{email}:{pk}"
            for pk, email in Revision.objects.filter(status=Revision.Status.APPROVED).values_list(
                "pk", "decided_by__email"
            )
        ),
    }
    confirmed = dict(
        Practitioner.objects.filter(owner__isnull=False).values_list("pk").annotate(at=Max("confirmed_at"))
    )
    results = []
    for kind in ("edit", "report", "approval", "confirm"):
        mine = [sent for sent in writes if sent.kind == kind]
        by = {outcome: [sent for sent in mine if sent.outcome == outcome] for outcome in ("accepted", "refused")}
        unanswered = [sent for sent in mine if sent.outcome == "no answer"]
        if kind == "confirm":
            # Idempotent: an accepted confirmation is in the database when its listing's confirmed_at is at or
            # after the moment it was sent (a later one may have moved it on, never back).
            ok = sum(1 for sent in by["accepted"] if confirmed[int(sent.key)].timestamp() >= sent.started - 0.001)
            results.append(Checked(kind, len(mine), len(by["accepted"]), len(by["refused"]), len(unanswered),
                                   ok, len(by["accepted"]) - ok, 0, 0, 0))  # fmt: skip
            continue
        counts = found[kind]
        results.append(
            Checked(
                kind,
                len(mine),
                len(by["accepted"]),
                len(by["refused"]),
                len(unanswered),
                sum(1 for sent in by["accepted"] if counts[sent.key] == 1),
                sum(1 for sent in by["accepted"] if counts[sent.key] == 0),
                sum(1 for sent in mine if counts[sent.key] > 1),
                sum(1 for sent in by["refused"] if counts[sent.key]),
                sum(1 for sent in unanswered if counts[sent.key]),
            )
        )
    return results
