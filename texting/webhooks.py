"""``POST /hooks/<carrier>/inbound/``: the adapter verifies the request and parses it; each
message is recorded once per carrier message id (a carrier that delivers it twice finds it
recorded) and the router is woken after commit (``texting.router``), so the carrier gets its
answer at once.

The request is what a carrier's burst waits on (benchmarks/bench_inbound.py), so it does only
this: verify, parse, one INSERT in autocommit, prepared once per connection on PostgreSQL
(config/database.py; no BEGIN/COMMIT, no read-back of a duplicate, no connection health check
before it) and shared with the deliveries the process's other threads record at the same time
(texting/intake.py), and at most one routing task per process per ``router.WAKE_EVERY`` — never
one per text."""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import InterfaceError, OperationalError, connection
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.database import prepared_cursor
from inboxes.models import InboundMessage
from provisioning.carriers import get_carrier
from provisioning.carriers.base import CarrierAdapter
from provisioning.carriers.base import InboundMessage as ParsedInbound
from provisioning.delivery import WebhookRefused
from texting.intake import Row, record_grouped
from texting.router import router_wake

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recorded:
    """One message of the request: its new row's id, or None when it was recorded before."""

    carrier_message_id: str
    inbound_id: int | None


def inbound_webhook_receive(
    *,
    carrier: CarrierAdapter,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    wake: bool = True,
) -> list[Recorded]:
    """Records the request's messages in one statement and wakes the router when one is new.
    Raises WebhookRefused when the adapter does not vouch for the request. ``url`` is the URL
    the provider requested (Twilio signs it)."""
    if not carrier.verify_webhook(url=url, headers=headers, body=body):
        raise WebhookRefused("The signature does not match, or the request is too old.")
    messages = carrier.parse_webhook(headers=headers, body=body)
    recorded = _record_once(carrier.name, messages)
    if wake and any(r.inbound_id is not None for r in recorded):
        router_wake()
    return recorded


@csrf_exempt
@require_POST
def inbound_hook(request: HttpRequest, carrier: str) -> HttpResponse:
    adapter = get_carrier()
    if adapter.name != carrier:
        raise Http404("No such carrier.")
    try:
        inbound_webhook_receive(
            carrier=adapter,
            url=request.build_absolute_uri(),
            headers=request.headers,
            body=request.body,
        )
    except WebhookRefused as error:
        logger.warning(
            "Inbound webhook refused from %s: %s", request.META.get("REMOTE_ADDR"), error
        )
        return HttpResponse(str(error), status=403, content_type="text/plain")
    except (ValueError, KeyError) as error:
        # Signed by the carrier yet not a message we can read: say so, so it is not retried.
        logger.error("Unreadable inbound webhook: %r", error)
        return HttpResponse("Unreadable message.", status=400, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


# One statement for the whole request, whether its texts are new or delivered again: a single
# statement is atomic on its own, so the request needs no transaction around it. PostgreSQL and
# SQLite both speak it.
_COLUMNS = "(carrier, carrier_message_id, to_e164, from_e164, body, received_at, route, note)"
_INSERT_ONCE = """
INSERT INTO {table} {columns}
VALUES {rows}
ON CONFLICT (carrier, carrier_message_id) DO NOTHING
RETURNING id, carrier_message_id
"""


def _record_once(carrier: str, messages: list[ParsedInbound]) -> list[Recorded]:
    if not messages:
        return []
    now = timezone.now()
    rows: list[Row] = [
        (carrier, m.carrier_message_id, m.to_e164, m.from_e164, m.body, now) for m in messages
    ]
    # With the deliveries other threads of this process record at the same time: one statement.
    created = record_grouped(rows, [m.carrier_message_id for m in messages], _insert_once)
    return [
        Recorded(m.carrier_message_id, created.pop(m.carrier_message_id, None)) for m in messages
    ]


def _insert_once(rows: list[Row]) -> dict[str, int]:
    """One INSERT of ``rows`` on this thread's connection; the ids of the rows it created."""
    sql = _INSERT_ONCE.format(
        table=InboundMessage._meta.db_table,
        columns=_COLUMNS,
        rows=", ".join(["(%s, %s, %s, %s, %s, %s, '', '')"] * len(rows)),
    )
    params = [value for row in rows for value in row]
    # The statement is idempotent, so it skips the kept connection's health check (a round trip
    # before every request's first statement, CONN_HEALTH_CHECKS) and, should the server have
    # closed that connection meanwhile (a restart, an idle timeout), runs again on a fresh one.
    # Were it the answer that was lost after the commit, the second run finds the texts stored
    # and wakes no one for them: the sweep routes them (texting.router).
    connection.health_check_done = True  # type: ignore[attr-defined]  # Django's, not in the stubs
    try:
        return _insert(sql, params)
    except (InterfaceError, OperationalError):
        if connection.in_atomic_block:
            raise
        logger.warning("Inbound webhook: the database connection was closed; trying a new one")
        connection.close()
        return _insert(sql, params)


def _insert(sql: str, params: list[Any]) -> dict[str, int]:
    """Runs the INSERT; the ids of the rows it created, by carrier message id."""
    with connection.cursor() if connection.vendor != "postgresql" else prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return {carrier_message_id: pk for pk, carrier_message_id in cursor.fetchall()}
