"""Where private files live: outside the public media root, never served by the web server, only through views
that check who asks (practice.views.training_evidence)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT (read at each use, so a test can point it elsewhere), with no public
    address (url() raises)."""

    @property
    def base_location(self) -> str:
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Private files have no public address; a view serves them to who may see them.")


def private_storage() -> PrivateStorage:
    return PrivateStorage()
