"""The Phone Numbers list's searches stay fast at any length and selectivity (PostgreSQL only):

- the trigram indexes of 0010 stop keeping a pending list (``fastupdate = off``), which every
  search read whole, and the one they hold is merged now;
- B-tree indexes for a search or agent filter of one or two characters, which match the start
  of the name, the agent or the area code (a trigram index cannot serve them).

Hand-written (RunPython): regenerating phone_numbers' migrations must keep this one.

The SQL here is frozen as of this migration; the current version is in phone_numbers/sql.py
(POSTGRESQL_SEARCH_INDEX_OPTIONS, POSTGRESQL_PREFIX_INDEXES)."""

from django.db import migrations

TRIGRAM_INDEXES = [
    "pn_search_number_trgm",
    "pn_search_name_trgm",
    "pn_search_description_trgm",
    "pn_search_agent_trgm",
]
PREFIX_INDEXES = {
    "pn_prefix_name": "CREATE INDEX CONCURRENTLY pn_prefix_name ON phone_numbers_phonenumber "
    "(organization_id, upper(name::text) text_pattern_ops)",
    "pn_prefix_agent": "CREATE INDEX CONCURRENTLY pn_prefix_agent ON phone_numbers_phonenumber "
    "(organization_id, upper(agent::text) text_pattern_ops)",
    "pn_prefix_number": "CREATE INDEX CONCURRENTLY pn_prefix_number ON phone_numbers_phonenumber "
    "(organization_id, e164 text_pattern_ops)",
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"ALTER INDEX {name} SET (fastupdate = off)")
        schema_editor.execute(f"SELECT gin_clean_pending_list('{name}'::regclass)")
    for sql in PREFIX_INDEXES.values():
        schema_editor.execute(sql)
    schema_editor.execute("ANALYZE phone_numbers_phonenumber")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in PREFIX_INDEXES:
        schema_editor.execute(f"DROP INDEX {name}")
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"ALTER INDEX {name} RESET (fastupdate)")


class Migration(migrations.Migration):
    # Built CONCURRENTLY, outside a transaction, as 0010.
    atomic = False

    dependencies = [("phone_numbers", "0011_provisioning_attempt")]

    operations = [migrations.RunPython(forward, backward)]
