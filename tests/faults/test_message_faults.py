"""Texts under faults, with real worker and beat subprocesses and the simulated carrier: a
worker killed after the carrier took a text and before it was marked sent, Redis stopped while
senders send, and a carrier failing 30 % of its calls (some after the text left).

Senders send through the messenger's Send (``campaigns.sending``); exactly once is counted in
the simulated carrier's own books (``SimulatedMessage``: one row per text that left, committed
outside our transactions, as a provider's log): one text per contact, and it is the one the
message records."""

from datetime import time

import psycopg
from django.db import connection
from django.urls import reverse

from campaigns.models import Contact
from campaigns.tests.factories import CampaignFactory, CampaignSenderFactory, ContactFactory
from inboxes.messages import FIRST_DELIVERY_GRACE
from inboxes.models import Direction, Message, MessageStatus
from provisioning.carriers.simulated_state import SimulatedCall, SimulatedMessage
from provisioning.delivery import SENDING_LEASE, delivery_key
from tests.faults.conftest import Stack, _database_url
from tests.waiting import wait_for

# A worker or beat started "after" the fault: the lease of an interrupted send, or the grace of
# a text whose delivery task was lost, has run out for it.
AFTER_LEASE = SENDING_LEASE.total_seconds() + 5
AFTER_GRACE = FIRST_DELIVERY_GRACE.total_seconds() + 5


def _assigned(cast, count: int) -> list[Contact]:
    """``count`` contacts of an active campaign, assigned to sam, texting hours all day."""
    cast.org.texting_hours_start = time(0, 0)
    cast.org.texting_hours_end = time(23, 59, 59, 999999)
    cast.org.save(update_fields=["texting_hours_start", "texting_hours_end"])
    campaign = CampaignFactory.create(organization=cast.org, office=cast.office_a, active=True)
    CampaignSenderFactory.create(campaign=campaign, user=cast.sam)
    return [
        ContactFactory.create(campaign=campaign, phone=f"+1212555{n:04d}", assignee=cast.sam)
        for n in range(count)
    ]


def _send(cast, contact: Contact) -> int:
    """sam's Send on the messenger, for ``contact``."""
    url = reverse("messenger:send", args=[contact.campaign_id])
    return cast.client("sam").post(url, {"contact": contact.pk}).status_code


def _outgoing():
    return Message.objects.filter(direction=Direction.OUT)


def _none_queued() -> bool:
    return not _outgoing().filter(status=MessageStatus.QUEUED).exists()


def _books():
    """The carrier's books of this test's texts (its own connection commits them outside the
    test database's flushes and rollbacks: earlier tests' rows may be there)."""
    keys = [delivery_key(message) for message in _outgoing()]
    return SimulatedMessage.objects.filter(idempotency_key__in=keys)


def _assert_each_sent_once(contacts: list[Contact]) -> None:
    connection.close()  # reads afresh
    for contact in contacts:
        books = list(_books().filter(to_e164=contact.phone))
        assert len(books) == 1, f"{contact.phone}: the carrier sent {len(books)} texts"
        message = _outgoing().get(conversation__contact_e164=contact.phone)
        assert message.status in (MessageStatus.SENT, MessageStatus.DELIVERED), message.status
        assert message.carrier_message_id == books[0].carrier_message_id


def test_a_worker_killed_after_the_carrier_took_a_text_sends_each_text_once(cast, stack: Stack):
    contacts = _assigned(cast, 5)
    for contact in contacts:
        assert _send(cast, contact) == 302
    assert _outgoing().filter(status=MessageStatus.QUEUED).count() == 5

    # Hold the messages against being marked sent (FOR UPDATE) while letting their claim (an
    # UPDATE of other columns) through: the first delivery claims its text, the carrier takes
    # it, and the worker waits to record it — where it is killed.
    with (
        psycopg.connect(_database_url(), autocommit=False) as blocker,
        psycopg.connect(_database_url(), autocommit=True) as watcher,  # fresh activity reads
    ):
        blocker.execute("SELECT id FROM inboxes_message FOR KEY SHARE")
        worker = stack.worker("w1")
        wait_for(
            lambda: watcher.execute(
                "SELECT 1 FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone(),
            timeout=30,
            what="a delivery waiting to mark its text sent",
        )
        assert _books().count() == 1  # the carrier has sent it
        stack.kill(worker)
        blocker.rollback()
    assert _outgoing().filter(status=MessageStatus.QUEUED, send_attempts=1).count() == 1

    stack.worker("w2", ahead=AFTER_LEASE)
    stack.beat("b2", ahead=AFTER_LEASE)
    wait_for(_none_queued, timeout=60, what="every text sent")
    _assert_each_sent_once(contacts)
    # The interrupted text was asked of the carrier again, and answered with the one it sent.
    assert _books().filter(requests=2).count() == 1


def test_redis_stopped_while_senders_send_then_delivery_resumes_by_itself(cast, stack: Stack):
    # Worker and beat come after the lost tasks' grace, as the sweep would after the real wait.
    stack.worker("w1", ahead=AFTER_GRACE)
    stack.beat("b1", ahead=AFTER_GRACE)
    contacts = _assigned(cast, 3)
    stack.redis.stop()

    for contact in contacts:
        assert _send(cast, contact) == 302  # the send answers; the text is recorded
    assert _outgoing().filter(status=MessageStatus.QUEUED).count() == 3
    page = cast.client("sam").get(
        reverse("messenger:conversation", args=[contacts[0].campaign_id, contacts[0].pk])
    )
    assert page.status_code == 200
    assert b'data-testid="delivery">Queued<' in page.content

    stack.redis.start()
    wait_for(_none_queued, timeout=60, what="every text sent once Redis is back")
    _assert_each_sent_once(contacts)


def test_a_carrier_failing_a_third_of_its_calls_sends_no_text_twice(cast, stack: Stack):
    errors = {"SIMULATED_CARRIER_ERROR_RATE": "0.3", "SIMULATED_CARRIER_LATENCY": "0-1"}
    stack.worker("w1", env=errors)
    stack.beat("b1", env=errors)
    contacts = _assigned(cast, 8)
    for contact in contacts:
        assert _send(cast, contact) == 302
    # Retries back off 1, 2, 4… s; a text failing several times in a row waits a few seconds.
    wait_for(_none_queued, timeout=60, what="every text sent")
    _assert_each_sent_once(contacts)
    # The worker's carrier drew its faults (it keeps a count of calls only then).
    keys = [f"send:{delivery_key(message)}" for message in _outgoing()]
    assert SimulatedCall.objects.filter(key__in=keys).count() == len(contacts)
