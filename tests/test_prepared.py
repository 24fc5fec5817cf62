"""Prepared statements on PostgreSQL (directory.compiled.prepared): a search's queries are PREPAREd once per
connection and EXECUTEd after, with the same rows as without."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from directory import compiled
from directory.geo import Place, Point
from directory.models import Practitioner
from directory.search import Search
from tests.factories import LocationFactory, PractitionerFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]

BOSTON = Point(42.3601, -71.0589)


@pytest.fixture
def listings() -> list[Practitioner]:
    found = []
    for number in range(5):
        practitioner = PractitionerFactory(name=f"Dr. {number}", status=Practitioner.Status.PUBLISHED)
        LocationFactory(practitioner=practitioner, latitude=42.36 + number / 100, longitude=-71.06)
        found.append(practitioner)
    return found


def searched(radius: float = 25) -> tuple[list[int], list[str]]:
    """The ids a search near Boston lists, and the SQL it sent."""
    search = Search(place=Place(BOSTON, "Boston"), radius=radius)
    with CaptureQueriesContext(connection) as queries:
        found = [practitioner.pk for practitioner in search.page(0, 20)]
    return found, [query["sql"] for query in queries]


@pytest.fixture(autouse=True)
def fresh_session(settings):
    """No statement prepared yet on the suite's connection (it outlives each test's transaction, as they do)."""
    settings.DATABASE_PREPARED_STATEMENTS = True
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection.prepared_statements = (connection.connection, set())


def prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


class TestPreparedStatements:
    def test_a_search_prepares_its_statements_once_and_executes_them_after(self, listings):
        first, first_sql = searched()
        again, again_sql = searched(radius=30)  # another circle, the same shape
        assert first == again == [practitioner.pk for practitioner in listings]
        assert any(sql.startswith("PREPARE") for sql in first_sql)
        assert not any(sql.startswith("PREPARE") for sql in again_sql)
        executed = {sql.split("(")[0].removeprefix("EXECUTE ") for sql in again_sql if sql.startswith("EXECUTE")}
        assert len(executed) == 4 and executed <= prepared_names()  # count, page, locations, techniques

    def test_the_rows_are_the_same_as_without(self, settings, listings):
        settings.DATABASE_PREPARED_STATEMENTS = False
        plain, plain_sql = searched()
        settings.DATABASE_PREPARED_STATEMENTS = True
        prepared, prepared_sql = searched()
        assert prepared == plain and plain
        assert any(sql.startswith("EXECUTE") for sql in prepared_sql)
        assert not any(sql.startswith(("PREPARE", "EXECUTE")) for sql in plain_sql)

    @pytest.mark.django_db(transaction=True)  # the listings outlive the connection they were written on
    def test_a_new_connection_prepares_them_again(self, listings):
        searched()
        connection.close()  # as at the end of a request past CONN_MAX_AGE: the next query reconnects
        again, sql = searched()
        assert again == [practitioner.pk for practitioner in listings]
        assert any(query.startswith("PREPARE") for query in sql)

    def test_a_rolled_back_transaction_keeps_what_it_prepared(self, listings):
        with transaction.atomic():
            searched()
            transaction.set_rollback(True)
        _, sql = searched()
        assert not any(query.startswith("PREPARE") for query in sql)

    def test_past_the_bound_a_connection_deallocates_them_all(self, listings, monkeypatch):
        monkeypatch.setattr(compiled, "PREPARED_KEPT", 2)
        _, sql = searched()
        assert sum(query == "DEALLOCATE ALL" for query in sql) >= 1
        assert len(prepared_names()) <= 2
