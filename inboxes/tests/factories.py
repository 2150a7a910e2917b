import factory
from factory.django import DjangoModelFactory

from inboxes.models import BotAnswer, Inbox
from offices.tests.factories import OfficeFactory


class InboxFactory(DjangoModelFactory[Inbox]):
    class Meta:
        model = Inbox

    office = factory.SubFactory(OfficeFactory)
    organization = factory.SelfAttribute("office.organization")
    name = factory.Sequence(lambda n: f"Inbox {n}")


class BotAnswerFactory(DjangoModelFactory[BotAnswer]):
    class Meta:
        model = BotAnswer

    office = factory.SubFactory(OfficeFactory)
    organization = factory.SelfAttribute("office.organization")
    phrases = "deadline\nfafsa deadline"
    answer = "The FAFSA deadline is June 30."
