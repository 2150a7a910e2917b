import factory
from factory.django import DjangoModelFactory

from offices.tests.factories import OrganizationFactory
from phone_numbers.models import Kind, PhoneNumber, ProvisioningStatus, UseCase


class UseCaseFactory(DjangoModelFactory[UseCase]):
    class Meta:
        model = UseCase

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Use case {n}")
    carrier_reference = factory.Sequence(lambda n: f"C{n:06d}")


class PhoneNumberFactory(DjangoModelFactory[PhoneNumber]):
    """A number as the engine leaves it; pass ``provisioning_status`` for other states."""

    class Meta:
        model = PhoneNumber

    organization = factory.SubFactory(OrganizationFactory)
    use_case = factory.SubFactory(
        UseCaseFactory, organization=factory.SelfAttribute("..organization")
    )
    kind = Kind.DEDICATED
    area_codes = factory.LazyFunction(lambda: ["212"])
    provisioning_status = ProvisioningStatus.COMPLETE
    e164 = factory.Sequence(lambda n: f"+1212555{n:04d}")
    attempts = 1
