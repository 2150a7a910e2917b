"""phone_numbers' hand-written SQL on PostgreSQL: the export is written by COPY there (the
export tests compare its bytes with the Python writer that SQLite uses). The triggers are held
together in tests/test_kept_columns.py."""

import pytest
from django.db import connection

from phone_numbers.export import _attributes
from phone_numbers.models import PhoneNumber
from phone_numbers.resources import export_columns
from phone_numbers.selectors import phone_number_export_rows
from phone_numbers.sql import (
    POSTGRESQL_NUMBERS_FILLFACTOR,
    POSTGRESQL_NUMBERS_STORAGE,
    database_writes_csv,
    numbers_csv_copy,
)
from phone_numbers.tests.factories import PhoneNumberFactory

pytestmark = pytest.mark.django_db


def test_postgresql_writes_the_export_itself_with_copy(cast) -> None:
    PhoneNumberFactory.create(organization=cast.org, e164="+16175550070", name="=1+1")
    columns = export_columns()
    numbers = PhoneNumber.objects.filter(organization=cast.org).order_by("e164")
    rows = phone_number_export_rows(numbers, membership=None)

    body = b"".join(numbers_csv_copy(rows, columns=columns, attributes=_attributes(columns)))

    assert database_writes_csv(using="default")
    header, row = body.decode().splitlines()
    assert header == ",".join(column for column, _ in columns)
    assert row.startswith("+16175550070,'=1+1,,dedicated,")


def test_a_pollers_lease_is_in_no_index_and_pages_leave_room_for_it() -> None:
    """So that claiming a number can be a HOT update (POSTGRESQL_NUMBERS_STORAGE)."""
    table = PhoneNumber._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [table])
        [options] = cursor.fetchone()
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        definitions = [definition for (definition,) in cursor.fetchall()]

    assert len(constraints) > 20
    indexed = {column for c in constraints.values() for column in c["columns"] or []}
    assert "next_poll_at" in indexed
    assert "poll_leased_until" not in indexed
    assert not [d for d in definitions if "poll_leased_until" in d]  # expressions, predicates
    assert options == [f"fillfactor={POSTGRESQL_NUMBERS_FILLFACTOR}"]
    assert str(POSTGRESQL_NUMBERS_FILLFACTOR) in POSTGRESQL_NUMBERS_STORAGE
