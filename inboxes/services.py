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
    if office.pk != inbox.office_id and inbox.phone_numbers.exists():
        # Reusable numbers route to inboxes of their own office; moving this one would send
        # their messages into another office.
        names = ", ".join(str(n) for n in inbox.phone_numbers.all()[:3])
        raise InboxError(
            f"Reusable numbers of {inbox.office.name} deliver to this inbox ({names}); "
            "remove it from them before moving it to another office."
        )
    inbox.office, inbox.name, inbox.description = office, name, description
    inbox.save(update_fields=["office", "name", "description"])
    return inbox
