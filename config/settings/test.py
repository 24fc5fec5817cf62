"""Settings for the test suite: fast hashing, no debug."""

from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tiles from a closed loopback port: a map in a browser test never reaches the internet (it shows no tiles).
MAP_TILE_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"
