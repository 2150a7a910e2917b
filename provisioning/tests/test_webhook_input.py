"""A carrier hook reads only what it can: a signed body of the wrong shape is answered 400, a
signature header of any text 403, never 500 (found by tests/properties/test_webhooks.py)."""

import json

import pytest
from django.urls import reverse

from provisioning.carriers.simulated import SIGNATURE_HEADER, webhook_headers


def _post(client, name: str, body: bytes, headers: dict[str, str]):
    meta = {f"HTTP_{key.upper().replace('-', '_')}": value for key, value in headers.items()}
    url = reverse(name, kwargs={"carrier": "simulated"})
    return client.generic("POST", url, body, content_type="application/json", **meta)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("carrier_inbound_hook", None),
        ("carrier_inbound_hook", ["+12125550100"]),
        ("carrier_inbound_hook", {"to": 1, "from": "+16465550101", "body": "hi", "id": "SM1"}),
        (
            "carrier_inbound_hook",
            {"to": "+1" + "2" * 40, "from": "+16465550101", "body": "hi", "id": "SM1"},
        ),
        (
            "carrier_inbound_hook",
            {"to": "+12125550100", "from": "+16465550101", "body": "\x00", "id": "SM1"},
        ),
        ("carrier_status_hook", {"id": "SM1", "status": "lost in space"}),
        ("carrier_status_hook", {"id": "SM1", "status": "delivered", "reason": None}),
    ],
)
def test_a_signed_body_of_the_wrong_shape_is_answered_400(client, name, data) -> None:
    body = json.dumps(data).encode()
    assert _post(client, name, body, webhook_headers(body)).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["carrier_inbound_hook", "carrier_status_hook"])
def test_a_signature_of_any_text_is_refused(client, name) -> None:
    body = b"{}"
    headers = {**webhook_headers(body), SIGNATURE_HEADER: "\u00e9t\u00e9"}
    assert _post(client, name, body, headers).status_code == 403
    assert (
        _post(client, name, body, {**headers, "X-Simulated-Timestamp": "\u00b2"}).status_code == 403
    )
