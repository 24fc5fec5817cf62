import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from directory.models import practitioner_path


@pytest.mark.parametrize("language", ["en", "es", "fr-ca"])
@pytest.mark.parametrize("prefix", ["/", "/directory/", "/{odd}/"])
def test_a_profile_path_is_what_reverse_writes_in_every_language_and_under_any_script_prefix(language, prefix):
    try:
        set_script_prefix(prefix)
        with translation.override(language):
            for pk, slug in [(1, "practitioner"), (98765, "dr-ana-lopez"), (42, "A_b-9")]:
                expected = reverse("directory:practitioner-detail", kwargs={"pk": pk, "slug": slug})
                assert practitioner_path(pk, slug) == expected
    finally:
        set_script_prefix("/")


def test_a_slug_the_url_cannot_hold_is_refused_as_reverse_refuses_it():
    with pytest.raises(NoReverseMatch):
        practitioner_path(1, "dr ana/lopez")
