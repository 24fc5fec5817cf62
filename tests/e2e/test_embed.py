"""The embeddable search in Chromium, from a page on a second loopback origin (another port: another origin), as a
site owner's article would hold it: the one-line script inserts the box, the box passes axe, a search opens the
results in the top window, the frame follows the box's height, and an ordinary page of the directory refuses to be
framed there. Also the builder page, with script and without."""

import re
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from directory.models import Technique
from tests.e2e.conftest import CSP_RECORDER
from tests.factories import practitioner_at
from tests.test_search import BOSTON, destination

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOX_TITLE = "Find an Upper Cervical Chiropractor"
ARTICLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>What is NUCCA?</title></head>
<body><main><h1>What is NUCCA?</h1><p>An article by a clinic about upper cervical care.</p>
<script src="{directory}/embed.js" data-technique="nucca" async></script>
<p id="after-the-box">The article goes on.</p></main></body></html>"""
FRAMING_A_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Framing</title></head>
<body><iframe src="{directory}/search/?near=02108" title="The directory's search page"></iframe></body></html>"""


class ArticleHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        page = self.server.pages.get(urlsplit(self.path).path)
        body = (page or "not found").encode()
        self.send_response(200 if page else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def other_site(live_server) -> Iterator[str]:
    """A second origin (127.0.0.1 on its own port) serving a page that embeds the box and one that frames a page."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), ArticleHandler)
    server.pages = {
        "/article.html": ARTICLE.format(directory=live_server.url),
        "/framing.html": FRAMING_A_PAGE.format(directory=live_server.url),
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def visit(browser, live_server, other_site):
    """visit(url, before=None, **context options) -> Page, in a context that may reach the directory and the other
    site only; `before(page)` is called before it goes to `url`."""
    allowed = {urlsplit(live_server.url).netloc, urlsplit(other_site).netloc}
    contexts = []

    def open_(url: str, before: Callable[[Page], None] | None = None, **options):
        context = browser.new_context(viewport=options.pop("viewport", {"width": 1280, "height": 900}), **options)
        contexts.append(context)
        context.route(
            "**/*", lambda route: route.continue_() if urlsplit(route.request.url).netloc in allowed else route.abort()
        )
        context.add_init_script(CSP_RECORDER)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(error))
        if before is not None:
            before(page)
        page.goto(url)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def listed(techniques):
    nucca = Technique.objects.get(slug="nucca")
    practitioner_at(*destination(BOSTON, 3), techniques=[nucca], name="Dr. Ada Atlas")
    practitioner_at(*destination(BOSTON, 9), name="Dr. Ben Blair")


def starting(text: str) -> re.Pattern:
    return re.compile(re.escape(text) + ".*", re.S)


def the_box(page):
    """The embedded box's frame, once it has loaded."""
    frame_element = page.locator(f'iframe[title="{BOX_TITLE}"]')
    expect(frame_element).to_have_count(1)
    frame = frame_element.element_handle().content_frame()
    frame.wait_for_load_state("load")
    return frame_element, frame


def heights(frame_element, frame) -> tuple[float, float]:
    """The frame's height on the article, and the height of the box's document inside it."""
    return frame_element.bounding_box()["height"], frame.evaluate("document.body.getBoundingClientRect().height")


def fitted(frame_element, frame, timeout: float = 5.0) -> tuple[float, float]:
    """Waits until the frame is as tall as the box's document (within 2 px); their heights then."""
    deadline = time.monotonic() + timeout
    while True:
        outer, inner = heights(frame_element, frame)
        if abs(outer - inner) <= 2 or time.monotonic() > deadline:
            return outer, inner
        time.sleep(0.05)


def test_the_script_puts_the_box_after_its_tag_with_the_technique_chosen(visit, other_site, live_server, listed):
    page = visit(f"{other_site}/article.html")
    frame_element, frame = the_box(page)
    assert frame_element.get_attribute("src") == f"{live_server.url}/embed/?technique=nucca"
    assert page.evaluate("document.querySelector('iframe').nextElementSibling.id") == "after-the-box"
    assert page.evaluate("document.querySelector('iframe').previousElementSibling.tagName") == "SCRIPT"
    expect(frame.get_by_role("heading", name=BOX_TITLE)).to_be_visible()
    expect(frame.get_by_label("Technique")).to_have_value("nucca")
    expect(frame.get_by_role("button", name="Start Your Search Now")).to_be_visible()
    assert frame_element.bounding_box()["width"] == page.evaluate("document.querySelector('main').clientWidth")
    assert frame.evaluate("window.cspViolations") == []
    assert page.errors == []


@pytest.mark.parametrize("width", [1280, 360])
def test_the_embedded_box_has_no_axe_violations(visit, axe, other_site, listed, width):
    page = visit(f"{other_site}/article.html", viewport={"width": width, "height": 800})
    _, frame = the_box(page)
    expect(frame.get_by_role("heading", name=BOX_TITLE)).to_be_visible()
    assert axe(frame) == []


def test_a_search_from_the_box_opens_the_results_in_the_top_window(visit, other_site, live_server, listed):
    page = visit(f"{other_site}/article.html")
    _, frame = the_box(page)
    frame.get_by_label("ZIP code, postal code or city").fill("02108")
    frame.get_by_role("button", name="Start Your Search Now").click()
    page.wait_for_url(f"{live_server.url}/search/?**")
    assert "near=02108" in page.url and "technique=nucca" in page.url
    expect(page.locator("#results-heading")).to_contain_text("offering NUCCA")
    expect(page.get_by_role("link", name="Dr. Ada Atlas")).to_be_visible()
    assert len(page.frames) == 1  # the directory's page is the whole window, not a frame in the article


def test_the_frame_follows_the_height_of_the_box(visit, other_site, listed):
    page = visit(f"{other_site}/article.html")
    frame_element, frame = the_box(page)
    wide, inner = fitted(frame_element, frame)
    assert wide == pytest.approx(inner, abs=2)
    assert wide != 320  # no longer the height the script starts with

    page.set_viewport_size({"width": 360, "height": 800})  # the fields wrap one under another: a taller box
    narrow, inner = fitted(frame_element, frame)
    assert narrow == pytest.approx(inner, abs=2)
    assert narrow > wide + 50

    frame.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<p id=grown>More</p>')")
    frame.evaluate("Object.assign(document.getElementById('grown').style, {height: '300px', margin: '0'})")
    grown, inner = fitted(frame_element, frame)
    assert grown == pytest.approx(inner, abs=2)
    assert grown == pytest.approx(narrow + 300, abs=3)


def test_a_height_sent_by_another_origin_or_another_frame_is_ignored(visit, other_site, listed):
    page = visit(f"{other_site}/article.html")
    frame_element, frame = the_box(page)
    before, _ = fitted(frame_element, frame)
    # The article itself (another origin than the box's) and a frame of its own origin both try to set it.
    page.evaluate("window.postMessage({upperCervicalEmbedHeight: 900}, '*')")
    page.evaluate(
        """() => new Promise((done) => {
          const intruder = document.createElement('iframe');
          intruder.srcdoc = "<script>parent.postMessage({upperCervicalEmbedHeight: 1200}, '*')<\\/script>";
          intruder.onload = () => setTimeout(done, 200);
          document.body.appendChild(intruder);
        })"""
    )
    page.wait_for_timeout(200)
    assert frame_element.bounding_box()["height"] == pytest.approx(before, abs=1)


def test_an_ordinary_page_of_the_directory_refuses_to_be_framed_on_another_site(visit, other_site, live_server):
    page = visit(f"{other_site}/framing.html")
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    framed = page.frames[1]
    assert not framed.url.startswith(live_server.url)  # Chromium put its error page there (chrome-error://)
    assert framed.url.startswith("chrome-error://") or framed.url == "about:blank"
    assert "Upper Cervical Directory" not in page.frame_locator("iframe").locator("body").inner_text(timeout=1000)


class TestBuilder:
    def test_choosing_options_updates_the_snippet_and_the_preview_in_place(self, visit, live_server, listed):
        page = visit(f"{live_server.url}/embed/build/")
        snippet = page.get_by_label("Copy this into your page's HTML")
        expect(snippet).to_have_value(f'<script src="{live_server.url}/embed.js" async></script>')
        page.get_by_label("Technique chosen at first").select_option("blair")
        expect(snippet).to_have_value(
            f'<script src="{live_server.url}/embed.js" data-technique="blair" async></script>'
        )
        expect(page.locator("#embed-preview")).to_have_attribute("src", "/embed/?technique=blair")
        expect(page.frame_locator("#embed-preview").get_by_label("Technique")).to_have_value("blair")
        assert page.url.endswith("technique=blair&near=&accent=%230b5d7a&accent_text=%23ffffff")

        page.get_by_label("A button").check()
        expect(snippet).to_have_value(starting(f'<a href="{live_server.url}/search/?technique=blair" style='))
        preview = page.get_by_role("link", name="Find an Upper Cervical Chiropractor — Start Your Search Now")
        expect(preview).to_have_attribute("href", "/search/?technique=blair")

        page.get_by_label("Button colour").fill("#ffff00")
        expect(page.locator("#accent_text-errors")).to_contain_text("hard to read on that button colour")
        expect(page.get_by_label("Button text colour")).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_text("Fix the options above to get your snippet.")).to_be_visible()
        page.get_by_label("Button text colour").fill("#000000")
        expect(page.locator("#accent_text-errors")).to_be_empty()
        expect(snippet).to_have_value(starting(f'<a href="{live_server.url}/search/?technique=blair" style='))
        assert "background:#ffff00;color:#000000;" in snippet.input_value()
        expect(preview).to_have_css("background-color", "rgb(255, 255, 0)")
        assert page.evaluate("window.cspViolations") == []
        assert page.errors == []

    def test_the_preview_frame_is_sized_to_the_box(self, visit, live_server, listed):
        page = visit(f"{live_server.url}/embed/build/?technique=nucca&accent=%230b5d7a&accent_text=%23ffffff")
        frame_element = page.locator("#embed-preview")
        frame = frame_element.element_handle().content_frame()
        frame.wait_for_load_state("load")
        outer, inner = fitted(frame_element, frame)
        assert outer == pytest.approx(inner, abs=2)

    def test_the_preview_is_sized_though_it_loaded_before_the_pages_script_listened(self, visit, live_server, listed):
        def run_after_everything(page: Page) -> None:  # as a slow script would: the preview has reported by then
            # (half a second after the page's load, which waits for the preview's)
            def late(route) -> None:
                script = route.fetch().text()
                later = f"setTimeout(function () {{\n{script}\n}}, 500);"
                route.fulfill(
                    body=f'window.addEventListener("load", function () {{ {later} }});', content_type="text/javascript"
                )

            page.route("**/embed-builder.js", late)

        page = visit(f"{live_server.url}/embed/build/?technique=nucca", before=run_after_everything)
        frame_element = page.locator("#embed-preview")
        frame = frame_element.element_handle().content_frame()
        frame.wait_for_load_state("load")
        outer, inner = fitted(frame_element, frame)
        assert outer == pytest.approx(inner, abs=2)
        assert page.errors == []

    def test_the_copy_button_copies_the_snippet(self, visit, live_server, listed):
        page = visit(f"{live_server.url}/embed/build/", permissions=["clipboard-read", "clipboard-write"])
        page.get_by_role("button", name="Copy the snippet").click()
        expect(page.locator("#copy-status")).to_have_text("Copied.")
        assert page.evaluate("navigator.clipboard.readText()") == page.locator("#embed-snippet").input_value()

    def test_without_script_the_form_gives_the_snippet_too(self, visit, live_server, listed):
        page = visit(f"{live_server.url}/embed/build/", java_script_enabled=False)
        expect(page.get_by_role("button", name="Copy the snippet")).to_be_hidden()
        page.get_by_label("A button").check()
        page.get_by_label("Technique chosen at first").select_option("nucca")
        page.get_by_role("button", name="Update the snippet").click()
        expect(page.locator("#embed-snippet")).to_have_value(
            starting(f'<a href="{live_server.url}/search/?technique=nucca" style=')
        )

    def test_at_360_px_nothing_scrolls_sideways(self, visit, live_server, listed):
        page = visit(f"{live_server.url}/embed/build/", viewport={"width": 360, "height": 800})
        expect(page.locator("#embed-preview")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
