"""Settings shared by every environment; the environment variables are documented in README.md (Configuration)."""

from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF

from config.settings.environment import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-do-not-use-in-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "modeltranslation",  # before the admin, which it extends
    "moderation.apps.DeskAdminConfig",  # django.contrib.admin with the moderation desk as its site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "accounts",
    "directory",
    "practice",
    "moderation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.csp.SitePolicyMiddleware",
    "directory.middleware.MalformedRequestMiddleware",
    "directory.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "directory.middleware.LanguageMiddleware",
    "directory.middleware.ApiNotFoundMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "directory.context_processors.site",
                "directory.context_processors.languages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
# Every query of this site is short, and PostgreSQL's tools for long ones cost more than they save: its JIT
# compiles any query whose estimated cost passes jit_above_cost (a search's count, estimated pessimistically,
# was compiled on every request for 15 ms, to execute in 4), and starting parallel workers added 5-8 ms to the
# count at 1M practitioners (docs/performance.md). Both are off for the site's connections.
SHORT_QUERIES = "-c jit=off -c max_parallel_workers_per_gather=0"
if "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = SHORT_QUERIES
# A search's queries are prepared once per connection on PostgreSQL (PREPARE, then EXECUTE: not parsed and, once
# PostgreSQL finds a generic plan as good, not planned again; directory/compiled.py). Only worth it on connections
# kept between requests, and impossible behind a pooler that hands each transaction another server connection
# (PgBouncer in transaction mode): set DATABASE_PREPARED_STATEMENTS=false there.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", env_int("DATABASE_CONN_MAX_AGE", 0) != 0)
# Read replicas (DATABASE_REPLICA_URLS, comma-separated; DATABASE_REPLICA_URL still names one): aliases replica,
# replica2, ...; an anonymous visitor's public reads go to one that is current, the rest to the primary
# (directory/routers.py). A replica that does not answer within the connect timeout is skipped for a while.
REPLICA_CONNECT_TIMEOUT_SECONDS = 2  # libpq's smallest useful value
replica_urls = env_list("DATABASE_REPLICA_URLS") or env_list("DATABASE_REPLICA_URL")
for number, url in enumerate(replica_urls, start=1):
    replica = dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0), conn_health_checks=True)
    if "postgresql" in replica["ENGINE"]:
        replica.setdefault("OPTIONS", {}).update(connect_timeout=REPLICA_CONNECT_TIMEOUT_SECONDS, options=SHORT_QUERIES)
    replica["TEST"] = {"MIRROR": "default"}  # the suite reads the primary through it
    DATABASES["replica" if number == 1 else f"replica{number}"] = replica
if replica_urls:
    DATABASE_ROUTERS = ["directory.routers.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "directory.routers.PublicReadsMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# "SQLite does not support indexes with non-key columns": the search's covering indexes (directory.models) are made
# there on their key columns alone, which is what SQLite's searches need; the warning said so on every migrate.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Shared state lives outside the app servers: the cache (and with it throttling and sessions) in Redis when
# REDIS_URL is set, so any number of app servers can answer behind a load balancer.
if env_str("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": env_str("REDIS_URL")}}  # Django's, lighter
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Accounts: practitioners and staff sign in with an e-mail address (accounts.User), through django-allauth.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "practice:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "directory:home"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Upper Cervical Directory: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env_str("SITE_PROTOCOL", "http")
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# allauth's rate limits (its defaults: signup 20/m per address, failed logins 10/m per address and 5 per 5 min
# per account, password reset 20/m per address and 5/m per e-mail, ...), counted in the cache, so shared by
# every app server when REDIS_URL is set. The claim form (practice/) is limited the same way.
# allauth's limits, with the site's own actions: claims per account, patients' reports per address, and the
# admin's login (failed attempts per address and per e-mail, as allauth limits its own login).
ACCOUNT_RATE_LIMITS = {
    "claim": "10/h/user",
    "training": "30/h/user",  # training records sent, each with a file of up to 10 MB
    "photo": "30/h/user",  # listing photos uploaded, each of up to 10 MB, decoded and re-encoded in three sizes
    "npi_lookup": "20/h/user",  # finding a listing by NPI (NPIs are public): no walking through them
    "report": env_str("REPORT_RATE", "5/h/ip"),
    "question": "5/h/ip",  # patients' questions to practitioners (practice/questions.py), per client address
    "question_listing": "20/d/key",  # ... and to one listing, from every address together
    "admin_login_failed": "10/m/ip,5/300s/key",
}

