"""Editing a reusable number's defaults, and its derived behaviour on the number's page."""

import pytest
from django.urls import reverse

from inboxes.services import inbox_update
from inboxes.tests.factories import InboxFactory
from offices.models import IdkBehaviour
from phone_numbers.behaviour import reusable_number_behaviour
from phone_numbers.models import (
    INBOX_NAMES_KEPT,
    Kind,
    PhoneNumber,
    ProvisioningStatus,
    ResponseType,
)
from phone_numbers.services import ReusableNumberError, reusable_number_update
from phone_numbers.tests.factories import PhoneNumberFactory, ReusableNumberFactory, campaign_on

pytestmark = pytest.mark.django_db


def edit_url(number) -> str:
    return reverse("phone_numbers:edit", args=[number.pk])


def detail(cast, number, who: str = "alice") -> str:
    url = reverse("phone_numbers:detail", args=[number.pk])
    return cast.client(who).get(url).content.decode()


def test_editing_changes_the_defaults_and_keeps_number_and_kind(cast) -> None:
    number = ReusableNumberFactory.create(office=cast.office_a, e164="+16175550101", name="Old")
    aid_desk = InboxFactory.create(office=cast.office_b, name="Aid desk")

    response = cast.client("alice").post(
        edit_url(number),
        {
            "name": "FAFSA help",
            "description": "Reminders",
            "office": cast.office_b.pk,
            "agent": "Lee Park",
            "inboxes": [aid_desk.pk],
            "response_type": "bot",
            "e164": "+19995550000",
            "kind": "dedicated",
        },
    )

    assert response.status_code == 302
    number.refresh_from_db()
    assert (number.e164, number.kind) == ("+16175550101", Kind.REUSABLE)
    assert (number.name, number.office, number.agent, number.response_type) == (
        "FAFSA help",
        cast.office_b,
        "Lee Park",
        ResponseType.BOT,
    )
    assert list(number.inboxes.all()) == [aid_desk]


def test_the_edit_page_shows_number_and_kind_and_links_from_the_number_page(cast) -> None:
    number = ReusableNumberFactory.create(office=cast.office_a, e164="+16175550101")

    page = cast.client("bob").get(edit_url(number)).content.decode()

    assert '<dd class="e164">(617) 555-0101</dd>' in page
    assert "<dt>Number type</dt><dd>Reusable</dd>" in page
    assert 'name="e164"' not in page
    assert 'name="number_type"' not in page
    assert f'href="{edit_url(number)}"' in detail(cast, number, "bob")


def test_moving_to_an_office_at_its_quota_is_refused_and_staying_is_not(cast) -> None:
    number = ReusableNumberFactory.create(office=cast.office_a)
    cast.office_a.number_quota = 1
    cast.office_a.save()
    cast.office_b.number_quota = 1
    cast.office_b.save()
    ReusableNumberFactory.create(office=cast.office_b)

    moved = cast.client("alice").post(edit_url(number), {"office": cast.office_b.pk})
    stayed = cast.client("alice").post(edit_url(number), {"office": cast.office_a.pk, "name": "X"})

    assert "Financial Aid holds 1 of its 1 reusable numbers" in " ".join(
        moved.context["form"].errors["office"]
    )
    assert stayed.status_code == 302
    number.refresh_from_db()
    assert (number.office, number.name) == (cast.office_a, "X")


def test_the_service_guards_what_the_form_does(cast) -> None:
    number = ReusableNumberFactory.create(office=cast.office_a)
    aid_desk = InboxFactory.create(office=cast.office_b, name="Aid desk")
    defaults = {"name": "", "description": "", "agent": "", "response_type": "agent"}

    with pytest.raises(ReusableNumberError, match="Aid desk is not an inbox of Admissions"):
        reusable_number_update(
            phone_number=number, office=cast.office_a, inboxes=[aid_desk], **defaults
        )
    with pytest.raises(ReusableNumberError, match="not a response type"):
        reusable_number_update(
            phone_number=number,
            office=cast.office_a,
            inboxes=[],
            **{**defaults, "response_type": "idk"},
        )
    dedicated = PhoneNumberFactory.create(organization=cast.org)
    with pytest.raises(ReusableNumberError, match="Only a reusable number"):
        reusable_number_update(phone_number=dedicated, office=cast.office_a, inboxes=[], **defaults)
    number.provisioning_status = ProvisioningStatus.RELEASED
    number.save()
    with pytest.raises(ReusableNumberError, match="released"):
        reusable_number_update(phone_number=number, office=cast.office_a, inboxes=[], **defaults)


def test_a_number_in_use_stays_in_its_office_until_the_campaign_is_archived(cast) -> None:
    number = ReusableNumberFactory.create(office=cast.office_a, name="Front desk")
    campaign = campaign_on(number, name="Fall yield")
    move = {"name": "Front desk", "office": cast.office_b.pk, "response_type": "agent"}

    response = cast.client("alice").post(edit_url(number), move)

    assert response.status_code == 200
    assert "stays in its office until that campaign is archived" in response.content.decode()
    number.refresh_from_db()
    assert number.office == cast.office_a
    campaign.status, campaign.archived_at = "archived", campaign.launched_at
    campaign.save()
    assert cast.client("alice").post(edit_url(number), move).status_code == 302
    number.refresh_from_db()
    assert number.office == cast.office_b


