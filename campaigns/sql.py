"""campaigns' SQL that is written by hand, for PostgreSQL and for SQLite (the embedded default
of `make run`): saving an uploaded contacts file in bulk, copying contacts to a clone or a
follow-up, and the triggers that keep ``PhoneNumber.in_use`` (the Phone Numbers list's Usage
column and sort key). The rest of the app calls the functions here and never asks which
database it runs on.

The triggers live in campaigns because phone_numbers cannot see campaigns (DESIGN.md, the
direction of the arrows). Their SQL below is the *current* version; migration 0003 runs a
frozen copy of the version of its day. A migration that changes them freezes its new SQL and
writes it here too: ``tests/test_kept_columns.py`` (PostgreSQL) and the SQLite smoke run
(``scripts/smoke_embedded.py``) fail while the two disagree."""

import json
from collections.abc import Sequence
from typing import Any

from django.core import checks
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

from campaigns.models import Contact
from phone_numbers import sql as phone_numbers_sql
from phone_numbers.sql import Trigger, Triggers, triggers_check

# phone, first name, last name, extra fields: a row the contacts preview validated.
ContactRow = tuple[str, str, str, dict[str, Any]]
COLUMNS = "campaign_id, phone, first_name, last_name, fields, created_at"
SQLITE_BATCH = 5000


# --- contacts -------------------------------------------------------------------------------
def contacts_insert(
    *, campaign_id: int, rows: Sequence[ContactRow], using: str = "default"
) -> None:
    """Saves validated rows as the campaign's contacts: PostgreSQL's COPY (a 100,000-row file
    in about a second), elsewhere the ORM's bulk insert."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        contacts = (_contact(campaign_id, row) for row in rows)
        Contact.objects.using(using).bulk_create(contacts, batch_size=SQLITE_BATCH)
        return
    now = timezone.now()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {Contact._meta.db_table} ({COLUMNS}) FROM STDIN") as copy,
    ):
        for phone, first_name, last_name, fields in rows:
            copy.write_row((campaign_id, phone, first_name, last_name, json.dumps(fields), now))


def _contact(campaign_id: int, row: ContactRow) -> Contact:
    phone, first_name, last_name, fields = row
    return Contact(
        campaign_id=campaign_id,
        phone=phone,
        first_name=first_name,
        last_name=last_name,
        fields=fields,
    )


def contacts_copy(*, contacts: QuerySet[Contact], campaign_id: int) -> int:
    """Copies ``contacts`` (phone, names, fields; not their replies) into the campaign in one
    INSERT … SELECT, which both databases run as written; returns how many."""
    connection = connections[contacts.db]
    columns = contacts.values("phone", "first_name", "last_name", "fields")
    sql, params = columns.query.get_compiler(connection=connection).as_sql()
    # The time is a parameter, adapted to how the database stores it (SQLite has no now()).
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Contact._meta.db_table} ({COLUMNS}) "
            "SELECT %s, s.phone, s.first_name, s.last_name, s.fields, %s "
            f"FROM ({sql}) AS s",
            [campaign_id, created_at, *params],
        )
        return cursor.rowcount


# --- triggers -------------------------------------------------------------------------------
def check_triggers(
    app_configs: Any = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    return triggers_check(
        TRIGGERS,
        app="campaigns",
        keeps="the Phone Numbers list's usage column (PhoneNumber.in_use)",
        databases=databases,
    )


# A campaign that starts or stops using a number touches the number's in_use; the number's own
# trigger then works the value out once its row is locked, so two campaigns on one number that
# change at once are counted one after the other (see migration 0003). The live statuses are
# phone_numbers.usage.IN_USE_CAMPAIGN_STATUSES; tests/test_kept_columns.py holds them equal.
POSTGRESQL_FUNCTIONS = [
    """
CREATE OR REPLACE FUNCTION phone_number_in_use_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.in_use := EXISTS (
    SELECT 1 FROM campaigns_campaign
    WHERE phone_number_id = NEW.id AND status IN ('launching', 'active')
  );
  RETURN NEW;
END $$
""",
    """
CREATE OR REPLACE FUNCTION campaign_number_usage_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Touch the numbers concerned; their own trigger works the value out.
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('launching', 'active') THEN
    UPDATE phone_numbers_phonenumber SET in_use = in_use WHERE id = OLD.phone_number_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status IN ('launching', 'active') THEN
    UPDATE phone_numbers_phonenumber SET in_use = in_use WHERE id = NEW.phone_number_id;
  END IF;
  RETURN NULL;
