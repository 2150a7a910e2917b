"""The CSV export of the Phone Numbers list, streamed: memory stays flat whatever the size.

PostgreSQL writes the CSV itself (``COPY (SELECT …) TO STDOUT``, in ``phone_numbers.sql``)
around the very queryset the list shows, so filters and sort agree; elsewhere (SQLite, the
embedded default) a chunked iterator feeds ``csv.writer``. Both neutralise formula-like free
text the same way.
"""

import csv
from collections.abc import Iterator
from datetime import datetime
from io import StringIO

from django.db.models import QuerySet

from offices.models import Membership
from phone_numbers.models import PhoneNumber
from phone_numbers.neutralise import neutralise
from phone_numbers.resources import (
    FREE_TEXT_COLUMNS,
    created_at_value,
    export_columns,
    usage_value,
)
from phone_numbers.selectors import phone_number_export_rows
from phone_numbers.sql import database_writes_csv, numbers_csv_copy

CHUNK_BYTES = 64 * 1024
ITERATOR_ROWS = 2000


def export_csv(
    queryset: QuerySet[PhoneNumber], *, membership: Membership | None
) -> Iterator[bytes]:
    """The CSV (header first) of ``queryset`` in its order, in chunks of about 64 KB.
    ``membership`` is the person exporting (it decides which campaign names show); None for
    an operator."""
    rows = phone_number_export_rows(queryset.select_related(None), membership=membership)
    if database_writes_csv(using=rows.db):
        columns = export_columns()
        return _buffered(numbers_csv_copy(rows, columns=columns, attributes=_attributes(columns)))
    return _buffered(_python_csv(rows))


def _attributes(columns: list[tuple[str, str]]) -> list[str]:
    """Each attribute once (two columns may read the same one), in order."""
    return list(dict.fromkeys(attribute for _, attribute in columns))


def _python_csv(rows: QuerySet[PhoneNumber]) -> Iterator[bytes]:
    columns = export_columns()
    buffer = StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column for column, _ in columns])
    for row in rows.values(*_attributes(columns)).iterator(chunk_size=ITERATOR_ROWS):
        writer.writerow(_format(column, row[attribute]) for column, attribute in columns)
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _format(column: str, value: object) -> object:
    if column == "usage":
        return usage_value(value)  # type: ignore[arg-type]
    if isinstance(value, datetime):
        return created_at_value(value)
    if value is None:
        return ""
    if column in FREE_TEXT_COLUMNS:
        return neutralise(str(value))
    return value


def _buffered(chunks: Iterator[bytes]) -> Iterator[bytes]:
    pending: list[bytes] = []
    size = 0
    for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= CHUNK_BYTES:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)
