"""phone_numbers' SQL that is written by hand, for PostgreSQL and for SQLite (the embedded
default of `make run`): the CSV export's COPY, the triggers that keep the Phone Numbers
list's sort keys ``inbox_names`` and ``office_name`` and its ``search_text``, and the trigram
indexes of its search (PostgreSQL). The rest of the app calls the functions
here and never asks which database it runs on.

The trigger SQL below is the *current* version. A migration runs a frozen copy of the version
of its day (0004, 0006, 0007, 0008, 0014); a migration that changes a trigger freezes its new
SQL and writes it here too: ``tests/test_kept_columns.py`` (PostgreSQL) and the SQLite smoke run
(``scripts/smoke_embedded.py``) fail while the two disagree. ``check_triggers`` is the system
check, run at start-up by ``migrate`` and by ``check --database default``, that every declared
trigger is in place (a migration that rebuilds a table on SQLite drops its triggers without a
word)."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core import checks
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import QuerySet

from phone_numbers.neutralise import neutralise_sql
from phone_numbers.resources import FREE_TEXT_COLUMNS


# --- triggers -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    sql: str  # its current CREATE TRIGGER statement


@dataclass(frozen=True)
class Triggers:
    """One app's triggers on each database, and the PostgreSQL functions they execute."""

    postgresql: Sequence[Trigger]
    sqlite: Sequence[Trigger]
    postgresql_functions: Sequence[str] = ()

    def on(self, vendor: str) -> Sequence[Trigger]:
        return {"postgresql": self.postgresql, "sqlite": self.sqlite}.get(vendor, ())


def triggers_present(*, using: str = "default") -> set[tuple[str, str]]:
    """(table, trigger name) of every trigger written by hand in the database."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
            )
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        return {(table, name) for table, name in cursor.fetchall()}


def triggers_missing(triggers: Triggers, *, using: str = "default") -> list[Trigger]:
    """The declared triggers that the database lacks."""
    present = triggers_present(using=using)
    declared = triggers.on(connections[using].vendor)
    return [trigger for trigger in declared if (trigger.table, trigger.name) not in present]


def _fully_migrated(using: str) -> bool:
    """Whether every migration is applied. Until then a trigger may be missing for good reason
    (its migration, or the one that puts it back, is still to run), and ``migrate`` itself
    runs this check first: it must not stand in the way."""
    executor = MigrationExecutor(connections[using])
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def triggers_check(
    triggers: Triggers, *, app: str, keeps: str, databases: Sequence[str] | None
) -> list[checks.CheckMessage]:
    """The system check's body for one app: one error (``<app>.E001``) naming every missing
    trigger. Django runs it only for the databases it is asked to check."""
    errors: list[checks.CheckMessage] = []
    for using in databases or ():
        if not _fully_migrated(using):
            continue
        missing = triggers_missing(triggers, using=using)
        if missing:
            names = ", ".join(f"{t.name} (on {t.table})" for t in missing)
            errors.append(
                checks.Error(
                    f"The database '{using}' lacks triggers that keep {keeps}: {names}.",
                    hint="A migration that rebuilt the table dropped them. Recreate them in a new "
                    f"migration with the current SQL of {app}/sql.py.",
                    id=f"{app}.E001",
                )
            )
    return errors


def check_triggers(
    app_configs: Any = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    return triggers_check(
        TRIGGERS,
        app="phone_numbers",
        keeps="the Phone Numbers list's inbox and office sort keys and search text",
        databases=databases,
    )


# The inbox names in name order ignoring case, at most 400 characters (INBOX_NAMES_KEPT).
POSTGRESQL_FUNCTIONS = [
    """
CREATE OR REPLACE FUNCTION phone_number_inbox_names(number_id bigint) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN length(names) > 400 THEN left(names, 399) || '…' ELSE names END
  FROM (
    SELECT COALESCE(string_agg(i.name, ', ' ORDER BY lower(i.name), i.name), '') AS names
    FROM phone_numbers_phonenumber_inboxes t JOIN inboxes_inbox i ON i.id = t.inbox_id
    WHERE t.phonenumber_id = number_id
  ) AS joined
