import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from directory.models import photo_path, practitioner_path


@pytest.fixture(params=["/", "/directory/", "/{odd}/", "/1234567/the-slug/"])
def script_prefix(request):
    """The site served under a script prefix, even one holding the stand-ins the paths are reversed with."""
    set_script_prefix(request.param)
    yield request.param
    set_script_prefix("/")


@pytest.mark.parametrize("language", ["en", "es", "fr-ca"])
def test_a_profile_path_is_what_reverse_writes_in_every_language_and_under_any_script_prefix(language, script_prefix):
    with translation.override(language):
        for pk, slug in [(1, "practitioner"), (98765, "dr-ana-lopez"), (42, "A_b-9"), (1234567, "the-slug")]:
            expected = reverse("directory:practitioner-detail", kwargs={"pk": pk, "slug": slug})
            assert practitioner_path(pk, slug) == expected


def test_a_slug_the_url_cannot_hold_is_refused_as_reverse_refuses_it():
    with pytest.raises(NoReverseMatch):
        practitioner_path(1, "dr ana/lopez")


@pytest.mark.parametrize("language", ["en", "es", "fr-ca"])
def test_a_photo_path_is_what_reverse_writes_in_every_language_and_under_any_script_prefix(language, script_prefix):
    names = ["3f2a9c-thumb.jpg", "a.b.c", "the-file.name", "UPPER_case-1.JPEG", "année.jpg", "a b.jpg", "%41.jpg"]
    with translation.override(language):
        for pk in [1, 1234567]:
            for name in names:
                assert photo_path(pk, name) == reverse("directory:photo-file", kwargs={"pk": pk, "name": name})


def test_a_photo_name_the_url_cannot_hold_is_refused_as_reverse_refuses_it():
    with pytest.raises(NoReverseMatch):
        photo_path(1, "photos/a.jpg")
