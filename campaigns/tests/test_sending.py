"""Sending: every gate at the service, a double click sends once, delivery through a real
worker and the simulated carrier's status webhook, opting out from the conversation."""

import threading
import time as clock
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection

from campaigns.models import Campaign, Contact, OptOut
from campaigns.sending import (
    SendRefused,
    contact_opt_out,
    contact_time_zones,
    initial_message_send,
    reply_send,
)
from campaigns.tests.factories import (
    CampaignFactory,
    CampaignSenderFactory,
    ContactFactory,
    OptOutFactory,
)
from inboxes.models import Message, MessageStatus
from offices.models import Organization
from phone_numbers.models import ProvisioningStatus
from provisioning.carriers.simulated import SimulatedCarrier, webhook_headers
from provisioning.delivery import message_deliver
from tests.waiting import wait_for

# 16:00 UTC on a summer day: 12:00 in New York, 09:00 in Los Angeles, 06:00 in Honolulu.
NOON_IN_NEW_YORK = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)


def texting(cast, **kwargs) -> Contact:
    """A contact of an active campaign, assigned to sam."""
    campaign = CampaignFactory.create(
        organization=cast.org, office=cast.office_a, active=True, **kwargs
    )
    CampaignSenderFactory.create(campaign=campaign, user=cast.sam)
    contact = ContactFactory.create(
        campaign=campaign, phone="+12125550101", first_name="Ada", assignee=cast.sam
    )
    return contact


def all_day(organization: Organization) -> None:
    """Texting hours that cover the whole day, for tests where the hour is not the point."""
    organization.texting_hours_start = time(0, 0)
    organization.texting_hours_end = time(23, 59, 59, 999999)
    organization.save(update_fields=["texting_hours_start", "texting_hours_end"])


# --- the gates, at the service --------------------------------------------------------------
@pytest.mark.django_db
@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_a_message_that_passes_every_gate_is_recorded_queued(cast):
    contact = texting(cast, initial_message="Hi {first_name}, {missing}from Acme.")
    number = contact.campaign.phone_number
    assert number is not None

    message = initial_message_send(contact=contact, sender=cast.sam)

    contact.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.body == "Hi Ada, from Acme."
    assert (message.conversation.number_e164, message.conversation.contact_e164) == (
        number.e164,
        "+12125550101",
    )
    assert contact.texted_at == NOON_IN_NEW_YORK
    assert contact.conversation == message.conversation


@pytest.mark.django_db
@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
@pytest.mark.parametrize(
    ("setup", "refusal"),
    [
        (lambda c, n: Campaign.objects.filter(pk=c.pk).update(status="draft"), "not active"),
        (
            lambda c, n: Campaign.objects.filter(pk=c.pk).update(status="archived", archived_at=n),
            "not active",
        ),
        (
            lambda c, n: (
                type(c.phone_number)
                .objects.filter(pk=c.phone_number_id)
                .update(provisioning_status=ProvisioningStatus.INITIATED)
            ),
            "not provisioning-complete",
        ),
        (
            lambda c, n: Campaign.objects.filter(pk=c.pk).update(start_at=n + timedelta(hours=1)),
            "from the start date",
        ),
        (
            lambda c, n: OptOut.objects.create(organization=c.organization, phone="+12125550101"),
            "opted out",
        ),
    ],
    ids=["draft", "archived", "number-not-complete", "before-start-date", "opted-out"],
)
def test_each_gate_refuses_with_its_reason_and_records_nothing(cast, setup, refusal):
    contact = texting(cast)
    setup(contact.campaign, NOON_IN_NEW_YORK)

    with pytest.raises(SendRefused, match=refusal):
        initial_message_send(contact=contact, sender=cast.sam)

    contact.refresh_from_db()
    assert contact.texted_at is None
    assert not Message.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_a_start_date_passed_lets_initial_messages_leave(cast):
    contact = texting(cast, start_at=NOON_IN_NEW_YORK - timedelta(minutes=1))

    assert initial_message_send(contact=contact, sender=cast.sam).status == MessageStatus.QUEUED


@pytest.mark.django_db
@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_an_opt_out_of_another_organization_does_not_count(cast):
    contact = texting(cast)
    OptOutFactory.create(organization=cast.other_org, phone=contact.phone)

    assert initial_message_send(contact=contact, sender=cast.sam).status == MessageStatus.QUEUED


def test_the_contacts_time_zone_comes_from_the_area_code():
    assert [z.key for z in contact_time_zones("+12125550101")] == ["America/New_York"]
    assert [z.key for z in contact_time_zones("+13105550101")] == ["America/Los_Angeles"]
    assert [z.key for z in contact_time_zones("+18085550101")] == ["Pacific/Honolulu"]


