"""Every page, as the admin, the office member and the sender, at a laptop's width and a
phone's: it never scrolls sideways and axe-core finds no serious or critical violation; on a
phone the top bar folds behind Menu, which opens to show the person and Sign out."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from campaigns.tests.factories import (
    CampaignFactory,
    CampaignSenderFactory,
    ContactFactory,
    OptOutFactory,
)
from inboxes.models import Conversation, ConversationStatus, Message
from inboxes.tests.factories import BotAnswerFactory, InboxFactory
from phone_numbers.models import ProvisioningStatus
from phone_numbers.tests.factories import PhoneNumberFactory, ReusableNumberFactory, campaign_on
from tests.browser import PHONE, check_page, sideways_overflow, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def screens(cast) -> dict[str, list[str]]:
    """A little of everything a page can show, and the pages each role visits."""
    org, admissions = cast.org, cast.office_a
    inbox = InboxFactory.create(office=admissions, name="Admissions front desk")
    visits = ReusableNumberFactory.create(
        office=admissions,
        e164="+14152064322",
        name="Campus visits line",
        description="Tour day questions and directions for visitors",
        agent="Dana Diaz",
    )
    failed = ReusableNumberFactory.create(
        office=admissions,
        e164=None,
        name="Open house line",
        provisioning_status=ProvisioningStatus.FAILED,
        failure_reason="The carriers rejected every number.",
        attempts=5,
    )
    in_flight = PhoneNumberFactory.create(
        organization=org, provisioning_status=ProvisioningStatus.INITIATED
    )
    active = campaign_on(visits, name="Spring open house")
    CampaignSenderFactory.create(campaign=active, user=cast.sam)
    ContactFactory.create_batch(3, campaign=active)
    draft = CampaignFactory.create(organization=org, office=admissions, name="Fall visit day")
    CampaignSenderFactory.create(campaign=draft, user=cast.sam)
    CampaignFactory.create(organization=org, office=admissions, archived=True, name="Winter")
    visits.inboxes.set([inbox])
    talk = conversation(org, visits.e164, "+12125550123", inbox=inbox)
    conversation(org, visits.e164, "+12125550124", inbox=inbox, status=ConversationStatus.OPEN)
    conversation(org, visits.e164, "+12125550125", inbox=inbox, status=ConversationStatus.CLOSED)
    conversation(org, visits.e164, "+12125550126", inbox=None)
    BotAnswerFactory.create(office=admissions)
    opt_out = OptOutFactory.create(organization=org, phone="+12125550127", reason="Asked twice")

    campaigns = ["/campaigns/", "/campaigns/drafts/", "/campaigns/archived/", "/messenger/"]
    staff = [
        "/numbers/",
        "/numbers/new/",
        f"/numbers/{visits.pk}/",
        f"/numbers/{failed.pk}/",
        f"/numbers/{in_flight.pk}/",
        f"/numbers/{visits.pk}/edit/",
        "/offices/",
        f"/offices/{admissions.pk}/",
        "/inboxes/",
        f"/inboxes/{inbox.pk}/",
        f"/inboxes/{inbox.pk}/?tab=open",
        f"/inboxes/{inbox.pk}/?tab=closed",
        f"/inboxes/conversations/{talk.pk}/",
        f"/inboxes/{inbox.pk}/new/",
        f"/offices/{admissions.pk}/bot/",
    ]
    admin_only = [
        "/campaigns/new/",
        f"/campaigns/{draft.pk}/",
        f"/campaigns/{draft.pk}/edit/",
        f"/campaigns/{active.pk}/contacts/",
        f"/campaigns/{active.pk}/follow-up/",
        f"/campaigns/{draft.pk}/clone/",
        f"/campaigns/{active.pk}/archive/",
        f"/campaigns/{draft.pk}/launch/",
        "/offices/new/",
        f"/offices/{admissions.pk}/edit/",
        "/offices/members/",
        "/offices/members/invite/",
        "/inboxes/new/",
        f"/inboxes/{inbox.pk}/edit/",
        "/inboxes/elsewhere/",
        "/offices/settings/",
        "/opt-outs/",
        "/opt-outs/?q=555",
        f"/opt-outs/{opt_out.pk}/remove/",
        "/opt-outs/import/",
    ]
    return {
        "alice": [*campaigns, f"/campaigns/{active.pk}/", *staff, *admin_only],
        "bob": [*campaigns, f"/campaigns/{active.pk}/", *staff],
        "sam": [*campaigns, f"/campaigns/{active.pk}/", f"/campaigns/{draft.pk}/"],
    }


def conversation(org, ours: str | None, contact: str, **fields) -> Conversation:
    """A conversation with a text each way, the contact's unanswered."""
    assert ours is not None
    talk = Conversation.objects.create(
        organization=org,
        number_e164=ours,
        contact_e164=contact,
        status=fields.pop("status", ConversationStatus.NEEDS_ATTENTION),
        last_inbound_at=timezone.now(),
        last_message_at=timezone.now(),
        **fields,
    )
    for n, (direction, body) in enumerate(
        [("out", "Hi, this is Admissions at Acme."), ("in", "Can someone call me about it?")]
    ):
        Message.objects.create(
            organization=org,
            conversation=talk,
            direction=direction,
            body=body,
            status="delivered" if direction == "out" else "received",
            idempotency_key=f"screens:{talk.pk}:{n}",
        )
    return talk


