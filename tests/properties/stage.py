"""The objects every form of the product works on, for the cast of ``conftest.py``: built once
per test, shared by its generated examples."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


@dataclass
class Stage:
    cast: Any
    org: Any
    other_org: Any
    office_a: Any
    office_b: Any
    other_office: Any
    sam: Any
    bob: Any
    charlie: Any
    use_case: Any
    dedicated: Any
    reusable: Any
    inbox: Any
    other_inbox: Any
    draft: Any
    active: Any
    contact: Any
    conversation: Any
    bot_answer: Any
    opt_out: Any
    invite_token: str
    set_password_url: str
    resetting: Client

    def client(self, who: str) -> Client:
        if who == "bob_resetting":
            return self.resetting
        return Client() if who == "anonymous" else self.cast.client(who)


def _set_password_client(user: Any) -> tuple[Client, str]:
    """A client that followed the user's set-password link: the form's address after it."""
    client = Client()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    response = client.get(link)
    assert response.status_code == 302
    return client, response["Location"]


def stage_build(cast: Any) -> Stage:
    from campaigns.invite_links import campaign_invite_link_enable
    from campaigns.tests.factories import (
        CampaignFactory,
        CampaignSenderFactory,
        ContactFactory,
        OptOutFactory,
        PhoneNumberFactory,
        UseCaseFactory,
    )
    from inboxes.models import Conversation
    from inboxes.tests.factories import BotAnswerFactory, InboxFactory
    from offices.tests.factories import OfficeFactory
    from phone_numbers.tests.factories import ReusableNumberFactory

    org = cast.org
    inbox = InboxFactory.create(office=cast.office_a, organization=org, name="Front desk")
    reusable = ReusableNumberFactory.create(office=cast.office_a, inboxes=[inbox])
    dedicated = PhoneNumberFactory.create(organization=org)
    draft = CampaignFactory.create(organization=org, office=cast.office_a)
    active = CampaignFactory.create(organization=org, office=cast.office_a, active=True)
    CampaignSenderFactory.create(campaign=active, user=cast.sam)
    contact = ContactFactory.create(campaign=active, assignee=cast.sam)
    ContactFactory.create_batch(3, campaign=active)
    resetting, set_password_url = _set_password_client(cast.bob)
    other_office = OfficeFactory.create(organization=cast.other_org, name="Elsewhere")
    return Stage(
        cast=cast,
        org=org,
        other_org=cast.other_org,
        office_a=cast.office_a,
        office_b=cast.office_b,
        other_office=other_office,
        sam=cast.sam,
        bob=cast.bob,
        charlie=cast.charlie,
        use_case=UseCaseFactory.create(organization=org),
        dedicated=dedicated,
        reusable=reusable,
        inbox=inbox,
        other_inbox=InboxFactory.create(office=other_office, organization=cast.other_org),
        draft=draft,
        active=active,
        contact=contact,
        conversation=Conversation.objects.create(
            organization=org,
            number_e164=str(reusable.e164),
            contact_e164="+12125550002",
            inbox=inbox,
            status="needs_attention",
        ),
        bot_answer=BotAnswerFactory.create(office=cast.office_a),
        opt_out=OptOutFactory.create(organization=org),
        invite_token=campaign_invite_link_enable(campaign=draft) or "",
        set_password_url=set_password_url,
        resetting=resetting,
    )