@pytest.mark.django_db
@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_texting_hours_hold_in_the_contacts_own_time_zone(cast):
    """At 12:00 in New York it is 09:00 in Los Angeles and 06:00 in Honolulu."""
    new_york = texting(cast)
    campaign = new_york.campaign
    los_angeles = ContactFactory.create(campaign=campaign, phone="+13105550101", assignee=cast.sam)
    honolulu = ContactFactory.create(campaign=campaign, phone="+18085550101", assignee=cast.sam)

    initial_message_send(contact=new_york, sender=cast.sam)
    initial_message_send(contact=los_angeles, sender=cast.sam)
    with pytest.raises(
        SendRefused, match=r"Outside texting hours for \+18085550101.*09:00 and 20:00"
    ):
        initial_message_send(contact=honolulu, sender=cast.sam)

    assert Message.objects.count() == 2


@pytest.mark.django_db
def test_texting_hours_end_at_the_organizations_hour(cast):
    contact = texting(cast)
    # 20:00 in New York: the default window has just closed.
    with (
        time_machine.travel(datetime(2026, 6, 2, 0, 0, tzinfo=UTC), tick=False),
        pytest.raises(SendRefused, match="Outside texting hours"),
    ):
        initial_message_send(contact=contact, sender=cast.sam)
    cast.org.texting_hours_end = time(21, 0)
    cast.org.save(update_fields=["texting_hours_end"])

    with time_machine.travel(datetime(2026, 6, 2, 0, 0, tzinfo=UTC), tick=False):
        assert initial_message_send(contact=contact, sender=cast.sam)


@pytest.mark.django_db
@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_only_the_contacts_sender_texts_them(cast):
    contact = texting(cast)
    Contact.objects.filter(pk=contact.pk).update(assignee=None)

    with pytest.raises(SendRefused, match="not in your assignment"):
        initial_message_send(contact=contact, sender=cast.sam)
    assert not Message.objects.exists()


# --- once, however often it is clicked ------------------------------------------------------
@pytest.mark.django_db
@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_a_double_clicked_send_sends_once(cast, django_capture_on_commit_callbacks):
    contact = texting(cast)

    with django_capture_on_commit_callbacks() as first:
        one = initial_message_send(contact=contact, sender=cast.sam)
    with django_capture_on_commit_callbacks() as second:
        two = initial_message_send(contact=contact, sender=cast.sam)

    assert one.pk == two.pk
    assert Message.objects.count() == 1
    # Only the click that recorded the message enqueued its delivery.
    assert (len(first), len(second)) == (1, 0)


@pytest.mark.django_db(transaction=True)
def test_two_tabs_sending_at_once_send_once(cast):
    contact = texting(cast)
    all_day(cast.org)
    start, results = threading.Barrier(2), []

    def click() -> None:
        start.wait()
        try:
            results.append(initial_message_send(contact=contact, sender=cast.sam).pk)
        finally:
            connection.close()

    tabs = [threading.Thread(target=click) for _ in range(2)]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join()

    assert len(results) == 2
    assert len(set(results)) == 1
    assert Message.objects.count() == 1


@pytest.mark.django_db
@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_a_reply_is_sent_once_per_form_key_and_only_after_the_initial_message(cast):
    contact = texting(cast)
    with pytest.raises(SendRefused, match="initial message first"):
        reply_send(contact=contact, sender=cast.sam, body="Hello?", idempotency_key="f1")
    initial_message_send(contact=contact, sender=cast.sam)

    one = reply_send(contact=contact, sender=cast.sam, body=" Yes! ", idempotency_key="f1")
    again = reply_send(contact=contact, sender=cast.sam, body="Yes!", idempotency_key="f1")
    other = reply_send(contact=contact, sender=cast.sam, body="And?", idempotency_key="f2")

    assert one.pk == again.pk != other.pk
    assert one.body == "Yes!"
    assert Message.objects.count() == 3


# --- opting out from the conversation -------------------------------------------------------
@pytest.mark.django_db
@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_opting_out_confirms_once_and_nobody_in_the_organization_texts_them_again(cast):
    contact = texting(cast)
    initial_message_send(contact=contact, sender=cast.sam)
    same_person = texting(cast)

    contact_opt_out(contact=contact, by=cast.sam)
    contact_opt_out(contact=same_person, by=cast.sam)

    confirmations = Message.objects.filter(body=cast.org.opt_out_message)
    assert confirmations.count() == 1
    assert OptOut.objects.filter(organization=cast.org, phone=contact.phone).count() == 1
    with pytest.raises(SendRefused, match="opted out"):
        initial_message_send(contact=same_person, sender=cast.sam)
    with pytest.raises(SendRefused, match="opted out"):
        reply_send(contact=contact, sender=cast.sam, body="Wait", idempotency_key="f1")


