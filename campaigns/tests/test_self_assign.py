"""Self-assign: one batch per press, never a contact twice, even with 50 claims at once."""

import threading
import time
from collections import Counter

import pytest
from django.db import IntegrityError, connection, transaction

from campaigns import sql
from campaigns.assignment import contacts_assign, contacts_take_back
from campaigns.errors import CampaignError
from campaigns.models import Campaign, Contact, SelfAssignClaim, UnassignedChunk
from campaigns.self_assign import (
    CHUNK_SIZE,
    SelfAssignRefused,
    campaign_self_assign_set,
    self_assign_claim,
)
from campaigns.tests.factories import CampaignFactory, CampaignSenderFactory, ContactFactory
from offices.models import Role
from offices.tests.factories import MembershipFactory


def pool(cast, *, contacts: int, batch_size: int, **kwargs) -> Campaign:
    campaign = CampaignFactory.create(
        organization=cast.org,
        office=cast.office_a,
        self_assign=True,
        batch_size=batch_size,
        **kwargs,
    )
    ContactFactory.create_batch(contacts, campaign=campaign)
    return campaign


def senders(cast, campaign, n: int) -> list:
    users = [
        MembershipFactory.create(
            organization=cast.org, role=Role.SENDER, user__email=f"sender{i}@acme.test"
        ).user
        for i in range(n)
    ]
    for user in users:
        CampaignSenderFactory.create(campaign=campaign, user=user)
    return users


def mine(campaign, user) -> int:
    return Contact.objects.filter(campaign=campaign, assignee=user).count()


# --- the rules ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_claim_gives_the_next_batch_and_the_same_key_gives_the_same_claim(cast):
    campaign = pool(cast, contacts=10, batch_size=4, active=True)
    [sam] = senders(cast, campaign, 1)

    claim = self_assign_claim(campaign=campaign, sender=sam, request_key="k1")
    again = self_assign_claim(campaign=campaign, sender=sam, request_key="k1")

    assert claim.count == 4
    assert again.pk == claim.pk
    assert mine(campaign, sam) == 4


@pytest.mark.django_db
def test_no_batch_while_initial_messages_are_left_to_send(cast):
    campaign = pool(cast, contacts=10, batch_size=4, active=True)
    [sam] = senders(cast, campaign, 1)
    self_assign_claim(campaign=campaign, sender=sam, request_key="k1")

    with pytest.raises(SelfAssignRefused, match="Send your initial messages first"):
        self_assign_claim(campaign=campaign, sender=sam, request_key="k2")
    Contact.objects.filter(assignee=sam).update(texted_at="2026-01-01T12:00Z")
    claim = self_assign_claim(campaign=campaign, sender=sam, request_key="k2")

    assert claim.count == 4
    assert mine(campaign, sam) == 8


@pytest.mark.django_db
def test_the_last_batch_is_what_is_left_and_then_nothing(cast):
    campaign = pool(cast, contacts=5, batch_size=4, active=True)
    [sam] = senders(cast, campaign, 1)
    self_assign_claim(campaign=campaign, sender=sam, request_key="k1")
    Contact.objects.filter(assignee=sam).update(texted_at="2026-01-01T12:00Z")

    assert self_assign_claim(campaign=campaign, sender=sam, request_key="k2").count == 1
    Contact.objects.filter(assignee=sam).update(texted_at="2026-01-01T12:00Z")
    assert self_assign_claim(campaign=campaign, sender=sam, request_key="k3").count == 0
    assert not UnassignedChunk.objects.filter(campaign=campaign, has_unassigned=True).exists()


@pytest.mark.django_db
def test_a_batch_larger_than_a_chunk_spans_chunks(cast):
    campaign = pool(cast, contacts=CHUNK_SIZE * 2 + 50, batch_size=CHUNK_SIZE * 2 + 10, active=True)
    [sam] = senders(cast, campaign, 1)

    claim = self_assign_claim(campaign=campaign, sender=sam, request_key="k1")

    assert claim.count == CHUNK_SIZE * 2 + 10
    assert UnassignedChunk.objects.filter(campaign=campaign).count() == 3
    assert UnassignedChunk.objects.filter(campaign=campaign, has_unassigned=True).count() == 1


