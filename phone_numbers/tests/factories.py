from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from offices.tests.factories import OfficeFactory, OrganizationFactory
from phone_numbers.models import Kind, PhoneNumber, ProvisioningStatus, ResponseType, UseCase


class UseCaseFactory(DjangoModelFactory[UseCase]):
    class Meta:
        model = UseCase
        django_get_or_create = ("organization", "name")

    organization = factory.SubFactory(OrganizationFactory)
    name = "Student outreach"
    carrier_reference = "CTEST01"


class PhoneNumberFactory(DjangoModelFactory[PhoneNumber]):
    """A dedicated number, provisioned. The use case comes from the number's organization."""

    class Meta:
        model = PhoneNumber
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    use_case = factory.SubFactory(
        UseCaseFactory, organization=factory.SelfAttribute("..organization")
    )
    kind = Kind.DEDICATED
    # Outside the 555 block the tests spell out by hand, so a long run never collides.
    e164 = factory.Sequence(lambda n: f"+16177{n % 1000000:06d}")
    area_codes = factory.LazyAttribute(lambda number: [number.e164[2:5]] if number.e164 else [])
    provisioning_status = ProvisioningStatus.COMPLETE
    attempts = 1


class ReusableNumberFactory(PhoneNumberFactory):
    """A reusable number of an office; its organization is the office's."""

    office = factory.SubFactory(OfficeFactory)
    organization = factory.SelfAttribute("office.organization")  # type: ignore[assignment]
    kind = Kind.REUSABLE
    response_type = ResponseType.AGENT

    @factory.post_generation
    def inboxes(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.inboxes.set(extracted)


def campaign_on(
    number: PhoneNumber, *, status: str = "active", name: str = "Spring outreach"
) -> Any:
    """A campaign using ``number`` (through the reverse relation: this app never imports
    campaigns)."""
    campaign_model = PhoneNumber._meta.get_field("campaigns").related_model
    return campaign_model._default_manager.create(
        organization=number.organization,
        office=number.office or number.organization.offices.first(),
        name=name,
        status=status,
        number_choice=number.kind,
        phone_number=number,
        launched_at=None if status == "draft" else timezone.now(),
        archived_at=timezone.now() if status == "archived" else None,
    )