$$
""",
    """
CREATE OR REPLACE FUNCTION phone_number_inbox_names_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.inbox_names := phone_number_inbox_names(NEW.id);
  RETURN NEW;
END $$
""",
    """
CREATE OR REPLACE FUNCTION phone_number_inboxes_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE phone_numbers_phonenumber SET inbox_names = '' WHERE id = OLD.phonenumber_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    UPDATE phone_numbers_phonenumber SET inbox_names = '' WHERE id = NEW.phonenumber_id;
  END IF;
  RETURN NULL;
END $$
""",
    """
CREATE OR REPLACE FUNCTION inbox_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE phone_numbers_phonenumber SET inbox_names = ''
  WHERE id IN (SELECT phonenumber_id FROM phone_numbers_phonenumber_inboxes
               WHERE inbox_id = NEW.id);
  RETURN NULL;
END $$
""",
    # A number entering an office reads it FOR SHARE, so a rename in flight is seen (0006).
    """
CREATE OR REPLACE FUNCTION phone_number_office_name_keep() RETURNS trigger
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
END $$
""",
    # The search text: name and description upper-cased, one per line (SEARCH_TEXT_SEPARATOR).
    """
CREATE OR REPLACE FUNCTION phone_number_search_text_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_text := upper(NEW.name || chr(10) || NEW.description);
  RETURN NEW;
END $$
""",
    """
CREATE OR REPLACE FUNCTION office_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE phone_numbers_phonenumber SET office_name = NEW.name WHERE office_id = NEW.id;
  RETURN NULL;
END $$
""",
]


POSTGRESQL_TRIGGERS = [
    Trigger(
        "phone_number_inbox_names_keep",
        "phone_numbers_phonenumber",
        """
CREATE TRIGGER phone_number_inbox_names_keep
BEFORE INSERT OR UPDATE OF inbox_names ON phone_numbers_phonenumber
FOR EACH ROW EXECUTE FUNCTION phone_number_inbox_names_keep()
""",
    ),
    Trigger(
        "phone_number_inboxes_changed",
        "phone_numbers_phonenumber_inboxes",
        """
CREATE TRIGGER phone_number_inboxes_changed
AFTER INSERT OR UPDATE OR DELETE ON phone_numbers_phonenumber_inboxes
FOR EACH ROW EXECUTE FUNCTION phone_number_inboxes_changed()
""",
    ),
    Trigger(
        "inbox_renamed",
        "inboxes_inbox",
        """
CREATE TRIGGER inbox_renamed
AFTER UPDATE OF name ON inboxes_inbox
FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION inbox_renamed()
""",
    ),
    Trigger(
        "phone_number_office_name_insert",
        "phone_numbers_phonenumber",
        """
CREATE TRIGGER phone_number_office_name_insert
BEFORE INSERT ON phone_numbers_phonenumber
FOR EACH ROW EXECUTE FUNCTION phone_number_office_name_keep()
""",
    ),
    Trigger(
        "phone_number_office_name_update",
        "phone_numbers_phonenumber",
        """
CREATE TRIGGER phone_number_office_name_update
BEFORE UPDATE OF office_id, office_name ON phone_numbers_phonenumber
FOR EACH ROW
WHEN (
  OLD.office_id IS DISTINCT FROM NEW.office_id
  OR OLD.office_name IS DISTINCT FROM NEW.office_name
)
EXECUTE FUNCTION phone_number_office_name_keep()
""",
    ),
    Trigger(
        "office_renamed",
        "offices_office",
        """
CREATE TRIGGER office_renamed
AFTER UPDATE OF name ON offices_office
FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION office_renamed()
""",
    ),
    # Written afresh whatever a write brings for it, so no stale copy of the text is written
    # back (a save() of an instance loaded before the name changed).
    Trigger(
        "phone_number_search_text_keep",
        "phone_numbers_phonenumber",
        """
