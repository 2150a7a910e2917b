import logging
import os
import threading
from typing import Any

from celery import Celery
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("longcode")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)
# Discovery runs once: a second thread asking while the first is still importing (gunicorn's
# threaded workers, a burst of webhooks on a fresh process) waits for it rather than finding the
# registry half filled.
_discovering = threading.Lock()


def _registered(task_name: str) -> Any:
    """The task of that name; the apps' task modules are discovered on first use."""
    if task_name not in app.tasks:
        with _discovering:
            if task_name not in app.tasks:
                app.loader.import_default_modules()
    return app.tasks[task_name]


def enqueue_on_commit(task_name: str, *args: object) -> None:
    """Sends the task named ``task_name`` once the current transaction commits — the one way
    Longcode enqueues work that follows a write.

    It never raises into the caller (a view, a task): if the broker is down when the
    transaction commits, the failure is logged and the committed rows stay the truth — each
    kind of work has a beat sweep that finds its rows and sends it again (lost submits and
    releases: ``provisioning.polling``; e-mails: ``notifications.tasks.deliver_pending``;
    texts: ``provisioning.tasks.deliver_queued``).
    Tasks are named, not imported, so a service never imports the tasks that call it; the name
    is looked up in the app's registry at send time, so the app's settings (``task_always_eager``
    when ``seed_demo`` runs its own leftovers) apply as they do to ``.delay()``.
    """

    def send() -> None:
        try:
            _registered(task_name).apply_async(args=args)
        except Exception:
            logger.exception("Could not enqueue %s%r; a sweep will send it later", task_name, args)

    transaction.on_commit(send)