@pytest.mark.django_db
def test_contacts_taken_back_are_claimed_again(cast):
    campaign = pool(cast, contacts=6, batch_size=6, active=True)
    sam, dana = senders(cast, campaign, 2)
    self_assign_claim(campaign=campaign, sender=sam, request_key="k1")
    assert self_assign_claim(campaign=campaign, sender=dana, request_key="k1").count == 0

    contacts_take_back(campaign=campaign, sender=sam, count=2)

    assert self_assign_claim(campaign=campaign, sender=dana, request_key="k2").count == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"self_assign": False}, "Self-assign is off"),
        ({"status": "draft", "launched_at": None}, "not active"),
    ],
)
def test_no_claim_when_self_assign_is_off_or_the_campaign_is_not_active(cast, changes, refusal):
    campaign = pool(cast, contacts=3, batch_size=2, active=True)
    [sam] = senders(cast, campaign, 1)
    Campaign.objects.filter(pk=campaign.pk).update(**changes)

    with pytest.raises(SelfAssignRefused, match=refusal):
        self_assign_claim(campaign=campaign, sender=sam, request_key="k1")
    assert mine(campaign, sam) == 0


@pytest.mark.django_db
def test_only_the_campaigns_senders_claim(cast):
    campaign = pool(cast, contacts=3, batch_size=2, active=True)

    with pytest.raises(SelfAssignRefused, match="not a sender"):
        self_assign_claim(campaign=campaign, sender=cast.sam, request_key="k1")


@pytest.mark.django_db
def test_self_assign_is_off_by_default_and_switched_in_draft_or_active(cast):
    draft = CampaignFactory.create(organization=cast.org, office=cast.office_a)
    assert not draft.self_assign

    campaign_self_assign_set(campaign=draft, on=True, batch_size=1000)
    draft.refresh_from_db()
    assert (draft.self_assign, draft.batch_size) == (True, 1000)

    with pytest.raises(CampaignError, match="1 to 1,000") as error:
        campaign_self_assign_set(campaign=draft, on=True, batch_size=1001)
    assert error.value.field == "batch_size"
    archived = CampaignFactory.create(organization=cast.org, office=cast.office_a, archived=True)
    with pytest.raises(CampaignError, match="draft or active"):
        campaign_self_assign_set(campaign=archived, on=True, batch_size=5)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [0, 1001])
def test_the_database_holds_the_batch_size_between_1_and_1000(cast, size):
    campaign = CampaignFactory.create(organization=cast.org, office=cast.office_a)

    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(batch_size=size)


# --- concurrency against PostgreSQL -----------------------------------------------------------
def run_at_once(calls: list) -> list:
    """Runs each call in its own thread (its own database connection), all released at once."""
    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int, call) -> None:
        try:
            start.wait()
            results[i] = call()
        except Exception as error:  # the test inspects what each request got
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_claims_never_give_a_contact_twice(cast):
    """50 senders claim at once from a pool too small for all of them."""
    campaign = pool(cast, contacts=300, batch_size=7, active=True)
    people = senders(cast, campaign, 50)

    results = run_at_once(
        [
            lambda user=user: self_assign_claim(campaign=campaign, sender=user, request_key="go")
            for user in people
        ]
    )

    assert not [r for r in results if isinstance(r, Exception)]
    claimed = sum(claim.count for claim in results)
    assigned = Counter(
        Contact.objects.filter(campaign=campaign, assignee__isnull=False).values_list(
            "assignee", flat=True
        )
    )
    # Every contact a claim counted is still that claimer's: none was given twice.
    assert claimed == 300 == sum(assigned.values())
    assert {claim.user_id: claim.count for claim in results if claim.count} == dict(assigned)
    assert max(assigned.values()) <= 7


@pytest.mark.django_db(transaction=True)
def test_double_clicks_and_second_tabs_give_one_batch(cast):
    """25 senders each press twice at once: once retried (same key), once from a second tab."""
    campaign = pool(cast, contacts=400, batch_size=5, active=True)
    people = senders(cast, campaign, 25)
    calls = []
    for user in people:
        calls.append(lambda u=user: self_assign_claim(campaign=campaign, sender=u, request_key="a"))
        calls.append(lambda u=user: self_assign_claim(campaign=campaign, sender=u, request_key="a"))
    for user in people[:10]:
        calls.append(lambda u=user: self_assign_claim(campaign=campaign, sender=u, request_key="b"))

    results = run_at_once(calls)

    refused = [r for r in results if isinstance(r, SelfAssignRefused)]
    claims = [r for r in results if isinstance(r, SelfAssignClaim)]
    assert len(refused) + len(claims) == len(calls)
    # Whichever press of a sender ran first claimed; the others got that claim or a refusal.
    assert {claim.user_id: claim.pk for claim in claims} == dict(
        SelfAssignClaim.objects.filter(campaign=campaign).values_list("user_id", "pk")
    )
    assert SelfAssignClaim.objects.filter(campaign=campaign).count() == 25
    assert 10 <= len(refused) <= 20
    assert all(mine(campaign, user) == 5 for user in people)
    assert Contact.objects.filter(campaign=campaign, assignee__isnull=False).count() == 125


