from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from directory.sitemaps import SITEMAPS
from directory.views import healthz, robots_txt

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("directory.api.urls", namespace="api")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
    path("healthz", healthz, name="healthz"),
    path("", include("directory.urls")),
]
