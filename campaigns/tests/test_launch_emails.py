"""The launch e-mails travel the real way: outbox → Celery worker on Redis → SMTP. Once each."""

from email.header import decode_header, make_header

import pytest

from campaigns.errors import CampaignError
from campaigns.services import campaign_launch, campaign_sender_add
from campaigns.tests.factories import CampaignFactory, CampaignSenderFactory, ContactFactory
from notifications.models import OutboxEmail, OutboxStatus
from notifications.tasks import deliver_email
from offices.models import Role
from offices.tests.factories import MembershipFactory
from tests.waiting import wait_for


def _all_sent() -> bool:
    return not OutboxEmail.objects.exclude(status=OutboxStatus.SENT).exists()


@pytest.mark.django_db(transaction=True)
def test_launch_mails_the_launcher_and_each_sender_once(cast, smtp_server, celery_worker):
    campaign = CampaignFactory.create(organization=cast.org, name="Fall visit day")
    ContactFactory.create(campaign=campaign)
    CampaignSenderFactory.create(campaign=campaign, user=cast.sam)
    theo = MembershipFactory.create(organization=cast.org, role=Role.SENDER).user
    CampaignSenderFactory.create(campaign=campaign, user=theo)

    campaign_launch(campaign=campaign, launched_by=cast.alice)
    wait_for(lambda: len(smtp_server.messages) == 3, what="three launch e-mails")

    # A duplicated delivery task and a second launch send nothing more.
    for outbox_id in OutboxEmail.objects.values_list("pk", flat=True):
        deliver_email.delay(outbox_id)
    with pytest.raises(CampaignError, match="already active"):
        campaign_launch(campaign=campaign, launched_by=cast.alice)
    later = MembershipFactory.create(organization=cast.org, role=Role.SENDER).user
    campaign_sender_add(campaign=campaign, user=later, added_by=cast.alice)
    wait_for(lambda: len(smtp_server.messages) == 4 and _all_sent(), what="the late sender's")

    assert sorted(str(make_header(decode_header(s))) for s in smtp_server.subjects()) == [
        "Your assignment: Fall visit day",
        "Your assignment: Fall visit day",
        "Your assignment: Fall visit day",
        "Your campaign “Fall visit day” is live",
    ]
    [live] = smtp_server.to("alice@acme.test")
    assert f"/campaigns/{campaign.pk}/" in live.get_payload()[0].get_payload()
    assert {m["To"] for m in smtp_server.messages} == {
        "alice@acme.test",
        "sam@acme.test",
        theo.email,
        later.email,
    }