@pytest.mark.django_db
def test_a_claim_refused_at_once_writes_nothing(cast):
    """Found by tests/properties: Get more with self-assign off cut the campaign into chunks
    before it refused."""
    campaign = pool(cast, contacts=3, batch_size=2, active=True)
    [sam] = senders(cast, campaign, 1)
    Campaign.objects.filter(pk=campaign.pk).update(self_assign=False)
    campaign.refresh_from_db()

    with pytest.raises(SelfAssignRefused, match="Self-assign is off"):
        self_assign_claim(campaign=campaign, sender=sam, request_key="k1")

    assert not UnassignedChunk.objects.filter(campaign=campaign).exists()


def wait_until_blocked(done: threading.Event) -> None:
    """Returns once another session of the test database waits for a lock (or ``done``).

    PostgreSQL announces no lock wait, so pg_stat_activity is asked again each time ``done``
    has not been set within 10 ms; the thread that sets ``done`` ends the wait at once."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
        if done.wait(0.01):
            return


@pytest.mark.django_db(transaction=True)
def test_contacts_taken_back_while_a_claim_closes_their_chunk_find_it_open(cast):
    """A claim closes a chunk it found empty as it commits; a take-back from that chunk that
    commits meanwhile must not leave its contacts in a closed chunk, out of every claim's
    reach."""
    campaign = pool(cast, contacts=3, batch_size=3, active=True)
    [sam] = senders(cast, campaign, 1)
    contacts_assign(campaign=campaign, sender=sam, count=3)
    ids = list(Contact.objects.filter(assignee=sam).values_list("pk", flat=True))
    chunk = UnassignedChunk.objects.create(campaign=campaign, first_id=min(ids), last_id=max(ids))
    closing, release, taken_back = threading.Event(), threading.Event(), threading.Event()

    def claim_closing_the_chunk() -> None:
        try:
            with transaction.atomic():
                UnassignedChunk.objects.select_for_update().get(pk=chunk.pk)
                UnassignedChunk.objects.filter(pk=chunk.pk).update(has_unassigned=False)
                closing.set()
                release.wait(10)
        finally:
            connection.close()

    def take_back() -> None:
        try:
            contacts_take_back(campaign=campaign, sender=sam)
        finally:
            taken_back.set()
            connection.close()

    claim = threading.Thread(target=claim_closing_the_chunk)
    claim.start()
    closing.wait(10)
    back = threading.Thread(target=take_back)
    back.start()
    wait_until_blocked(taken_back)
    release.set()
    claim.join()
    back.join()

    chunk.refresh_from_db()
    assert Contact.objects.filter(campaign=campaign, assignee__isnull=True).count() == 3
    assert chunk.has_unassigned
    assert self_assign_claim(campaign=campaign, sender=sam, request_key="k1").count == 3


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_postgresql_ends_to_break_a_deadlock_runs_again(cast):
    """What a claim does when it and another wait for each other (rare; see CLAIM_ATTEMPTS),
    with two transactions that lock two chunks in opposite orders."""
    campaign = pool(cast, contacts=2, batch_size=1, active=True)
    a, b = (
        UnassignedChunk.objects.create(campaign=campaign, first_id=n, last_id=n) for n in (1, 2)
    )
    both_hold_one = threading.Barrier(2)
    runs: Counter[str] = Counter()

    def locking(first: UnassignedChunk, second: UnassignedChunk, name: str):
        @transaction.atomic
        def run() -> str:
            runs[name] += 1
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL deadlock_timeout = '50ms'")
            UnassignedChunk.objects.select_for_update().get(pk=first.pk)
            if runs[name] == 1:
                both_hold_one.wait(10)
            UnassignedChunk.objects.select_for_update().get(pk=second.pk)
            return name

        return lambda: sql.deadlock_retried(run, attempts=2)

    results = run_at_once([locking(a, b, "ab"), locking(b, a, "ba")])

    assert sorted(results) == ["ab", "ba"]
    assert sorted(runs.values()) == [1, 2]
