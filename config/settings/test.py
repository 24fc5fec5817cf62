"""Settings for the test suite: fast hashing, no debug."""

import os
import tempfile
from pathlib import Path

from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tiles from a closed loopback port: a map in a browser test never reaches the internet (it shows no tiles).
MAP_TILE_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"
CONTENT_SECURITY_POLICY = content_security_policy(MAP_TILE_URL)  # noqa: F405

# The suite sends far more than a patient would; the throttling tests set their own rate.
API_ANON_RATE = "1000000/min"

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "https://directory.example"
GEOCODER_URL = ""  # tests that geocode start their own loopback server
GEOCODER_MIN_INTERVAL_SECONDS = 0.0
# Private files go to a folder of the test run's own (tests/conftest.py points each test at a fresh one).
PRIVATE_MEDIA_ROOT = str(Path(tempfile.gettempdir()) / f"directory-private-{os.getpid()}")
NPPES_API_URL = ""  # tests that ask the registry start their own loopback server

# On PostgreSQL, Django's backend with a quicker flush between the tests that commit (tests/postgresql/base.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "tests.postgresql"  # noqa: F405
