"""Generated requests at the carrier-facing hooks: malformed bodies, unsigned, wrongly signed,
old and replayed. A hook never answers 5xx; a refused request saves nothing; a request sent
twice is recorded once."""

import json
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from inboxes.models import InboundMessage
from provisioning.carriers.simulated import (
    REPLAY_WINDOW_SECONDS,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    webhook_headers,
)
from tests.properties.strategies import JUNK, PROFILE, TEXT, fingerprint, rolled_back

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(TEXT | st.sampled_from(["to", "from", "body", "id", "status"]), children)
    ),
    max_leaves=8,
)
# Bodies shaped like the carrier's, with any value in each field.
SHAPED = st.fixed_dictionaries(
    {},
    optional={
        "to": st.one_of(st.just("+12125550100"), JUNK, JSON),
        "from": st.one_of(st.just("+16465550101"), JUNK, JSON),
        "body": st.one_of(st.just("STOP"), JUNK, JSON),
        "id": st.one_of(st.just("SM1"), JUNK, JSON),
        "status": st.one_of(st.sampled_from(["sent", "delivered", "failed"]), JUNK),
        "reason": JUNK,
    },
)
BODIES = st.one_of(
    SHAPED.map(lambda data: json.dumps(data).encode()),
    JSON.map(lambda data: json.dumps(data).encode()),
    st.binary(max_size=200),
    st.sampled_from([b"", b"{", b"\xff\xfe", b'{"to": "\\u0000"}', b"[]" * 10_000]),
)
# How the request is signed: rightly, not at all, wrongly, or long ago.
SIGNING = st.sampled_from(["signed", "unsigned", "wrong", "old", "junk headers"])


def _headers(body: bytes, signing: str, junk: str) -> dict[str, str]:
    if signing == "unsigned":
        return {}
    if signing == "old":
        return webhook_headers(body, at=time.time() - REPLAY_WINDOW_SECONDS - 60)
    headers = webhook_headers(body)
    if signing == "wrong":
        headers[SIGNATURE_HEADER] = headers[SIGNATURE_HEADER][::-1]
    if signing == "junk headers":
        # What a WSGI server hands on: any Latin-1 text in a header.
        latin = junk.encode("latin-1", errors="replace").decode("latin-1")
        headers = {TIMESTAMP_HEADER: latin, SIGNATURE_HEADER: latin}
    return headers


def _post(client: Client, url: str, body: bytes, headers: dict[str, str]) -> Any:
    meta: dict[str, Any] = {
        f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()
    }
    return client.generic("POST", url, body, content_type="application/json", **meta)


@pytest.mark.django_db
@pytest.mark.parametrize("hook", ["carrier_inbound_hook", "carrier_status_hook"])
def test_generated_requests_at_the_carrier_hooks(hook: str) -> None:
    client = Client()
    url = reverse(hook, kwargs={"carrier": "simulated"})

    @PROFILE
    @given(body=BODIES, signing=SIGNING, junk=JUNK)
    def deliver(body: bytes, signing: str, junk: str) -> None:
        with rolled_back():
            headers = _headers(body, signing, junk)
            before = fingerprint()
            answer = _post(client, url, body, headers)
            assert answer.status_code < 500
            if signing != "signed":
                assert answer.status_code == 403
            if answer.status_code >= 400:
                assert fingerprint() == before, "a refused request saved something"
            elif hook == "carrier_inbound_hook":
                # Delivered again (a carrier's retry, a replay): recorded once.
                count = InboundMessage.objects.count()
                assert _post(client, url, body, headers).status_code == 200
                assert InboundMessage.objects.count() == count

    deliver()


EVENTS = st.one_of(
    JSON,
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "type": st.one_of(
                    st.just("com.twilio.messaging.compliance.brand-registration.brand-registered"),
                    JUNK,
                ),
                "data": JSON,
                "id": JUNK,
            },
        ),
        max_size=3,
    ),
).map(lambda data: json.dumps(data).encode())


@pytest.mark.django_db
def test_generated_requests_at_the_twilio_events_hook(settings) -> None:
    settings.CARRIER_ADAPTER = "provisioning.carriers.twilio.TwilioCarrier"
    settings.TWILIO_AUTH_TOKEN = "token-for-the-test"
    client = Client()
    url = reverse("twilio_events_hook")
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)

    @PROFILE
    @given(body=EVENTS | st.binary(max_size=100), signing=SIGNING, junk=JUNK)
    def deliver(body: bytes, signing: str, junk: str) -> None:
        with rolled_back():
            signature = validator.compute_signature(
                f"http://testserver{url}" + body.decode("utf-8", errors="replace"), {}
            )
            headers = {
                "signed": {"X-Twilio-Signature": signature},
                "unsigned": {},
                "wrong": {"X-Twilio-Signature": signature[::-1]},
                "old": {"X-Twilio-Signature": ""},
                "junk headers": {
                    "X-Twilio-Signature": junk.encode("latin-1", "replace").decode("latin-1")
                },
            }[signing]
            before = fingerprint()
            answer = _post(client, url, body, headers)
            assert answer.status_code < 500
            if signing != "signed":
                assert answer.status_code == 403
            if answer.status_code >= 400:
                assert fingerprint() == before, "a refused request saved something"

    deliver()