def test_many_long_inbox_names_save_and_show_cut_in_the_list(cast) -> None:
    inboxes = [
        InboxFactory.create(office=cast.office_a, name=f"{n:02d} " + "x" * 110) for n in range(32)
    ]
    number = ReusableNumberFactory.create(office=cast.office_a)
    edit = {"office": cast.office_a.pk, "response_type": "agent"}

    response = cast.client("alice").post(
        edit_url(number), {**edit, "inboxes": [i.pk for i in inboxes]}
    )
    inbox_update(inbox=inboxes[5], office=cast.office_a, name="05 " + "y" * 117, description="")

    assert response.status_code == 302
    kept = PhoneNumber.objects.get(pk=number.pk).inbox_names
    assert len(kept) == INBOX_NAMES_KEPT
    assert kept.startswith("00 xxx")
    assert kept.endswith("…")
    assert kept in cast.client("alice").get("/numbers/", {"o": "-inboxes"}).content.decode()
    export = cast.client("alice").get("/numbers/export.csv").getvalue().decode()
    assert "05 " + "y" * 117 in export
    assert export.count(";") == 31


def test_a_member_cannot_edit_another_offices_number_nor_move_one_there(cast) -> None:
    theirs = ReusableNumberFactory.create(office=cast.office_b)
    mine = ReusableNumberFactory.create(office=cast.office_a)

    assert cast.client("bob").get(edit_url(theirs)).status_code == 404
    response = cast.client("bob").post(edit_url(mine), {"office": cast.office_b.pk})
    assert "Select a valid choice" in " ".join(response.context["form"].errors["office"])
    page = cast.client("bob").get(edit_url(mine)).content.decode()
    assert "Financial Aid" not in page
    assert (
        cast.client("alice")
        .get(edit_url(PhoneNumberFactory.create(organization=cast.org)))
        .status_code
        == 404
    )


def test_bot_backed_takes_the_offices_idk_and_never_agent(cast) -> None:
    cast.office_a.idk_default = IdkBehaviour.AGENT
    cast.office_a.idk_message = "We'll get back to you."
    cast.office_a.save()
    number = ReusableNumberFactory.create(office=cast.office_a, response_type=ResponseType.BOT)

    behaviour = reusable_number_behaviour(phone_number=number)

    assert behaviour.idk is not None
    assert (behaviour.idk.behaviour, behaviour.idk.fell_back) == (IdkBehaviour.REPLY, True)
    assert "which a bot-backed number cannot take" in detail(cast, number)
    cast.office_a.idk_default = IdkBehaviour.SILENT
    cast.office_a.save()
    number.refresh_from_db()
    idk = reusable_number_behaviour(phone_number=number).idk
    assert idk is not None
    assert (idk.behaviour, idk.fell_back) == (IdkBehaviour.SILENT, False)


def test_agent_backed_without_inbox_warns_on_the_numbers_page(cast) -> None:
    lonely = ReusableNumberFactory.create(office=cast.office_a, response_type=ResponseType.AGENT)
    desk = InboxFactory.create(office=cast.office_a, name="Front desk")
    routed = ReusableNumberFactory.create(office=cast.office_a, inboxes=[desk])

    assert "incoming messages to this number will go nowhere" in detail(cast, lonely)
    page = detail(cast, routed)
    assert "go nowhere" not in page
    assert "Default behaviour: Agent-backed → inboxes" in page
    assert "Front desk" in page


def test_the_behaviour_follows_the_active_campaign_and_reverts_when_it_is_archived(cast) -> None:
    desk = InboxFactory.create(office=cast.office_a, name="Front desk")
    number = ReusableNumberFactory.create(office=cast.office_a, inboxes=[desk])
    campaign = campaign_on(number, name="Fall open house")

    now = reusable_number_behaviour(phone_number=number)
    assert (now.follows_campaign, now.campaign_name) == (True, "Fall open house")
    assert "Now: following campaign" in detail(cast, number)

    type(campaign)._default_manager.filter(pk=campaign.pk).update(
        status="archived", archived_at=campaign.launched_at
    )
    after = reusable_number_behaviour(phone_number=number)
    assert (after.follows_campaign, after.response_type, after.inboxes) == (
        False,
        ResponseType.AGENT,
        [desk],
    )
    assert "Default behaviour: Agent-backed → inboxes" in detail(cast, number)


def test_a_failed_or_released_number_frees_its_place_in_the_quota(cast) -> None:
    from phone_numbers.services import office_reusable_count

    for status in ProvisioningStatus:
        ReusableNumberFactory.create(office=cast.office_a, provisioning_status=status)

    # requested, initiated and complete hold a number; failed and released were given back.
    assert office_reusable_count(office=cast.office_a) == 3


def test_an_offices_quota_cannot_go_below_the_numbers_it_holds(cast) -> None:
    ReusableNumberFactory.create_batch(2, office=cast.office_a)
    ReusableNumberFactory.create(
        office=cast.office_a, provisioning_status=ProvisioningStatus.FAILED
    )

    response = cast.client("alice").post(
        reverse("offices:edit", kwargs={"pk": cast.office_a.pk}),
        {"name": "Admissions", "number_quota": 1, "idk_default": IdkBehaviour.REPLY},
    )

    assert response.context["form"].errors["number_quota"] == [
        "This office already holds 2 reusable numbers; the quota cannot be lower."
    ]
    response = cast.client("alice").post(
        reverse("offices:edit", kwargs={"pk": cast.office_a.pk}),
        {"name": "Admissions", "number_quota": 2, "idk_default": IdkBehaviour.REPLY},
    )
    assert response.status_code == 302