CREATE TRIGGER phone_number_search_text_keep
BEFORE INSERT OR UPDATE OF name, description, search_text ON phone_numbers_phonenumber
FOR EACH ROW EXECUTE FUNCTION phone_number_search_text_keep()
""",
    ),
]

# SQLite has one writer at a time, so AFTER triggers that rewrite the row need no lock. Before
# 3.44 it cannot order inside an aggregate: the names are joined in the order of an ordered
# subquery, which SQLite follows in practice though it does not promise to.
SQLITE_TRIGGERS = [
    Trigger(
        "phone_number_inbox_names_keep",
        "phone_numbers_phonenumber",
        """
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
""",
    ),
    Trigger(
        "phone_number_inboxes_added",
        "phone_numbers_phonenumber_inboxes",
        """
CREATE TRIGGER phone_number_inboxes_added
AFTER INSERT ON phone_numbers_phonenumber_inboxes
BEGIN
  UPDATE phone_numbers_phonenumber SET inbox_names = inbox_names WHERE id = NEW.phonenumber_id;
END
""",
    ),
    Trigger(
        "phone_number_inboxes_changed",
        "phone_numbers_phonenumber_inboxes",
        """
CREATE TRIGGER phone_number_inboxes_changed
AFTER UPDATE ON phone_numbers_phonenumber_inboxes
BEGIN
  UPDATE phone_numbers_phonenumber SET inbox_names = inbox_names
  WHERE id IN (OLD.phonenumber_id, NEW.phonenumber_id);
END
""",
    ),
    Trigger(
        "phone_number_inboxes_removed",
        "phone_numbers_phonenumber_inboxes",
        """
CREATE TRIGGER phone_number_inboxes_removed
AFTER DELETE ON phone_numbers_phonenumber_inboxes
BEGIN
  UPDATE phone_numbers_phonenumber SET inbox_names = inbox_names WHERE id = OLD.phonenumber_id;
END
""",
    ),
    Trigger(
        "inbox_renamed",
        "inboxes_inbox",
        """
CREATE TRIGGER inbox_renamed
AFTER UPDATE OF name ON inboxes_inbox
WHEN OLD.name IS NOT NEW.name
BEGIN
  UPDATE phone_numbers_phonenumber SET inbox_names = inbox_names
  WHERE id IN (SELECT phonenumber_id FROM phone_numbers_phonenumber_inboxes
               WHERE inbox_id = NEW.id);
END
""",
    ),
    Trigger(
        "phone_number_office_name_insert",
        "phone_numbers_phonenumber",
        """
CREATE TRIGGER phone_number_office_name_insert
AFTER INSERT ON phone_numbers_phonenumber
BEGIN
  UPDATE phone_numbers_phonenumber
  SET office_name = COALESCE((SELECT name FROM offices_office WHERE id = NEW.office_id), '')
  WHERE id = NEW.id;
END
""",
    ),
    Trigger(
        "phone_number_office_name_update",
        "phone_numbers_phonenumber",
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
    ),
    Trigger(
        "office_renamed",
        "offices_office",
        """
CREATE TRIGGER office_renamed
AFTER UPDATE OF name ON offices_office
WHEN OLD.name IS NOT NEW.name
BEGIN
  UPDATE phone_numbers_phonenumber SET office_name = NEW.name WHERE office_id = NEW.id;
END
""",
    ),
    Trigger(
        "phone_number_search_text_insert",
        "phone_numbers_phonenumber",
        """
CREATE TRIGGER phone_number_search_text_insert
AFTER INSERT ON phone_numbers_phonenumber
BEGIN
  UPDATE phone_numbers_phonenumber SET search_text = upper(NEW.name || char(10) || NEW.description)
  WHERE id = NEW.id;
END
""",
    ),
    # The WHEN leaves a text already right alone (and ends the trigger's own write).
    Trigger(
        "phone_number_search_text_update",
        "phone_numbers_phonenumber",
        """
