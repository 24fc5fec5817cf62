"""A keyboard walk: every Tab stop on the public and practitioner pages shows a focus ring that holds 3:1 against
the background it is drawn on (WCAG 2.2), at 1280 and 360 px."""

import pytest
from playwright.sync_api import expect

from directory.models import Technique
from tests.factories import TrainingFactory, UserFactory, owned_listing, practitioner_at
from tests.test_search import BOSTON, destination

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TAB_STOPS = 80
# What the focused element's ring is drawn in, and what it is drawn on: the outline's colour, each box-shadow's
# colour, and the first opaque background among the element's ancestors (the ring lies outside its border).
RING = """
element => {
  const style = getComputedStyle(element);
  const colours = [];
  if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) colours.push(style.outlineColor);
  for (const match of style.boxShadow.matchAll(/rgba?\\([^)]*\\)/g)) colours.push(match[0]);
  let behind = element.parentElement, background = "rgb(255, 255, 255)";
  while (behind) {
    const colour = getComputedStyle(behind).backgroundColor;
    if (colour && !colour.startsWith("rgba(0, 0, 0, 0)") && colour !== "transparent") { background = colour; break; }
    behind = behind.parentElement;
  }
  const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
    + (element.className && typeof element.className === "string" ? "." + element.className.split(" ")[0] : "")
    + " " + (element.innerText || element.getAttribute("aria-label") || "").trim().slice(0, 30);
  return {name, colours, background};
}
"""
# Each element focused, measured as it gains focus (a page's script cannot press Tab itself: only the browser's
# own key presses move focus, so the walk presses them in runs and reads what they focused after each run).
RECORD = f"""
() => {{
  const ring = {RING.strip()};
  window.rings = [];
  document.addEventListener("focusin", event => window.rings.push(ring(event.target)), true);
}}
"""
TABS_AT_ONCE = 10


def _channels(colour: str) -> tuple[float, ...]:
    inside = colour[colour.index("(") + 1 : colour.index(")")]
    return tuple(float(part) for part in inside.replace("/", ",").split(","))


def _luminance(colour: str) -> float:
    red, green, blue = (value / 255 for value in _channels(colour)[:3])
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_formula_matches_wcags_published_figures():
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21.0)
    assert contrast("rgb(240, 180, 0)", "rgb(255, 255, 255)") == pytest.approx(1.87, abs=0.01)  # the old ring


def walk(page) -> list[str]:
    """Tabs through the page once; each stop whose ring is missing or under 3:1, with what it measured. The walk
    ends where focus leaves the page (a run of presses focused fewer elements than it pressed) or comes back to a
    stop already seen."""
    page.evaluate(RECORD)
    rings: list[dict] = []
    pressed = 0
    while pressed < MAX_TAB_STOPS:
        for _ in range(TABS_AT_ONCE):
            page.keyboard.press("Tab")
        pressed += TABS_AT_ONCE
        rings = page.evaluate("() => window.rings")
        if len(rings) < pressed or len({ring["name"] for ring in rings}) < len(rings):
            break
    weak, seen = [], set()
    for ring in rings[:MAX_TAB_STOPS]:
        if ring["name"] in seen:
            break
        seen.add(ring["name"])
        best = max((contrast(colour, ring["background"]) for colour in ring["colours"]), default=0.0)
        if best < 3.0:
            weak.append(f"{ring['name']}: {best:.2f}:1 on {ring['background']} ({ring['colours']})")
    assert seen, "no Tab stop at all"
    return weak


@pytest.fixture
def pages(techniques):
    nucca = Technique.objects.get(slug="nucca")
    practitioner_at(*destination(BOSTON, 3), techniques=[nucca], name="Dr. Ada Atlas", bio="About.")
    unowned = practitioner_at(*destination(BOSTON, 9), name="Dr. Ben Blair")
    owner = UserFactory(email="owner@example.com")
    listing = owned_listing(owner, name="Dr. Cy Owner")
    training = TrainingFactory(practitioner=listing)
    return {
        "public": [
            "/",
            "/search/?near=02108&radius=25",
            "/search/?near=springfield&technique=nucca",  # a field error, and the places it may be as links
            unowned.get_absolute_url(),
            "/techniques/nucca/",
            f"/practitioners/{unowned.pk}-{unowned.slug}/report/",
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/password/reset/",
            "/no-such-page/",
            "/embed/?technique=nucca",
            "/embed/build/",
        ],
        "owner": [
            "/practice/",
            f"/practice/{listing.pk}/edit/",
            "/practice/new/",
            "/practice/claim/",
            f"/practitioners/{unowned.pk}-{unowned.slug}/claim/",
            "/practice/account/close/",
            f"/practice/{listing.pk}/training/",
            f"/practice/{listing.pk}/training/{training.pk}/",
        ],
        "user": owner,
    }


@pytest.mark.parametrize("width", [1280, 360])
def test_every_tab_stop_shows_a_ring_of_three_to_one(open_page, live_server, pages, width):
    weak = []
    for who in ("public", "owner"):
        user = pages["user"] if who == "owner" else None
        page = open_page("/robots.txt", user=user, viewport={"width": width, "height": 800})
        for path in pages[who]:  # one tab going from page to page, as a visitor does
            page.goto(live_server.url + path)
            expect(page.locator("h1").first).to_be_attached()
            weak += [f"{path} {stop}" for stop in walk(page)]
    assert weak == []


def test_map_pins_are_named_for_their_practitioner_and_the_searched_place_is_no_tab_stop(open_page, pages):
    page = open_page("/search/?near=02108&radius=25")
    expect(page.locator(".map-number")).to_have_count(3)
    labels = page.locator(".map-number").evaluate_all("pins => pins.map(pin => pin.getAttribute('aria-label'))")
    assert labels[0] == "1. Dr. Cy Owner, DC, Atlas Clinic"  # number, name and clinic, not "1"
    assert any(label.startswith("2. Dr. Ada Atlas, DC") for label in labels)
    stops = []
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        stop = page.evaluate("() => document.activeElement.tagName.toLowerCase()")
        if stop == "body":
            break
        stops.append(stop)
    assert "path" not in stops  # the circle at the searched place: a hover hint, not a nameless stop
    assert stops.count("div") >= 3  # the map itself and each pin are still reached by keyboard
