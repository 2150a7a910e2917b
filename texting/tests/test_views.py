"""The pages agents and admins work in: inboxes and their tabs, a conversation (reply, close,
reopen, assign), 1:1 texting and its gates, the bot's answers, the opt-outs page, and the
campaign form's IDK choice. Office scoping of each page is in tests/tenant_urls.py."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import Campaign, CampaignIdk, OptOut, OptOutRemoval, OptOutSource
from campaigns.tests.factories import OptOutFactory, PhoneNumberFactory
from inboxes.models import (
    BotAnswer,
    Conversation,
    ConversationStatus,
    IdkReview,
    InboundMessage,
    Message,
    Origin,
)
from inboxes.tests.factories import BotAnswerFactory, InboxFactory
from offices.models import Role
from offices.tests.factories import MembershipFactory
from phone_numbers.models import ProvisioningStatus
from texting.tests.helpers import CONTACT, NOON_IN_NEW_YORK


@pytest.fixture(autouse=True)
def _noon_in_new_york(time_machine):
    time_machine.move_to(NOON_IN_NEW_YORK, tick=False)


def conversation_in(inbox, **kwargs) -> Conversation:
    number = PhoneNumberFactory.create(
        organization=inbox.organization, reusable=True, office=inbox.office
    )
    defaults = {
        "organization": inbox.organization,
        "number_e164": number.e164,
        "contact_e164": CONTACT,
        "inbox": inbox,
        "status": ConversationStatus.NEEDS_ATTENTION,
        "last_inbound_at": NOON_IN_NEW_YORK,
        "last_message_at": NOON_IN_NEW_YORK,
    }
    conversation = Conversation.objects.create(**{**defaults, **kwargs})
    Message.objects.create(
        organization=inbox.organization,
        conversation=conversation,
        direction="in",
        body="Can someone help me?",
        status="received",
        idempotency_key=f"test-in:{conversation.pk}",
    )
    return conversation


# --- inboxes ----------------------------------------------------------------------------------
def test_inboxes_list_what_the_person_may_see_with_unread_counts(cast):
    mine = InboxFactory.create(office=cast.office_a, name="Front desk")
    theirs = InboxFactory.create(office=cast.office_b, name="Aid desk")
    conversation_in(mine)
    conversation_in(mine, read_at=NOON_IN_NEW_YORK)  # read since
    conversation_in(theirs)

    bob = cast.client("bob").get(reverse("inboxes:list"))
    alice = cast.client("alice").get(reverse("inboxes:list"))

    assert [(i.name, i.unread, i.needs_attention) for i in bob.context["inboxes"]] == [
        ("Front desk", 1, 2)
    ]
    assert {i.name for i in alice.context["inboxes"]} == {"Front desk", "Aid desk"}


def test_an_inbox_shows_one_tab_per_status(cast):
    inbox = InboxFactory.create(office=cast.office_a)
    waiting = conversation_in(inbox)
    conversation_in(inbox, status=ConversationStatus.CLOSED, contact_e164="+12125550999")
    url = reverse("inboxes:detail", kwargs={"pk": inbox.pk})

    needs = cast.client("bob").get(url)
    closed = cast.client("bob").get(url, {"tab": "closed"})

    assert list(needs.context["conversations"]) == [waiting]
    assert [c.contact_e164 for c in closed.context["conversations"]] == ["+12125550999"]
    assert [count for _, _, count in needs.context["tabs"]] == [1, 0, 1]


# --- a conversation ---------------------------------------------------------------------------
def test_opening_a_conversation_shows_the_thread_and_marks_it_read(cast):
    inbox = InboxFactory.create(office=cast.office_a)
    conversation = conversation_in(inbox)

    response = cast.client("bob").get(
        reverse("texting:conversation", kwargs={"pk": conversation.pk})
    )
    thread = cast.client("bob").get(reverse("texting:thread", kwargs={"pk": conversation.pk}))

    assert "Can someone help me?" in response.content.decode()
    assert 'hx-trigger="every 5s"' in response.content.decode()
    assert "Can someone help me?" in thread.content.decode()
    conversation.refresh_from_db()
    assert conversation.read_at == NOON_IN_NEW_YORK


def test_an_agent_reply_is_queued_and_the_conversation_is_open(cast):
    inbox = InboxFactory.create(office=cast.office_a)
    conversation = conversation_in(inbox)
    url = reverse("texting:reply", kwargs={"pk": conversation.pk})

    for _ in range(2):  # a double click sends once
        response = cast.client("bob").post(url, {"body": "Sure, what's up?", "key": "k1"})

    assert response.status_code == 302
    reply = Message.objects.get(direction="out")
    assert (reply.body, reply.origin, reply.sent_by, reply.status) == (
        "Sure, what's up?",
        Origin.AGENT,
        cast.bob,
        "queued",
    )
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.OPEN


def test_a_reply_to_an_opted_out_contact_is_refused_beside_the_field(cast):
    inbox = InboxFactory.create(office=cast.office_a)
    conversation = conversation_in(inbox)
    OptOutFactory.create(organization=cast.org, phone=CONTACT)

    response = cast.client("bob").post(
        reverse("texting:reply", kwargs={"pk": conversation.pk}), {"body": "Hi", "key": "k2"}
    )

    assert response.status_code == 400
    assert "opted out" in str(response.context["form"].errors["body"])
    assert not Message.objects.filter(direction="out").exists()


def test_close_and_reopen(cast):
    conversation = conversation_in(InboxFactory.create(office=cast.office_a))
    client = cast.client("bob")

    client.post(reverse("texting:conversation_status", args=[conversation.pk, "close"]))
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.CLOSED
    client.post(reverse("texting:conversation_status", args=[conversation.pk, "reopen"]))
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.OPEN


def test_a_conversation_is_assigned_only_to_a_person_of_the_office(cast):
    conversation = conversation_in(InboxFactory.create(office=cast.office_a))
    stranger = MembershipFactory.create(organization=cast.org, role=Role.MEMBER)
    stranger.offices.add(cast.office_b)
    url = reverse("texting:assign", kwargs={"pk": conversation.pk})

    cast.client("alice").post(url, {"assignee": stranger.user.pk})
    conversation.refresh_from_db()
    assert conversation.assignee is None
    cast.client("alice").post(url, {"assignee": cast.bob.pk})
    conversation.refresh_from_db()
    assert conversation.assignee == cast.bob


# --- 1:1 texting ------------------------------------------------------------------------------
def direct(cast, inbox, number, *, phone="(212) 555-0123", key="d1"):
    return cast.client("bob").post(
        reverse("texting:direct_new", kwargs={"pk": inbox.pk}),
        {"number": number.pk, "phone": phone, "body": "Hi, this is Admissions.", "key": key},
    )


def test_a_one_to_one_text_starts_a_conversation_in_the_inbox(cast):
    inbox = InboxFactory.create(office=cast.office_a)
    number = PhoneNumberFactory.create(organization=cast.org, reusable=True, office=cast.office_a)

    response = direct(cast, inbox, number)

    conversation = Conversation.objects.get(inbox=inbox)
    assert response["Location"] == reverse("texting:conversation", kwargs={"pk": conversation.pk})
    assert (conversation.number_e164, conversation.contact_e164) == (number.e164, CONTACT)
    message = conversation.messages.get()
    assert (message.origin, message.status) == (Origin.AGENT, "queued")


@pytest.mark.parametrize(
    ("office", "status"),
    [
        pytest.param("office_b", ProvisioningStatus.COMPLETE, id="another office's number"),
        pytest.param("office_a", ProvisioningStatus.INITIATED, id="number still provisioning"),
    ],
)
def test_one_to_one_numbers_are_the_offices_provisioned_reusable_ones(cast, office, status):
    inbox = InboxFactory.create(office=cast.office_a)
    number = PhoneNumberFactory.create(
        organization=cast.org,
        reusable=True,
        office=getattr(cast, office),
        provisioning_status=status,
    )

    response = direct(cast, inbox, number)

    assert response.status_code == 200
    assert "number" in response.context["form"].errors
    assert not Conversation.objects.exists()


def test_one_to_one_refuses_an_opted_out_contact_and_saves_nothing(cast):
    inbox = InboxFactory.create(office=cast.office_a)
    number = PhoneNumberFactory.create(organization=cast.org, reusable=True, office=cast.office_a)
    OptOutFactory.create(organization=cast.org, phone=CONTACT)

    response = direct(cast, inbox, number)

    assert "opted out" in str(response.context["form"].non_field_errors())
    assert not Conversation.objects.exists()


def test_one_to_one_refuses_outside_texting_hours(cast, time_machine):
    time_machine.move_to("2026-06-01T03:00:00Z", tick=False)  # 23:00 in New York
    inbox = InboxFactory.create(office=cast.office_a)
    number = PhoneNumberFactory.create(organization=cast.org, reusable=True, office=cast.office_a)

    response = direct(cast, inbox, number)

    assert "Outside texting hours" in str(response.context["form"].non_field_errors())
    assert not Conversation.objects.exists()


def test_one_to_one_says_when_the_phone_is_not_a_number(cast):
    inbox = InboxFactory.create(office=cast.office_a)
    number = PhoneNumberFactory.create(organization=cast.org, reusable=True, office=cast.office_a)

    response = direct(cast, inbox, number, phone="call me")

    assert "is not a North American phone number" in str(response.context["form"].errors["phone"])


# --- the bot ----------------------------------------------------------------------------------
def test_an_office_member_adds_edits_and_deletes_bot_answers(cast):
    client = cast.client("bob")
    url = reverse("texting:bot", kwargs={"pk": cast.office_a.pk})

    client.post(url, {"phrases": " deadline \n\nFAFSA deadline", "answer": "June 30."})
    answer = BotAnswer.objects.get(office=cast.office_a)
    assert answer.phrase_list == ["deadline", "FAFSA deadline"]
    edit = reverse("texting:bot_answer", kwargs={"pk": cast.office_a.pk, "answer_pk": answer.pk})
    client.post(edit, {"phrases": "deadline", "answer": "July 1.", "action": "save"})
    answer.refresh_from_db()
    assert answer.answer == "July 1."
    client.post(edit, {"action": "delete"})
    assert not BotAnswer.objects.exists()


def test_a_bot_answer_needs_a_phrase(cast):
    response = cast.client("bob").post(
        reverse("texting:bot", kwargs={"pk": cast.office_a.pk}), {"phrases": "  ", "answer": "x"}
    )

    assert response.status_code == 400
    assert "phrases" in response.context["form"].errors
    assert not BotAnswer.objects.exists()


def test_another_offices_answer_cannot_be_edited_through_this_office(cast):
    theirs = BotAnswerFactory.create(office=cast.office_b)

    response = cast.client("alice").get(
        reverse("texting:bot_answer", kwargs={"pk": cast.office_a.pk, "answer_pk": theirs.pk})
    )

    assert response.status_code == 404


def test_the_idk_review_inbox_is_one_of_the_offices(cast):
    mine = InboxFactory.create(office=cast.office_a)
    theirs = InboxFactory.create(office=cast.office_b)
    url = reverse("texting:bot_review", kwargs={"pk": cast.office_a.pk})

    cast.client("bob").post(url, {"inbox": theirs.pk})
    assert not IdkReview.objects.exists()
    cast.client("bob").post(url, {"inbox": mine.pk})
    assert IdkReview.objects.get(office=cast.office_a).inbox == mine


# --- opt-outs ---------------------------------------------------------------------------------
def test_an_admin_opts_a_number_out_by_hand_and_removes_it_with_a_reason(cast):
    client = cast.client("alice")

    client.post(reverse("texting:opt_outs"), {"phone": "212-555-0123", "reason": "Asked by phone"})
    again = client.post(reverse("texting:opt_outs"), {"phone": CONTACT, "reason": "Twice"})

    opt_out = OptOut.objects.get()
    assert (opt_out.phone, opt_out.source, opt_out.reason, opt_out.created_by) == (
        CONTACT,
        OptOutSource.MANUAL,
        "Asked by phone",
        cast.alice,
    )
    assert "opted out already" in str(again.context["form"].errors["phone"])
    client.post(reverse("texting:opt_out_remove", kwargs={"pk": opt_out.pk}), {"reason": "Error"})
    assert not OptOut.objects.exists()
    removal = OptOutRemoval.objects.get()
    assert (removal.phone, removal.reason, removal.removed_by) == (CONTACT, "Error", cast.alice)


def test_a_removal_needs_a_reason(cast):
    opt_out = OptOutFactory.create(organization=cast.org)

    response = cast.client("alice").post(
        reverse("texting:opt_out_remove", kwargs={"pk": opt_out.pk}), {"reason": ""}
    )

    assert "reason" in response.context["form"].errors
    assert OptOut.objects.filter(pk=opt_out.pk).exists()


def test_opt_outs_are_searched_by_number(cast):
    OptOutFactory.create(organization=cast.org, phone="+19175550001")
    OptOutFactory.create(organization=cast.org, phone="+12125550002")

    response = cast.client("alice").get(reverse("texting:opt_outs"), {"q": "(917) 555"})

    assert [o.phone for o in response.context["opt_outs"]] == ["+19175550001"]


def test_importing_opt_outs_previews_then_confirms(cast):
    OptOutFactory.create(organization=cast.org, phone="+12125550100")
    data = b"name,phone\nAda,(212) 555-0100\nBo,212 555 0101\nCy,not a number\nBo,2125550101\n"
    client = cast.client("alice")

    preview = client.post(
        reverse("texting:opt_outs_import"), {"file": SimpleUploadedFile("o.csv", data)}
    )

    report = preview.context["report"]
    assert (report.phones, report.already) == (["+12125550101"], 1)
    assert report.problems == ["Line 4: “not a number” is not a phone number."]
    assert OptOut.objects.count() == 1
    client.post(reverse("texting:opt_outs_import"), {"token": preview.context["token"]})
    assert OptOut.objects.get(phone="+12125550101").source == OptOutSource.IMPORT


def test_a_forged_import_preview_is_refused(cast):
    response = cast.client("alice").post(
        reverse("texting:opt_outs_import"), {"token": "forged"}, follow=True
    )

    assert "upload the file again" in response.content.decode()
    assert not OptOut.objects.exists()


def test_opt_outs_export_as_csv(cast):
    OptOutFactory.create(organization=cast.org, phone="+12125550100", reason="=cmd()")

    response = cast.client("alice").get(reverse("texting:opt_outs_export"))

    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "phone,opted_out_at,how,reason"
    assert lines[1].startswith("+12125550100,2026-06-01T16:00:00+00:00,sender,")
    assert "'=cmd()" in lines[1]


# --- campaigns --------------------------------------------------------------------------------
def test_the_campaign_form_keeps_the_bot_idk_choice(cast):
    number = PhoneNumberFactory.create(organization=cast.org)
    cast.client("alice").post(
        reverse("campaigns:create"),
        {
            "name": "Aid reminders",
            "office": cast.office_a.pk,
            "number_choice": "dedicated",
            "dedicated_number": number.pk,
            "idk": "default",
        },
    )

    assert Campaign.objects.get(name="Aid reminders").idk == CampaignIdk.DEFAULT


def test_an_admin_sees_a_campaigns_replies_on_its_page(cast, client):
    from campaigns.tests.factories import CampaignFactory, ContactFactory
    from texting.routing import inbound_route
    from texting.tests.helpers import deliver

    campaign = CampaignFactory.create(organization=cast.org, office=cast.office_a, active=True)
    ContactFactory.create(campaign=campaign, phone=CONTACT, first_name="Ada")
    assert campaign.phone_number is not None
    deliver(client, to=str(campaign.phone_number.e164), body="Who is this?")
    inbound_route(inbound_id=InboundMessage.objects.get().pk)

    response = cast.client("alice").get(reverse("campaigns:detail", kwargs={"pk": campaign.pk}))

    conversation = Conversation.objects.get()
    assert [c.phone for c in response.context["replies"]] == [CONTACT]
    assert (
        reverse("texting:conversation", kwargs={"pk": conversation.pk}) in response.content.decode()
    )
