"""Tasks are named, and their modules discovered on first use (config.celery): a second thread
asking while discovery runs must wait for it, not find the registry half filled (seen under
gunicorn's threaded workers: a burst of webhooks on a fresh process logged NotRegistered)."""

import threading

import pytest

from config import celery as longcode_celery

NAME = "tests.discovered_late"


def test_a_thread_asking_during_discovery_waits_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    entered, release = threading.Event(), threading.Event()
    calls: list[str] = []
    sentinel = object()

    def import_default_modules() -> None:
        # As Celery's own: the discovery runs once; a later call returns at once.
        calls.append(threading.current_thread().name)
        if len(calls) > 1:
            return
        entered.set()
        release.wait(10)
        longcode_celery.app.tasks[NAME] = sentinel  # type: ignore[assignment]

    loader = longcode_celery.app.loader
    monkeypatch.setattr(loader, "import_default_modules", import_default_modules)
    found: dict[str, object] = {}

    def ask(who: str) -> None:
        try:
            found[who] = longcode_celery._registered(NAME)
        except Exception as error:  # the failure this test is about
            found[who] = error

    first = threading.Thread(target=ask, args=("first",), name="first")
    second = threading.Thread(target=ask, args=("second",), name="second")
    try:
        first.start()
        assert entered.wait(10)
        second.start()
        second.join(0.2)
        assert second.is_alive(), f"answered during discovery: {found.get('second')!r}"
        release.set()
        first.join(10)
        second.join(10)
        assert found == {"first": sentinel, "second": sentinel}
        assert calls == ["first"]
    finally:
        release.set()
        longcode_celery.app.tasks.pop(NAME, None)
