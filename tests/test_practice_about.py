"""The "For practitioners" page: who it answers, where it is linked from, and the rules it tells practitioners."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ABOUT = "/for-practitioners/"
SIGN_UP = '<a class="button" href="/accounts/signup/">Sign up</a>'
GO_TO_PRACTICE = '<a class="button" href="/practice/">Go to your practice</a>'


def text_of(html: str) -> str:
    """The page as a reader gets it: tags dropped, white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def part_of(html: str, tag: str) -> str:
    (part,) = re.findall(rf"<{tag}\b.*?</{tag}>", html, re.S)
    return part


def test_the_page_is_named_practice_about_and_lives_at_for_practitioners():
    assert reverse("practice:about") == ABOUT


def test_an_anonymous_visitor_gets_the_page_with_a_sign_up_button(client):
    response = client.get(ABOUT)
    assert response.status_code == 200
    assertContains(response, SIGN_UP, html=True)
    assertNotContains(response, "Go to your practice")


def test_a_signed_in_practitioner_gets_the_page_with_a_button_to_their_practice(owner_client):
    response = owner_client.get(ABOUT)
    assert response.status_code == 200
    assertContains(response, GO_TO_PRACTICE, html=True)
    assertNotContains(response, SIGN_UP, html=True)


def test_the_page_answers_get_and_head_only(client):
    assert client.head(ABOUT).status_code == 200
    assert client.post(ABOUT).status_code == 405


def test_the_page_links_to_the_search_to_find_an_existing_listing(client):
    assertContains(client.get(ABOUT), f'href="{reverse("directory:search")}"')


def test_the_home_pages_header_and_footer_link_anonymous_visitors_to_the_page(client):
    home = client.get(reverse("directory:home")).content.decode()
    link = f'<a href="{ABOUT}">For practitioners</a>'
    assert link in part_of(home, "header")
    assert link in part_of(home, "footer")
    assert f'href="{reverse("practice:dashboard")}"' not in home  # which sent them to sign in


def test_a_signed_in_practitioner_keeps_their_header_links_and_finds_the_page_in_the_footer(owner_client):
    home = owner_client.get(reverse("directory:home")).content.decode()
    header = part_of(home, "header")
    assert f'<a href="{reverse("practice:dashboard")}">Your practice</a>' in header
    assert "Sign out" in header and "For practitioners" not in header
    assert f'<a href="{ABOUT}">For practitioners</a>' in part_of(home, "footer")


def test_the_page_says_listing_is_free_and_every_new_listing_is_reviewed_first(client):
    page = text_of(client.get(ABOUT).content.decode())
    assert "Listing your practice is free, and so are claiming a listing and keeping it current." in page
    assert "A moderator reviews every new listing before patients see it." in page
    assert "We e-mail you when your listing is published, or if it is rejected, with the reason." in page


def test_the_page_says_how_a_claim_is_decided(client):
    page = text_of(client.get(ABOUT).content.decode())
    assert '"Is this your practice?"' in page
    assert "If your verified e-mail address is the e-mail address on the listing, you manage it at once." in page
    assert "Otherwise a moderator reviews your claim." in page
    assert "Your NPI number is optional." in page


def test_the_page_says_an_edit_of_a_published_listing_waits_while_patients_see_the_published_one(client):
    page = text_of(client.get(ABOUT).content.decode())
    assert "Edits of a published listing wait for review." in page
    assert "Patients keep seeing the published version until a moderator approves your edit." in page


def test_the_page_says_how_a_listing_stays_current(client):
    page = text_of(client.get(ABOUT).content.decode())
    assert '"Still correct"' in page
    assert '"Not recently confirmed"' in page
    assert "Confirmed by the practitioner in" in page


def test_the_review_time_shown_is_the_setting(client, settings):
    settings.REVIEW_DAYS_TYPICAL = 5
    assert "usually within 5 working days." in text_of(client.get(ABOUT).content.decode())
    settings.REVIEW_DAYS_TYPICAL = 1
    assert "usually within 1 working day." in text_of(client.get(ABOUT).content.decode())


def test_the_page_has_its_own_title_and_description(client):
    html = client.get(ABOUT).content.decode()
    home = client.get(reverse("directory:home")).content.decode()
    assert "<title>For practitioners: list your practice, free | Upper Cervical Directory</title>" in html
    description = re.compile(r'<meta name="description" content="(.*?)">', re.S)
    assert description.search(html).group(1) != description.search(home).group(1)


def test_the_sitemap_lists_the_page(client):
    assert f"http://testserver{ABOUT}" in client.get("/sitemap.xml").content.decode()


def test_an_unverified_account_can_read_the_page_too():
    visitor = Client()
    visitor.force_login(UserFactory(email="unverified@example.com", verified=False))
    assertContains(visitor.get(ABOUT), GO_TO_PRACTICE, html=True)
