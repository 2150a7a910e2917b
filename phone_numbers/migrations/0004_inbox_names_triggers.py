"""PhoneNumber.inbox_names (the list's "inboxes" sort key) is kept by PostgreSQL, so that no
write path can leave it stale: a number's row recomputes it on insert and whenever the column
is written (a save() of an instance loaded before its inboxes changed cannot write an old value
back; the poller's updates of other columns pay nothing), and a change to a number's inboxes
or to an inbox's name touches the numbers concerned.

PostgreSQL only: on the embedded SQLite default the column stays empty and the list sorts by
the inbox names computed per row (phone_numbers/filters.py), which is fine at its scale.

Hand-written (RunSQL): regenerating phone_numbers' migrations must keep this one.

The SQL here is frozen as of this migration; the current version of these triggers is in
phone_numbers/sql.py, which a later migration that changes them must update too."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION phone_number_inbox_names(number_id bigint) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT COALESCE(string_agg(i.name, ', ' ORDER BY i.name), '')
  FROM phone_numbers_phonenumber_inboxes t JOIN inboxes_inbox i ON i.id = t.inbox_id
  WHERE t.phonenumber_id = number_id
$$;

CREATE FUNCTION phone_number_inbox_names_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.inbox_names := phone_number_inbox_names(NEW.id);
  RETURN NEW;
END $$;

CREATE TRIGGER phone_number_inbox_names_keep
BEFORE INSERT OR UPDATE OF inbox_names ON phone_numbers_phonenumber
FOR EACH ROW EXECUTE FUNCTION phone_number_inbox_names_keep();

CREATE FUNCTION phone_number_inboxes_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE phone_numbers_phonenumber SET inbox_names = '' WHERE id = OLD.phonenumber_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    UPDATE phone_numbers_phonenumber SET inbox_names = '' WHERE id = NEW.phonenumber_id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER phone_number_inboxes_changed
AFTER INSERT OR UPDATE OR DELETE ON phone_numbers_phonenumber_inboxes
FOR EACH ROW EXECUTE FUNCTION phone_number_inboxes_changed();

CREATE FUNCTION inbox_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE phone_numbers_phonenumber SET inbox_names = ''
  WHERE id IN (SELECT phonenumber_id FROM phone_numbers_phonenumber_inboxes WHERE inbox_id = NEW.id);
  RETURN NULL;
END $$;

CREATE TRIGGER inbox_renamed
AFTER UPDATE OF name ON inboxes_inbox
FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION inbox_renamed();

UPDATE phone_numbers_phonenumber SET inbox_names = ''
WHERE id IN (SELECT phonenumber_id FROM phone_numbers_phonenumber_inboxes);
"""

BACKWARD = """
DROP TRIGGER inbox_renamed ON inboxes_inbox;
DROP FUNCTION inbox_renamed();
DROP TRIGGER phone_number_inboxes_changed ON phone_numbers_phonenumber_inboxes;
DROP FUNCTION phone_number_inboxes_changed();
DROP TRIGGER phone_number_inbox_names_keep ON phone_numbers_phonenumber;
DROP FUNCTION phone_number_inbox_names_keep();
DROP FUNCTION phone_number_inbox_names(bigint);
UPDATE phone_numbers_phonenumber SET inbox_names = '' WHERE inbox_names <> '';
"""


def _run(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


forward, backward = _run(FORWARD), _run(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("inboxes", "0001_initial"),
        ("phone_numbers", "0003_list_inbox_names"),
    ]

    operations = [migrations.RunPython(forward, backward)]
