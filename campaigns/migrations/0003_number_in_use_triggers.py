"""PhoneNumber.in_use — whether a launching or active campaign uses the number; the Phone Numbers
list's Usage column and sort key — is kept by the database from the campaigns. It lives here
because phone_numbers cannot see campaigns (DESIGN.md, the direction of the arrows).

- A campaign that starts or stops using a number (inserted, deleted, its status or its number
  changed) touches that number's ``in_use``.
- The number's own trigger then works the value out from the campaigns. It runs once the row
  is locked, with a snapshot taken after the lock: two campaigns on one dedicated number that
  change at once are counted one after the other, each seeing the other's outcome. (Worked out
  in the campaign's trigger instead, each would see the other still live, and both could leave
  the number "in use" with no live campaign on it.) Any save() of a number recomputes it too,
  so a stale instance cannot write an old value back.

The live statuses are campaigns.CampaignStatus LAUNCHING and ACTIVE
(phone_numbers.usage.IN_USE_CAMPAIGN_STATUSES); a change there needs a new migration.

SQLite (the embedded default of `make run`) gets the same rules as AFTER triggers; it has one
writer at a time, so it needs no lock.

Hand-written (RunSQL): regenerating campaigns' migrations must keep this one.

The SQL here is frozen as of this migration; the current version of these triggers is in
campaigns/sql.py, which a later migration that changes them must update too."""

from django.db import migrations

POSTGRESQL = """
CREATE FUNCTION phone_number_in_use_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.in_use := EXISTS (
    SELECT 1 FROM campaigns_campaign
    WHERE phone_number_id = NEW.id AND status IN ('launching', 'active')
  );
  RETURN NEW;
END $$;

CREATE TRIGGER phone_number_in_use_keep
BEFORE INSERT OR UPDATE OF in_use ON phone_numbers_phonenumber
FOR EACH ROW EXECUTE FUNCTION phone_number_in_use_keep();

CREATE FUNCTION campaign_number_usage_changed() RETURNS trigger
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
END $$;

CREATE TRIGGER campaign_number_usage_inserted_or_deleted
AFTER INSERT OR DELETE ON campaigns_campaign
FOR EACH ROW EXECUTE FUNCTION campaign_number_usage_changed();

CREATE TRIGGER campaign_number_usage_updated
AFTER UPDATE OF status, phone_number_id ON campaigns_campaign
FOR EACH ROW
WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.phone_number_id IS DISTINCT FROM NEW.phone_number_id)
EXECUTE FUNCTION campaign_number_usage_changed();
"""

POSTGRESQL_BACKWARD = """
DROP TRIGGER campaign_number_usage_updated ON campaigns_campaign;
DROP TRIGGER campaign_number_usage_inserted_or_deleted ON campaigns_campaign;
DROP FUNCTION campaign_number_usage_changed();
DROP TRIGGER phone_number_in_use_keep ON phone_numbers_phonenumber;
DROP FUNCTION phone_number_in_use_keep();
UPDATE phone_numbers_phonenumber SET in_use = false WHERE in_use;
"""

SQLITE = [
    """
CREATE TRIGGER phone_number_in_use_insert
AFTER INSERT ON phone_numbers_phonenumber
BEGIN
  UPDATE phone_numbers_phonenumber SET in_use = in_use WHERE id = NEW.id;
END
""",
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
    """
CREATE TRIGGER campaign_number_usage_inserted
AFTER INSERT ON campaigns_campaign
WHEN NEW.status IN ('launching', 'active')
BEGIN
  UPDATE phone_numbers_phonenumber SET in_use = in_use WHERE id = NEW.phone_number_id;
END
""",
    """
CREATE TRIGGER campaign_number_usage_updated
AFTER UPDATE OF status, phone_number_id ON campaigns_campaign
WHEN OLD.status IS NOT NEW.status OR OLD.phone_number_id IS NOT NEW.phone_number_id
BEGIN
  UPDATE phone_numbers_phonenumber SET in_use = in_use
  WHERE id IN (OLD.phone_number_id, NEW.phone_number_id);
END
""",
    """
CREATE TRIGGER campaign_number_usage_deleted
AFTER DELETE ON campaigns_campaign
WHEN OLD.status IN ('launching', 'active')
BEGIN
  UPDATE phone_numbers_phonenumber SET in_use = in_use WHERE id = OLD.phone_number_id;
END
""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER campaign_number_usage_deleted",
    "DROP TRIGGER campaign_number_usage_updated",
    "DROP TRIGGER campaign_number_usage_inserted",
    "DROP TRIGGER phone_number_in_use_keep",
    "DROP TRIGGER phone_number_in_use_insert",
    "UPDATE phone_numbers_phonenumber SET in_use = 0 WHERE in_use",
]

FILL = """
UPDATE phone_numbers_phonenumber
SET in_use = EXISTS (
  SELECT 1 FROM campaigns_campaign c
  WHERE c.phone_number_id = phone_numbers_phonenumber.id AND c.status IN ('launching', 'active')
)
WHERE id IN (SELECT phone_number_id FROM campaigns_campaign WHERE status IN ('launching', 'active'))
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
        ("campaigns", "0002_provisioning_failed_may_be_archived"),
        ("phone_numbers", "0006_office_name_triggers"),
    ]

    operations = [migrations.RunPython(forward, backward)]
