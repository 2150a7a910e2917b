"""A number a launching or active campaign is using is not released by accident: the service
refuses with a clear message, and the operator command needs --force."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from campaigns.models import CampaignStatus, NumberChoice
from campaigns.tests.factories import CampaignFactory
from phone_numbers.models import Kind, ProvisioningStatus
from phone_numbers.tests.factories import PhoneNumberFactory
from provisioning.services import NumberInUse, number_release

pytestmark = pytest.mark.django_db


@pytest.fixture
def number(cast):
    return PhoneNumberFactory.create(organization=cast.org, e164="+12125550123")


@pytest.mark.parametrize(
    ("status", "traits"),
    [(CampaignStatus.ACTIVE, {"active": True}), (CampaignStatus.LAUNCHING, {})],
)
def test_a_number_in_use_is_not_released(cast, number, status, traits) -> None:
    number.kind = Kind.SINGLE_USE
    number.save()
    CampaignFactory.create(
        organization=cast.org,
        phone_number=number,
        name="Fall enrolment",
        status=status,
        number_choice=NumberChoice.SINGLE_USE,
        **traits,
    )

    with pytest.raises(NumberInUse) as refused:
        number_release(phone_number=number)

    assert str(refused.value) == (
        f"+12125550123 is in use by the {status} campaign “Fall enrolment”; archive the "
        "campaign first."
    )
    number.refresh_from_db()
    assert number.provisioning_status == ProvisioningStatus.COMPLETE


def test_a_number_whose_campaign_is_archived_or_draft_is_released(cast, number) -> None:
    CampaignFactory.create(organization=cast.org, phone_number=number, archived=True)
    CampaignFactory.create(organization=cast.org, phone_number=number)

    released = number_release(phone_number=number)

    assert released.provisioning_status == ProvisioningStatus.RELEASED


def test_the_command_refuses_a_number_in_use_unless_forced(cast, number) -> None:
    CampaignFactory.create(
        organization=cast.org, phone_number=number, name="Fall enrolment", active=True
    )

    with pytest.raises(
        CommandError, match=r"in use by the active campaign “Fall enrolment”.*--force"
    ):
        call_command("release_number", "+12125550123", stdout=StringIO())
    number.refresh_from_db()
    assert number.provisioning_status == ProvisioningStatus.COMPLETE

    out = StringIO()
    call_command("release_number", "+12125550123", "--force", stdout=out)

    number.refresh_from_db()
    assert number.provisioning_status == ProvisioningStatus.RELEASED
    assert out.getvalue() == (
        "Released +12125550123 of Acme College (was provisioning complete), although the "
        "active campaign “Fall enrolment” was using it.\n"
    )
