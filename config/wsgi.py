import gc
import os

from django.core.wsgi import get_wsgi_application

from config import settings_module
from config.charsets import refusing_unreadable_charsets

os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())

application = refusing_unreadable_charsets(get_wsgi_application())

# Build the postal-code index (about 2 s) as the server starts, not in the first patient's request.
from directory.places import place_index  # noqa: E402

place_index()

# What the server has built so far (Django, the URL patterns, the postal-code index: about 480,000 objects) lives
# as long as the process. Frozen, Python's full garbage collection no longer walks it: walking it took about 260
# ms, a pause that fell on whichever request was running (the p99 of every view, even /robots.txt). gunicorn
# loads the app once and forks (preload_app), so its workers start frozen too.
gc.freeze()
