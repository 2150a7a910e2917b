from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from offices.time_zones import moment_text
from provisioning.selectors import numbers_in_flight, releases_unconfirmed


class Command(BaseCommand):
    help = (
        "Lists the numbers in flight (every organization): attempt, age, and the stuck ones; "
        "then the releases the carrier has not confirmed yet."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self._in_flight()
        self._releases()

    def _in_flight(self) -> None:
        rows = numbers_in_flight(now=timezone.now())
        if not rows:
            self.stdout.write("No numbers in flight.")
            return
        header = (
            f"{'number':<14} {'kind':<11} {'organization':<24} {'status':<10} attempt   "
            f"{'requested':<27} age"
        )
        self.stdout.write(header)
        for row in rows:
            n = row.number
            # In the organization's own zone, named, as its people see it on the number's page.
            requested = moment_text(n.created_at, time_zone=n.organization.time_zone)
            line = (
                f"{n.e164 or '(buying)':<14} {n.kind:<11} {n.organization.name[:24]:<24} "
                f"{n.provisioning_status:<10} {n.attempts}/{settings.PROVISIONING_MAX_ATTEMPTS:<7} "
                f"{requested:<27} {_age(row.age)}"
            )
            if row.stuck:
                self.stdout.write(self.style.WARNING(f"{line}  STUCK: {row.stuck}"))
            else:
                self.stdout.write(line)
        stuck = sum(bool(row.stuck) for row in rows)
        self.stdout.write(f"{len(rows)} in flight, {stuck} stuck.")

    def _releases(self) -> None:
        releases = releases_unconfirmed()
        oldest = releases.first()
        if oldest is None:
            return
        error = f"; last error: {oldest.last_error}" if oldest.last_error else ""
        self.stdout.write(
            f"{releases.count()} released numbers not yet confirmed by the carrier (the poller "
            f"keeps trying); oldest {oldest.e164 or oldest.carrier_number_id}, asked "
            f"{_age(timezone.now() - oldest.requested_at)} ago, {oldest.tries} tries{error}."
        )


def _age(age: Any) -> str:
    seconds = int(age.total_seconds())
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60}s"
    if seconds < 86400:
        return f"{seconds // 3600}h {seconds % 3600 // 60}m"
    return f"{seconds // 86400}d {seconds % 86400 // 3600}h"
