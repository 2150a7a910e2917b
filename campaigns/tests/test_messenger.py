"""The messenger's read of a sender's assignment (the next contact and what waits, in one
hand-written statement held here to the ORM's definitions), its counts that stop at a hundred,
and the Send click's service when the view hands it the campaign it read."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from campaigns.messenger import COUNTED_UP_TO, Counted, messenger_next_contact, messenger_replies
from campaigns.models import Campaign, Contact, OptOut
from campaigns.selectors import contacts_to_text
from campaigns.sending import SendRefused, initial_message_send_assigned
from campaigns.tests.factories import CampaignFactory, CampaignSenderFactory, ContactFactory
from inboxes.messages import conversation_start
from inboxes.models import Message

pytestmark = pytest.mark.django_db

NOON_IN_NEW_YORK = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true"}


@pytest.fixture
def campaign(cast) -> Campaign:
    campaign = CampaignFactory.create(
        organization=cast.org, office=cast.office_a, active=True, initial_message="Hi {first_name}"
    )
    CampaignSenderFactory.create(campaign=campaign, user=cast.sam)
    return campaign


def assigned(campaign: Campaign, user, n: int) -> list[Contact]:
    return Contact.objects.bulk_create(
        Contact(campaign=campaign, assignee=user, phone=f"+1212555{i:04d}") for i in range(n)
    )


def test_the_read_agrees_with_contacts_to_text_and_the_replies_waiting(cast, campaign):
    now = timezone.now()
    mine = {"campaign": campaign, "assignee": cast.sam}
    ContactFactory.create(campaign=campaign, assignee=cast.alice)  # another sender's
    ContactFactory.create(campaign=CampaignFactory.create(organization=cast.org), assignee=cast.sam)
    ContactFactory.create(campaign=campaign)  # Unassigned
    ContactFactory.create(**mine, texted_at=now)
    opted_out = ContactFactory.create(**mine)
    OptOut.objects.create(organization=cast.org, phone=opted_out.phone)
    next_one = ContactFactory.create(**mine, fields={"school": "Hill"})
    OptOut.objects.create(organization=cast.other_org, phone=next_one.phone)  # not ours: counts
    ContactFactory.create(**mine, last_reply_at=now)  # wrote before we texted: both
    ContactFactory.create(**mine, texted_at=now, last_reply_at=now - timedelta(minutes=1))
    ContactFactory.create(**mine, texted_at=now - timedelta(minutes=1), last_reply_at=now)

    read = messenger_next_contact(campaign=campaign, user=cast.sam)

    to_text = contacts_to_text(campaign=campaign, sender=cast.sam)
    replies = messenger_replies(campaign=campaign, user=cast.sam)
    assert read.contact == to_text.order_by("id").first() == next_one
    assert read.initial_messages == Counted(to_text.count()) == Counted(2)
    assert read.replies == Counted(replies.count()) == Counted(2)
    assert read.contact is not None
    assert read.contact.fields == {"school": "Hill"}
    assert read.contact.campaign is campaign


def test_with_nothing_left_to_send_the_read_still_counts_the_replies(cast, campaign):
    now = timezone.now()
    ContactFactory.create(campaign=campaign, assignee=cast.sam, texted_at=now)
    ContactFactory.create(
        campaign=campaign,
        assignee=cast.sam,
        texted_at=now - timedelta(minutes=1),
        last_reply_at=now,
    )

    read = messenger_next_contact(campaign=campaign, user=cast.sam)

    assert read.contact is None
    assert (read.initial_messages, read.replies) == (Counted(0), Counted(1))


@pytest.mark.parametrize(("n", "shown"), [(COUNTED_UP_TO, "100"), (COUNTED_UP_TO + 40, "100+")])
def test_what_waits_is_counted_up_to_a_hundred(cast, campaign, n, shown):
    assigned(campaign, cast.sam, n)
    Contact.objects.filter(campaign=campaign).update(last_reply_at=timezone.now())

    read = messenger_next_contact(campaign=campaign, user=cast.sam)

    assert read.initial_messages.read == read.replies.read == min(n, COUNTED_UP_TO + 1)
    assert str(read.initial_messages) == str(read.replies) == shown


@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
@pytest.mark.parametrize("size", [3, 250])
def test_a_send_click_runs_the_same_statements_however_large_the_assignment(
    cast, campaign, size, django_assert_max_num_queries
):
    first, second, *_ = assigned(campaign, cast.sam, size)
    client = cast.client("sam")
    client.get(reverse("messenger:assignment", kwargs={"pk": campaign.pk}))

    # 3 for the session, the user and the membership; 1 the campaign; 6 to lock the contact,
    # start the conversation with the message's time, record the message and mark the contact
    # texted (in the test's savepoint); 1 the next contact with what waits.
    with django_assert_max_num_queries(11):
        response = client.post(
            reverse("messenger:send", kwargs={"pk": campaign.pk}),
            {"contact": first.pk},
            headers=HTMX,
        )

    body = response.content.decode()
    left = str(Counted(min(size - 1, COUNTED_UP_TO + 1)))
    assert f'name="contact" value="{second.pk}"' in body
    assert f'<span data-testid="left">{left}</span> initial messages left to send' in body
    message = Message.objects.select_related("conversation").get()
    first.refresh_from_db()
    assert message.idempotency_key == f"initial:{first.pk}"
    assert message.conversation_id == first.conversation_id
    assert message.conversation.last_message_at == message.created_at == first.texted_at


@pytest.mark.parametrize(
    ("self_assign", "texted", "heading", "says"),
    [
        (False, False, "No contacts assigned to you yet", "assigns to you on the campaign"),
        (True, False, "No contacts assigned to you yet", "Get more"),
        (False, True, "Nothing left to send", "has had their initial message"),
        (True, True, "Nothing left to send", "Get more"),
    ],
)
def test_with_nobody_to_text_the_sender_is_told_whether_anything_was_assigned(
    cast, campaign, self_assign, texted, heading, says
):
    Campaign.objects.filter(pk=campaign.pk).update(self_assign=self_assign)
    ContactFactory.create(campaign=campaign)  # Unassigned
    ContactFactory.create(campaign=campaign, assignee=cast.alice)  # another sender's
    if texted:
        ContactFactory.create(campaign=campaign, assignee=cast.sam, texted_at=timezone.now())

    page = cast.client("sam").get(reverse("messenger:assignment", kwargs={"pk": campaign.pk}))

    body = page.content.decode()
    assert f"<h2>{heading}</h2>" in body
    assert says in body


def test_one_reply_and_one_message_left_are_said_in_the_singular(cast, campaign):
    now = timezone.now()
    ContactFactory.create(campaign=campaign, assignee=cast.sam)
    ContactFactory.create(
        campaign=campaign,
        assignee=cast.sam,
        texted_at=now - timedelta(minutes=1),
        last_reply_at=now,
    )
    ContactFactory.create(campaign=campaign, assignee=cast.sam, texted_at=now)

    page = cast.client("sam").get(reverse("messenger:assignment", kwargs={"pk": campaign.pk}))

    body = page.content.decode()
    assert '<span data-testid="left">1</span> initial message left to send' in body
    assert "1 reply waiting" in body


# --- the service, with the campaign the view read ------------------------------------------
@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_the_send_joins_the_conversation_a_contact_started_before_we_texted(cast, campaign):
    contact = ContactFactory.create(campaign=campaign, assignee=cast.sam, phone="+12125550101")
    assert campaign.phone_number is not None
    contact.conversation = conversation_start(
        organization=cast.org,
        number_e164=campaign.phone_number.e164,
        contact_e164=contact.phone,
        last_message_at=NOON_IN_NEW_YORK - timedelta(hours=1),
    )
    contact.save(update_fields=["conversation"])

    message = initial_message_send_assigned(
        campaign=campaign, sender=cast.sam, contact_pk=contact.pk
    )

    contact.refresh_from_db()
    assert contact.conversation is not None
    assert message.conversation_id == contact.conversation_id
    assert contact.texted_at == message.created_at == contact.conversation.last_message_at


@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_the_send_reads_the_opt_out_with_the_lock_and_refuses(cast, campaign):
    contact = ContactFactory.create(campaign=campaign, assignee=cast.sam, phone="+12125550101")
    OptOut.objects.create(organization=cast.org, phone=contact.phone)

    with pytest.raises(SendRefused, match="opted out"):
        initial_message_send_assigned(campaign=campaign, sender=cast.sam, contact_pk=contact.pk)

    assert not Message.objects.exists()


@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_the_send_finds_only_the_senders_contacts_of_that_campaign(cast, campaign):
    elsewhere = CampaignFactory.create(organization=cast.org, active=True)
    theirs = ContactFactory.create(campaign=elsewhere, assignee=cast.sam)

    with pytest.raises(Contact.DoesNotExist):
        initial_message_send_assigned(campaign=campaign, sender=cast.sam, contact_pk=theirs.pk)

    assert not Message.objects.exists()


@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_a_double_click_sends_once_and_enqueues_once(
    cast, campaign, django_capture_on_commit_callbacks
):
    contact = ContactFactory.create(campaign=campaign, assignee=cast.sam, phone="+12125550101")

    with django_capture_on_commit_callbacks() as first:
        one = initial_message_send_assigned(
            campaign=campaign, sender=cast.sam, contact_pk=contact.pk
        )
    with django_capture_on_commit_callbacks() as second:
        two = initial_message_send_assigned(
            campaign=campaign, sender=cast.sam, contact_pk=contact.pk
        )

    assert one.pk == two.pk
    assert (len(first), len(second)) == (1, 0)


@pytest.mark.django_db(transaction=True)
def test_two_tabs_clicking_send_at_once_send_once(cast, campaign):
    """The statement that finds the contact locks it: the second click waits for the first to
    commit, then finds the contact texted and answers with the first click's message."""
    contact = ContactFactory.create(campaign=campaign, assignee=cast.sam, phone="+12125550101")
    cast.org.texting_hours_start, cast.org.texting_hours_end = "00:00", "23:59:59.999999"
    cast.org.save(update_fields=["texting_hours_start", "texting_hours_end"])
    campaign = Campaign.objects.select_related("organization", "phone_number").get(pk=campaign.pk)
    start, results = threading.Barrier(2), []

    def click() -> None:
        start.wait()
        try:
            message = initial_message_send_assigned(
                campaign=campaign, sender=cast.sam, contact_pk=contact.pk
            )
            results.append(message.pk)
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
