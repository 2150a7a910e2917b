"""The isolation matrix, derived from the URL resolver: every URL of the product is either in
the tenant matrix (``tests/tenant_urls.py``), an object URL below, or listed as public with the
test that covers it. Every URL that names an object (a pk, a contact, an answer…) is requested,
GET and POST, by Acme's admin, office member and sender with the other organization's object:
it must answer as for an object that exists nowhere — 404 (or 405 where the method is not the
page's, whatever the object)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.tenant_urls import ADMIN, MEMBER, SENDER, TENANT_URLS

# Public paths: no organization's object behind them, or a secret instead of a session; each
# has its own tests (named here).
PUBLIC = {
    "home": "tests/test_public_urls.py",
    "healthz": "tests/test_healthz.py",
    "accounts:login": "accounts/tests/test_login.py, accounts/tests/test_lockout.py",
    "accounts:logout": "tests/test_public_urls.py",
    "accounts:password_reset": "accounts/tests/test_password_reset.py",
    "accounts:password_reset_done": "accounts/tests/test_password_reset.py",
    "accounts:password_reset_confirm": (
        "accounts/tests/test_lockout.py, accounts/tests/test_password_reset.py (a secret link)"
    ),
    "join": "campaigns/tests/test_sender_pages.py (a secret link)",
    "offices:switch": "offices/tests/test_switch.py (404 for an organization one is not in)",
    "carrier_inbound_hook": "tests/test_public_urls.py, tests/properties/test_webhooks.py",
    "carrier_status_hook": "tests/test_public_urls.py, tests/properties/test_webhooks.py",
    "twilio_events_hook": "tests/test_public_urls.py, tests/properties/test_webhooks.py",
}
# The operators' Django admin: staff only, not an organization's.
OPERATORS = "admin"


def url_names() -> Iterator[tuple[str, tuple[str, ...]]]:
    """(namespace:name, the URL's parameters) of every URL the resolver serves."""

    def walk(patterns: list[Any], namespace: str) -> Iterator[tuple[str, tuple[str, ...]]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == OPERATORS:
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                params = tuple(pattern.pattern.converters)
                yield f"{namespace}{pattern.name}", params

    yield from walk(get_resolver().url_patterns, "")


@dataclass
class Graph:
    """One organization's objects, one of each kind a URL can name."""

    org: Any
    office: Any
    inbox: Any
    reusable: Any
    dedicated: Any
    campaign: Any
    sender: Any
    contact: Any
    canned: Any
    conversation: Any
    bot_answer: Any
    opt_out: Any


def graph_build(org: Any) -> Graph:
    from campaigns.models import CannedResponse
    from campaigns.tests.factories import (
        CampaignFactory,
        CampaignSenderFactory,
        ContactFactory,
        OptOutFactory,
        PhoneNumberFactory,
    )
    from inboxes.models import Conversation
    from inboxes.tests.factories import BotAnswerFactory, InboxFactory
    from offices.tests.factories import OfficeFactory, UserFactory
    from phone_numbers.tests.factories import ReusableNumberFactory

    office = OfficeFactory.create(organization=org)
    inbox = InboxFactory.create(office=office, organization=org)
    campaign = CampaignFactory.create(organization=org, office=office, active=True)
    sender = UserFactory.create()
    CampaignSenderFactory.create(campaign=campaign, user=sender)
    return Graph(
        org=org,
        office=office,
        inbox=inbox,
        reusable=ReusableNumberFactory.create(office=office, inboxes=[inbox]),
        dedicated=PhoneNumberFactory.create(organization=org),
        campaign=campaign,
        sender=sender,
        contact=ContactFactory.create(campaign=campaign, assignee=sender),
        canned=CannedResponse.objects.create(campaign=campaign, title="Hours", text="9 to 5"),
        conversation=Conversation.objects.create(
            organization=org,
            number_e164="+12125550001",
            contact_e164="+12125550002",
            inbox=inbox,
            status="needs_attention",
        ),
        bot_answer=BotAnswerFactory.create(office=office),
        opt_out=OptOutFactory.create(organization=org),
    )


Kwargs = Callable[[Graph], dict[str, Any]]


def _campaign(g: Graph) -> dict[str, Any]:
    return {"pk": g.campaign.pk}


def _conversation(g: Graph) -> dict[str, Any]:
    return {"pk": g.conversation.pk}


def _office(g: Graph) -> dict[str, Any]:
    return {"pk": g.office.pk}


def _inbox(g: Graph) -> dict[str, Any]:
    return {"pk": g.inbox.pk}


def _number(g: Graph) -> dict[str, Any]:
    return {"pk": g.dedicated.pk}


# Every URL that names an object: how to name the other organization's. The prefix of the URL's
# name says which object its ``pk`` is; a test below fails for a URL with parameters not here.
OBJECT_URLS: dict[str, Kwargs] = {
    "offices:detail": _office,
    "offices:edit": _office,
    "inboxes:detail": _inbox,
    "inboxes:edit": _inbox,
    "phone_numbers:detail": _number,
    "phone_numbers:status": _number,
    "phone_numbers:edit": lambda g: {"pk": g.reusable.pk},
    **{
        f"campaigns:{name}": _campaign
        for name in (
            "detail",
            "number_status",
            "edit",
            "launch",
            "archive",
            "clone",
            "follow_up",
            "follow_up_count",
            "contacts",
            "contacts_confirm",
            "sender_add",
        )
    },
    "campaigns:sender_remove": lambda g: {"pk": g.campaign.pk, "user_pk": g.sender.pk},
    **{
        f"sender_panel:{name}": _campaign
        for name in ("panel", "assign", "move", "take_back", "invite_link", "self_assign")
    },
    "sender_panel:canned_add": _campaign,
    "sender_panel:canned_delete": lambda g: {"pk": g.campaign.pk, "canned_pk": g.canned.pk},
    **{f"messenger:{name}": _campaign for name in ("assignment", "send", "get_more", "replies")},
    "messenger:conversation": lambda g: {"pk": g.campaign.pk, "contact_pk": g.contact.pk},
    "messenger:opt_out": lambda g: {"pk": g.campaign.pk, "contact_pk": g.contact.pk},
    "texting:direct_new": _inbox,
    **{f"texting:{name}": _conversation for name in ("conversation", "thread", "reply", "assign")},
    "texting:conversation_status": lambda g: {"pk": g.conversation.pk, "action": "close"},
    "texting:bot": _office,
    "texting:bot_review": _office,
    "texting:bot_answer": lambda g: {"pk": g.office.pk, "answer_pk": g.bot_answer.pk},
    "texting:opt_out_remove": lambda g: {"pk": g.opt_out.pk},
}
LIST_URLS = {route.name for route in TENANT_URLS if route.build is None}


def test_every_url_is_in_the_matrix_or_listed_as_public() -> None:
    forgotten = [
        name
        for name, params in url_names()
        if name not in PUBLIC and name not in OBJECT_URLS and (params or name not in LIST_URLS)
    ]
    assert not forgotten, (
        "Add these URLs to OBJECT_URLS (or tests/tenant_urls.py), or to PUBLIC with the test "
        f"that covers them: {forgotten}"
    )


def test_every_object_page_is_in_the_role_matrix_too(cast) -> None:
    """The role matrix (logged out, wrong role, allowed) walks tests/tenant_urls.py: every
    object URL that answers GET is there. A POST-only action (405 to GET) is covered by the
    test below and by its app's tests."""
    own = graph_build(cast.org)
    in_matrix = {route.name for route in TENANT_URLS}
    client = cast.client(ADMIN)
    missing = [
        name
        for name, kwargs_of in OBJECT_URLS.items()
        if name not in in_matrix
        and client.get(reverse(name, kwargs=kwargs_of(own))).status_code != 405
    ]
    assert not missing, f"Add these pages to tests/tenant_urls.py: {missing}"


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organizations_object_answers_404_at_every_object_url(cast, method) -> None:
    """One organization pair for every URL: Acme's people name the other organization's
    objects; each answer must be the one for an object that exists nowhere."""
    elsewhere = graph_build(cast.other_org)
    wrong = []
    for name, kwargs_of in OBJECT_URLS.items():
        url = reverse(name, kwargs=kwargs_of(elsewhere))
        nowhere = reverse(name, kwargs={**kwargs_of(elsewhere), **_missing(kwargs_of(elsewhere))})
        for who in (ADMIN, MEMBER, SENDER):
            client = cast.client(who)
            answer = getattr(client, method)(url).status_code
            missing = getattr(client, method)(nowhere).status_code
            if answer != missing or answer not in (404, 405):
                wrong.append(f"{method.upper()} {name} as {who}: {answer} (missing: {missing})")
    assert not wrong, "\n".join(wrong)


def _missing(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {key: 2**31 - 1 for key, value in kwargs.items() if isinstance(value, int)}
