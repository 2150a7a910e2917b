"""``POST /hooks/<carrier>/inbound/``: the adapter verifies the request and parses it; each
message is recorded once per carrier message id (a carrier that delivers it twice finds it
recorded) and routed by a worker after commit, so the carrier gets its answer at once."""

import logging
from collections.abc import Mapping

from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.celery import enqueue_on_commit
from inboxes.models import InboundMessage
from provisioning.carriers import get_carrier
from provisioning.carriers.base import CarrierAdapter
from provisioning.carriers.base import InboundMessage as ParsedInbound
from provisioning.delivery import WebhookRefused

logger = logging.getLogger(__name__)


@transaction.atomic
def inbound_webhook_receive(
    *,
    carrier: CarrierAdapter,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    enqueue: bool = True,
) -> list[tuple[InboundMessage, bool]]:
    """Records the request's messages; returns each with whether this request created it.
    Raises WebhookRefused when the adapter does not vouch for the request. ``url`` is the URL
    the provider requested (Twilio signs it)."""
    if not carrier.verify_webhook(url=url, headers=headers, body=body):
        raise WebhookRefused("The signature does not match, or the request is too old.")
    received = []
    for message in carrier.parse_webhook(headers=headers, body=body):
        inbound, created = _record_once(carrier.name, message)
        if created and enqueue:
            enqueue_on_commit("texting.tasks.route_inbound", inbound.pk)
        received.append((inbound, created))
    return received


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
            headers=dict(request.headers.items()),
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


# One statement per text, whether it is new or delivered again: the webhook's cost is what a
# carrier's burst waits on (benchmarks/bench_inbound.py). PostgreSQL and SQLite both speak it.
_INSERT_ONCE = f"""
INSERT INTO {InboundMessage._meta.db_table}
    (carrier, carrier_message_id, to_e164, from_e164, body, received_at, route, note)
VALUES (%s, %s, %s, %s, %s, %s, '', '')
ON CONFLICT (carrier, carrier_message_id) DO NOTHING
RETURNING id
"""


def _record_once(carrier: str, message: ParsedInbound) -> tuple[InboundMessage, bool]:
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_ONCE,
            [
                carrier,
                message.carrier_message_id,
                message.to_e164,
                message.from_e164,
                message.body,
                now,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        earlier = InboundMessage.objects.get(
            carrier=carrier, carrier_message_id=message.carrier_message_id
        )
        return earlier, False
    inbound = InboundMessage(
        pk=row[0],
        carrier=carrier,
        carrier_message_id=message.carrier_message_id,
        to_e164=message.to_e164,
        from_e164=message.from_e164,
        body=message.body,
        received_at=now,
    )
    return inbound, True