END $$
""",
]

POSTGRESQL_TRIGGERS = [
    Trigger(
        "phone_number_in_use_keep",
        "phone_numbers_phonenumber",
        """
CREATE TRIGGER phone_number_in_use_keep
BEFORE INSERT OR UPDATE OF in_use ON phone_numbers_phonenumber
FOR EACH ROW EXECUTE FUNCTION phone_number_in_use_keep()
""",
    ),
    Trigger(
        "campaign_number_usage_inserted_or_deleted",
        "campaigns_campaign",
        """
CREATE TRIGGER campaign_number_usage_inserted_or_deleted
AFTER INSERT OR DELETE ON campaigns_campaign
FOR EACH ROW EXECUTE FUNCTION campaign_number_usage_changed()
""",
    ),
    Trigger(
        "campaign_number_usage_updated",
        "campaigns_campaign",
        """
CREATE TRIGGER campaign_number_usage_updated
AFTER UPDATE OF status, phone_number_id ON campaigns_campaign
FOR EACH ROW
WHEN (
  OLD.status IS DISTINCT FROM NEW.status
  OR OLD.phone_number_id IS DISTINCT FROM NEW.phone_number_id
)
EXECUTE FUNCTION campaign_number_usage_changed()
""",
    ),
]

# SQLite has one writer at a time, so AFTER triggers that rewrite the row need no lock.
SQLITE_TRIGGERS = [
    Trigger(
        "phone_number_in_use_insert",
        "phone_numbers_phonenumber",
        """
CREATE TRIGGER phone_number_in_use_insert
AFTER INSERT ON phone_numbers_phonenumber
BEGIN
  UPDATE phone_numbers_phonenumber SET in_use = in_use WHERE id = NEW.id;
END
""",
    ),
    Trigger(
        "phone_number_in_use_keep",
        "phone_numbers_phonenumber",
        """
CREATE TRIGGER phone_number_in_use_keep
AFTER UPDATE OF in_use ON phone_numbers_phonenumber
BEGIN
  UPDATE phone_numbers_phonenumber
  SET in_use = EXISTS (
    SELECT 1 FROM campaigns_campaign
    WHERE phone_number_id = NEW.id AND status IN ('launching', 'active')
  )
  WHERE id = NEW.id;
END
""",
    ),
    Trigger(
        "campaign_number_usage_inserted",
        "campaigns_campaign",
        """
CREATE TRIGGER campaign_number_usage_inserted
AFTER INSERT ON campaigns_campaign
WHEN NEW.status IN ('launching', 'active')
BEGIN
  UPDATE phone_numbers_phonenumber SET in_use = in_use WHERE id = NEW.phone_number_id;
END
""",
    ),
    Trigger(
        "campaign_number_usage_updated",
        "campaigns_campaign",
        """
CREATE TRIGGER campaign_number_usage_updated
AFTER UPDATE OF status, phone_number_id ON campaigns_campaign
WHEN OLD.status IS NOT NEW.status OR OLD.phone_number_id IS NOT NEW.phone_number_id
BEGIN
  UPDATE phone_numbers_phonenumber SET in_use = in_use
  WHERE id IN (OLD.phone_number_id, NEW.phone_number_id);
END
""",
    ),
    Trigger(
        "campaign_number_usage_deleted",
        "campaigns_campaign",
        """
CREATE TRIGGER campaign_number_usage_deleted
AFTER DELETE ON campaigns_campaign
WHEN OLD.status IN ('launching', 'active')
BEGIN
  UPDATE phone_numbers_phonenumber SET in_use = in_use WHERE id = OLD.phone_number_id;
END
""",
    ),
]

TRIGGERS = Triggers(
    postgresql=POSTGRESQL_TRIGGERS,
    sqlite=SQLITE_TRIGGERS,
    postgresql_functions=POSTGRESQL_FUNCTIONS,
)


def triggers_all() -> list[tuple[str, Triggers]]:
    """Every app's declared triggers (campaigns stands above phone_numbers, so it sees both),
    for the smoke run and the tests."""
    return [("phone_numbers", phone_numbers_sql.TRIGGERS), ("campaigns", TRIGGERS)]
