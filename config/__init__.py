import os


def settings_module() -> str:
    """The settings for this process: production when DJANGO_ENV=production, a developer's machine otherwise."""
    return "config.settings.production" if os.environ.get("DJANGO_ENV") == "production" else "config.settings.local"
