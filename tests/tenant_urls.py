"""The one list of tenant URLs that the isolation matrix walks. Every capability adds its pages
here: how to build the object the URL points at (inside Acme), and which of alice (admin),
bob (member of the Admissions office) and sam (sender) may open it."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ADMIN, MEMBER, SENDER = "alice", "bob", "sam"
STAFF = frozenset({ADMIN, MEMBER})
EVERYONE = frozenset({ADMIN, MEMBER, SENDER})
# An office's objects (its page, its inboxes, its reusable numbers) do not exist for people
# outside the office: sam belongs to no office, bob only to Admissions (office A).
OUTSIDE_OFFICE_A = frozenset({SENDER})
OUTSIDE_OFFICE_B = frozenset({MEMBER, SENDER})


@dataclass(frozen=True)
class TenantUrl:
    name: str
    allowed: frozenset[str]
    # Builds Acme's object(s) and returns the URL kwargs; None for a list page.
    build: Callable[[Any], dict[str, Any]] | None = None
    # People of Acme who are allowed the page in general but not this object (office scoping).
    hidden_from: frozenset[str] = field(default_factory=frozenset)
    label: str = ""
    # A query string to add (list variations: filters, sort).
    query: str = ""
    # For a form's target that answers POST only: the data to post, and the answer the allowed
    # get (a redirect after the change).
    post: dict[str, Any] | None = None
    allowed_status: int = 200

    def __str__(self) -> str:
        return self.label or self.name


def _office_a(cast: Any) -> dict[str, Any]:
    return {"pk": cast.office_a.pk}


def _office_b(cast: Any) -> dict[str, Any]:
    return {"pk": cast.office_b.pk}


def _inbox_in(office_attr: str) -> Callable[[Any], dict[str, Any]]:
    def build(cast: Any) -> dict[str, Any]:
        from inboxes.tests.factories import InboxFactory

        office = getattr(cast, office_attr)
        return {"pk": InboxFactory.create(office=office, organization=cast.org).pk}

    return build


def _campaign_in(
    office_attr: str, *, with_sam: bool = False, active: bool = False
) -> Callable[[Any], dict[str, Any]]:
    def build(cast: Any) -> dict[str, Any]:
        from campaigns.tests.factories import CampaignFactory, CampaignSenderFactory

        office = getattr(cast, office_attr)
        campaign = CampaignFactory.create(organization=cast.org, office=office, active=active)
        if with_sam:
            CampaignSenderFactory.create(campaign=campaign, user=cast.sam)
        return {"pk": campaign.pk}

    return build


def _sams_contact(cast: Any) -> dict[str, Any]:
    """A contact of an active campaign of office A, assigned to sam."""
    from campaigns.tests.factories import ContactFactory

    kwargs = _campaign_in("office_a", with_sam=True, active=True)(cast)
    contact = ContactFactory.create(campaign_id=kwargs["pk"], assignee=cast.sam)
    return {"pk": kwargs["pk"], "contact_pk": contact.pk}


def _number(office_attr: str | None = None) -> Callable[[Any], dict[str, Any]]:
    """A dedicated number, or a reusable number of an office."""

    def build(cast: Any) -> dict[str, Any]:
        from phone_numbers.models import Kind
        from phone_numbers.tests.factories import PhoneNumberFactory

        if office_attr is None:
            return {"pk": PhoneNumberFactory.create(organization=cast.org).pk}
        office = getattr(cast, office_attr)
        number = PhoneNumberFactory.create(organization=cast.org, kind=Kind.REUSABLE, office=office)
        return {"pk": number.pk}

    return build


def _conversation_in(office_attr: str) -> Callable[[Any], dict[str, Any]]:
    """A conversation in an inbox of the office, as routing leaves it."""

    def build(cast: Any) -> dict[str, Any]:
        from inboxes.models import Conversation
        from inboxes.tests.factories import InboxFactory

        inbox = InboxFactory.create(office=getattr(cast, office_attr), organization=cast.org)
        conversation = Conversation.objects.create(
            organization=cast.org,
            number_e164="+12125550001",
            contact_e164="+12125550002",
            inbox=inbox,
            status="needs_attention",
        )
        return {"pk": conversation.pk}

    return build


def _undelivered(cast: Any) -> dict[str, Any]:
    from inboxes.models import Conversation

    conversation = Conversation.objects.create(
        organization=cast.org, number_e164="+12125550003", contact_e164="+12125550004"
    )
    return {"pk": conversation.pk}


def _bot_answer(cast: Any) -> dict[str, Any]:
    from inboxes.tests.factories import BotAnswerFactory

    answer = BotAnswerFactory.create(office=cast.office_a)
    return {"pk": cast.office_a.pk, "answer_pk": answer.pk}


def _opt_out(cast: Any) -> dict[str, Any]:
    from campaigns.tests.factories import OptOutFactory

    return {"pk": OptOutFactory.create(organization=cast.org).pk}


def _conversation_action(action: str) -> Callable[[Any], dict[str, Any]]:
    def build(cast: Any) -> dict[str, Any]:
        return {**_conversation_in("office_a")(cast), "action": action}

    return build


TENANT_URLS: list[TenantUrl] = [
    TenantUrl("offices:list", STAFF),
    TenantUrl("offices:create", frozenset({ADMIN})),
    TenantUrl("offices:members", frozenset({ADMIN})),
    TenantUrl("offices:invite", frozenset({ADMIN})),
    TenantUrl(
        "offices:detail",
        STAFF,
        _office_a,
        hidden_from=OUTSIDE_OFFICE_A,
        label="offices:detail (own office)",
    ),
    TenantUrl(
        "offices:detail",
        STAFF,
        _office_b,
        hidden_from=OUTSIDE_OFFICE_B,
        label="offices:detail (another office)",
    ),
    TenantUrl(
        "offices:edit",
        frozenset({ADMIN}),
        _office_a,
        hidden_from=OUTSIDE_OFFICE_A,
        label="offices:edit (own office)",
    ),
    TenantUrl(
        "offices:edit",
        frozenset({ADMIN}),
        _office_b,
        hidden_from=OUTSIDE_OFFICE_B,
        label="offices:edit (another office)",
    ),
    TenantUrl("offices:settings", frozenset({ADMIN})),
    TenantUrl("inboxes:list", STAFF),
    TenantUrl("inboxes:create", frozenset({ADMIN})),
    TenantUrl(
        "inboxes:detail",
        STAFF,
        _inbox_in("office_a"),
        hidden_from=OUTSIDE_OFFICE_A,
        label="inboxes:detail (own office)",
    ),
    TenantUrl(
        "inboxes:detail",
        STAFF,
        _inbox_in("office_b"),
        hidden_from=OUTSIDE_OFFICE_B,
        label="inboxes:detail (another office)",
    ),
    TenantUrl(
        "inboxes:edit",
        frozenset({ADMIN}),
        _inbox_in("office_a"),
        hidden_from=OUTSIDE_OFFICE_A,
        label="inboxes:edit (own office)",
    ),
    TenantUrl(
        "inboxes:edit",
        frozenset({ADMIN}),
        _inbox_in("office_b"),
        hidden_from=OUTSIDE_OFFICE_B,
        label="inboxes:edit (another office)",
    ),
    # --- phone numbers and provisioning (issues 3 and 4): add below -----------------------
    TenantUrl("phone_numbers:list", STAFF),
    TenantUrl(
        "phone_numbers:list",
        STAFF,
        query="o=-office&kind=reusable&q=1",
        label="phone_numbers:list (filtered, sorted)",
    ),
    TenantUrl(
        "phone_numbers:list", STAFF, query="status=released", label="phone_numbers:list (released)"
    ),
    TenantUrl("phone_numbers:export", STAFF),
    TenantUrl(
        "phone_numbers:export", STAFF, query="o=name&q=1", label="phone_numbers:export (filtered)"
    ),
    TenantUrl("phone_numbers:new", STAFF),
    TenantUrl(
        "phone_numbers:new",
        frozenset({ADMIN}),
        query="kind=dedicated",
        label="phone_numbers:new (dedicated: admins only)",
    ),
    TenantUrl("phone_numbers:reusable_fields", STAFF),
    TenantUrl(
        "phone_numbers:edit",
        STAFF,
        _number("office_a"),
        hidden_from=OUTSIDE_OFFICE_A,
        label="phone_numbers:edit (own office)",
    ),
    TenantUrl(
        "phone_numbers:edit",
        STAFF,
        _number("office_b"),
        hidden_from=OUTSIDE_OFFICE_B,
        label="phone_numbers:edit (another office)",
    ),
    TenantUrl("phone_numbers:detail", STAFF, _number(), label="number_detail (dedicated)"),
    TenantUrl("phone_numbers:status", STAFF, _number(), label="number_status (dedicated)"),
    TenantUrl(
        "phone_numbers:detail",
        STAFF,
        _number("office_a"),
        hidden_from=OUTSIDE_OFFICE_A,
        label="number_detail (reusable, own office)",
    ),
    TenantUrl(
        "phone_numbers:detail",
        STAFF,
        _number("office_b"),
        hidden_from=OUTSIDE_OFFICE_B,
        label="number_detail (reusable, another office)",
    ),
    TenantUrl(
        "phone_numbers:status",
        STAFF,
        _number("office_b"),
        hidden_from=OUTSIDE_OFFICE_B,
        label="number_status (reusable, another office)",
    ),
    #
    #
    # --- campaigns (issue 5): add below ------------------------------------------------------
    TenantUrl("campaigns:active", EVERYONE),
    TenantUrl("campaigns:drafts", EVERYONE),
    TenantUrl("campaigns:archived", EVERYONE),
    TenantUrl("campaigns:create", frozenset({ADMIN})),
    TenantUrl("campaigns:reusable_numbers", frozenset({ADMIN})),
    TenantUrl(
        "campaigns:detail",
        EVERYONE,
        _campaign_in("office_a", with_sam=True),
        label="campaigns:detail (own office, sam sends)",
    ),
    TenantUrl(
        "campaigns:detail",
        EVERYONE,
        _campaign_in("office_b"),
        hidden_from=frozenset({MEMBER, SENDER}),
        label="campaigns:detail (another office, not sam's)",
    ),
    TenantUrl("campaigns:edit", frozenset({ADMIN}), _campaign_in("office_a", with_sam=True)),
    TenantUrl("campaigns:contacts", frozenset({ADMIN}), _campaign_in("office_a", with_sam=True)),
    TenantUrl(
        "campaigns:follow_up",
        frozenset({ADMIN}),
        _campaign_in("office_a", with_sam=True, active=True),
    ),
    TenantUrl(
        "campaigns:follow_up_count",
        frozenset({ADMIN}),
        _campaign_in("office_a", with_sam=True, active=True),
        # The follow-up form's audience count, asked as the person ticks a box.
        post={},
    ),
    TenantUrl(
        "campaigns:number_status",
        EVERYONE,
        _campaign_in("office_a", with_sam=True),
        label="campaigns:number_status (own office, sam sends)",
    ),
    TenantUrl(
        "campaigns:number_status",
        EVERYONE,
        _campaign_in("office_b"),
        hidden_from=frozenset({MEMBER, SENDER}),
        label="campaigns:number_status (another office, not sam's)",
    ),
    TenantUrl("campaigns:clone", frozenset({ADMIN}), _campaign_in("office_a", with_sam=True)),
    # Launch and Archive ask on a page first when the browser runs no JavaScript (issue 9).
    TenantUrl("campaigns:launch", frozenset({ADMIN}), _campaign_in("office_a", with_sam=True)),
    TenantUrl(
        "campaigns:archive",
        frozenset({ADMIN}),
        _campaign_in("office_a", with_sam=True, active=True),
    ),
    #
    # --- senders and the messenger (issue 10) ---------------------------------------------------
    TenantUrl("sender_panel:panel", frozenset({ADMIN}), _campaign_in("office_a", with_sam=True)),
    TenantUrl("messenger:index", EVERYONE),
    # Only the campaign's senders open its assignment: the others find no such campaign.
    TenantUrl(
        "messenger:assignment",
        frozenset({SENDER}),
        _campaign_in("office_a", with_sam=True, active=True),
        hidden_from=frozenset({ADMIN, MEMBER}),
    ),
    TenantUrl(
        "messenger:replies",
        frozenset({SENDER}),
        _campaign_in("office_a", with_sam=True, active=True),
        hidden_from=frozenset({ADMIN, MEMBER}),
    ),
    TenantUrl(
        "messenger:conversation",
        frozenset({SENDER}),
        _sams_contact,
        hidden_from=frozenset({ADMIN, MEMBER}),
    ),
    # --- inbound: inboxes, conversations, the bot, opt-outs (issue 11) ---------------------
    TenantUrl("inboxes:elsewhere", frozenset({ADMIN})),
    TenantUrl("texting:direct_new", STAFF, _inbox_in("office_a"), label="direct_new (own office)"),
    TenantUrl(
        "texting:direct_new",
        STAFF,
        _inbox_in("office_b"),
        hidden_from=frozenset({MEMBER}),
        label="direct_new (another office)",
    ),
    TenantUrl(
        "texting:conversation",
        STAFF,
        _conversation_in("office_a"),
        label="conversation (own office)",
    ),
    TenantUrl(
        "texting:conversation",
        STAFF,
        _conversation_in("office_b"),
        hidden_from=frozenset({MEMBER}),
        label="conversation (another office)",
    ),
    TenantUrl(
        "texting:conversation",
        STAFF,
        _undelivered,
        hidden_from=frozenset({MEMBER}),
        label="conversation (undelivered: admins)",
    ),
    TenantUrl("texting:thread", STAFF, _conversation_in("office_a"), label="thread (own office)"),
    TenantUrl(
        "texting:thread",
        STAFF,
        _conversation_in("office_b"),
        hidden_from=frozenset({MEMBER}),
        label="thread (another office)",
    ),
    TenantUrl(
        "texting:reply",
        STAFF,
        _conversation_in("office_b"),
        hidden_from=frozenset({MEMBER}),
        # A refused reply (the number is not ours): the page again, with the reason.
        post={"body": "Hello", "key": "isolation"},
        allowed_status=400,
        label="reply (another office)",
    ),
    TenantUrl(
        "texting:reply",
        STAFF,
        _conversation_in("office_a"),
        post={"body": "", "key": "isolation"},
        allowed_status=400,
        label="reply (own office, empty)",
    ),
    TenantUrl(
        "texting:conversation_status",
        STAFF,
        _conversation_action("close"),
        post={},
        allowed_status=302,
        label="conversation_status close (own office)",
    ),
    TenantUrl(
        "texting:assign",
        STAFF,
        _conversation_in("office_a"),
        post={"assignee": ""},
        allowed_status=302,
        label="assign (own office)",
    ),
    TenantUrl("texting:bot", STAFF, _office_a, label="bot (own office)"),
    TenantUrl(
        "texting:bot",
        STAFF,
        _office_b,
        hidden_from=frozenset({MEMBER}),
        label="bot (another office)",
    ),
    TenantUrl("texting:bot_answer", STAFF, _bot_answer),
    TenantUrl(
        "texting:bot_review",
        STAFF,
        _office_a,
        post={"inbox": ""},
        allowed_status=302,
        label="bot_review (own office)",
    ),
    TenantUrl("texting:opt_outs", frozenset({ADMIN})),
    TenantUrl("texting:opt_outs", frozenset({ADMIN}), query="q=917", label="opt_outs (search)"),
    TenantUrl("texting:opt_outs_import", frozenset({ADMIN})),
    TenantUrl("texting:opt_outs_export", frozenset({ADMIN})),
    TenantUrl("texting:opt_out_remove", frozenset({ADMIN}), _opt_out),
]
