from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from directory.api.docs import api_docs
from directory.sitemaps import SITEMAPS
from directory.views import healthz, robots_txt

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("directory.api.urls", namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs, name="api-docs"),
    # Swagger UI injects one <style> element; inline style (never script) is allowed on this page alone. It is
    # linked from /api/docs/ as third-party and not fully accessible (it fails axe), so no axe walk includes it.
    path(
        "api/docs/swagger/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-swagger",
    ),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
    path("healthz", healthz, name="healthz"),
]
# What patients and practitioners read, in each language: English without a prefix, /es/ and /fr-ca/. The desk
# (admin/) and the API stay unprefixed: the desk is English, the API language-neutral (technique names follow
# Accept-Language, directory.middleware.LanguageMiddleware).
urlpatterns += i18n_patterns(
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("practice.urls")),
    path("", include("moderation.urls")),
    path("", include("directory.urls")),
    prefix_default_language=False,
)

handler400 = "directory.views.bad_request"
handler404 = "directory.views.not_found"
handler500 = "directory.views.server_error"