@pytest.mark.parametrize("who", ["alice", "bob", "sam"])
def test_every_page_fits_a_phone_and_passes_axe(live_server, page: Page, screens, who) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    check_page(page)
    sign_in(page, live_server.url, f"{who}@acme.test", "correct-horse-battery")
    for path in screens[who]:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None, path
        assert response.status == 200, path
        check_page(page)


def test_the_opt_out_import_preview_fits_a_phone_and_passes_axe(
    live_server, page: Page, cast, tmp_path
) -> None:
    upload = tmp_path / "opt-outs.csv"
    upload.write_text("phone\n(212) 555-0150\n+12125550151\nnot a number\n")
    sign_in(page, live_server.url, "alice@acme.test", "correct-horse-battery")
    page.goto(f"{live_server.url}/opt-outs/import/")
    page.get_by_label("File").set_input_files(str(upload))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    expect(page.get_by_role("button", name="Opt out 2 numbers")).to_be_visible()
    check_page(page)


def test_on_a_phone_the_menu_opens_to_show_the_person_and_sign_out(
    live_server, page: Page, cast
) -> None:
    page.set_viewport_size({"width": PHONE, "height": 800})
    sign_in(page, live_server.url, "alice@acme.test", "correct-horse-battery")
    menu = page.get_by_role("button", name="Menu")
    sign_out = page.get_by_role("button", name="Sign out")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(sign_out).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".org-name")).to_have_text("Acme College")
    expect(sign_out).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Phone Numbers").click()
    expect(page.get_by_role("heading", name="Phone Numbers")).to_be_visible()
    expect(sign_out).to_be_hidden()

    # A laptop's width shows the whole bar, with no Menu button, down to the narrowest width
    # an admin's bar fits (static/css/app.css): each label on one line, nothing off the edge.
    for width in (1280, 1200):
        page.set_viewport_size({"width": width, "height": 800})
        expect(menu).to_be_hidden()
        expect(sign_out).to_be_in_viewport(ratio=1)
        nav = page.get_by_role("navigation", name="Main")
        lines = nav.get_by_role("link").evaluate_all(
            """links => links.map((a) => {
                const text = document.createRange();
                text.selectNodeContents(a);
                return text.getClientRects().length;
            })"""
        )
        assert lines == [1] * 7, (width, lines)
        assert sideways_overflow(page) <= 0
    # Narrower, the bar folds behind Menu, and the page keeps a margin from the window's edge.
    page.set_viewport_size({"width": 1024, "height": 800})
    expect(menu).to_be_visible()
    heading = page.get_by_role("heading", name="Phone Numbers").bounding_box()
    assert heading is not None
    assert heading["x"] >= 16, heading
    page.set_viewport_size({"width": PHONE, "height": 800})
    menu.click()
    sign_out.click()
    expect(page.get_by_role("heading", name="Sign in to Longcode")).to_be_visible()
