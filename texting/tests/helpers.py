"""Signed deliveries from the simulated carrier, and the numbers the routing tests text."""

import json
import time
import uuid
from datetime import UTC, datetime
from datetime import time as day_time
from typing import Any

from django.test import Client

from offices.models import Organization
from provisioning.carriers.simulated import webhook_headers

# 16:00 UTC on a summer day: 12:00 in New York, inside the default texting hours.
NOON_IN_NEW_YORK = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
CONTACT = "+12125550123"


def signed(payload: dict[str, str], *, at: float | None = None) -> tuple[bytes, dict[str, Any]]:
    body = json.dumps(payload).encode()
    headers = {
        f"HTTP_{k.upper().replace('-', '_')}": v for k, v in webhook_headers(body, at=at).items()
    }
    return body, headers


def deliver(
    client: Client,
    *,
    to: str,
    body: str,
    sender: str = CONTACT,
    message_id: str = "",
    at: float | None = None,
):
    """POSTs the simulated carrier's signed inbound webhook; returns the response."""
    payload = {
        "id": message_id or f"SIMIN-{uuid.uuid4().hex}",
        "to": to,
        "from": sender,
        "body": body,
    }
    raw, headers = signed(payload, at=time.time() if at is None else at)
    return client.post(
        "/hooks/simulated/inbound/", data=raw, content_type="application/json", **headers
    )


def all_day(organization: Organization) -> None:
    organization.texting_hours_start = day_time(0, 0)
    organization.texting_hours_end = day_time(23, 59, 59, 999999)
    organization.save(update_fields=["texting_hours_start", "texting_hours_end"])
