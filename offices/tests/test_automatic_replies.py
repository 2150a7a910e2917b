"""The organization's automatic replies (the opt-out confirmation and the help text): edited by
its admins on Organization settings, kept to two SMS segments, and used by the routing."""

import pytest
from django.urls import reverse

from offices.services import OfficeError, organization_update
from offices.sms import sms_length

pytestmark = pytest.mark.django_db

HELP = "Acme College admissions. Call 555-0100. Reply STOP to opt out."


def post(client, **texts):
    data = {"name": "Acme College", "time_zone": "America/New_York"}
    data |= {"opt_out_message": "You are unsubscribed.", "help_message": HELP} | texts
    return client.post(reverse("offices:settings"), data)


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("€" * 80, "GSM-7", 160, 1),  # an extension character counts twice
        ("a" * 307, "GSM-7", 307, 3),
        ("“Hi”" + "a" * 66, "UCS-2", 70, 1),
        ("😀" * 35, "UCS-2", 70, 1),  # an emoji is two UTF-16 units
        ("\u2019" * 135, "UCS-2", 135, 3),  # a curly apostrophe
    ],
)
def test_the_length_of_a_text_in_sms_segments(text, encoding, units, segments) -> None:
    length = sms_length(text)

    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)


def test_an_admin_edits_the_automatic_replies(cast) -> None:
    client = cast.client("alice")
    page = client.get(reverse("offices:settings")).content.decode()
    assert cast.org.help_message in page
    assert "of 306 characters (GSM-7): 1 SMS segment." in page

    response = post(client, help_message=f"  {HELP}\r\n", opt_out_message="Bye now.")

    assert response["Location"] == reverse("offices:settings")
    cast.org.refresh_from_db()
    assert (cast.org.help_message, cast.org.opt_out_message) == (HELP, "Bye now.")


@pytest.mark.parametrize(
    ("field", "text", "error"),
    [
        ("help_message", "   ", "Enter the text; a contact must get an answer."),
        ("opt_out_message", "", "Enter the text; a contact must get an answer."),
        (
            "help_message",
            "x" * 307,
            "This text takes 3 SMS segments (307 GSM-7 characters); keep it to 2: "
            "at most 306 characters in GSM-7.",
        ),
        (
            "opt_out_message",
            "😀" + "x" * 140,
            "This text takes 3 SMS segments (142 UCS-2 characters); keep it to 2: at most 134 "
            "characters in UCS-2. Characters like emoji or curly quotes switch the whole text "
            "to UCS-2.",
        ),
    ],
)
def test_an_empty_or_too_long_reply_is_refused_beside_its_field(cast, field, text, error) -> None:
    before = (cast.org.opt_out_message, cast.org.help_message)

    response = post(cast.client("alice"), **{field: text})

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [error]
    assert f'id="id_{field}_errors"' in response.content.decode()
    cast.org.refresh_from_db()
    assert (cast.org.opt_out_message, cast.org.help_message) == before


def test_the_service_refuses_a_reply_too_long_itself(cast) -> None:
    with pytest.raises(OfficeError, match="Help text: This text takes 3 SMS segments"):
        organization_update(
            organization=cast.org, name="Acme", time_zone="UTC", help_message="x" * 400
        )

    cast.org.refresh_from_db()
    assert cast.org.name == "Acme College"


@pytest.mark.parametrize("who", ["bob", "sam"])
def test_only_admins_edit_the_replies(cast, who: str) -> None:
    before = cast.org.help_message

    assert post(cast.client(who), help_message="Changed").status_code == 403

    cast.org.refresh_from_db()
    assert cast.org.help_message == before


def test_an_admin_edits_only_their_own_organizations_replies(cast) -> None:
    post(cast.client("charlie"), help_message="Other help")

    cast.org.refresh_from_db()
    cast.other_org.refresh_from_db()
    assert (cast.org.help_message, cast.other_org.help_message) == (
        "Reply STOP to unsubscribe. For help, contact us through our website.",
        "Other help",
    )


def test_help_is_answered_with_the_text_saved_on_the_page(cast, client, time_machine) -> None:
    from campaigns.tests.factories import PhoneNumberFactory
    from inboxes.models import InboundMessage, Route
    from texting.routing import inbound_route
    from texting.tests.helpers import NOON_IN_NEW_YORK, deliver

    time_machine.move_to(NOON_IN_NEW_YORK, tick=False)
    number = PhoneNumberFactory.create(organization=cast.org, reusable=True, office=cast.office_a)
    post(cast.client("alice"), help_message=HELP)

    deliver(client, to=number.e164 or "", body="help")
    inbound = inbound_route(inbound_id=InboundMessage.objects.get().pk)

    assert inbound.route == Route.HELP
    assert inbound.conversation is not None
    assert list(
        inbound.conversation.messages.filter(direction="out").values_list("body", flat=True)
    ) == [HELP]
