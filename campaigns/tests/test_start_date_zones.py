"""The start date (initial message sending window) is typed in the organization's time zone,
stored in UTC, and shown back in the zone — on both sides of a daylight-saving change."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from campaigns.models import Campaign
from campaigns.sending import SendRefused, message_gate
from campaigns.tests.factories import CampaignFactory, ContactFactory, PhoneNumberFactory
from campaigns.transitions import campaign_email_assignment
from notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db

# New Zealand moves its clocks forward at 2:00 on Sep 27, 2026 (NZST +12 → NZDT +13) and back
# at 3:00 on Apr 5, 2026.
ZONE = "Pacific/Auckland"


@pytest.fixture
def kiwi(cast):
    cast.org.time_zone = ZONE
    cast.org.save()
    return cast


def _fields(cast, number, start_at: str) -> dict[str, object]:
    return {
        "name": "Open day",
        "office": cast.office_a.pk,
        "initial_message": "Hi {first_name}!",
        "start_at": start_at,
        "number_choice": "dedicated",
        "dedicated_number": number.pk,
    }


def test_the_start_date_round_trips_in_the_organizations_zone_across_daylight_saving(kiwi):
    number = PhoneNumberFactory.create(organization=kiwi.org)
    client = kiwi.client("alice")

    client.post(reverse("campaigns:create"), _fields(kiwi, number, "2026-09-26T10:00"))
    campaign = Campaign.objects.get(name="Open day")
    assert campaign.start_at == datetime(2026, 9, 25, 22, 0, tzinfo=UTC)  # NZST, +12

    edit = reverse("campaigns:edit", kwargs={"pk": campaign.pk})
    client.post(edit, _fields(kiwi, number, "2026-09-28T10:00"))
    campaign.refresh_from_db()
    assert campaign.start_at == datetime(2026, 9, 27, 21, 0, tzinfo=UTC)  # NZDT, +13

    form = client.get(edit).content.decode()
    assert 'name="start_at" value="2026-09-28T10:00"' in form
    assert re.search(r"Times are in Pacific/Auckland \(NZ[DS]T\)\.", form)
    detail = client.get(reverse("campaigns:detail", kwargs={"pk": campaign.pk})).content.decode()
    assert "<dd>Sep 28, 2026, 10:00 AM NZDT</dd>" in detail


@pytest.mark.parametrize(
    "start_at",
    [
        "2026-09-27T02:30",  # skipped: clocks jump from 2:00 to 3:00
        "2026-04-05T02:30",  # happens twice: clocks fall back from 3:00 to 2:00
    ],
)
def test_a_time_that_does_not_exist_or_happens_twice_is_refused_beside_the_field(kiwi, start_at):
    number = PhoneNumberFactory.create(organization=kiwi.org)

    response = kiwi.client("alice").post(
        reverse("campaigns:create"), _fields(kiwi, number, start_at)
    )

    assert response.status_code == 200
    [error] = response.context["form"].errors["start_at"]
    assert "interpreted in time zone Pacific/Auckland; it may be ambiguous or it may not" in error
    assert 'id="id_start_at_errors"' in response.content.decode()
    assert not Campaign.objects.exists()


def test_the_assignment_email_gives_the_start_date_in_the_organizations_zone(kiwi):
    campaign = CampaignFactory.create(
        organization=kiwi.org, active=True, start_at=datetime(2026, 9, 27, 21, 0, tzinfo=UTC)
    )

    campaign_email_assignment(campaign, kiwi.sam)

    email = OutboxEmail.objects.get(recipient=kiwi.sam.email)
    assert "Initial messages may go out from Sep 28, 2026, 10:00 AM NZDT." in email.body_text
    assert "Sep 28, 2026, 10:00 AM NZDT" in email.body_html
    # It opens the sender's assignment in the messenger, not the admins' campaign page.
    assert f"/messenger/{campaign.pk}/\n" in email.body_text
    assert f'/messenger/{campaign.pk}/"' in email.body_html


@time_machine.travel(datetime(2026, 9, 27, 12, 0, tzinfo=UTC), tick=False)
def test_the_start_date_refusal_gives_the_start_in_the_organizations_zone(kiwi):
    campaign = CampaignFactory.create(
        organization=kiwi.org, active=True, start_at=datetime(2026, 9, 27, 21, 0, tzinfo=UTC)
    )
    contact = ContactFactory.create(campaign=campaign, assignee=kiwi.sam)

    with pytest.raises(
        SendRefused,
        match="Initial messages go out from the start date, Sep 28, 2026, 10:00 AM NZDT",
    ):
        message_gate(campaign=campaign, contact=contact, initial=True)
