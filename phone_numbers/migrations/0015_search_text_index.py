"""The Phone Numbers list's search reads one column, PhoneNumber.search_text (PostgreSQL only;
SQLite filled it in 0014 and scans):

- the numbers that were there before 0014 get their text, a batch of ids at a time, each batch
  its own short transaction: pages and the provisioning engine keep writing numbers meanwhile,
  and a batch locks only its own rows for a moment (about three seconds a batch, 14 minutes in all
  at 500,000 numbers on a busy 2-core machine, most of it updating the table's other indexes).
  The pages keep searching with 0010's indexes meanwhile. Run again after a failure, it starts
  where it stopped: a filled text is never empty (it holds the line break at least);
- then its trigram index is built CONCURRENTLY, keeping no pending list from the start, with
  fine statistics, and the name's and description's trigram indexes of 0010, which no search
  reads any more, are dropped CONCURRENTLY.

Hand-written (RunPython): regenerating phone_numbers' migrations must keep this one.

The SQL here is frozen as of this migration; the current version is in phone_numbers/sql.py
(POSTGRESQL_SEARCH_INDEXES, POSTGRESQL_SEARCH_STATISTICS, POSTGRESQL_SEARCH_INDEX_OPTIONS)."""

from django.db import migrations

BATCH = 2000

# Each row is written once more as it is; its trigger (0014) writes its text.
FILL = (
    "UPDATE phone_numbers_phonenumber SET name = name "
    "WHERE id >= %s AND id < %s AND search_text = ''"
)
INDEX = (
    "CREATE INDEX CONCURRENTLY pn_search_text_trgm ON phone_numbers_phonenumber "
    "USING gin (search_text gin_trgm_ops) WITH (fastupdate = off)"
)
STATISTICS = "ALTER TABLE phone_numbers_phonenumber ALTER COLUMN search_text SET STATISTICS 1000"
UNUSED = {
    "pn_search_name_trgm": "CREATE INDEX CONCURRENTLY pn_search_name_trgm "
    "ON phone_numbers_phonenumber USING gin (upper(name::text) gin_trgm_ops) "
    "WITH (fastupdate = off)",
    "pn_search_description_trgm": "CREATE INDEX CONCURRENTLY pn_search_description_trgm "
    "ON phone_numbers_phonenumber USING gin (upper(description::text) gin_trgm_ops) "
    "WITH (fastupdate = off)",
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM phone_numbers_phonenumber")
        first, last = cursor.fetchone()
        # Outside a transaction (atomic = False below), each batch commits on its own.
        for start in range(first or 0, (last or -1) + 1, BATCH):
            cursor.execute(FILL, [start, start + BATCH])
    schema_editor.execute(INDEX)
    schema_editor.execute(STATISTICS)
    for name in UNUSED:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY {name}")
    # Statistics of the new column are gathered only by ANALYZE.
    schema_editor.execute("ANALYZE phone_numbers_phonenumber")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, sql in UNUSED.items():
        schema_editor.execute(sql)
        schema_editor.execute(f"ALTER INDEX {name} ALTER COLUMN 1 SET STATISTICS 1000")
    schema_editor.execute("DROP INDEX CONCURRENTLY pn_search_text_trgm")
    schema_editor.execute("ANALYZE phone_numbers_phonenumber")


class Migration(migrations.Migration):
    # Built CONCURRENTLY and filled in batches, outside a transaction, as 0010.
    atomic = False

    dependencies = [("phone_numbers", "0014_search_text")]

    operations = [migrations.RunPython(forward, backward)]
