"""Waiting on a condition that another process or thread makes true (a Celery worker, the
live server). Polls; never a fixed sleep."""

import time
from collections.abc import Callable


def wait_for(condition: Callable[[], object], *, timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
