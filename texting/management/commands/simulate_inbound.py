"""``manage.py simulate_inbound --to E164 --from E164 --body TEXT``: a text from a contact, as
the simulated carrier would deliver it — signed, through the inbound webhook's own code — then
routed at once (not by a worker) so the command can print where it went."""

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inboxes.models import InboundMessage
from provisioning.carriers.simulated import SimulatedCarrier
from texting.routing import inbound_route
from texting.simulated import simulated_text_receive


class Command(BaseCommand):
    help = "Delivers a simulated inbound text and prints where it was routed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", required=True, help="Our number, E.164.")
        parser.add_argument("--from", dest="from_", required=True, help="The contact, E.164.")
        parser.add_argument("--body", required=True)
        parser.add_argument("--id", default="", help="Carrier message id (default: a new one).")

    def handle(self, *args: Any, **options: Any) -> None:
        message_id = options["id"] or f"SIMIN-{uuid.uuid4().hex}"
        to, from_ = options["to"], options["from_"]
        for e164 in (to, from_):
            if not (e164.startswith("+") and e164[1:].isdigit()):
                raise CommandError(f"{e164} is not an E.164 number (like +12125550100).")
        received = simulated_text_receive(
            carrier_message_id=message_id, to=to, from_=from_, body=options["body"]
        )
        for recorded in received:
            inbound_id = recorded.inbound_id
            if inbound_id is None:
                self.stdout.write(f"Duplicate: {recorded.carrier_message_id} was received before.")
                inbound_id = InboundMessage.objects.get(
                    carrier=SimulatedCarrier.name, carrier_message_id=recorded.carrier_message_id
                ).pk
            inbound = inbound_route(inbound_id=inbound_id)
            where = inbound.get_route_display()
            if inbound.conversation is not None:
                where += f" (conversation {inbound.conversation_id})"
            self.stdout.write(f"Routed: {where}. {inbound.note}".strip())
