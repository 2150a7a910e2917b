"""PhoneNumber.inbox_names: names in name order ignoring case ("apply, Main, Visits", whatever
the database's collation), and at most 400 characters (INBOX_NAMES_KEPT), cut with "…". Uncut,
a number with many long inbox names made a key too big for a btree index entry (2,704 bytes):
saving such a number, or renaming one of its inboxes, failed. The export still lists every
inbox (phone_numbers.filters.inbox_names).

Runs before the list's text sort indexes are rebuilt on lower() (0009), so no key is too long
for them. Going back past it restores uncut keys: it fails, as saving did, where a number's
inbox names run past about 2,700 bytes. Hand-written (RunSQL): regenerating phone_numbers' migrations must keep this one.

The SQL here is frozen as of this migration; the current version of these triggers is in
phone_numbers/sql.py, which a later migration that changes them must update too."""

from django.db import migrations

POSTGRESQL = """
CREATE OR REPLACE FUNCTION phone_number_inbox_names(number_id bigint) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN length(names) > 400 THEN left(names, 399) || '…' ELSE names END
  FROM (
    SELECT COALESCE(string_agg(i.name, ', ' ORDER BY lower(i.name), i.name), '') AS names
    FROM phone_numbers_phonenumber_inboxes t JOIN inboxes_inbox i ON i.id = t.inbox_id
    WHERE t.phonenumber_id = number_id
  ) AS joined
$$;
"""

POSTGRESQL_BACKWARD = """
CREATE OR REPLACE FUNCTION phone_number_inbox_names(number_id bigint) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT COALESCE(string_agg(i.name, ', ' ORDER BY i.name), '')
  FROM phone_numbers_phonenumber_inboxes t JOIN inboxes_inbox i ON i.id = t.inbox_id
  WHERE t.phonenumber_id = number_id
$$;
"""

SQLITE_TRIGGER = """
CREATE TRIGGER phone_number_inbox_names_keep
AFTER UPDATE OF inbox_names ON phone_numbers_phonenumber
BEGIN
  UPDATE phone_numbers_phonenumber SET inbox_names = (
    SELECT CASE WHEN length(names) > 400 THEN substr(names, 1, 399) || '…' ELSE names END
    FROM (
      SELECT COALESCE(group_concat(name, ', '), '') AS names FROM (
        SELECT i.name FROM phone_numbers_phonenumber_inboxes t
        JOIN inboxes_inbox i ON i.id = t.inbox_id
        WHERE t.phonenumber_id = NEW.id ORDER BY lower(i.name), i.name
      )
    )
  )
  WHERE id = NEW.id;
END
"""

SQLITE_TRIGGER_BACKWARD = """
CREATE TRIGGER phone_number_inbox_names_keep
AFTER UPDATE OF inbox_names ON phone_numbers_phonenumber
BEGIN
  UPDATE phone_numbers_phonenumber SET inbox_names = COALESCE((
    SELECT group_concat(name, ', ') FROM (
      SELECT i.name FROM phone_numbers_phonenumber_inboxes t
      JOIN inboxes_inbox i ON i.id = t.inbox_id
      WHERE t.phonenumber_id = NEW.id ORDER BY i.name
    )
  ), '') WHERE id = NEW.id;
END
"""

# Both databases' triggers recompute the key when it is written.
REFRESH = """
UPDATE phone_numbers_phonenumber SET inbox_names = ''
WHERE id IN (SELECT phonenumber_id FROM phone_numbers_phonenumber_inboxes)
"""


def _run(postgresql: str, sqlite_trigger: str):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(postgresql)
        elif vendor == "sqlite":
            schema_editor.execute("DROP TRIGGER phone_number_inbox_names_keep")
            schema_editor.execute(sqlite_trigger)
        schema_editor.execute(REFRESH)

    return run


class Migration(migrations.Migration):
    dependencies = [("phone_numbers", "0007_inbox_names_sqlite_triggers")]

    operations = [
        migrations.RunPython(
            _run(POSTGRESQL, SQLITE_TRIGGER), _run(POSTGRESQL_BACKWARD, SQLITE_TRIGGER_BACKWARD)
        )
    ]
