import logging
import os

from celery import Celery
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("longcode")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def enqueue_on_commit(task_name: str, *args: object) -> None:
    """Sends the task named ``task_name`` once the current transaction commits — the one way
    Longcode enqueues work that follows a write.

    It never raises into the caller (a view, a task): if the broker is down when the
    transaction commits, the failure is logged and the committed rows stay the truth — each
    kind of work has a beat sweep that finds its rows and sends it again (lost submits and
    releases: ``provisioning.polling``; e-mails: ``notifications.tasks.deliver_pending``).
    Tasks are named, not imported, so a service never imports the tasks that call it.
    """

    def send() -> None:
        try:
            app.send_task(task_name, args=args)
        except Exception:
            logger.exception("Could not enqueue %s%r; a sweep will send it later", task_name, args)

    transaction.on_commit(send)