# E-mail: Django's own setting names, read from the environment (console output for `make run`).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Upper Cervical Directory <directory@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the pages send a person who needs help (the account pages' "write to us"): the sending address's mailbox.
CONTACT_EMAIL = env_str("CONTACT_EMAIL", parseaddr(DEFAULT_FROM_EMAIL)[1])
# Links in e-mails sent outside a request (admin actions included) start with this address.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# How soon moderators usually decide, in working days, as the "For practitioners" page says it. The claim form
# (templates/practice/claim_form.html) still spells out "two working days": keep the two equal.
REVIEW_DAYS_TYPICAL = 2

# Placing clinics: a server speaking Nominatim's /search API, or none (then postal-code centroids).
GEOCODER_URL = env_str("GEOCODER_URL")
GEOCODER_USER_AGENT = env_str("GEOCODER_USER_AGENT", "upper-cervical-directory/1.0 (directory@localhost)")
GEOCODER_TIMEOUT = env_int("GEOCODER_TIMEOUT", 5)
GEOCODER_MIN_INTERVAL_SECONDS = 1.0  # Nominatim's usage policy: at most one request per second
GEOCODER_CACHE_SECONDS = 30 * 24 * 3600

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English (no URL prefix), Spanish (/es/) and Canadian French (/fr-ca/). The names are each language's own, as the
# language switcher shows them. Catalogues: locale/<code>/LC_MESSAGES/django.po, compiled .mo files committed.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr-ca", "Français (Canada)")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Where Django's own date and time formats for a language are corrected (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]
# Technique names and descriptions are stored in each language (django-modeltranslation); a missing one reads
# as the English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Files only their owner and moderators may read (training evidence): outside any public media root, served
# through views that check who asks, never by the web server.
PRIVATE_MEDIA_ROOT = env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private"))
# Public uploads (listing photos) go through default_storage: files under MEDIA_ROOT unless FILE_STORAGE names
# another backend (production.py); directory.views.photo_file serves them, checking who may see each.
MEDIA_ROOT = env_str("MEDIA_ROOT", str(BASE_DIR / "media"))
# The national NPI registry's API (NPPES, version 2.1, JSON); the desk checks listings' NPIs against it.
NPPES_API_URL = env_str("NPPES_API_URL", "https://npiregistry.cms.hhs.gov/api/")
NPPES_TIMEOUT_SECONDS = env_int("NPPES_TIMEOUT_SECONDS", 5)
# Development and tests serve static files from the apps' folders; production collects them (production.py).
WHITENOISE_USE_FINDERS = True
# Files browsers ask for at the site's root (/favicon.ico, /apple-touch-icon.png), served as they are.
WHITENOISE_ROOT = BASE_DIR / "public"

# Behind N trusted proxies the client is the Nth address from the right of X-Forwarded-For; with 0 it is
# REMOTE_ADDR, so a client cannot dodge a limit by sending its own X-Forwarded-For. Every rate limit (allauth's,
# through ACCOUNT_ADAPTER, the API throttle's and the site's own forms') counts by config.network.client_address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["directory.api.renderers.MarkupSafeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["directory.api.throttling.AnonymousSearchThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # the throttle asks config.network.client_address all the same
    "UNAUTHENTICATED_USER": None,
}
API_ANON_RATE = env_str("API_ANON_RATE", "600/min")

SPECTACULAR_SETTINGS = {
    "TITLE": "Upper Cervical Directory API",
    "DESCRIPTION": "Find upper cervical chiropractors by place, distance and technique. Read-only, no key needed.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Map tiles: any XYZ tile server; OpenStreetMap's by default (mind its usage policy in production).
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str(
    "MAP_TILE_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


def content_security_policy(tile_url: str) -> dict:
    """No inline script anywhere; images from this site and the map's tile server only."""
    tiles = urlsplit(tile_url)
    tile_origin = f"{tiles.scheme}://{tiles.netloc.replace('{s}', '*')}"
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF],
            "style-src": [SELF],
            "img-src": [SELF, "data:", tile_origin],
            "connect-src": [SELF],
            "font-src": [SELF],
            "object-src": [NONE],
            "base-uri": [SELF],
            "form-action": [SELF],
            "frame-ancestors": [NONE],
        }
    }


CONTENT_SECURITY_POLICY = content_security_policy(MAP_TILE_URL)

# Search defaults; the limits are part of the public API and documented in docs/search.md.
DIRECTORY_SEARCH_PAGE_SIZE = 20
DIRECTORY_API_MAX_PAGE_SIZE = 100
