from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from offices.models import Organization
from phone_numbers.export import export_csv
from phone_numbers.filters import DEFAULT_ORDERING, sort_by
from phone_numbers.models import PhoneNumber, ProvisioningStatus


class Command(BaseCommand):
    help = (
        "Writes an organization's phone numbers as CSV — the same file as “Export CSV” on the "
        "Phone Numbers page with no filters (released numbers left out), newest first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", required=True, metavar="SLUG")
        parser.add_argument("--output", metavar="FILE", help="Where to write; stdout if omitted.")

    def handle(self, *args: Any, organization: str, output: str | None, **options: Any) -> None:
        org = Organization.objects.filter(slug=organization).first()
        if org is None:
            raise CommandError(f"No organization with the slug “{organization}”.")
        numbers = sort_by(
            PhoneNumber.objects.filter(organization=org).exclude(
                provisioning_status=ProvisioningStatus.RELEASED
            ),
            DEFAULT_ORDERING,
        )
        if output is None:
            # Chunks end at row ends, so each decodes on its own.
            for chunk in export_csv(numbers, membership=None):
                self.stdout.write(chunk.decode(), ending="")
            return
        try:
            with open(output, "wb") as file:
                for chunk in export_csv(numbers, membership=None):
                    file.write(chunk)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
        self.stderr.write(f"Wrote {output}.")
