import smtplib

import pytest
from django.db import transaction

from notifications.models import OutboxEmail, OutboxStatus
from notifications.services import Delivery, notification_enqueue, outbox_deliver
from offices.tests.factories import MembershipFactory
from tests.waiting import wait_for


def _enqueue(membership, event="invite:test"):
    return notification_enqueue(
        event=event,
        recipient="pat@example.test",
        template="offices/invite",
        context={
            "organization": membership.organization,
            "invited_by": membership.user,
            "membership": membership,
            "set_password_path": "/x/",
        },
    )


@pytest.mark.django_db
def test_an_event_writes_one_row_per_recipient_however_often_it_is_enqueued() -> None:
    membership = MembershipFactory.create()

    first = _enqueue(membership)
    again = _enqueue(membership)

    assert first is not None
    assert again is None or again.pk == first.pk
    assert OutboxEmail.objects.count() == 1


@pytest.mark.django_db
def test_a_sent_email_is_not_sent_again(smtp_server) -> None:
    email = _enqueue(MembershipFactory.create())

    assert outbox_deliver(outbox_id=email.pk) is Delivery.SENT
    assert outbox_deliver(outbox_id=email.pk) is Delivery.NOTHING_TO_DO
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_a_transient_smtp_failure_is_recorded_and_retried(settings) -> None:
    from conftest import smtp_mailers

    settings.MAILERS = smtp_mailers(1)  # nothing listens on port 1
    email = _enqueue(MembershipFactory.create())

    assert outbox_deliver(outbox_id=email.pk) is Delivery.RETRY

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxStatus.PENDING, 1)
    assert "Connection" in email.last_error or "refused" in email.last_error.lower()


def test_the_worker_delivers_after_commit_exactly_once(celery_worker, smtp_server) -> None:
    """A real worker on Redis sends over real SMTP; enqueueing the same event twice (a task
    retried) still sends one e-mail."""
    membership = MembershipFactory.create()
    with transaction.atomic():
        _enqueue(membership, event="invite:worker")
        _enqueue(membership, event="invite:worker")

    email = OutboxEmail.objects.get(event="invite:worker")
    wait_for(lambda: OutboxEmail.objects.get(pk=email.pk).status == OutboxStatus.SENT)
    assert len(smtp_server.to("pat@example.test")) == 1


def test_smtp_errors_are_transient():
    from notifications.services import TRANSIENT_SMTP_ERRORS

    assert issubclass(smtplib.SMTPServerDisconnected, TRANSIENT_SMTP_ERRORS)
