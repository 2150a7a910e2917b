from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from offices.time_zones import moment_text
from phone_numbers.models import PhoneNumber, ProvisioningStatus
from phone_numbers.phones import phone_normalise
from provisioning.services import E164, number_release, number_used_by


class Command(BaseCommand):
    help = "Releases a number: it stops counting at once; the carrier release runs on a worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "e164", help="the number, e.g. +12125550100, (212) 555-0100 or 212-555-0100"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="release it even while a launching or active campaign is using it",
        )

    def handle(self, *args: Any, e164: str, force: bool, **options: Any) -> None:
        typed = e164.strip()
        # Taken as typed when already E.164 (a number in Longcode need not be one phonenumbers
        # calls valid); otherwise read the way people write numbers, as the contacts upload does.
        e164 = typed if E164.match(typed) else phone_normalise(typed) or ""
        if not e164:
            raise CommandError(
                f"{typed} is not a US phone number; write it e.g. +12125550100 or (212) 555-0100."
            )
        rows = PhoneNumber.objects.filter(e164=e164).select_related("organization")
        number = rows.exclude(provisioning_status=ProvisioningStatus.RELEASED).first()
        if number is None:
            released = rows.order_by("-released_at").first()
            if released is None:
                raise CommandError(f"No number {e164} in Longcode.")
            when = released.released_at
            zone = released.organization.time_zone
            on = f" on {moment_text(when, time_zone=zone)}" if when else ""
            raise CommandError(f"{e164} was already released{on}.")
        was = number.get_provisioning_status_display().lower()
        user = number_used_by(phone_number=number)
        if user and not force:
            raise CommandError(
                f"{e164} is in use by {user}; archive the campaign first, or pass --force to "
                "release it anyway (the campaign stops being able to send)."
            )
        number_release(phone_number=number, force=force)
        although = f", although {user} was using it" if user else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Released {e164} of {number.organization.name} (was {was}){although}."
            )
        )
