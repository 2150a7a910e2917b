"""/healthz answers 200 only when the database and the broker both answer, and names the part
that is down otherwise (503)."""

import socket

from django.db import connection


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the socket is


def test_healthz_names_the_broker_when_it_is_down(db, client, settings) -> None:
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "down", "down": ["broker"]}


def test_healthz_names_the_database_when_it_is_down(transactional_db, client) -> None:
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = _closed_port()
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port

    assert response.status_code == 503
    assert response.json() == {"status": "down", "down": ["database"]}
