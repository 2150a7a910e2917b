"""The Unassigned pool: assigning, moving, taking back, pre-loading, and the panel's counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.assignment import contacts_assign, contacts_move, contacts_take_back
from campaigns.assignment_counts import (
    CampaignCounts,
    campaign_assignment_counts,
    campaign_sender_rows,
)
from campaigns.errors import CampaignError
from campaigns.models import Contact, UnassignedChunk
from campaigns.self_assign import CHUNK_SIZE, self_assign_claim
from campaigns.services import campaign_launch, campaign_sender_remove
from campaigns.tests.factories import (
    CampaignFactory,
    CampaignSenderFactory,
    ContactFactory,
    OptOutFactory,
)
from offices.models import Role
from offices.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def sender(cast, campaign, email):
    user = MembershipFactory.create(organization=cast.org, role=Role.SENDER, user__email=email).user
    CampaignSenderFactory.create(campaign=campaign, user=user)
    return user


@pytest.fixture
def campaign(cast):
    campaign = CampaignFactory.create(organization=cast.org, office=cast.office_a, active=True)
    ContactFactory.create_batch(10, campaign=campaign)
    CampaignSenderFactory.create(campaign=campaign, user=cast.sam)
    return campaign


def assigned_to(campaign, user) -> list[int]:
    return list(
        Contact.objects.filter(campaign=campaign, assignee=user)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def test_a_campaign_launches_with_no_senders_and_every_contact_stays_unassigned(cast):
    draft = CampaignFactory.create(organization=cast.org, office=cast.office_a)
    ContactFactory.create_batch(4, campaign=draft)

    campaign_launch(campaign=draft, launched_by=cast.alice)

    assert campaign_assignment_counts(campaign=draft).unassigned == 4
    assert campaign_sender_rows(campaign=draft) == []


def test_assigning_gives_the_first_unassigned_contacts_and_no_more_than_there_are(cast, campaign):
    dana = sender(cast, campaign, "dana@acme.test")

    assert contacts_assign(campaign=campaign, sender=cast.sam, count=4) == 4
    assert contacts_assign(campaign=campaign, sender=dana, count=50) == 6

    sams, danas = assigned_to(campaign, cast.sam), assigned_to(campaign, dana)
    assert len(sams) == 4
    assert len(danas) == 6
    assert max(sams) < min(danas)
    assert contacts_assign(campaign=campaign, sender=cast.sam, count=1) == 0


def test_assigning_after_self_assign_gives_the_first_unassigned_contacts(cast):
    """Self-assign cut the campaign into chunks: assigning by hand starts at the first open
    one, and a chunk reopened by a take-back is open again."""
    campaign = CampaignFactory.create(
        organization=cast.org, office=cast.office_a, active=True, self_assign=True, batch_size=150
    )
    ContactFactory.create_batch(CHUNK_SIZE * 3, campaign=campaign)
    CampaignSenderFactory.create(campaign=campaign, user=cast.sam)
    dana = sender(cast, campaign, "dana@acme.test")
    ids = list(
        Contact.objects.filter(campaign=campaign).order_by("pk").values_list("pk", flat=True)
    )
    self_assign_claim(campaign=campaign, sender=cast.sam, request_key="k1")

    assert contacts_assign(campaign=campaign, sender=dana, count=2) == 2
    assert assigned_to(campaign, dana) == ids[150:152]
    contacts_take_back(campaign=campaign, sender=cast.sam, count=3)
    assert contacts_assign(campaign=campaign, sender=dana, count=4) == 4
    assert assigned_to(campaign, dana) == [*ids[:3], *ids[150:153]]


def test_only_a_sender_of_the_campaign_is_given_contacts(cast, campaign):
    with pytest.raises(CampaignError, match="not a sender"):
        contacts_assign(campaign=campaign, sender=cast.bob, count=2)
    with pytest.raises(CampaignError, match="at least one"):
        contacts_assign(campaign=campaign, sender=cast.sam, count=0)

    assert campaign_assignment_counts(campaign=campaign).unassigned == 10


def test_moving_takes_only_contacts_not_yet_texted(cast, campaign):
    dana = sender(cast, campaign, "dana@acme.test")
    contacts_assign(campaign=campaign, sender=cast.sam, count=5)
    texted = assigned_to(campaign, cast.sam)[:2]
    Contact.objects.filter(pk__in=texted).update(texted_at=timezone.now())

    moved = contacts_move(campaign=campaign, from_sender=cast.sam, to_sender=dana, count=2)
    moved_rest = contacts_move(campaign=campaign, from_sender=cast.sam, to_sender=dana)

    assert (moved, moved_rest) == (2, 1)
    assert assigned_to(campaign, cast.sam) == texted
    assert len(assigned_to(campaign, dana)) == 3


def test_moving_to_someone_who_is_not_a_sender_is_refused(cast, campaign):
    contacts_assign(campaign=campaign, sender=cast.sam, count=3)

    with pytest.raises(CampaignError, match="not a sender"):
        contacts_move(campaign=campaign, from_sender=cast.sam, to_sender=cast.bob)
    with pytest.raises(CampaignError, match="another sender"):
        contacts_move(campaign=campaign, from_sender=cast.sam, to_sender=cast.sam)

    assert len(assigned_to(campaign, cast.sam)) == 3


def test_taking_back_returns_unsent_contacts_to_unassigned_and_reopens_their_chunks(cast, campaign):
    contacts_assign(campaign=campaign, sender=cast.sam, count=6)
    first = min(assigned_to(campaign, cast.sam))
    Contact.objects.filter(pk=first).update(texted_at=timezone.now())
    chunk = UnassignedChunk.objects.create(
        campaign=campaign, first_id=first, last_id=first + 9, has_unassigned=False
    )

    assert contacts_take_back(campaign=campaign, sender=cast.sam, count=2) == 2
    assert contacts_take_back(campaign=campaign, sender=cast.sam) == 3

    assert assigned_to(campaign, cast.sam) == [first]
    assert campaign_assignment_counts(campaign=campaign).unassigned == 9
    chunk.refresh_from_db()
    assert chunk.has_unassigned


def test_removing_a_sender_takes_their_unsent_contacts_back(cast, campaign):
    contacts_assign(campaign=campaign, sender=cast.sam, count=4)
    kept = assigned_to(campaign, cast.sam)[0]
    Contact.objects.filter(pk=kept).update(texted_at=timezone.now())

    campaign_sender_remove(campaign=campaign, user=cast.sam)

    assert assigned_to(campaign, cast.sam) == [kept]
    assert campaign_assignment_counts(campaign=campaign).unassigned == 9


def test_the_counts_and_the_sender_table(cast, campaign, django_assert_num_queries):
    dana = sender(cast, campaign, "dana@acme.test")
    contacts_assign(campaign=campaign, sender=cast.sam, count=4)
    contacts_assign(campaign=campaign, sender=dana, count=2)
    sams = assigned_to(campaign, cast.sam)
    now = timezone.now()
    Contact.objects.filter(pk__in=sams[:3]).update(texted_at=now)
    # One replied after our last text (waits), one replied and was answered (does not).
    Contact.objects.filter(pk=sams[0]).update(last_reply_at=now + timedelta(minutes=1))
    Contact.objects.filter(pk=sams[1]).update(last_reply_at=now - timedelta(minutes=1))
    OptOutFactory.create(organization=cast.org, phone=Contact.objects.get(pk=sams[2]).phone)
    OptOutFactory.create(organization=cast.other_org, phone=Contact.objects.get(pk=sams[3]).phone)

    with django_assert_num_queries(1):
        counts = campaign_assignment_counts(campaign=campaign)
    with django_assert_num_queries(1):
        rows = {row.user.email: row for row in campaign_sender_rows(campaign=campaign)}

    assert counts == CampaignCounts(
        unassigned=4, assigned_not_texted=3, texted=3, replied=2, opted_out=1
    )
    sam, dan = rows["sam@acme.test"], rows["dana@acme.test"]
    assert (sam.assigned, sam.texted, sam.replies_waiting) == (4, 3, 1)
    assert (dan.assigned, dan.texted, dan.replies_waiting) == (2, 0, 0)


def test_the_sender_table_costs_the_same_with_more_senders(
    cast, campaign, django_assert_num_queries
):
    for n in range(5):
        contacts_assign(
            campaign=campaign, sender=sender(cast, campaign, f"s{n}@acme.test"), count=1
        )

    with django_assert_num_queries(1):
        assert len(campaign_sender_rows(campaign=campaign)) == 6
