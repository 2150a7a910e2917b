"""campaigns' hand-written SQL on PostgreSQL: saving a contacts file with COPY and copying
contacts to a clone or follow-up with INSERT … SELECT. (The SQLite side of each is walked by
scripts/smoke_embedded.py; the triggers are held together in tests/test_kept_columns.py.)"""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Contact
from campaigns.sql import contacts_copy, contacts_insert
from campaigns.tests.factories import CampaignFactory, ContactFactory

pytestmark = pytest.mark.django_db


def _saved(campaign) -> list[tuple[str, str, str, dict]]:
    return list(
        campaign.contacts.order_by("phone").values_list(
            "phone", "first_name", "last_name", "fields"
        )
    )


def test_contacts_insert_saves_each_row_with_its_fields_and_the_time(cast):
    campaign = CampaignFactory.create(organization=cast.org, office=cast.office_a)
    before = timezone.now()

    contacts_insert(
        campaign_id=campaign.pk,
        rows=[
            ("+12125550101", "Ada", "Lovelace", {"school": "Hunter", "note": 'says "hi"'}),
            ("+12125550102", "", "", {}),
        ],
    )

    assert _saved(campaign) == [
        ("+12125550101", "Ada", "Lovelace", {"school": "Hunter", "note": 'says "hi"'}),
        ("+12125550102", "", "", {}),
    ]
    assert all(before <= c.created_at <= timezone.now() for c in campaign.contacts.all())


def test_contacts_copy_copies_the_chosen_contacts_but_not_their_replies(cast):
    source = CampaignFactory.create(organization=cast.org, office=cast.office_a)
    replied = ContactFactory.create(
        campaign=source, phone="+12125550103", fields={"school": "Baruch"}
    )
    Contact.objects.filter(pk=replied.pk).update(
        last_reply_at=timezone.now(), created_at=timezone.now() - timedelta(days=3)
    )
    ContactFactory.create(campaign=source, phone="+12125550104")
    target = CampaignFactory.create(organization=cast.org, office=cast.office_a)

    copied = contacts_copy(
        contacts=source.contacts.exclude(phone="+12125550104"), campaign_id=target.pk
    )

    assert copied == 1
    assert _saved(target) == [
        ("+12125550103", replied.first_name, replied.last_name, replied.fields)
    ]
    contact = target.contacts.get()
    assert contact.last_reply_at is None
    assert contact.created_at > timezone.now() - timedelta(minutes=1)
    assert source.contacts.count() == 2
