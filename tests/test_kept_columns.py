"""The Phone Numbers list's sort keys that the database keeps on the number (inbox_names,
office_name, in_use) depend on triggers that no model declares: phone_numbers/sql.py and
campaigns/sql.py declare them with their current SQL. A later migration that rebuilds a table,
or a hand-written one regenerated away, would drop them without a word: the start-up system
check says so, and these tests hold the check, the declared SQL and the migrations together on
PostgreSQL. (The embedded SQLite default is checked by scripts/smoke_embedded.py.)"""

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from campaigns.sql import triggers_all
from phone_numbers.sql import Triggers, triggers_present
from phone_numbers.usage import IN_USE_CAMPAIGN_STATUSES

pytestmark = pytest.mark.django_db

DECLARED = {(t.table, t.name) for _, triggers in triggers_all() for t in triggers.postgresql}


def test_every_declared_trigger_is_in_place_and_no_other_on_the_numbers() -> None:
    present = triggers_present()

    assert present >= DECLARED
    assert not {t for t in present if t[0] == "phone_numbers_phonenumber"} - DECLARED


def test_the_start_up_check_passes_with_every_trigger_in_place() -> None:
    assert checks.run_checks(tags=[checks.Tags.database], databases=["default"]) == []


def test_the_start_up_check_names_each_missing_trigger_and_its_app() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER office_renamed ON offices_office")
        cursor.execute("DROP TRIGGER campaign_number_usage_updated ON campaigns_campaign")

    errors = checks.run_checks(tags=[checks.Tags.database], databases=["default"])

    assert sorted((e.id, e.msg.split(": ", 1)[1]) for e in errors) == [
        ("campaigns.E001", "campaign_number_usage_updated (on campaigns_campaign)."),
        ("phone_numbers.E001", "office_renamed (on offices_office)."),
    ]
    assert all(isinstance(e, checks.Error) for e in errors)


def test_the_operators_check_command_stops_on_a_missing_trigger() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER phone_number_in_use_keep ON phone_numbers_phonenumber")

    with pytest.raises(SystemCheckError, match=r"campaigns\.E001.*phone_number_in_use_keep"):
        call_command("check", databases=["default"])


def _definitions() -> dict[str, str]:
    """Every hand-written trigger and function as PostgreSQL prints it, whitespace folded."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'trigger ' || t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "WHERE NOT t.tgisinternal UNION ALL "
            "SELECT 'function ' || p.proname, pg_get_functiondef(p.oid) FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
        )
        return {name: " ".join(definition.split()) for name, definition in cursor.fetchall()}


def _install(triggers: Triggers) -> None:
    with connection.cursor() as cursor:
        for function in triggers.postgresql_functions:
            cursor.execute(function)
        for trigger in triggers.postgresql:
            cursor.execute(f"DROP TRIGGER {trigger.name} ON {trigger.table}")
            cursor.execute(trigger.sql)


@pytest.mark.parametrize(("app", "triggers"), triggers_all())
def test_the_declared_sql_is_what_the_migrations_installed(app: str, triggers: Triggers) -> None:
    installed = _definitions()

    _install(triggers)  # inside the test's transaction, rolled back after it

    assert _definitions() == installed, f"{app}/sql.py and {app}'s migrations disagree"


def test_installing_other_sql_would_be_noticed() -> None:
    installed = _definitions()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE TRIGGER office_renamed AFTER UPDATE OF name ON offices_office "
            "FOR EACH ROW EXECUTE FUNCTION office_renamed()"
        )

    assert _definitions() != installed


def test_the_in_use_triggers_name_the_statuses_the_code_calls_in_use() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, prosrc FROM pg_proc WHERE proname IN "
            "('campaign_number_usage_changed', 'phone_number_in_use_keep')"
        )
        sources = dict(cursor.fetchall())

    live = ", ".join(f"'{status}'" for status in IN_USE_CAMPAIGN_STATUSES)
    assert len(sources) == 2
    assert all(f"status IN ({live})" in source for source in sources.values())
