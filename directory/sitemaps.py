from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from directory.models import Practitioner, Technique


class PageSitemap(Sitemap):
    changefreq = "weekly"
    priority = 1.0

    def items(self) -> list[str]:
        # By URL name: the page for practitioners is the practice app's, and naming it imports nothing.
        return ["directory:home", "directory:search", "practice:about"]

    def location(self, item: str) -> str:
        return reverse(item)


class PractitionerSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Practitioner.objects.published().only("pk", "slug", "updated_at").order_by("pk")

    def lastmod(self, practitioner: Practitioner):
        return practitioner.updated_at


class TechniqueSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Technique.objects.order_by("slug")

    def location(self, technique: Technique) -> str:
        return technique.get_absolute_url()


SITEMAPS = {"pages": PageSitemap, "practitioners": PractitionerSitemap, "techniques": TechniqueSitemap}
