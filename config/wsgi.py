import os

from django.core.wsgi import get_wsgi_application

from config import settings_module
from config.charsets import refusing_unreadable_charsets

os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())

application = refusing_unreadable_charsets(get_wsgi_application())

# Build the postal-code index (about 2 s) as the server starts, not in the first patient's request.
from directory.places import place_index  # noqa: E402

place_index()
