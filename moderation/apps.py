from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ModerationConfig(AppConfig):
    default = True  # this module also holds the admin's config below
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from moderation import (
            photo_admin,  # noqa: F401 (registers photos to approve on the desk)
            receivers,  # noqa: F401 (connects the desk to the practitioner side's signals)
            training_admin,  # noqa: F401 (registers training to verify on the desk)
        )


class DeskAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the moderation desk as its site (the queue on the index, a rate-limited login)."""

    default = False
    default_site = "moderation.sites.DeskSite"
