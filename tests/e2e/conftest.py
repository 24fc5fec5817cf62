"""Browser tests: Playwright drives Debian's Chromium against a live Django server.

Where no Chromium is installed (a laptop) they skip, saying why; in CI (CI=true) a missing browser fails.
Every request the browser makes to anything but the live server is aborted: no test touches the internet.
"""

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python
import pytest
from django.conf import settings
from django.test import Client

# Playwright's sync API runs an event loop in this thread; Django would refuse the ORM calls the tests make.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Records what the Content Security Policy blocks, for tests to assert that nothing is.
CSP_RECORDER = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "artifacts/screenshots"))


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        reason = "no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)"
        if os.environ.get("CI"):
            pytest.fail(f"Browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, live_server):
    """Opens pages in fresh browser contexts: open_page(path, **context options) -> Page."""
    contexts = []
    server = urlsplit(live_server.url).netloc

    def keep_local(route) -> None:
        if urlsplit(route.request.url).netloc == server:
            route.continue_()
        else:
            route.abort()

    def open_(path: str = "/", user=None, **options):
        context = browser.new_context(viewport=options.pop("viewport", {"width": 1280, "height": 900}), **options)
        contexts.append(context)
        if user is not None:  # signed in as `user`: the session cookie a sign-in would have set
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        context.route("**/*", keep_local)
        context.add_init_script(CSP_RECORDER)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(error))
        page.goto(live_server.url + path)
        return page

    yield open_
    for context in contexts:
        context.close()
    requests_finished()


def requests_finished(timeout: float = 10.0) -> None:
    """Waits for the live server's request threads to end. A request the browser gave up on (a fetch cut short by
    a navigation) still runs to its end on the server: ending after its test, it would answer from the next
    test's data, or an emptied database, and cache that answer under a public version the next test's data has
    too (the flush starts every test's version afresh)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:  # polled: a thread still starting cannot be joined yet
        threads = threading.enumerate()
        if not any(thread.name.endswith("(process_request_thread)") and thread.is_alive() for thread in threads):
            return
        time.sleep(0.02)


@pytest.fixture
def techniques(migrations_data) -> None:
    """The seeded techniques (a live server's tests flush the database, migrations' data included)."""


@pytest.fixture
def screenshots() -> Iterator[Path]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield SCREENSHOTS


@pytest.fixture
def axe():
    """axe(page) -> the page's axe-core violations, one line each (axe-core comes inside axe-playwright-python)."""

    def violations(page) -> list[str]:
        page.evaluate(AXE_SCRIPT)
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [
            f"{violation['id']}: {violation['help']} at {[node['target'] for node in violation['nodes']]}"
            for violation in results["violations"]
        ]

    return violations