CREATE TRIGGER phone_number_search_text_update
AFTER UPDATE OF name, description, search_text ON phone_numbers_phonenumber
WHEN NEW.search_text IS NOT upper(NEW.name || char(10) || NEW.description)
BEGIN
  UPDATE phone_numbers_phonenumber SET search_text = upper(NEW.name || char(10) || NEW.description)
  WHERE id = NEW.id;
END
""",
    ),
]

TRIGGERS = Triggers(
    postgresql=POSTGRESQL_TRIGGERS,
    sqlite=SQLITE_TRIGGERS,
    postgresql_functions=POSTGRESQL_FUNCTIONS,
)


# --- the list's search and filter indexes ---------------------------------------------------
# Substring search (``q`` on number, name, description) and the agent filter match anywhere in
# the text, which no B-tree serves: without these, a search that matches few rows reads the
# whole organization in sort order looking for 51 that never come. A pg_trgm GIN index answers
# ``LIKE '%…%'`` with a bitmap of the rows that can match, which the planner takes when its
# statistics (gathered on each indexed column or expression) say the match is rare, sorting the
# few rows found; a common match still walks the sort key's index and stops after one page. The
# expressions are the ones Django writes for the lookups in phone_numbers/filters.py: the name
# and description are searched in their search text (PhoneNumber.search_text, kept upper-cased
# by the triggers above, so that walking the sort key's index tests each row with one LIKE and
# no ``upper()``); the agent's ``icontains`` is ``UPPER(agent::text) LIKE UPPER(…)``; the
# number, which has no case, is searched with ``contains``, and only for digits: nothing else
# can be part of it. Patterns under three characters have no trigram: those searches match the
# start of the text instead (POSTGRESQL_PREFIX_INDEXES below). PostgreSQL only: the embedded
# SQLite default scans, which is fine at its scale. Migrations 0010 and 0015 built them
# (CONCURRENTLY) from a frozen copy of this SQL; a change here needs a migration, and
# phone_numbers/tests/test_search_indexes.py checks them in place.
POSTGRESQL_SEARCH_INDEXES = {
    "pn_search_number_trgm": "CREATE INDEX pn_search_number_trgm ON phone_numbers_phonenumber "
    "USING gin (e164 gin_trgm_ops)",
    "pn_search_text_trgm": "CREATE INDEX pn_search_text_trgm ON phone_numbers_phonenumber "
    "USING gin (search_text gin_trgm_ops)",
    "pn_search_agent_trgm": "CREATE INDEX pn_search_agent_trgm ON phone_numbers_phonenumber "
    "USING gin (upper(agent::text) gin_trgm_ops)",
}
# The planner's choice between the two plans rests on its estimate of how many rows match, read
# from each column's or expression's histogram. At the default 100 buckets a search that
# matches 0.8 % of the rows ("outreach line 99") was estimated at a tenth of that, and the
# trigram scan it chose read the posting lists of trigrams that every row has (0.3 s) where the
# sort key's index would have filled the page in a few milliseconds. 1,000 buckets tell 0.1 %
# apart; ANALYZE then samples 300,000 rows of the table instead of 30,000.
POSTGRESQL_SEARCH_STATISTICS = [
    "ALTER TABLE phone_numbers_phonenumber ALTER COLUMN e164 SET STATISTICS 1000",
    "ALTER TABLE phone_numbers_phonenumber ALTER COLUMN search_text SET STATISTICS 1000",
    "ALTER INDEX pn_search_agent_trgm ALTER COLUMN 1 SET STATISTICS 1000",
]

# A poller claims a submitted number by writing its lease (``poll_leased_until``), a column no
# index covers, so the claim is a HOT update (no new entry in any of the table's twenty-odd
# indexes) when the row's page has room for the new version: pages are filled to 80 % to
# leave it. Only new and rewritten pages follow it. Migration 0013 set it from a frozen copy;
# phone_numbers/tests/test_sql.py checks it in place.
POSTGRESQL_NUMBERS_FILLFACTOR = 80
POSTGRESQL_NUMBERS_STORAGE = (
    f"ALTER TABLE phone_numbers_phonenumber SET (fillfactor = {POSTGRESQL_NUMBERS_FILLFACTOR})"
)


# A GIN index first appends new rows to a "pending list" that every search then reads whole
# (fastupdate): up to 4 MB, tens of milliseconds for a search that matches nothing, until a
# vacuum merges it. Numbers are written one at a time and searched far more often, so each new
# row goes straight into the index (migrations 0012, 0015).
POSTGRESQL_SEARCH_INDEX_OPTIONS = [
    f"ALTER INDEX {name} SET (fastupdate = off)" for name in POSTGRESQL_SEARCH_INDEXES
]
# A search (or agent filter) of one or two characters holds no trigram: it matches the start of
# the name (or agent) instead, and digits the start of the area code (filters.py). These
# B-trees serve ``UPPER(col::text) LIKE 'AB%'`` and ``e164::text LIKE '+141%'`` with one range
# scan of the organization's rows whatever the database's collation (text_pattern_ops).
POSTGRESQL_PREFIX_INDEXES = {
    "pn_prefix_name": "CREATE INDEX pn_prefix_name ON phone_numbers_phonenumber "
    "(organization_id, upper(name::text) text_pattern_ops)",
    "pn_prefix_agent": "CREATE INDEX pn_prefix_agent ON phone_numbers_phonenumber "
    "(organization_id, upper(agent::text) text_pattern_ops)",
    "pn_prefix_number": "CREATE INDEX pn_prefix_number ON phone_numbers_phonenumber "
    "(organization_id, e164 text_pattern_ops)",
}


# --- the CSV export -------------------------------------------------------------------------
# Columns besides the free text that may hold "" (number is NULL or a value; kind and status
# always have one).
CAN_BE_EMPTY = frozenset({"response_type"})


def database_writes_csv(*, using: str) -> bool:
    """Whether the database writes the export's CSV itself (``numbers_csv_copy``); elsewhere
    the export formats the rows in Python."""
    return connections[using].vendor == "postgresql"


def numbers_csv_copy(
    rows: QuerySet[Any],
    *,
    columns: Sequence[tuple[str, str]],
    attributes: Sequence[str],
) -> Iterator[bytes]:
    """PostgreSQL's ``COPY (SELECT …) TO STDOUT`` around the very queryset the list shows, so
    filters and sort agree; ``columns`` are (CSV column, attribute read) pairs."""
    inner = rows.values_list(*attributes)
    connection = connections[rows.db]
    inner_sql, params = inner.query.get_compiler(connection=connection).as_sql()
    # The subquery keeps its ORDER BY (PostgreSQL does not flatten a sorted subquery), and
    # the outer SELECT only formats each row once.
    select = ", ".join(_select_sql(column, attribute) for column, attribute in columns)
    sql = f"COPY (SELECT {select} FROM ({inner_sql}) AS r) TO STDOUT (FORMAT CSV, HEADER)"
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        # A million-row estimate makes PostgreSQL compile the query first (JIT): half a second
        # before the first byte, for no gain on a plain scan.
        cursor.execute("SET jit = off")
        try:
            with cursor.copy(sql, params) as copy:
                for data in copy:
                    yield bytes(data)
        finally:
            cursor.execute("RESET jit")


def _select_sql(column: str, attribute: str) -> str:
    value = f'r."{attribute}"'
    if column in FREE_TEXT_COLUMNS:
        value = f"NULLIF({neutralise_sql(value)}, '')"
    elif column == "usage":
        value = f"CASE WHEN {value} IS NULL THEN 'available' ELSE 'in_use' END"
    elif column == "created_at":
        value = f"""to_char({value} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
    elif column in CAN_BE_EMPTY:
        # COPY writes "" for an empty string and nothing for NULL; csv.writer writes nothing.
        value = f"NULLIF({value}, '')"
    return f'{value} AS "{column}"'
