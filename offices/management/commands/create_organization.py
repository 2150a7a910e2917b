from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from offices.services import OfficeError, organization_create
from offices.time_zones import DEFAULT_TIME_ZONE


class Command(BaseCommand):
    help = "Creates an organization and its first admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The organization's name, e.g. 'Acme College'.")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument(
            "--admin-password", help="Without it, a password is generated and printed once."
        )
        parser.add_argument(
            "--time-zone",
            default=DEFAULT_TIME_ZONE,
            metavar="ZONE",
            help="Where the organization is, as an IANA name, e.g. America/Chicago: every time "
            f"is shown in it (default {DEFAULT_TIME_ZONE}; admins can change it later).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            new = organization_create(
                name=options["name"],
                admin_email=options["admin_email"],
                admin_password=options["admin_password"],
                time_zone=options["time_zone"],
            )
        except OfficeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {new.organization.name} (slug {new.organization.slug}, "
                f"times in {new.organization.time_zone})."
            )
        )
        self.stdout.write(f"Admin: {new.admin.email}")
        if new.password:
            self.stdout.write(f"Password: {new.password}  (shown once; change it after signing in)")
