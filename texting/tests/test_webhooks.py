"""The inbound webhook's cost per request: one statement, on the connection the process kept
(no health check before it), and a kept connection the server closed meanwhile is replaced
without losing the text."""

import logging

import pytest
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connection, connections
from django.test.utils import CaptureQueriesContext

from config.celery import app
from inboxes.models import InboundMessage
from texting.tests.helpers import deliver


@pytest.fixture
def kept_connection(monkeypatch):
    """The default connection as production keeps it between requests: persistent, with
    health checks on."""
    # The tasks registered before the test: a first wake loads them, and Celery's Django fixup
    # then runs django.setup() again, whose logging setup drops caplog's handler.
    app.loader.import_default_modules()
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    connection.close()
    yield
    connection.close()
    app.control.purge()  # the routing wakes the deliveries sent


def server_closes(pid: int) -> None:
    """The server ends the backend ``pid`` (a restart, an idle timeout) and waits until it has."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("kept_connection")
def test_a_kept_connection_the_server_closed_is_replaced_and_the_text_stored(client, caplog):
    assert deliver(client, to="+19995550100", body="One", message_id="SIMIN-1").status_code == 200
    server_closes(connection.connection.info.backend_pid)
    close_old_connections()  # a request's start in production (the test client skips it)

    with caplog.at_level(logging.WARNING, logger="texting.webhooks"):
        response = deliver(client, to="+19995550100", body="Two", message_id="SIMIN-2")

    assert response.status_code == 200
    assert "the database connection was closed" in caplog.text
    assert sorted(InboundMessage.objects.values_list("body", flat=True)) == ["One", "Two"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("kept_connection")
def test_a_delivery_on_a_kept_connection_is_one_statement(client):
    deliver(client, to="+19995550100", body="One", message_id="SIMIN-1")  # connects
    close_old_connections()

    with CaptureQueriesContext(connection) as statements:
        deliver(client, to="+19995550100", body="Two", message_id="SIMIN-2")
        deliver(client, to="+19995550100", body="Two", message_id="SIMIN-2")  # again: nothing new

    # One INSERT each (prepared, so Django logs it as its query and parameters).
    logged = [s["sql"] for s in statements.captured_queries]
    assert len(logged) == 2
    assert all("INSERT INTO" in sql and "ON CONFLICT" in sql for sql in logged), logged
    # ... which PostgreSQL parsed and planned once for this connection (config/database.py).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%INSERT INTO inboxes_inboundmessage%ON CONFLICT%"],
        )
        assert cursor.fetchone() == (1,)
    assert not connection.errors_occurred
    assert InboundMessage.objects.count() == 2
