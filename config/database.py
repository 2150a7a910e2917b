"""Statements that PostgreSQL parses and plans once per connection instead of at every run.

Django's PostgreSQL cursor binds parameters on the client (it sends each statement with its
values inlined) and leaves psycopg's prepared statements off, for transaction-pooling proxies
that cannot carry them (PgBouncer can since 1.21). For a few statements that run at a high rate
— the inbound webhook's INSERT, a self-assign claim — parsing and planning again was a large
share of their cost. ``allow_prepared`` lets Django's connection prepare the statements that
ask for it; ``prepared_cursor`` (the webhook's) is a cursor that binds on the server and
prepares each statement it runs, still wrapped as Django wraps its own (errors, query logging,
execute wrappers). The self-assign claim asks statement by statement on a driver cursor of its
own (campaigns/sql.py ``_prepared``), outside Django's query logging, on its hottest path.
PostgreSQL only; callers keep their SQLite path."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.db import connection
from django.db.backends.utils import CursorWrapper

# psycopg prepares a statement after this many runs unless asked to at once; "never unasked".
ONLY_WHEN_ASKED = 2**31


def allow_prepared(raw: psycopg.Connection[Any]) -> None:
    """Lets ``raw`` (Django's psycopg connection) prepare the statements that ask for it."""
    if raw.prepare_threshold is None:
        raw.prepare_threshold = ONLY_WHEN_ASKED


class _Preparing(psycopg.Cursor[Any]):
    def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, **kw: Any
    ) -> Any:
        return super().execute(query, params, prepare=True if prepare is None else prepare, **kw)


@contextmanager
def prepared_cursor() -> Iterator[CursorWrapper]:
    """A cursor on the default connection whose every statement is prepared once per
    connection."""
    connection.ensure_connection()
    raw = connection.connection
    allow_prepared(raw)
    # As Django's own cursor() wraps the driver's cursor (the stubs type the argument as the
    # wrapper itself).
    cursor: Any = _Preparing(raw)
    wrapped = (
        connection.make_debug_cursor(cursor)
        if connection.queries_logged
        else connection.make_cursor(cursor)
    )
    with wrapped:
        yield wrapped
