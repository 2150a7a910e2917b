"""The door every change of a number's status goes through (``provisioning.transitions``)."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from phone_numbers.models import AttemptOutcome, Kind, PhoneNumber, ProvisioningAttempt
from phone_numbers.models import ProvisioningStatus as S
from phone_numbers.tests.factories import PhoneNumberFactory
from provisioning.carriers.base import FailureScope
from provisioning.models import NumberRelease
from provisioning.polling import provisioning_poll
from provisioning.services import number_release
from provisioning.submitting import number_submit
from provisioning.transitions import (
    TRANSITIONS,
    InvalidTransition,
    Move,
    attempt_failed,
    number_transition,
    number_transitions,
)

pytestmark = pytest.mark.django_db


def submitted(order, *area_codes: str, kind: str = Kind.DEDICATED) -> PhoneNumber:
    number = order(*area_codes, kind=kind)
    assert number_submit(phone_number_id=number.pk).outcome == "submitted"
    number.refresh_from_db()
    return number


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (S.COMPLETE, S.INITIATED),
        (S.COMPLETE, S.FAILED),
        (S.FAILED, S.COMPLETE),
        (S.RELEASED, S.REQUESTED),
        (S.REQUESTED, S.COMPLETE),
        (S.INITIATED, S.INITIATED),
    ],
)
def test_a_move_the_table_does_not_allow_raises_and_writes_nothing(cast, source, target):
    assert (source, target) not in TRANSITIONS
    number = PhoneNumberFactory.create(organization=cast.org, provisioning_status=source)

    with pytest.raises(InvalidTransition, match=f"cannot go from {source} to {target}"):
        number_transition(move=Move(number, target, AttemptOutcome.APPROVED))

    number.refresh_from_db()
    assert number.provisioning_status == source
    assert not ProvisioningAttempt.objects.exists()


def test_one_disallowed_move_refuses_the_whole_batch(order) -> None:
    number = submitted(order, "415")
    done = PhoneNumberFactory.create(organization=number.organization)  # complete

    with pytest.raises(InvalidTransition):
        number_transitions(
            moves=[Move(number, S.COMPLETE, AttemptOutcome.APPROVED), Move(done, S.INITIATED)]
        )

    number.refresh_from_db()
    assert number.provisioning_status == S.INITIATED


def test_a_move_read_before_someone_else_moved_the_number_is_skipped(order, finished) -> None:
    number = submitted(order, "415")
    stale = PhoneNumber.objects.get(pk=number.pk)
    number_release(phone_number=number)

    assert number_transition(move=Move(stale, S.COMPLETE, AttemptOutcome.APPROVED)) is None

    number.refresh_from_db()
    assert number.provisioning_status == S.RELEASED
    assert finished == []
    assert number.provisioning_attempts.get().outcome == AttemptOutcome.RELEASED


def test_an_approval_read_at_an_earlier_attempt_is_skipped(order, finished) -> None:
    number = submitted(order, "415")
    stale = PhoneNumber.objects.get(pk=number.pk)
    rejected = attempt_failed(
        number, outcome=AttemptOutcome.REJECTED, reason="AT&T said no.", scope=FailureScope.NUMBER
    )
    number_transitions(moves=[rejected])
    assert number_submit(phone_number_id=number.pk).outcome == "submitted"

    assert number_transition(move=Move(stale, S.COMPLETE, AttemptOutcome.APPROVED)) is None

    number.refresh_from_db()
    assert (number.provisioning_status, number.attempts) == (S.INITIATED, 2)
    assert list(number.provisioning_attempts.values_list("n", "outcome")) == [
        (1, AttemptOutcome.REJECTED),
        (2, AttemptOutcome.PENDING),
    ]
    assert finished == []


def test_a_batch_of_approvals_is_one_statement_that_reads_nothing_first(order, finished):
    numbers = [submitted(order, "415", kind=Kind.SINGLE_USE) for _ in range(3)]
    moves = [Move(number, S.COMPLETE, AttemptOutcome.APPROVED) for number in numbers]

    with CaptureQueriesContext(connection) as captured:
        rows = number_transitions(moves=moves)

    statements = [q["sql"] for q in captured if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1, statements
    assert [(row.pk, row.provisioning_status) for row in rows] == [
        (number.pk, S.COMPLETE) for number in numbers
    ]
    assert rows[0].completed_at is not None
    assert rows[0].poll_leased_until is None
    assert set(ProvisioningAttempt.objects.values_list("outcome", flat=True)) == {
        AttemptOutcome.APPROVED
    }
    assert sorted(pk for pk, *_ in finished) == [number.pk for number in numbers]


def test_a_failed_attempt_gives_its_number_back_durably_and_resubmits_after_commit(
    order, django_capture_on_commit_callbacks
) -> None:
    number = submitted(order, "415")
    move = attempt_failed(
        number, outcome=AttemptOutcome.REJECTED, reason="AT&T said no.", scope=FailureScope.NUMBER
    )

    with django_capture_on_commit_callbacks() as callbacks:
        [row] = number_transitions(moves=[move])

    assert (row.provisioning_status, row.attempts, row.e164) == (S.REQUESTED, 1, None)
    assert row.failure_reason == "AT&T said no."
    [release] = NumberRelease.objects.all()
    assert (release.carrier_number_id, release.e164) == (number.carrier_number_id, number.e164)
    assert release.released_at is None
    assert len(callbacks) == 2  # the release task and the resubmit, both only after commit
    [attempt] = number.provisioning_attempts.all()
    assert (attempt.outcome, attempt.reason) == (AttemptOutcome.REJECTED, "AT&T said no.")


def test_a_use_case_failure_fails_at_once_with_its_own_reason(order, settings) -> None:
    number = submitted(order, "415")
    move = attempt_failed(
        number,
        outcome=AttemptOutcome.REJECTED,
        reason="The use case is suspended.",
        scope=FailureScope.CAMPAIGN,
    )

    [row] = number_transitions(moves=[move])

    assert (row.provisioning_status, row.failure_reason) == (S.FAILED, "The use case is suspended.")


def test_a_poll_batch_costs_the_same_statements_for_2_or_8_numbers_of_each_outcome(order):
    def statements_for(count: int) -> int:
        for _ in range(count):
            submitted(order, "415", kind=Kind.SINGLE_USE)  # approved
            submitted(order, "999", kind=Kind.SINGLE_USE)  # rejected: given back, resubmitted
        soon = timezone.now() + timedelta(seconds=5)
        with time_machine.travel(soon, tick=False), CaptureQueriesContext(connection) as captured:
            report = provisioning_poll(batch_size=100)
        assert (report.completed, report.resubmitted) == (count, count)
        return len(captured)

    assert statements_for(2) == statements_for(8)


def test_the_tasks_the_engine_enqueues_by_name_exist() -> None:
    import notifications.tasks
    import provisioning.tasks  # noqa: F401
    from config.celery import app
    from provisioning.releasing import RELEASE_TASK
    from provisioning.transitions import SUBMIT_TASK

    named = {SUBMIT_TASK, RELEASE_TASK, "notifications.tasks.deliver_email"}
    assert named <= set(app.tasks)
    assert notifications.tasks.deliver_email.name == "notifications.tasks.deliver_email"
