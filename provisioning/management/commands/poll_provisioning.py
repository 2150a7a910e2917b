import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from provisioning.polling import provisioning_poll


class Command(BaseCommand):
    help = (
        "Polls the carriers for every number in flight that is due: one pass with --once, "
        "else a pass every PROVISIONING_POLL_SECONDS until stopped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit")

    def handle(self, *args: Any, once: bool, **options: Any) -> None:
        while True:
            report = provisioning_poll()
            self.stdout.write(
                f"{timezone.now():%H:%M:%S %Z} polled {report.polled} numbers in "
                f"{report.batches} batches: {report.completed} complete, {report.failed} failed, "
                f"{report.resubmitted} resubmitted"
                + (f"; {report.missing} missing from the answer" if report.missing else "")
                + (f"; errors (postponed): {'; '.join(report.errors)}" if report.errors else "")
            )
            if once:
                return
            time.sleep(settings.PROVISIONING_POLL_SECONDS)
