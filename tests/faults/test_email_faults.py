"""E-mail delivery under faults, with a real worker subprocess and a real SMTP relay: a worker
killed while the relay (1.5 s to answer) holds the message, a relay refusing mail for a while
(4xx), and a permanent refusal (5xx).

Exactly once means one Message-ID per e-mail at the relay: a send interrupted after the relay
took the message may go out again, but as the same message, which mail systems recognise."""

from collections.abc import Callable

from django.db import transaction

from notifications.models import OutboxEmail, OutboxStatus
from notifications.services import notification_enqueue
from offices.models import Membership
from tests.faults.conftest import Relay, Stack
from tests.waiting import wait_for

# Past the first-attempt grace (2 min) and any claim lease on an e-mail being sent.
LATER = 15 * 60

RECIPIENTS = ["pat@example.test", "lee@example.test", "kim@example.test"]


def _enqueue(cast, recipients: list[str]) -> None:
    membership = Membership.objects.get(user=cast.alice)
    with transaction.atomic():  # delivered once this commits, as a page or a worker does it
        for recipient in recipients:
            notification_enqueue(
                event=f"invite:{recipient}",
                recipient=recipient,
                template="offices/invite",
                context={
                    "organization": membership.organization,
                    "invited_by": membership.user,
                    "membership": membership,
                    "set_password_path": "/x/",
                },
                time_zone=membership.organization.time_zone,
            )


def _all_sent() -> bool:
    return not OutboxEmail.objects.exclude(status=OutboxStatus.SENT).exists()


def _has_taken(relay: Relay, count: int) -> Callable[[], bool]:
    return lambda: len(relay.received) >= count


def _assert_each_delivered_once(relay: Relay, recipients: list[str]) -> None:
    for recipient in recipients:
        ids = relay.message_ids(recipient)
        assert ids, f"{recipient} got nothing"
        assert len(set(ids)) == 1, f"{recipient} got {len(set(ids))} different messages: {ids}"


def test_workers_killed_while_a_slow_relay_holds_the_mail_send_each_email_once(
    cast, relay: Relay, stack: Stack
):
    relay.delay = 1.5
    worker = stack.worker("w1")
    _enqueue(cast, RECIPIENTS)
    for kill, ahead in enumerate((LATER, 2 * LATER), start=1):
        # The relay has taken a message and not yet answered: the worker dies waiting.
        wait_for(_has_taken(relay, kill), timeout=30, what="the relay to take one")
        stack.kill(worker)
        worker = stack.worker(f"w{kill + 1}", ahead=ahead)
        stack.beat(f"b{kill + 1}", ahead=ahead)
    wait_for(_all_sent, timeout=60, what="every e-mail sent")
    _assert_each_delivered_once(relay, RECIPIENTS)


def test_a_relay_refusing_mail_for_a_while_delays_it_then_sends_it_once(
    cast, relay: Relay, stack: Stack
):
    relay.refusal = "451 4.3.0 Try again later"
    first = stack.worker("w1")
    _enqueue(cast, RECIPIENTS)

    def all_refused() -> bool:
        return all("451" in email.last_error for email in OutboxEmail.objects.all())

    wait_for(all_refused, timeout=30, what="every e-mail refused once")
    for email in OutboxEmail.objects.all():
        assert email.status == OutboxStatus.PENDING  # waits, not failed

    relay.refusal = None  # the relay is back; the backoff has run out for a later sweep
    stack.kill(first)
    stack.worker("w2", ahead=LATER)
    stack.beat("b2", ahead=LATER)
    wait_for(_all_sent, timeout=30, what="every e-mail sent once the relay is back")
    _assert_each_delivered_once(relay, RECIPIENTS)


def test_a_permanent_refusal_fails_the_email_at_once_with_its_reason(
    cast, relay: Relay, stack: Stack
):
    relay.refusal = "550 5.1.1 No such user here"
    stack.worker("w1")
    stack.beat("b1")
    _enqueue(cast, ["nobody@example.test"])

    def failed() -> bool:
        return OutboxEmail.objects.filter(status=OutboxStatus.FAILED).exists()

    wait_for(failed, timeout=20, what="the e-mail failed at the first refusal")
    email = OutboxEmail.objects.get()
    assert email.attempts == 1
    assert "550" in email.last_error
    assert "No such user here" in email.last_error
    assert relay.refused == 1
