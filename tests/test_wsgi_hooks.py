"""config/wsgi.py serves carriers' webhooks with only the middleware a signed POST needs, and
every other request through the people's whole stack."""

import io
import json
import sys

import pytest

from config.wsgi import application
from inboxes.models import InboundMessage
from provisioning.carriers.simulated import webhook_headers


def served(method: str, path: str, body: bytes = b"", **headers: str):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    }
    answer: dict[str, object] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = {k.lower(): v for k, v in response_headers}

    chunks = application(environ, start_response)
    try:
        answer["body"] = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return answer


@pytest.mark.django_db(transaction=True)
def test_a_carriers_webhook_goes_through_the_hooks_middleware_only() -> None:
    body = json.dumps(
        {"id": "SIMIN-wsgi-1", "to": "+19995550100", "from": "+12125550123", "body": "Hi"}
    ).encode()

    answer = served("POST", "/hooks/simulated/inbound/", body, **webhook_headers(body))

    assert answer["status"] == 200
    assert InboundMessage.objects.filter(carrier_message_id="SIMIN-wsgi-1").count() == 1
    headers = answer["headers"]
    assert isinstance(headers, dict)
    assert headers["x-content-type-options"] == "nosniff"  # the security middleware's
    # None of the people's: no session or CSRF cookie, no page headers.
    assert "set-cookie" not in headers
    assert "content-security-policy" not in headers
    assert "x-frame-options" not in headers


@pytest.mark.django_db(transaction=True)
def test_a_bad_signature_is_still_refused_there() -> None:
    body = b'{"id": "SIMIN-wsgi-2", "to": "+19995550100", "from": "+12125550123", "body": "x"}'

    answer = served("POST", "/hooks/simulated/inbound/", body, **webhook_headers(b"other"))

    assert answer["status"] == 403
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_page_goes_through_the_peoples_middleware() -> None:
    answer = served("GET", "/accounts/login/")

    assert answer["status"] == 200
    headers = answer["headers"]
    assert isinstance(headers, dict)
    assert "content-security-policy" in headers
    assert headers["x-frame-options"] == "DENY"
    assert "csrftoken=" in str(headers.get("set-cookie", ""))
