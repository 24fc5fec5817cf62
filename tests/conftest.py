import importlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

from directory.answers import techniques_forget
from directory.models import Technique
from tests.factories import UserFactory


@pytest.fixture
def nucca(db) -> Technique:
    return Technique.objects.get(slug="nucca")


@pytest.fixture
def blair(db) -> Technique:
    return Technique.objects.get(slug="blair")


@pytest.fixture
def migrations_data(transactional_db) -> None:
    """What data migrations put in a new database (the techniques, the public version's row, the Moderators
    group), which the flush after each transactional test removes."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    importlib.import_module("directory.migrations.0002_seed_techniques").seed_techniques(apps, None)
    importlib.import_module("directory.migrations.0004_public_version").create_the_row(apps, None)
    importlib.import_module("directory.migrations.0014_technique_translations").translations_fill(apps, None)
    moderators = importlib.import_module("moderation.migrations.0002_moderators_group")
    group, _ = Group.objects.get_or_create(name=moderators.MODERATORS)
    for app_label, codenames in moderators.PERMISSIONS.items():
        group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
    importlib.import_module("moderation.migrations.0005_training_decisions").moderators_verify_training(apps, None)
    importlib.import_module("moderation.migrations.0006_photo_permissions").moderators_review_photos(apps, None)


@pytest.fixture
def owner(db):
    return UserFactory(email="owner@example.com")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


class NominatimHandler(BaseHTTPRequestHandler):
    """Answers GET /search like Nominatim (format=json): the server's `places` by street, else []."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        self.server.requests.append(
            {"path": url.path, "query": query, "user_agent": self.headers["User-Agent"], "at": time.monotonic()}
        )
        time.sleep(self.server.delay)
        if self.server.status != 200:
            self.send_error(self.server.status)
            return
        found = self.server.places.get(query.get("street", "").lower())
        answer = (
            []
            if found is None
            else [
                {
                    "place_id": 1,
                    "lat": str(found[0]),
                    "lon": str(found[1]),
                    "display_name": query.get("street", ""),
                    "class": "building",
                    "type": "yes",
                    "importance": 0.5,
                }
            ]
        )
        body = json.dumps(answer).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting, as a timing-out client does

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def nominatim(settings):
    """A real HTTP server on loopback speaking Nominatim's /search API; GEOCODER_URL points at it.

    Set `.places` ({street in lower case: (lat, lon)}), `.delay` (seconds) or `.status`; read `.requests`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), NominatimHandler)
    server.places, server.delay, server.status, server.requests = {}, 0.0, 200, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.GEOCODER_URL = f"http://127.0.0.1:{server.server_port}"
    settings.GEOCODER_TIMEOUT = 1
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def database_down(monkeypatch) -> None:
    """Every query fails as it does when the database cannot be reached: at the cursor, below any query the
    site builds and any statement it has compiled or prepared (directory.compiled)."""

    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "_cursor", unreachable)


@pytest.fixture(autouse=True)
def prepared_statements(settings) -> None:
    """The suite keeps its connection from test to test, as a production server does between requests: on
    PostgreSQL the search's statements are prepared on it (directory.compiled.prepared), so every search test on
    PostgreSQL runs them so. (Outside the suite the test settings keep no connection, so they prepare nothing.)"""
    settings.DATABASE_PREPARED_STATEMENTS = True


@pytest.fixture
def unprepared(settings) -> None:
    """Queries counted without the PREPAREs (and their savepoints) a PostgreSQL connection sends the first time
    it runs each shape of search query (directory.compiled.prepared): a count of what a search reads."""
    settings.DATABASE_PREPARED_STATEMENTS = False


@pytest.fixture(autouse=True)
def fresh_cache():
    """Geocoding answers and rate-limit counts live in the cache, and each process keeps the techniques of the
    public versions it read: each test starts with none (its versions count from the same number)."""
    cache.clear()
    techniques_forget()
    yield
    cache.clear()
    techniques_forget()


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Private uploads (training evidence) go to the test's own folder: returns it."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    return tmp_path / "private"


@pytest.fixture(autouse=True)
def media_files(settings, tmp_path):
    """Uploaded public files (listing photos, in default_storage) go to the test's own folder: returns it."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def desk_moderator(db):
    """A staff account in the Moderators group (made by a migration), not a superuser."""
    from django.contrib.auth.models import Group

    user = UserFactory(email="desk@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Runs the block's on-commit callbacks (the e-mails) when it ends; the test then reads mail.outbox."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def pytest_collection_modifyitems(items):
    """The slow tests first, so that with pytest-xdist (make test) one worker starts them while the others share
    the rest, instead of the run ending on one worker with minutes to go."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
