"""Two writes made to overlap on PostgreSQL, deterministically: the first commits only once the
second is seen blocked by the first's transaction. Needs a transactional test
(``django_db(transaction=True)``): each write runs on its own thread, with its own connection."""

import threading
from collections.abc import Callable

from django.db import connection, transaction

from tests.waiting import wait_for

TIMEOUT = 20.0


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def _blocked_by(waiting: int, holder: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s = ANY(pg_blocking_pids(%s))", [holder, waiting])
        row = cursor.fetchone()
    return bool(row and row[0])


def interleave(first: Callable[[], object], second: Callable[[], object]) -> None:
    """Runs ``first`` in a transaction, then ``second`` while that transaction is still open;
    commits ``first`` as soon as ``second`` is blocked by it, and returns when both are done.
    Raises what either raised, or AssertionError if ``second`` is never blocked by ``first``
    (the two did not meet on a row)."""
    pids: dict[str, int] = {}
    first_done, second_started, release = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def run_first() -> None:
        try:
            with transaction.atomic():
                pids["first"] = _backend_pid()
                first()
                first_done.set()
                release.wait(timeout=TIMEOUT)
        except BaseException as error:
            errors.append(error)
        finally:
            first_done.set()
            connection.close()

    def run_second() -> None:
        try:
            pids["second"] = _backend_pid()
            second_started.set()
            second()
        except BaseException as error:
            errors.append(error)
        finally:
            second_started.set()
            connection.close()

    one = threading.Thread(target=run_first)
    two = threading.Thread(target=run_second)
    one.start()
    try:
        first_done.wait(timeout=TIMEOUT)
        if errors:
            raise errors[0]
        two.start()
        second_started.wait(timeout=TIMEOUT)
        wait_for(
            lambda: errors or _blocked_by(pids["second"], pids["first"]),
            timeout=TIMEOUT,
            what="the second write to wait for the first's transaction",
        )
    finally:
        release.set()
        one.join(timeout=TIMEOUT)
        if two.is_alive() or two.ident is not None:
            two.join(timeout=TIMEOUT)
    assert not one.is_alive(), "the first write did not finish"
    assert not two.is_alive(), "the second write did not finish"
    if errors:
        raise errors[0]
