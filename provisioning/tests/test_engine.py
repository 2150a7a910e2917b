"""Every path of the provisioning state machine, on PostgreSQL, Redis and a real worker."""

import pytest

from notifications.models import OutboxEmail
from phone_numbers.display import phone_readable
from phone_numbers.models import AttemptOutcome, PhoneNumber, ProvisioningStatus
from provisioning.carriers.simulated_state import SimulatedNumber, SimulatedNumberState
from provisioning.tasks import poll_provisioning, submit_number
from provisioning.tests.carriers import Script
from provisioning.tests.conftest import SCRIPTED
from tests.waiting import wait_for

pytestmark = pytest.mark.usefixtures("celery_worker", "beat")


def status_of(number: PhoneNumber) -> str:
    number.refresh_from_db()
    return number.provisioning_status


def wait_until(number: PhoneNumber, status: str, timeout: float = 30) -> PhoneNumber:
    wait_for(lambda: status_of(number) == status, timeout=timeout, what=f"{number.pk} {status}")
    return number


def bought(number: PhoneNumber) -> list[SimulatedNumber]:
    return list(
        SimulatedNumber.objects.filter(idempotency_key__startswith=str(number.idempotency_key))
    )


def outcomes(number: PhoneNumber) -> list[str]:
    return [a.outcome for a in number.provisioning_attempts.order_by("n")]


def test_approved_number_completes_and_its_requester_is_emailed(order, finished, smtp_server):
    number = wait_until(order("415"), ProvisioningStatus.COMPLETE)

    assert number.e164
    assert number.e164.startswith("+1415")
    assert number.attempts == 1
    assert outcomes(number) == [AttemptOutcome.APPROVED]
    assert number.completed_at is not None
    assert [(n.e164, n.state) for n in bought(number)] == [(number.e164, "owned")]
    assert finished == [(number.pk, ProvisioningStatus.COMPLETE, True)]
    wait_for(lambda: smtp_server.to("alice@acme.test"), what="the e-mail")
    [mail] = smtp_server.to("alice@acme.test")
    assert mail["Subject"] == f"{phone_readable(number.e164)} is ready: provisioning complete"


def test_a_number_picked_from_the_search_is_the_one_bought(order) -> None:
    from provisioning.services import available_numbers

    picked = available_numbers(area_code="212")[3].e164

    number = wait_until(order("212", e164=picked), ProvisioningStatus.COMPLETE)

    assert number.e164 == picked


def test_area_code_999_is_rejected_five_times_then_fails(order, finished, smtp_server):
    number = wait_until(order("999"), ProvisioningStatus.FAILED)

    assert number.attempts == 5
    assert outcomes(number) == [AttemptOutcome.REJECTED] * 5
    assert number.failure_reason.startswith("Provisioning failed after 5 attempts. Last reason:")
    assert number.e164 is None
    assert len({a.e164 for a in number.provisioning_attempts.all()}) == 5
    wait_for(
        lambda: all(n.state == SimulatedNumberState.RELEASED for n in bought(number)),
        what="every rejected number released",
    )
    assert len(bought(number)) == 5
    assert finished == [(number.pk, ProvisioningStatus.FAILED, True)]
    wait_for(lambda: smtp_server.to("alice@acme.test"), what="the e-mail")
    [mail] = smtp_server.to("alice@acme.test")
    assert "Provisioning failed" in mail["Subject"]
    assert number.failure_reason in mail.get_payload()[0].get_payload(decode=True).decode()


def test_flaky_998_completes_on_the_third_attempt(order) -> None:
    number = wait_until(order("998"), ProvisioningStatus.COMPLETE)

    assert number.attempts == 3
    assert outcomes(number) == [AttemptOutcome.REJECTED] * 2 + [AttemptOutcome.APPROVED]
    assert number.failure_reason == ""


def test_an_empty_area_code_moves_on_to_the_next_preference(order) -> None:
    number = wait_until(order("000", "312"), ProvisioningStatus.COMPLETE)

    assert number.e164
    assert number.e164.startswith("+1312")
    assert number.attempts == 1


def test_transient_errors_and_429s_use_no_attempt(order, settings) -> None:
    settings.CARRIER_ADAPTER = SCRIPTED
    Script.reset(acquire_5xx=1, submit_429=2, status_timeout=1)

    number = wait_until(order("415"), ProvisioningStatus.COMPLETE)

    assert number.attempts == 1
    assert outcomes(number) == [AttemptOutcome.APPROVED]
    assert sum(Script.faults.values()) == 0
    assert len(bought(number)) == 1


def test_an_ambiguous_purchase_is_reconciled_and_bought_once(order, settings) -> None:
    settings.CARRIER_ADAPTER = SCRIPTED
    Script.reset(acquire_ambiguous=1)

    number = wait_until(order("415"), ProvisioningStatus.COMPLETE)

    assert Script.faults["acquire_ambiguous"] == 0
    assert [n.e164 for n in bought(number)] == [number.e164]
    assert SimulatedNumber.objects.filter(state=SimulatedNumberState.OWNED).count() == 1


def test_random_transport_faults_never_buy_twice(order, settings) -> None:
    # Faults are drawn per call from the seed and each order's idempotency key; at 10 % a
    # submit needs more than 5 backoff retries (> 60 s) about once in a thousand orders.
    settings.SIMULATED_CARRIER_ERROR_RATE = 0.1
    settings.SIMULATED_CARRIER_SEED = 4
    numbers = [order("415"), order("212"), order("312")]

    for number in numbers:
        wait_until(number, ProvisioningStatus.COMPLETE, timeout=90)

    assert [n.attempts for n in numbers] == [1, 1, 1]
    assert [len(bought(n)) for n in numbers] == [1, 1, 1]