# --- delivery, through a real worker and the status webhook ----------------------------------
def status_of(message: Message) -> str:
    message.refresh_from_db()
    return message.status


@pytest.mark.django_db(transaction=True)
def test_a_sent_message_is_delivered_by_the_worker_and_reported_delivered(cast, celery_worker):
    contact = texting(cast)
    all_day(cast.org)

    message = initial_message_send(contact=contact, sender=cast.sam)

    wait_for(lambda: status_of(message) == MessageStatus.DELIVERED, what="delivered")
    assert message.carrier_message_id.startswith("SIMMSG-")
    assert message.failure_reason == ""


@pytest.mark.django_db(transaction=True)
def test_an_undeliverable_number_is_reported_failed_with_the_carriers_reason(
    cast, celery_worker, settings
):
    settings.SIMULATED_CARRIER_UNDELIVERABLE = ["+12125550101"]
    contact = texting(cast)
    all_day(cast.org)

    message = initial_message_send(contact=contact, sender=cast.sam)

    wait_for(lambda: status_of(message) == MessageStatus.FAILED, what="failed")
    assert message.failure_reason == "Unreachable destination handset (30003)"
    assert message.carrier_message_id


@pytest.fixture
def sent(cast, settings, django_capture_on_commit_callbacks) -> Message:
    """A message the carrier accepted (``sent``); its delivery report not yet in."""
    settings.SIMULATED_CARRIER_UNDELIVERABLE = ["+12125550199"]
    contact = texting(cast)
    all_day(cast.org)
    message = initial_message_send(contact=contact, sender=cast.sam)
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    return message


@pytest.mark.django_db
def test_the_status_webhook_applies_the_carriers_report(cast, sent):
    headers, body = SimulatedCarrier().delivery_report(
        carrier_message_id=sent.carrier_message_id, to_e164="+12125550101"
    )

    response = cast.client("anonymous").post(
        "/hooks/simulated/status/", data=body, content_type="application/json", headers=headers
    )
    again = cast.client("anonymous").post(
        "/hooks/simulated/status/", data=body, content_type="application/json", headers=headers
    )

    assert (response.status_code, again.status_code) == (200, 200)
    assert status_of(sent) == MessageStatus.DELIVERED


@pytest.mark.django_db
def test_the_status_webhook_records_a_failure_and_its_reason(cast, sent):
    headers, body = SimulatedCarrier().delivery_report(
        carrier_message_id=sent.carrier_message_id, to_e164="+12125550199"
    )

    response = cast.client("anonymous").post(
        "/hooks/simulated/status/", data=body, content_type="application/json", headers=headers
    )

    assert response.status_code == 200
    assert status_of(sent) == MessageStatus.FAILED
    assert sent.failure_reason == "Unreachable destination handset (30003)"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "forge",
    [
        lambda body: {**webhook_headers(body), "X-Simulated-Signature": "0" * 64},
        lambda body: webhook_headers(body, at=clock.time() - 301),
        lambda body: {"X-Simulated-Signature": webhook_headers(body)["X-Simulated-Signature"]},
    ],
    ids=["bad-signature", "replayed-after-five-minutes", "no-timestamp"],
)
def test_the_status_webhook_refuses_what_the_carrier_did_not_sign_now(cast, sent, forge):
    _, body = SimulatedCarrier().delivery_report(
        carrier_message_id=sent.carrier_message_id, to_e164="+12125550101"
    )

    response = cast.client("anonymous").post(
        "/hooks/simulated/status/", data=body, content_type="application/json", headers=forge(body)
    )

    assert response.status_code == 403
    assert status_of(sent) == MessageStatus.SENT


@pytest.mark.django_db
def test_the_status_webhook_of_another_carrier_is_not_found(cast, sent):
    headers, body = SimulatedCarrier().delivery_report(
        carrier_message_id=sent.carrier_message_id, to_e164="+12125550101"
    )

    response = cast.client("anonymous").post(
        "/hooks/twilio/status/", data=body, content_type="application/json", headers=headers
    )

    assert response.status_code == 404
    assert status_of(sent) == MessageStatus.SENT


@pytest.mark.django_db
def test_delivering_twice_hands_the_message_to_the_carrier_once(cast, sent):
    carrier_id = sent.carrier_message_id

    assert message_deliver(message_id=sent.pk) == MessageStatus.SENT
    assert status_of(sent) == MessageStatus.SENT
    assert sent.carrier_message_id == carrier_id
