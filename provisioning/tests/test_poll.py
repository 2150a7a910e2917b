"""The poller: deadlines, growing intervals, SKIP LOCKED claims, crashes, constant queries."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import OutboxEmail
from phone_numbers.models import AttemptOutcome, Kind, PhoneNumber, ProvisioningStatus
from phone_numbers.tests.factories import PhoneNumberFactory
from provisioning.hooks import number_provisioning_finished
from provisioning.polling import CLAIMED_FIELDS, provisioning_poll, provisioning_poll_now
from provisioning.sql import claim_due_numbers
from provisioning.submitting import number_submit
from provisioning.tests.carriers import Script
from provisioning.tests.conftest import SCRIPTED
from provisioning.transitions import LEASE


def submitted(order, *area_codes: str, kind: str = Kind.DEDICATED) -> PhoneNumber:
    number = order(*area_codes, kind=kind)
    assert number_submit(phone_number_id=number.pk).outcome == "submitted"
    number.refresh_from_db()
    return number


def status_of(number: PhoneNumber) -> str:
    number.refresh_from_db()
    return number.provisioning_status


def poll_soon(**kwargs: int):
    """A poll a few seconds from now, when the first answers are due."""
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        return provisioning_poll(**kwargs)


@pytest.mark.django_db
def test_pending_numbers_are_polled_at_growing_intervals(order, settings) -> None:
    settings.SIMULATED_CARRIER_LATENCY = "86400-86400"
    number = submitted(order, "415")
    start = number.attempt_started_at
    assert start is not None

    with time_machine.travel(start + timedelta(hours=1), tick=False):
        provisioning_poll()
    number.refresh_from_db()
    assert number.next_poll_at == start + timedelta(hours=1, seconds=1024)  # 2**10 base

    with time_machine.travel(start + timedelta(hours=10), tick=False):
        provisioning_poll()
    number.refresh_from_db()
    assert number.next_poll_at == start + timedelta(hours=11)
    assert number.provisioning_status == ProvisioningStatus.INITIATED


@pytest.mark.django_db
def test_a_passed_deadline_uses_an_attempt_and_releases_the_number(order, settings) -> None:
    settings.SIMULATED_CARRIER_LATENCY = "300000-300000"
    number = submitted(order, "415")
    first_e164 = number.e164
    assert number.attempt_started_at is not None

    with time_machine.travel(number.attempt_started_at + timedelta(hours=72), tick=False):
        report = provisioning_poll()

    number.refresh_from_db()
    assert report.resubmitted == 1
    assert number.provisioning_status == ProvisioningStatus.REQUESTED
    assert number.attempts == 1
    assert number.e164 is None
    [attempt] = number.provisioning_attempts.all()
    assert (attempt.e164, attempt.outcome) == (first_e164, AttemptOutcome.EXPIRED)
    assert attempt.reason == "The carriers did not decide within 72 h."


@pytest.mark.django_db
def test_the_last_attempt_past_its_deadline_fails_the_number(order, settings, finished) -> None:
    settings.SIMULATED_CARRIER_LATENCY = "300000-300000"
    settings.PROVISIONING_MAX_ATTEMPTS = 1
    number = submitted(order, "415")
    assert number.attempt_started_at is not None

    with time_machine.travel(number.attempt_started_at + timedelta(hours=73), tick=False):
        provisioning_poll()

    number.refresh_from_db()
    assert number.provisioning_status == ProvisioningStatus.FAILED
    assert "did not decide within 72 h" in number.failure_reason
    assert finished == [(number.pk, ProvisioningStatus.FAILED, True)]


class WorkerKilled(BaseException):
    """What a killed worker looks like from inside: nothing of ours catches it."""


@pytest.mark.django_db
def test_a_crash_mid_batch_loses_nothing_and_the_next_poll_finishes(order, finished) -> None:
    numbers = [submitted(order, "415") for _ in range(3)]

    def crash(**kwargs: object) -> None:
        raise WorkerKilled

    number_provisioning_finished.connect(crash, weak=False, dispatch_uid="crash")
    try:
        with pytest.raises(WorkerKilled):
            poll_soon()
    finally:
        number_provisioning_finished.disconnect(dispatch_uid="crash")
    assert {n.provisioning_status for n in PhoneNumber.objects.all()} == {"initiated"}
    assert not OutboxEmail.objects.exists()

    # The killed worker's claim holds its numbers until the lease ends; then a poll redoes them.
    assert poll_soon().polled == 0
    with time_machine.travel(timezone.now() + LEASE + timedelta(seconds=5), tick=False):
        provisioning_poll()

    assert {n.provisioning_status for n in PhoneNumber.objects.all()} == {"complete"}
    assert sorted(pk for pk, *_ in finished[3:]) == sorted(n.pk for n in numbers)
    assert OutboxEmail.objects.count() == 3


@pytest.mark.django_db
def test_a_batch_the_carrier_refuses_is_postponed_and_the_next_batch_goes_on(
    order, settings, caplog
) -> None:
    settings.CARRIER_ADAPTER = SCRIPTED
    numbers = [submitted(order, "415") for _ in range(4)]
    Script.poisoned = {numbers[0].e164, numbers[1].e164}  # type: ignore[arg-type]
    later = timezone.now() + timedelta(seconds=5)

    with time_machine.travel(later, tick=False):
        report = provisioning_poll(batch_size=2)

    statuses = [status_of(n) for n in numbers]
    assert statuses == ["initiated", "initiated", "complete", "complete"]
    assert (report.polled, report.completed, report.batches) == (2, 2, 2)
    suspended = "20003: the account is suspended."
    assert report.errors == [f"number {n.pk}: {suspended}" for n in numbers[:2]]
    assert "20003: the account is suspended." in caplog.text
    postponed = [n.next_poll_at for n in numbers[:2]]
    assert postponed == [later + timedelta(seconds=2)] * 2  # twice the 1 s interval

    Script.poisoned = set()
    with time_machine.travel(later + timedelta(seconds=2), tick=False):
        provisioning_poll(batch_size=2)
    assert [status_of(n) for n in numbers[:2]] == ["complete", "complete"]


@pytest.mark.django_db
def test_postponed_batches_back_off_up_to_an_hour(order, settings) -> None:
    settings.CARRIER_ADAPTER = SCRIPTED
    number = submitted(order, "415")
    Script.poisoned = {number.e164}  # type: ignore[arg-type]
    gaps = []
    for _ in range(14):
        when = number.next_poll_at
        with time_machine.travel(when, tick=False):
            provisioning_poll()
        number.refresh_from_db()
        gaps.append((number.next_poll_at - when).total_seconds())  # type: ignore[operator]

    assert gaps[:4] == [2, 4, 8, 16]
    assert gaps[-2:] == [3600, 3600]
    assert number.provisioning_status == ProvisioningStatus.INITIATED


@pytest.mark.django_db
def test_a_number_missing_from_the_answer_stays_pending_and_is_counted(order, settings):
    settings.CARRIER_ADAPTER = SCRIPTED
    numbers = [submitted(order, "415") for _ in range(3)]
    Script.reset(status_missing_ref=1)

    report = poll_soon()

    assert [status_of(n) for n in numbers] == ["initiated", "complete", "complete"]
    assert (report.polled, report.completed, report.missing) == (3, 2, 1)
    assert numbers[0].next_poll_at > timezone.now()  # type: ignore[operator]


@pytest.mark.django_db
def test_a_receiver_that_raises_holds_back_only_its_own_number(order, caplog) -> None:
    numbers = [submitted(order, "415") for _ in range(3)]
    bad = numbers[1]

    def receiver(sender: object, numbers: list[PhoneNumber], **kwargs: object) -> None:
        for number in numbers:
            OutboxEmail.objects.create(event=f"hook:{number.pk}", recipient="x@acme.test")
            if number.pk == bad.pk:
                raise ValueError("a bug in a receiver")

    number_provisioning_finished.connect(receiver, weak=False, dispatch_uid="bad")
    try:
        report = poll_soon()
    finally:
        number_provisioning_finished.disconnect(dispatch_uid="bad")

    assert [status_of(n) for n in numbers] == ["complete", "initiated", "complete"]
    assert report.completed == 2
    hooked = set(OutboxEmail.objects.filter(event__startswith="hook:").values_list("event"))
    assert hooked == {(f"hook:{numbers[0].pk}",), (f"hook:{numbers[2].pk}",)}
    assert f"Number {bad.pk}" in caplog.text
    assert "a bug in a receiver" in caplog.text

    with time_machine.travel(timezone.now() + timedelta(seconds=10), tick=False):
        provisioning_poll()  # the receiver is fixed: the held-back number completes
    assert status_of(bad) == "complete"


@pytest.mark.django_db
def test_a_poll_now_asks_about_the_numbers_named_before_they_are_due(order, finished) -> None:
    # The clock stands still, so "before they are due" holds however slow the machine is.
    with time_machine.travel(timezone.now(), tick=False):
        asked, other = submitted(order, "415"), submitted(order, "628")
        assert asked.next_poll_at is not None
        assert asked.next_poll_at > timezone.now()

        report = provisioning_poll_now(phone_number_ids=[asked.pk, other.pk + 1000])

    assert (report.polled, report.completed) == (1, 1)
    assert (status_of(asked), status_of(other)) == ("complete", "initiated")
    assert [(pk, status) for pk, status, _ in finished] == [(asked.pk, "complete")]
    assert provisioning_poll_now(phone_number_ids=[asked.pk]).polled == 0


@pytest.mark.django_db
def test_a_poll_batch_costs_the_same_queries_for_5_or_30_numbers(order) -> None:
    def queries_for(count: int) -> int:
        for _ in range(count):
            submitted(order, "415", kind=Kind.SINGLE_USE)
        with CaptureQueriesContext(connection) as captured:
            report = poll_soon(batch_size=100)
        assert report.completed == count
        return len(captured)

    assert queries_for(5) == queries_for(30)


@pytest.mark.django_db(transaction=True)
def test_two_pollers_at_once_never_read_a_number_twice(cast, settings) -> None:
    settings.CARRIER_ADAPTER = "provisioning.tests.carriers.CountingCarrier"
    settings.PROVISIONING_POLL_SECONDS = 60
    now = timezone.now()
    refs = [f"SUB-{n}" for n in range(60)]
    for ref in refs:
        PhoneNumberFactory.create(
            organization=cast.org,
            provisioning_status=ProvisioningStatus.INITIATED,
            carrier_provisioning_ref=ref,
            attempt_started_at=now,
            next_poll_at=now - timedelta(seconds=5),
        )
    Script.barrier = threading.Barrier(2, timeout=10)
    reports = []

    def poller() -> None:
        try:
            reports.append(provisioning_poll(batch_size=20))
        finally:
            connection.close()

    threads = [threading.Thread(target=poller) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(Script.reads) == sorted(refs)
    assert set(Script.reads.values()) == {1}
    assert sorted(r.polled for r in reports)[0] > 0
    assert sum(r.polled for r in reports) == 60


@pytest.mark.django_db
def test_a_transient_error_holds_back_only_its_own_number_without_backoff(order, settings):
    settings.CARRIER_ADAPTER = SCRIPTED
    numbers = [submitted(order, "415") for _ in range(3)]
    slow = numbers[1]
    Script.timing_out = {slow.e164}  # type: ignore[arg-type]
    later = timezone.now() + timedelta(seconds=5)

    with time_machine.travel(later, tick=False):
        report = provisioning_poll()

    assert [status_of(n) for n in numbers] == ["complete", "initiated", "complete"]
    assert report.errors == [f"number {slow.pk}: Read timed out after 10 s"]
    assert (report.polled, report.completed) == (2, 2)
    assert slow.attempts == 1  # no attempt used
    # Polled again at its ordinary interval (5 s into the attempt: 2 s), not after a backoff.
    assert slow.next_poll_at == later + timedelta(seconds=2)

    Script.timing_out = set()
    with time_machine.travel(slow.next_poll_at, tick=False):
        provisioning_poll()
    assert status_of(slow) == "complete"


@pytest.mark.django_db
def test_a_claim_holds_a_submitted_number_by_its_lease_and_pushes_a_requested_one(
    order, settings
) -> None:
    """Only the unindexed lease is written for a submitted number (a HOT update), so its
    schedule stays; a requested one leaves the due range. Both are held for the lease."""
    settings.SIMULATED_CARRIER_LATENCY = "86400-86400"
    number = submitted(order, "415")
    waiting = order("212")  # its submit task never ran
    now = timezone.now() + timedelta(seconds=5)
    PhoneNumber.objects.filter(pk=waiting.pk).update(next_poll_at=now - timedelta(seconds=1))
    due = number.next_poll_at
    assert due is not None
    assert due <= now

    claimed = claim_due_numbers(fields=CLAIMED_FIELDS, size=10, now=now, lease=now + LEASE)

    assert [row.pk for row in claimed] == sorted([number.pk, waiting.pk])
    assert claim_due_numbers(fields=CLAIMED_FIELDS, size=10, now=now, lease=now + LEASE) == []
    number.refresh_from_db()
    waiting.refresh_from_db()
    assert (number.next_poll_at, number.poll_leased_until) == (due, now + LEASE)
    assert (waiting.next_poll_at, waiting.poll_leased_until) == (now + LEASE, None)
    after = now + LEASE + timedelta(seconds=1)
    again = claim_due_numbers(fields=CLAIMED_FIELDS, size=10, now=after, lease=after + LEASE)
    assert [row.pk for row in again] == sorted([number.pk, waiting.pk])


@pytest.mark.django_db(transaction=True)
def test_a_claim_leaves_the_sessions_commit_setting_alone(cast) -> None:
    """A claim that is its own transaction does not wait for its commit to reach the disk (a
    lost claim only makes its numbers due again); the setting ends with it, and a claim inside
    a caller's transaction leaves that transaction's setting alone."""
    now = timezone.now()
    PhoneNumberFactory.create(
        organization=cast.org,
        provisioning_status=ProvisioningStatus.INITIATED,
        carrier_provisioning_ref="SUB-1",
        next_poll_at=now - timedelta(seconds=5),
    )

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    assert len(claim_due_numbers(fields=CLAIMED_FIELDS, size=10, now=now, lease=now + LEASE)) == 1
    assert setting() == "on"
    later = now + LEASE + timedelta(seconds=1)
    with transaction.atomic():
        claimed = claim_due_numbers(fields=CLAIMED_FIELDS, size=10, now=later, lease=later + LEASE)
        assert len(claimed) == 1
        assert setting() == "on"