def test_a_use_case_refusal_fails_at_once(order, settings, finished) -> None:
    settings.CARRIER_ADAPTER = SCRIPTED
    Script.reset(campaign_rejected=1)

    number = wait_until(order("415"), ProvisioningStatus.FAILED)

    assert number.attempts == 1
    assert number.failure_reason == "The carriers suspended the use case."
    assert finished == [(number.pk, ProvisioningStatus.FAILED, True)]


def test_one_email_per_transition_even_when_tasks_run_twice(order, smtp_server) -> None:
    number = wait_until(order("415"), ProvisioningStatus.COMPLETE)
    wait_for(lambda: smtp_server.to("alice@acme.test"), what="the e-mail")

    submit_number.delay(number.pk)
    poll_provisioning.delay()
    poll_provisioning.delay()
    marker = order("212")  # runs after the duplicates on the solo worker
    wait_until(marker, ProvisioningStatus.COMPLETE)
    wait_for(lambda: len(smtp_server.messages) == 2, what="the marker's e-mail")

    assert len(smtp_server.to("alice@acme.test")) == 2
    assert OutboxEmail.objects.filter(event=f"number:{number.pk}:complete").count() == 1


def released_at_carrier(number: PhoneNumber) -> bool:
    return all(n.state == SimulatedNumberState.RELEASED for n in bought(number))


def test_a_number_rejected_at_submit_uses_an_attempt_and_a_new_number(order, settings) -> None:
    settings.CARRIER_ADAPTER = SCRIPTED
    Script.reset(submit_rejected=1)

    number = wait_until(order("415"), ProvisioningStatus.COMPLETE)

    assert number.attempts == 2
    assert outcomes(number) == [AttemptOutcome.REJECTED, AttemptOutcome.APPROVED]
    first = number.provisioning_attempts.get(n=1)
    assert first.reason.startswith("21712:")
    assert first.e164 != number.e164
    assert first.ended_at is not None
    wait_for(
        lambda: SimulatedNumber.objects.get(e164=first.e164).state == "released",
        what="the rejected number given back",
    )
    assert [n.state for n in bought(number)].count(SimulatedNumberState.OWNED) == 1


def test_rejections_at_submit_on_every_attempt_fail_the_number(
    order, settings, finished, smtp_server
) -> None:
    settings.CARRIER_ADAPTER = SCRIPTED
    settings.PROVISIONING_MAX_ATTEMPTS = 3
    Script.reset(submit_rejected=99)

    number = wait_until(order("415"), ProvisioningStatus.FAILED)

    assert number.attempts == 3
    assert outcomes(number) == [AttemptOutcome.REJECTED] * 3
    assert number.failure_reason.startswith("Provisioning failed after 3 attempts. Last reason:")
    assert (number.e164, number.carrier_number_id) == (None, "")
    assert finished == [(number.pk, ProvisioningStatus.FAILED, True)]
    wait_for(lambda: released_at_carrier(number), what="every rejected number given back")
    assert len(bought(number)) == 3
    wait_for(lambda: smtp_server.to("alice@acme.test"), what="the e-mail")
    assert "Provisioning failed" in smtp_server.to("alice@acme.test")[0]["Subject"]


def test_a_use_case_refused_at_submit_gives_the_bought_number_back(order, settings) -> None:
    settings.CARRIER_ADAPTER = SCRIPTED
    Script.reset(submit_use_case_refused=1)

    number = wait_until(order("415"), ProvisioningStatus.FAILED)

    assert number.failure_reason == "The use case is suspended."
    assert len(bought(number)) == 1
    wait_for(lambda: released_at_carrier(number), what="the bought number given back")


def test_releasing_a_requested_number_gives_back_what_an_earlier_try_bought(
    order, settings
) -> None:
    from provisioning.services import number_release

    settings.CARRIER_ADAPTER = SCRIPTED
    Script.reset(submit_5xx=99)
    number = order("415")
    wait_for(
        lambda: PhoneNumber.objects.filter(pk=number.pk).exclude(carrier_number_id="").exists(),
        what="the bought number kept on the row",
    )
    number.refresh_from_db()
    assert number.provisioning_status == ProvisioningStatus.REQUESTED
    assert number.e164 == bought(number)[0].e164

    number_release(phone_number=number)

    wait_for(lambda: released_at_carrier(number), what="the bought number given back")
    assert status_of(number) == ProvisioningStatus.RELEASED
    assert len(bought(number)) == 1


def test_a_number_the_carrier_cannot_answer_for_does_not_stall_the_others(order, settings):
    settings.CARRIER_ADAPTER = SCRIPTED
    settings.PROVISIONING_BATCH_SIZE = 1
    settings.SIMULATED_CARRIER_LATENCY = "2-2"
    stuck = wait_until(order("415"), ProvisioningStatus.INITIATED)
    Script.poisoned = {stuck.e164}  # type: ignore[arg-type]

    behind = wait_until(order("212"), ProvisioningStatus.COMPLETE)

    assert behind.attempts == 1
    assert status_of(stuck) == ProvisioningStatus.INITIATED
    assert stuck.next_poll_at > behind.completed_at  # type: ignore[operator]
