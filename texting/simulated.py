"""A text from a contact as the simulated carrier delivers it — signed, through the inbound
webhook's own code — for the operator's ``simulate_inbound`` and the demo's seeding."""

import json

from provisioning.carriers.simulated import SimulatedCarrier, webhook_headers
from texting.webhooks import Recorded, inbound_webhook_receive


def simulated_text_receive(
    *, carrier_message_id: str, to: str, from_: str, body: str
) -> list[Recorded]:
    """Records the text from ``from_`` to our number ``to`` (both E.164) once, as the webhook
    does; a ``carrier_message_id`` received before is recorded again as nothing. The router is
    not woken: the caller routes it (``texting.routing.inbound_route``)."""
    payload = {"id": carrier_message_id, "to": to, "from": from_, "body": body}
    raw = json.dumps(payload).encode()
    return inbound_webhook_receive(
        carrier=SimulatedCarrier(), url="", headers=webhook_headers(raw), body=raw, wake=False
    )
