"""PhoneNumber.search_text (what the list's search box reads: the name and the description,
upper-cased, one per line) is kept by the database, so that no write path can leave it stale:
the number's row works it out on insert and whenever its name, its description or the text
itself is written (a save() of an instance loaded before a rename cannot write the old text
back).

The column is added empty by hand: with a constant default PostgreSQL does not rewrite the
table, and SQLite (the embedded default of `make run`) adds it in place, where Django's AddField
would rebuild the table and drop every trigger on it. On PostgreSQL a trigger keeps the text
from now on and 0015 fills the existing rows in batches, then indexes it; on SQLite AFTER
triggers keep it and the rows are filled here.

Hand-written (RunPython): regenerating phone_numbers' migrations must keep this one.

The SQL here is frozen as of this migration; the current version of these triggers is in
phone_numbers/sql.py, which a later migration that changes them must update too."""

from django.db import migrations, models

# Both databases: as Django would declare the column.
ADD_COLUMN = "ALTER TABLE phone_numbers_phonenumber ADD COLUMN search_text text DEFAULT '' NOT NULL"
DROP_COLUMN = "ALTER TABLE phone_numbers_phonenumber DROP COLUMN search_text"

POSTGRESQL = """
CREATE FUNCTION phone_number_search_text_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_text := upper(NEW.name || chr(10) || NEW.description);
  RETURN NEW;
END $$;

CREATE TRIGGER phone_number_search_text_keep
BEFORE INSERT OR UPDATE OF name, description, search_text ON phone_numbers_phonenumber
FOR EACH ROW EXECUTE FUNCTION phone_number_search_text_keep();
"""

POSTGRESQL_BACKWARD = """
DROP TRIGGER phone_number_search_text_keep ON phone_numbers_phonenumber;
DROP FUNCTION phone_number_search_text_keep();
"""

SQLITE = [
    """
CREATE TRIGGER phone_number_search_text_insert
AFTER INSERT ON phone_numbers_phonenumber
BEGIN
  UPDATE phone_numbers_phonenumber SET search_text = upper(NEW.name || char(10) || NEW.description)
  WHERE id = NEW.id;
END
""",
    """
CREATE TRIGGER phone_number_search_text_update
AFTER UPDATE OF name, description, search_text ON phone_numbers_phonenumber
WHEN NEW.search_text IS NOT upper(NEW.name || char(10) || NEW.description)
BEGIN
  UPDATE phone_numbers_phonenumber SET search_text = upper(NEW.name || char(10) || NEW.description)
  WHERE id = NEW.id;
END
""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER phone_number_search_text_update",
    "DROP TRIGGER phone_number_search_text_insert",
]

SQLITE_FILL = (
    "UPDATE phone_numbers_phonenumber SET search_text = upper(name || char(10) || description)"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)
        schema_editor.execute(SQLITE_FILL)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_BACKWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("phone_numbers", "0013_poll_lease")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="phonenumber",
                    name="search_text",
                    field=models.TextField(blank=True, db_default="", default="", editable=False),
                ),
            ],
            database_operations=[migrations.RunSQL(ADD_COLUMN, DROP_COLUMN)],
        ),
        migrations.RunPython(forward, backward),
    ]
