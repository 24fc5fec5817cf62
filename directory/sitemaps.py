from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from directory.models import Practitioner, Technique


class InEveryLanguage(Sitemap):
    """Each page once per language (/, /es/, /fr-ca/), each entry with its alternates in the others (hreflang) and
    the English as x-default."""

    i18n = True
    alternates = True
    x_default = True


class PageSitemap(InEveryLanguage):
    changefreq = "weekly"
    priority = 1.0

    def items(self) -> list[str]:
        # By URL name: the page for practitioners is the practice app's, and naming it imports nothing.
        return ["directory:home", "directory:search", "practice:about"]

    def location(self, item: str) -> str:
        return reverse(item)


class PractitionerSitemap(InEveryLanguage):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Practitioner.objects.published().only("pk", "slug", "updated_at").order_by("pk")

    def lastmod(self, practitioner: Practitioner):
        return practitioner.updated_at


class TechniqueSitemap(InEveryLanguage):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Technique.objects.order_by("slug")

    def location(self, technique: Technique) -> str:
        return technique.get_absolute_url()


SITEMAPS = {"pages": PageSitemap, "practitioners": PractitionerSitemap, "techniques": TechniqueSitemap}
