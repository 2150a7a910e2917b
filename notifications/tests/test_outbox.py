from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from notifications.models import OutboxEmail, OutboxStatus
from notifications.services import (
    SENDING_LEASE,
    Delivery,
    notification_enqueue,
    outbox_deliver,
    outbox_due_ids,
)
from notifications.tests.backends import WorkerKilled
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
        time_zone=membership.organization.time_zone,
    )


@pytest.mark.django_db
def test_an_event_writes_one_row_per_recipient_however_often_it_is_enqueued() -> None:
    membership = MembershipFactory.create()

    first = _enqueue(membership)
    again = _enqueue(membership)

    assert first is not None
    assert again is None
    assert OutboxEmail.objects.count() == 1


@pytest.mark.django_db
def test_a_sent_email_is_not_sent_again(smtp_server) -> None:
    email = _enqueue(MembershipFactory.create())

    assert outbox_deliver(outbox_id=email.pk) is Delivery.SENT
    assert outbox_deliver(outbox_id=email.pk) is Delivery.NOTHING_TO_DO
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_a_transient_smtp_failure_is_recorded_and_scheduled_again(settings) -> None:
    from conftest import smtp_mailers

    settings.MAILERS = smtp_mailers(1)  # nothing listens on port 1
    email = _enqueue(MembershipFactory.create())

    assert outbox_deliver(outbox_id=email.pk) is Delivery.RETRY

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxStatus.PENDING, 1)
    assert "refused" in email.last_error.lower() or "Connection" in email.last_error
    assert email.next_attempt_at > timezone.now()
    assert outbox_due_ids() == []


@pytest.mark.django_db
def test_an_smtp_outage_delays_the_email_and_it_is_sent_once_when_smtp_is_back(
    settings, smtp_server
) -> None:
    from conftest import smtp_mailers

    working = settings.MAILERS
    settings.MAILERS = smtp_mailers(1)
    email = _enqueue(MembershipFactory.create())
    outbox_deliver(outbox_id=email.pk)
    # The beat task and a duplicated first task run again while SMTP is down: nothing is due.
    for _ in range(3):
        for due in outbox_due_ids():
            outbox_deliver(outbox_id=due)
        assert outbox_deliver(outbox_id=email.pk) is Delivery.NOTHING_TO_DO

    settings.MAILERS = working
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert outbox_due_ids() == [email.pk]
        assert outbox_deliver(outbox_id=email.pk) is Delivery.SENT
        assert outbox_due_ids() == []

    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_an_email_that_cannot_be_sent_for_a_day_is_given_up(settings) -> None:
    from conftest import smtp_mailers

    settings.MAILERS = smtp_mailers(1)
    email = _enqueue(MembershipFactory.create())
    outbox_deliver(outbox_id=email.pk)

    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert outbox_deliver(outbox_id=email.pk) is Delivery.GAVE_UP

    email.refresh_from_db()
    assert email.status == OutboxStatus.FAILED
    assert email.failure_reason.startswith("Not delivered within 24 hours: ConnectionRefusedError")


@pytest.mark.django_db
def test_a_lost_first_delivery_is_picked_up_by_the_beat_task(smtp_server) -> None:
    email = _enqueue(MembershipFactory.create())  # on_commit never runs in this test

    assert outbox_due_ids() == []
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert outbox_due_ids() == [email.pk]
        outbox_deliver(outbox_id=email.pk)

    assert len(smtp_server.messages) == 1


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


@pytest.mark.django_db
def test_a_send_interrupted_after_the_server_took_it_goes_out_again_as_the_same_message(
    settings, smtp_server
) -> None:
    working = settings.MAILERS
    settings.MAILERS = {
        "default": {
            **working["default"],
            "BACKEND": "notifications.tests.backends.InterruptedAfterSend",
        }
    }
    email = _enqueue(MembershipFactory.create())
    with pytest.raises(WorkerKilled):
        outbox_deliver(outbox_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboxStatus.SENDING
    # While the dead worker's lease runs, neither a duplicate task nor the beat task sends it.
    assert outbox_deliver(outbox_id=email.pk) is Delivery.NOTHING_TO_DO
    assert outbox_due_ids() == []

    settings.MAILERS = working
    with time_machine.travel(timezone.now() + SENDING_LEASE + timedelta(minutes=1)):
        assert outbox_due_ids() == [email.pk]
        assert outbox_deliver(outbox_id=email.pk) is Delivery.SENT

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxStatus.SENT, 2)
    assert len(smtp_server.messages) == 2
    assert [m["Message-ID"] for m in smtp_server.messages] == [email.message_id] * 2


@pytest.mark.django_db
def test_each_email_has_its_own_message_id_in_the_senders_domain() -> None:
    membership = MembershipFactory.create()
    first, second = _enqueue(membership, "invite:1"), _enqueue(membership, "invite:2")

    assert first.message_id != second.message_id
    assert first.message_id.endswith("@longcode.test>")


@pytest.mark.django_db
@pytest.mark.parametrize("refusal", ["refuse_data", "refuse_recipients"])
def test_a_4xx_reply_is_retried_and_the_email_goes_out_once_the_server_accepts(
    smtp_server, refusal
) -> None:
    setattr(smtp_server, refusal, "450 4.2.1 Mailbox busy, try again later")
    email = _enqueue(MembershipFactory.create())

    assert outbox_deliver(outbox_id=email.pk) is Delivery.RETRY
    email.refresh_from_db()
    assert (email.status, email.failure_reason) == (OutboxStatus.PENDING, "")
    assert "450" in email.last_error

    setattr(smtp_server, refusal, None)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert outbox_deliver(outbox_id=email.pk) is Delivery.SENT
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("refusal", ["refuse_data", "refuse_recipients"])
def test_a_5xx_reply_fails_the_email_at_once_with_the_servers_reason(smtp_server, refusal) -> None:
    setattr(smtp_server, refusal, "550 5.1.1 No such user here")
    email = _enqueue(MembershipFactory.create())

    assert outbox_deliver(outbox_id=email.pk) is Delivery.REFUSED

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxStatus.FAILED, 1)
    assert email.failure_reason == "550 5.1.1 No such user here"
    setattr(smtp_server, refusal, None)
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert outbox_due_ids() == []
        assert outbox_deliver(outbox_id=email.pk) is Delivery.NOTHING_TO_DO
    assert smtp_server.messages == []


@pytest.mark.django_db
def test_operators_see_failed_emails_and_their_reason_in_the_admin(smtp_server) -> None:
    from django.test import Client

    from accounts.models import User

    smtp_server.refuse_recipients = "550 5.1.1 No such user here"
    email = _enqueue(MembershipFactory.create())
    outbox_deliver(outbox_id=email.pk)
    operator = User.objects.create_superuser(email="ops@longcode.test", password="x")
    client = Client()
    client.force_login(operator)

    page = client.get("/ops/admin/notifications/outboxemail/", {"status__exact": "failed"})

    assert page.status_code == 200
    assert "550 5.1.1 No such user here" in page.content.decode()
    assert "pat@example.test" in page.content.decode()
