"""PhoneNumber.inbox_names on SQLite (the embedded default of `make run`): the same rules as
PostgreSQL's triggers (migration 0004), so the Phone Numbers list reads the kept column on both
databases. A change to a number's inboxes or an inbox's name touches the numbers concerned, and
the number's trigger works the names out (so a stale save() cannot write old names back).

SQLite before 3.44 cannot order inside an aggregate: the names are joined in the order of an
ordered subquery, which SQLite follows in practice though it does not promise to. Names compare
by SQLite's binary collation ("Visits" before "apply"); PostgreSQL uses the database's.

Hand-written (RunSQL): regenerating phone_numbers' migrations must keep this one.

The SQL here is frozen as of this migration; the current version of these triggers is in
phone_numbers/sql.py, which a later migration that changes them must update too."""

from django.db import migrations

NAMES = """COALESCE((
    SELECT group_concat(name, ', ') FROM (
      SELECT i.name FROM phone_numbers_phonenumber_inboxes t
      JOIN inboxes_inbox i ON i.id = t.inbox_id
      WHERE t.phonenumber_id = NEW.id ORDER BY i.name
    )
  ), '')"""

SQLITE = [
    f"""
CREATE TRIGGER phone_number_inbox_names_keep
AFTER UPDATE OF inbox_names ON phone_numbers_phonenumber
BEGIN
  UPDATE phone_numbers_phonenumber SET inbox_names = {NAMES} WHERE id = NEW.id;
END
""",
    """
CREATE TRIGGER phone_number_inboxes_added
AFTER INSERT ON phone_numbers_phonenumber_inboxes
BEGIN
  UPDATE phone_numbers_phonenumber SET inbox_names = inbox_names WHERE id = NEW.phonenumber_id;
END
""",
    """
CREATE TRIGGER phone_number_inboxes_changed
AFTER UPDATE ON phone_numbers_phonenumber_inboxes
BEGIN
  UPDATE phone_numbers_phonenumber SET inbox_names = inbox_names
  WHERE id IN (OLD.phonenumber_id, NEW.phonenumber_id);
END
""",
    """
CREATE TRIGGER phone_number_inboxes_removed
AFTER DELETE ON phone_numbers_phonenumber_inboxes
BEGIN
  UPDATE phone_numbers_phonenumber SET inbox_names = inbox_names WHERE id = OLD.phonenumber_id;
END
""",
    """
CREATE TRIGGER inbox_renamed
AFTER UPDATE OF name ON inboxes_inbox
WHEN OLD.name IS NOT NEW.name
BEGIN
  UPDATE phone_numbers_phonenumber SET inbox_names = inbox_names
  WHERE id IN (SELECT phonenumber_id FROM phone_numbers_phonenumber_inboxes WHERE inbox_id = NEW.id);
END
""",
    """
UPDATE phone_numbers_phonenumber SET inbox_names = inbox_names
WHERE id IN (SELECT phonenumber_id FROM phone_numbers_phonenumber_inboxes)
""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER inbox_renamed",
    "DROP TRIGGER phone_number_inboxes_removed",
    "DROP TRIGGER phone_number_inboxes_changed",
    "DROP TRIGGER phone_number_inboxes_added",
    "DROP TRIGGER phone_number_inbox_names_keep",
    "UPDATE phone_numbers_phonenumber SET inbox_names = ''",
]


def _run(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("inboxes", "0001_initial"),
        ("phone_numbers", "0006_office_name_triggers"),
    ]

    operations = [migrations.RunPython(_run(SQLITE), _run(SQLITE_BACKWARD))]
