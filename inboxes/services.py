from inboxes.models import Inbox
from offices.models import Office


class InboxError(Exception):
    pass


def inbox_create(*, office: Office, name: str, description: str = "") -> Inbox:
    return Inbox.objects.create(
        organization=office.organization, office=office, name=name, description=description
    )


def inbox_update(*, inbox: Inbox, office: Office, name: str, description: str) -> Inbox:
    if office.organization_id != inbox.organization_id:
        raise InboxError("An inbox cannot move to another organization's office.")
    inbox.office, inbox.name, inbox.description = office, name, description
    inbox.save(update_fields=["office", "name", "description"])
    return inbox
