"""Trigram (pg_trgm) GIN indexes for the Phone Numbers list's substring search and agent filter,
so that a search matching few rows reads those rows instead of the whole organization.

PostgreSQL only: TrigramExtension does nothing elsewhere, and the indexes are created only on
PostgreSQL (the embedded SQLite default scans, which is fine at its scale). pg_trgm is a trusted
extension: the database's owner may create it.

Hand-written (RunPython): regenerating phone_numbers' migrations must keep this one.

The SQL here is frozen as of this migration; the current version is in phone_numbers/sql.py
(POSTGRESQL_SEARCH_INDEXES, POSTGRESQL_SEARCH_STATISTICS), which a later migration that changes
an index must update too."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "pn_search_number_trgm": "CREATE INDEX CONCURRENTLY pn_search_number_trgm ON phone_numbers_phonenumber "
    "USING gin (e164 gin_trgm_ops)",
    "pn_search_name_trgm": "CREATE INDEX CONCURRENTLY pn_search_name_trgm ON phone_numbers_phonenumber "
    "USING gin (upper(name::text) gin_trgm_ops)",
    "pn_search_description_trgm": "CREATE INDEX CONCURRENTLY pn_search_description_trgm "
    "ON phone_numbers_phonenumber USING gin (upper(description::text) gin_trgm_ops)",
    "pn_search_agent_trgm": "CREATE INDEX CONCURRENTLY pn_search_agent_trgm ON phone_numbers_phonenumber "
    "USING gin (upper(agent::text) gin_trgm_ops)",
}

# The planner weighs the trigram scan against the sort key's index by the statistics of each
# indexed expression: finer than the default, so that 0.8 % is not taken for 0.08 %.
STATISTICS = [
    "ALTER TABLE phone_numbers_phonenumber ALTER COLUMN e164 SET STATISTICS 1000",
    "ALTER INDEX pn_search_name_trgm ALTER COLUMN 1 SET STATISTICS 1000",
    "ALTER INDEX pn_search_description_trgm ALTER COLUMN 1 SET STATISTICS 1000",
    "ALTER INDEX pn_search_agent_trgm ALTER COLUMN 1 SET STATISTICS 1000",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in [*INDEXES.values(), *STATISTICS]:
            schema_editor.execute(sql)
        # Statistics of the index expressions are gathered only by ANALYZE.
        schema_editor.execute("ANALYZE phone_numbers_phonenumber")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX {name}")
        schema_editor.execute(
            "ALTER TABLE phone_numbers_phonenumber ALTER COLUMN e164 SET STATISTICS -1"
        )


class Migration(migrations.Migration):
    # Built CONCURRENTLY, outside a transaction: a few minutes at a million numbers during which
    # the provisioning engine and the pages keep writing numbers. (Should a build fail, it
    # leaves an invalid index to drop before running the migration again.)
    atomic = False

    dependencies = [("phone_numbers", "0009_list_text_sorts_ignore_case")]

    operations = [TrigramExtension(), migrations.RunPython(forward, backward)]
