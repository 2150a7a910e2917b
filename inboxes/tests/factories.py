import factory
from factory.django import DjangoModelFactory

from inboxes.models import Inbox
from offices.tests.factories import OfficeFactory


class InboxFactory(DjangoModelFactory[Inbox]):
    class Meta:
        model = Inbox

    office = factory.SubFactory(OfficeFactory)
    organization = factory.SelfAttribute("office.organization")
    name = factory.Sequence(lambda n: f"Inbox {n}")
