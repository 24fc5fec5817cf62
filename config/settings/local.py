"""Settings for `make run`: a developer's machine with an embedded SQLite database."""

from config.settings.base import *  # noqa: F403
from config.settings.environment import env_bool, env_str

DEBUG = env_bool("DEBUG", True)

# Mail is printed where `make run` serves, so a new account's confirmation link can be followed at once.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
