"""Delivering recorded messages through the carrier adapter, and taking in the carriers'
delivery reports. Messages live in ``inboxes``; this module stands below it and moves them only
through ``inboxes.messages.message_status_move``."""

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from inboxes.messages import message_status_move
from inboxes.models import Direction, Message, MessageStatus
from provisioning.carriers import get_carrier
from provisioning.carriers.base import (
    CarrierAdapter,
    DeliveryState,
    PermanentProviderError,
    RateLimited,
    TransientProviderError,
)

logger = logging.getLogger(__name__)

# How long a claimed send may take before a sweep takes the message again (its worker died).
SENDING_LEASE = timedelta(minutes=5)


class DeliveryPostponed(Exception):
    """A transient carrier error: the message is due again in ``retry_in`` seconds."""

    def __init__(self, message: str, *, retry_in: float) -> None:
        super().__init__(message)
        self.retry_in = retry_in


class WebhookRefused(Exception):
    """The request is not the provider's (bad signature, or a replay)."""


def delivery_key(message: Message) -> str:
    """The message's idempotency key at the carrier: the same for every attempt, so a send
    repeated after an interruption is the same text to the provider; its creation time keeps
    it apart from a message that had the same id in a database since restored or reset."""
    return f"longcode-message-{message.pk}-{int(message.created_at.timestamp() * 1_000_000)}"


def _message_claim(*, message_id: int, now: datetime) -> bool:
    """Takes the queued message for one send, in its own committed step: its first attempt,
    or a later one once its backoff or the lease of an interrupted send has run out. A
    concurrent duplicate task finds nothing to claim."""
    due = Q(send_attempts=0) | Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True)
    claimed = Message.objects.filter(
        due, pk=message_id, status=MessageStatus.QUEUED, direction=Direction.OUT
    ).update(send_attempts=F("send_attempts") + 1, next_attempt_at=now + SENDING_LEASE)
    return claimed == 1


def _backoff(error: TransientProviderError, attempts: int) -> float:
    if isinstance(error, RateLimited):
        return error.retry_after
    return float(min(600, 2 ** (attempts - 1)))


def message_deliver(*, message_id: int) -> str:
    """Hands a queued message to the carrier; ``sent`` with its carrier id, or ``failed``
    with the carrier's reason. A message not due (no longer queued, or being sent by another
    worker) is left alone and its status returned.

    The message is claimed and committed before the carrier call, which carries the message's
    own idempotency key (``delivery_key``), and marked sent after: a worker killed in between
    leaves it queued under a lease, and the sweep (``messages_due_ids``) sends it again once
    the lease runs out — the same text to the carrier, which answers with the one it sent. A
    transient error schedules the next attempt and raises ``DeliveryPostponed``."""
    now = timezone.now()
    if not _message_claim(message_id=message_id, now=now):  # one UPDATE, committed by itself
        return str(Message.objects.values_list("status", flat=True).get(pk=message_id))
    message = Message.objects.select_related("conversation").get(pk=message_id)
    carrier = get_carrier()
    try:
        # The carrier's follow-ups (the simulator's delivery report) wait for the status move.
        with transaction.atomic():
            carrier_id = carrier.send_message(
                from_e164=message.conversation.number_e164,
                to_e164=message.conversation.contact_e164,
                body=message.body,
                idempotency_key=delivery_key(message),
            )
            message_status_move(
                message_id=message.pk, to=MessageStatus.SENT, carrier_message_id=carrier_id
            )
    except PermanentProviderError as error:
        with transaction.atomic():
            message_status_move(message_id=message.pk, to=MessageStatus.FAILED, reason=str(error))
        return MessageStatus.FAILED
    except TransientProviderError as error:
        retry_in = _backoff(error, message.send_attempts)
        Message.objects.filter(pk=message.pk, status=MessageStatus.QUEUED).update(
            next_attempt_at=now + timedelta(seconds=retry_in)
        )
        raise DeliveryPostponed(str(error), retry_in=retry_in) from error
    return MessageStatus.SENT


def messages_due_ids(*, limit: int = 500) -> list[int]:
    """Queued messages due for a (re)try: whose first delivery task was lost, after a
    transient error, or whose send was interrupted (its worker's lease ran out)."""
    return list(
        Message.objects.filter(
            status=MessageStatus.QUEUED,
            direction=Direction.OUT,
            next_attempt_at__lte=timezone.now(),
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def status_webhook_receive(
    *, carrier: CarrierAdapter, url: str, headers: Mapping[str, str], body: bytes
) -> int:
    """Verifies a delivery-status webhook and applies its reports; returns how many changed a
    message. Raises WebhookRefused when the adapter does not vouch for the request. A report on
    a message we do not know is logged and dropped (a provider retries nothing useful). ``url``
    is the URL the provider requested (Twilio signs it)."""
    if not carrier.verify_webhook(url=url, headers=headers, body=body):
        raise WebhookRefused("The signature does not match, or the request is too old.")
    changed = 0
    for report in carrier.parse_status_webhook(headers=headers, body=body):
        message_id = (
            Message.objects.filter(carrier_message_id=report.carrier_message_id)
            .values_list("pk", flat=True)
            .first()
        )
        if message_id is None:
            logger.warning("Delivery report for unknown message %s", report.carrier_message_id)
            continue
        to = {
            DeliveryState.SENT: MessageStatus.SENT,
            DeliveryState.DELIVERED: MessageStatus.DELIVERED,
            DeliveryState.FAILED: MessageStatus.FAILED,
        }[report.state]
        changed += message_status_move(message_id=message_id, to=to, reason=report.reason)
    return changed
