"""Two writes made to overlap on PostgreSQL, deterministically: the first commits only once the
second is seen waiting for a lock that the first holds. Needs a transactional test
(``django_db(transaction=True)``): each write runs on its own thread, with its own connection."""

import threading
from collections.abc import Callable

from django.db import connection, transaction

from tests.waiting import wait_for


def _someone_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def interleave(first: Callable[[], object], second: Callable[[], object]) -> None:
    """Runs ``first`` in a transaction, then ``second`` while that transaction is still open;
    commits ``first`` as soon as ``second`` waits on a lock, and returns when both are done.
    Raises AssertionError if ``second`` never waits (the two did not meet on a row)."""
    first_done, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def run_first() -> None:
        try:
            with transaction.atomic():
                first()
                first_done.set()
                release.wait(timeout=20)
        except BaseException as error:
            errors.append(error)
        finally:
            first_done.set()
            connection.close()

    def run_second() -> None:
        try:
            second()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    one = threading.Thread(target=run_first)
    one.start()
    first_done.wait(timeout=20)
    two = threading.Thread(target=run_second)
    two.start()
    try:
        wait_for(_someone_waits_on_a_lock, timeout=10, what="the second write to wait on a lock")
    finally:
        release.set()
        one.join(timeout=20)
        two.join(timeout=20)
    if errors:
        raise errors[0]
