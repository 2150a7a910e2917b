import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from campaigns.models import (
    Campaign,
    CampaignSender,
    CampaignStatus,
    CampaignTransition,
    Contact,
    NumberChoice,
    OptOut,
)
from offices.tests.factories import OfficeFactory, OrganizationFactory, UserFactory
from phone_numbers.models import Kind, ProvisioningStatus, ResponseType
from phone_numbers.tests import factories as numbers


class UseCaseFactory(numbers.UseCaseFactory):
    """A fresh use case per call: campaign tests count the numbers on it."""

    class Meta:
        django_get_or_create = ()

    name = factory.Sequence(lambda n: f"Use case {n}")  # type: ignore[assignment]


class PhoneNumberFactory(numbers.PhoneNumberFactory):
    """A dedicated, provisioning-complete number on a use case of its own, unless told
    otherwise."""

    area_codes = factory.LazyFunction(lambda: ["212"])  # type: ignore[assignment]
    use_case = factory.SubFactory(
        UseCaseFactory, organization=factory.SelfAttribute("..organization")
    )
    completed_at = factory.LazyFunction(timezone.now)

    class Params:
        reusable = factory.Trait(
            kind=Kind.REUSABLE,
            office=factory.SubFactory(
                OfficeFactory, organization=factory.SelfAttribute("..organization")
            ),
            name=factory.Sequence(lambda n: f"Reusable line {n}"),
            response_type=ResponseType.AGENT,
        )
        provisioning = factory.Trait(
            provisioning_status=ProvisioningStatus.INITIATED, completed_at=None
        )


class CampaignFactory(DjangoModelFactory[Campaign]):
    """A draft on a dedicated, provisioned number of the same organization."""

    class Meta:
        model = Campaign

    organization = factory.SubFactory(OrganizationFactory)
    office = factory.SubFactory(OfficeFactory, organization=factory.SelfAttribute("..organization"))
    name = factory.Sequence(lambda n: f"Campaign {n}")
    status = CampaignStatus.DRAFT
    number_choice = NumberChoice.DEDICATED
    phone_number = factory.SubFactory(
        PhoneNumberFactory, organization=factory.SelfAttribute("..organization")
    )
    initial_message = "Hi {first_name}, this is Acme College."

    class Params:
        active = factory.Trait(
            status=CampaignStatus.ACTIVE, launched_at=factory.LazyFunction(timezone.now)
        )
        archived = factory.Trait(
            status=CampaignStatus.ARCHIVED,
            launched_at=factory.LazyFunction(timezone.now),
            archived_at=factory.LazyFunction(timezone.now),
        )
        single_use = factory.Trait(
            number_choice=NumberChoice.SINGLE_USE,
            phone_number=None,
            area_codes=["212", "646"],
            use_case=factory.SubFactory(
                UseCaseFactory, organization=factory.SelfAttribute("..organization")
            ),
        )


class ContactFactory(DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    campaign = factory.SubFactory(CampaignFactory)
    phone = factory.Sequence(lambda n: f"+1646555{n % 10000:04d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")


class CampaignSenderFactory(DjangoModelFactory[CampaignSender]):
    class Meta:
        model = CampaignSender

    campaign = factory.SubFactory(CampaignFactory)
    user = factory.SubFactory(UserFactory)


class OptOutFactory(DjangoModelFactory[OptOut]):
    class Meta:
        model = OptOut

    organization = factory.SubFactory(OrganizationFactory)
    phone = factory.Sequence(lambda n: f"+1917555{n % 10000:04d}")


class CampaignTransitionFactory(DjangoModelFactory[CampaignTransition]):
    class Meta:
        model = CampaignTransition

    campaign = factory.SubFactory(CampaignFactory)
    to_status = CampaignStatus.DRAFT
