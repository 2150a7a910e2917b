"""The Phone Numbers list's sort keys that the database keeps on the number (inbox_names,
office_name, in_use) depend on triggers that no model declares. A later migration that rebuilds
a table, or a hand-written one regenerated away, would drop them without a word: these checks
say so. (The embedded SQLite default is checked by scripts/smoke_embedded.py.)"""

import pytest
from django.db import connection

from phone_numbers.usage import IN_USE_CAMPAIGN_STATUSES

pytestmark = pytest.mark.django_db

TRIGGERS = {
    ("phone_numbers_phonenumber", "phone_number_inbox_names_keep"),
    ("phone_numbers_phonenumber", "phone_number_office_name_insert"),
    ("phone_numbers_phonenumber", "phone_number_office_name_update"),
    ("phone_numbers_phonenumber", "phone_number_in_use_keep"),
    ("phone_numbers_phonenumber_inboxes", "phone_number_inboxes_changed"),
    ("inboxes_inbox", "inbox_renamed"),
    ("offices_office", "office_renamed"),
    ("campaigns_campaign", "campaign_number_usage_inserted_or_deleted"),
    ("campaigns_campaign", "campaign_number_usage_updated"),
}


def test_every_trigger_that_keeps_a_list_key_is_in_place() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal"
        )
        present = set(cursor.fetchall())

    assert present >= TRIGGERS
    assert not {t for t in present if t[0] == "phone_numbers_phonenumber"} - TRIGGERS


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
