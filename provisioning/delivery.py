"""Delivering recorded messages through the carrier adapter, and taking in the carriers'
delivery reports. Messages live in ``inboxes``; this module stands below it and moves them only
through ``inboxes.messages.message_status_move``."""

import logging
from collections.abc import Mapping

from django.db import transaction

from inboxes.messages import message_status_move
from inboxes.models import Direction, Message, MessageStatus
from provisioning.carriers import get_carrier
from provisioning.carriers.base import (
    CarrierAdapter,
    DeliveryState,
    PermanentProviderError,
)

logger = logging.getLogger(__name__)


class WebhookRefused(Exception):
    """The request is not the provider's (bad signature, or a replay)."""


def message_deliver(*, message_id: int) -> str:
    """Hands a queued message to the carrier; ``sent`` with its carrier id, or ``failed``
    with the carrier's reason. Transient provider errors propagate for the task to retry.
    Idempotent: a message no longer queued is left alone."""
    carrier = get_carrier()
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("conversation")
            .get(pk=message_id)
        )
        if message.status != MessageStatus.QUEUED or message.direction != Direction.OUT:
            return message.status
        try:
            carrier_id = carrier.send_message(
                from_e164=message.conversation.number_e164,
                to_e164=message.conversation.contact_e164,
                body=message.body,
            )
        except PermanentProviderError as error:
            message_status_move(message_id=message.pk, to=MessageStatus.FAILED, reason=str(error))
            return MessageStatus.FAILED
        message_status_move(
            message_id=message.pk, to=MessageStatus.SENT, carrier_message_id=carrier_id
        )
    return MessageStatus.SENT


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
