"""The attempts moved from provisioning to phone_numbers (phone_numbers/0011, provisioning/0005):
the rows written before the move are the number's history after it."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from phone_numbers.tests.factories import PhoneNumberFactory

BEFORE = [("phone_numbers", "0010_search_trigram_indexes"), ("provisioning", "0004_carrier_status")]
STARTED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_the_attempts_written_before_the_move_are_kept() -> None:
    number = PhoneNumberFactory.create(attempts=2)  # its row outlives the way back and forth
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps.get_model(
            "provisioning", "ProvisioningAttempt"
        )
        common = {"phone_number_id": number.pk, "area_code": "617", "started_at": STARTED}
        old.objects.create(
            n=1, e164="+16175550101", carrier_provisioning_ref="ref-1", outcome="rejected",
            reason="AT&T said no.", ended_at=STARTED, **common,
        )  # fmt: skip
        old.objects.create(n=2, e164=number.e164, carrier_provisioning_ref="ref-2", **common)

        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

        assert "provisioning_provisioningattempt" not in connection.introspection.table_names()
        assert list(
            number.provisioning_attempts.values_list("n", "e164", "outcome", "reason", "ended_at")
        ) == [
            (1, "+16175550101", "rejected", "AT&T said no.", STARTED),
            (2, number.e164, "pending", "", None),
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
