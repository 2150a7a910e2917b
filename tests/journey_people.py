"""The people and places the campaign journeys start from."""

from offices.models import Role
from offices.tests.factories import MembershipFactory, OfficeFactory
from phone_numbers.tests.factories import UseCaseFactory


def acme_admin_with_office():
    """Alice, admin of Acme College, with its Admissions office and a 10DLC use case."""
    alice = MembershipFactory.create(
        role=Role.ADMIN,
        organization__name="Acme College",
        user__email="alice@acme.test",
        user__first_name="Alice",
        user__last_name="Admin",
    )
    office = OfficeFactory.create(organization=alice.organization, name="Admissions")
    UseCaseFactory.create(organization=alice.organization, name="Student outreach")
    return alice, office
