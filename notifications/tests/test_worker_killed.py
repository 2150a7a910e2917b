"""A real Celery worker process killed with SIGKILL after the mail server took the message, but
before the worker could mark the e-mail sent: the e-mail is sent again once the dead worker's
lease has run out, as the same message (the same Message-ID)."""

import asyncio
import os
import signal
import subprocess
import sys
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import OutboxEmail, OutboxStatus
from notifications.services import SENDING_LEASE, Delivery, outbox_deliver, outbox_due_ids
from offices.tests.factories import MembershipFactory
from tests.waiting import wait_for

BASE_DIR = Path(__file__).resolve().parents[2]


class SlowRelay:
    """Takes the message, then waits before answering 250 — a relay that answers slowly, the
    window in which a worker dies after the message has left."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.slow = True

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.original_content))
        while self.slow:
            await asyncio.sleep(0.05)
        return "250 OK"


@pytest.fixture
def slow_relay(settings):
    from aiosmtpd.controller import Controller

    from conftest import _free_port, smtp_mailers

    relay = SlowRelay()
    port = _free_port()
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = smtp_mailers(port)
    try:
        yield relay, port
    finally:
        relay.slow = False
        controller.stop()


def _worker(port: int) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "LONGCODE_ENV": "test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "WARNING"]
    return subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL)


def test_a_worker_killed_after_the_relay_took_the_message_resends_the_same_message(
    transactional_db, slow_relay
) -> None:
    from config.celery import app
    from notifications.services import notification_enqueue

    relay, port = slow_relay
    app.control.purge()
    worker = _worker(port)
    try:
        membership = MembershipFactory.create()
        with transaction.atomic():
            email = notification_enqueue(
                event="invite:killed",
                recipient="pat@example.test",
                template="offices/invite",
                context={
                    "organization": membership.organization,
                    "invited_by": membership.user,
                    "membership": membership,
                    "set_password_path": "/x/",
                },
                time_zone=membership.organization.time_zone,
            )
        assert email is not None
        wait_for(lambda: relay.messages, timeout=60, what="the relay to take the message")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        app.control.purge()

    relay.slow = False
    email.refresh_from_db()
    assert email.status == OutboxStatus.SENDING  # the claim was committed before the send
    assert outbox_due_ids() == []
    with time_machine.travel(timezone.now() + SENDING_LEASE + timedelta(minutes=1)):
        assert outbox_due_ids() == [email.pk]
        assert outbox_deliver(outbox_id=email.pk) is Delivery.SENT

    assert OutboxEmail.objects.get(pk=email.pk).status == OutboxStatus.SENT
    assert [m["Message-ID"] for m in relay.messages] == [email.message_id] * 2
