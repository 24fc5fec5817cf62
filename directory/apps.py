from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "directory"
    verbose_name = "Practitioner directory"

    def ready(self) -> None:
        from directory import signals  # noqa: F401  (keeps the search grid)
