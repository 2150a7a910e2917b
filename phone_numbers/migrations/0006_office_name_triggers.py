"""PhoneNumber.office_name (the list's "office" sort key) is kept by the database, so that no
write path can leave it stale: the number's row works it out on insert and whenever its office
or the key itself is written with a new value (a save() of an instance loaded before a rename
cannot write the old name back), and renaming an office rewrites its numbers' key.

On PostgreSQL a number that enters an office (inserted, or moved) reads the office FOR SHARE:
a rename in flight holds the office, so the number waits for it and reads the new name (without
the lock it would read the old one, and the rename, not seeing the number in its office yet,
would pass it by). A number that stays in its office takes no lock: a rename in flight will
wait for the number and rewrite its key after it, and locking the office here could deadlock
with that rename.

SQLite (the embedded default of `make run`) gets the same rules as AFTER triggers; it has one
writer at a time, so it needs no lock.

Hand-written (RunSQL): regenerating phone_numbers' migrations must keep this one.

The SQL here is frozen as of this migration; the current version of these triggers is in
phone_numbers/sql.py, which a later migration that changes them must update too."""

from django.db import migrations

POSTGRESQL = """
CREATE FUNCTION phone_number_office_name_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  office text;
BEGIN
  IF TG_OP = 'INSERT' OR NEW.office_id IS DISTINCT FROM OLD.office_id THEN
    SELECT name INTO office FROM offices_office WHERE id = NEW.office_id FOR SHARE;
  ELSE
    SELECT name INTO office FROM offices_office WHERE id = NEW.office_id;
  END IF;
  NEW.office_name := COALESCE(office, '');
  RETURN NEW;
END $$;

CREATE TRIGGER phone_number_office_name_insert
BEFORE INSERT ON phone_numbers_phonenumber
FOR EACH ROW EXECUTE FUNCTION phone_number_office_name_keep();

CREATE TRIGGER phone_number_office_name_update
BEFORE UPDATE OF office_id, office_name ON phone_numbers_phonenumber
FOR EACH ROW
WHEN (OLD.office_id IS DISTINCT FROM NEW.office_id OR OLD.office_name IS DISTINCT FROM NEW.office_name)
EXECUTE FUNCTION phone_number_office_name_keep();

CREATE FUNCTION office_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE phone_numbers_phonenumber SET office_name = NEW.name WHERE office_id = NEW.id;
  RETURN NULL;
END $$;

CREATE TRIGGER office_renamed
AFTER UPDATE OF name ON offices_office
FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION office_renamed();
"""

POSTGRESQL_BACKWARD = """
DROP TRIGGER office_renamed ON offices_office;
DROP FUNCTION office_renamed();
DROP TRIGGER phone_number_office_name_update ON phone_numbers_phonenumber;
DROP TRIGGER phone_number_office_name_insert ON phone_numbers_phonenumber;
DROP FUNCTION phone_number_office_name_keep();
UPDATE phone_numbers_phonenumber SET office_name = '' WHERE office_name <> '';
"""

SQLITE = [
    """
CREATE TRIGGER phone_number_office_name_insert
AFTER INSERT ON phone_numbers_phonenumber
BEGIN
  UPDATE phone_numbers_phonenumber
  SET office_name = COALESCE((SELECT name FROM offices_office WHERE id = NEW.office_id), '')
  WHERE id = NEW.id;
END
""",
    """
CREATE TRIGGER phone_number_office_name_update
AFTER UPDATE OF office_id, office_name ON phone_numbers_phonenumber
WHEN OLD.office_id IS NOT NEW.office_id OR OLD.office_name IS NOT NEW.office_name
BEGIN
  UPDATE phone_numbers_phonenumber
  SET office_name = COALESCE((SELECT name FROM offices_office WHERE id = NEW.office_id), '')
  WHERE id = NEW.id;
END
""",
    """
CREATE TRIGGER office_renamed
AFTER UPDATE OF name ON offices_office
WHEN OLD.name IS NOT NEW.name
BEGIN
  UPDATE phone_numbers_phonenumber SET office_name = NEW.name WHERE office_id = NEW.id;
END
""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER office_renamed",
    "DROP TRIGGER phone_number_office_name_update",
    "DROP TRIGGER phone_number_office_name_insert",
    "UPDATE phone_numbers_phonenumber SET office_name = '' WHERE office_name <> ''",
]

FILL = """
UPDATE phone_numbers_phonenumber
SET office_name = COALESCE((SELECT name FROM offices_office o WHERE o.id = office_id), '')
WHERE office_id IS NOT NULL
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)
    schema_editor.execute(FILL)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_BACKWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("offices", "0001_initial"),
        ("phone_numbers", "0005_list_office_and_usage_keys"),
    ]

    operations = [migrations.RunPython(forward, backward)]
