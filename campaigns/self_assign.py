"""Self-assign: a sender with no initial message left presses *Get more* and receives the next
batch of Unassigned contacts.

**How a claim stays fast under concurrency.** The obvious statement — ``UPDATE contact … WHERE
id IN (SELECT id … WHERE assignee IS NULL ORDER BY id LIMIT n FOR UPDATE SKIP LOCKED)`` —
collapses when many senders claim at once (research/limits.md: 311 → 17-44 claims/s at 32
claimers): every claim leaves dead entries at the head of the "unassigned" index that cannot be
cleaned while other claims are open, so each scan walks further. Instead the pool is cut into
*chunks* (``UnassignedChunk``: up to ``CHUNK_SIZE`` consecutive contact ids), built once, on
the first claim of the campaign (its contacts no longer change once it is active). A claim

1. locks the first chunk still marked ``has_unassigned`` with ``FOR UPDATE SKIP LOCKED`` —
   concurrent claimers each get a different chunk and do not wait on one another (only when
   every open chunk is held, in a small pool, does a claim wait for one); locking a row writes
   no new row version, so the chunk index stays clean;
2. takes the chunk's Unassigned contacts by primary-key range (at most ``CHUNK_SIZE`` rows
   to look at, however many contacts were claimed before) and assigns up to what it needs,
   under the chunk's lock alone (the contacts are not locked one by one);
3. clears ``has_unassigned`` on a chunk it emptied — one dead index entry per ``CHUNK_SIZE``
   contacts rather than one per contact — and moves on to the next chunk until the batch is
   full, so any batch size (1 to 1,000) works on the same chunks.

Adjustable batch sizes are why the unit is a chunk of contacts rather than a precomputed
batch: a batch of 1,000 spans ten chunks, a batch of 1 leaves the rest of its chunk for later.
Taking contacts back to Unassigned re-marks their chunks (``campaigns.assignment``).

Each process starts its next claim at the chunk where its last one ended, not at the first
chunk: the chunks emptied before it stay in the chunks' index as dead entries until a VACUUM.

**What a claim costs.** It rewrites its contacts, and each new row version goes into every
index of the contacts table: ``Contact`` keeps three (see its docstring). On PostgreSQL the
claim is raw SQL (``campaigns.sql``), prepared once per connection: the seat lock, then one
statement with CTEs that checks, locks a chunk, assigns, closes the chunk and records the claim
(another pass only when a batch spans chunks). Through the ORM each claim spent ~14 ms of the
client's CPU while holding its locks, which capped the rate.

**One batch per press.** The claim locks the sender's ``CampaignSender`` row first, so one
sender's claims run one at a time: a retried request with the same ``request_key`` returns the
claim it made, and a second tab or double click with a new key finds the first batch's
initial messages still to send and is refused.
"""

from django.db import connection, transaction

from accounts.models import User
from campaigns import sql
from campaigns.errors import CampaignError
from campaigns.models import Campaign, CampaignStatus, Contact, SelfAssignClaim, UnassignedChunk

CHUNK_SIZE = 100
MAX_BATCH_SIZE = 1000
# Campaigns this process has seen cut into chunks. Chunks are built once and never removed
# (but with their campaign), so a claim skips asking again: one round trip less per claim.
_CHUNKED: set[int] = set()


class SelfAssignRefused(CampaignError):
    """*Get more* cannot give a batch now; the message says why."""


def self_assign_claim(*, campaign: Campaign, sender: User, request_key: str) -> SelfAssignClaim:
    """Gives ``sender`` the next batch of Unassigned contacts (at most ``batch_size``) and
    returns the claim; the same ``request_key`` returns the same claim.

    The statements are campaigns.sql's (raw SQL on PostgreSQL: a claim is two round trips)."""
    # A claim refused at once (self-assign off, the campaign not active) writes nothing, not
    # even the chunks; the lock below checks again what may have changed since.
    _check_open(campaign)
    _chunks_ensure(campaign)
    taken = sql.deadlock_retried(
        lambda: _take(campaign, sender, request_key), attempts=CLAIM_ATTEMPTS
    )
    if taken.earlier_id is not None:
        return SelfAssignClaim.objects.get(pk=taken.earlier_id)
    if taken.claim is None:
        raise SelfAssignRefused("Send your initial messages first; then get more.")
    return taken.claim


# Claims wait for a chunk only past every chunk they hold, so never for one another in a
# circle, bar one case: in READ COMMITTED, PostgreSQL's FOR UPDATE waits while it follows a
# chunk that a claim closed meanwhile to its latest version, and keeps its lock on the version
# it then passes over. Two claims can so, rarely, each wait for the other; PostgreSQL ends one,
# whose transaction was rolled back whole, and it runs again.
CLAIM_ATTEMPTS = 3


@transaction.atomic
def _take(campaign: Campaign, sender: User, request_key: str) -> sql.Taken:
    # Locking the seat serialises this sender's claims (two tabs, a double click); other
    # senders are not held. What follows reads after the lock, so it sees a claim that just
    # committed.
    seat = sql.self_assign_seat_lock(campaign_id=campaign.pk, user_id=sender.pk)
    if seat is None:
        _check_open(Campaign.objects.get(pk=campaign.pk))
        raise SelfAssignRefused(f"You are not a sender of “{campaign.name}”.")
    _check_open(seat)
    return sql.self_assign_take(
        campaign_id=campaign.pk,
        organization_id=seat.organization_id,
        user_id=sender.pk,
        request_key=request_key,
        wanted=seat.batch_size,
        chunk_size=CHUNK_SIZE,
    )


def _check_open(campaign: Campaign | sql.Seat) -> None:
    if campaign.status != CampaignStatus.ACTIVE:
        raise SelfAssignRefused(f"“{campaign.name}” is not active.")
    if not campaign.self_assign:
        raise SelfAssignRefused(f"Self-assign is off for “{campaign.name}”.")


def _chunks_ensure(campaign: Campaign) -> None:
    """Cuts an active campaign's contacts (fixed since launch) into chunks, once, in a
    transaction of its own: concurrent first claims wait on the campaign row only while the
    first of them builds, then find the chunks."""
    if campaign.pk in _CHUNKED or UnassignedChunk.objects.filter(campaign_id=campaign.pk).exists():
        _CHUNKED.add(campaign.pk)
        return
    with transaction.atomic():
        active = Campaign.objects.select_for_update(no_key=True).filter(
            pk=campaign.pk, status=CampaignStatus.ACTIVE
        )
        if (
            active.first() is None
            or UnassignedChunk.objects.filter(campaign_id=campaign.pk).exists()
        ):
            return
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {UnassignedChunk._meta.db_table} "
                "(campaign_id, first_id, last_id, has_unassigned) "
                "SELECT %s, min(id), max(id), TRUE FROM ("
                "  SELECT id, (row_number() OVER (ORDER BY id) - 1) / %s AS n"
                f"  FROM {Contact._meta.db_table} WHERE campaign_id = %s"
                ") AS numbered GROUP BY n",
                [campaign.pk, CHUNK_SIZE, campaign.pk],
            )


@transaction.atomic
def campaign_self_assign_set(*, campaign: Campaign, on: bool, batch_size: int) -> Campaign:
    """Turns self-assign on or off and sets its batch size, in a draft or active campaign."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.ACTIVE):
        raise CampaignError(
            f"Self-assign changes in draft or active campaigns; “{campaign.name}” is "
            f"{campaign.get_status_display().lower()}."
        )
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise CampaignError(f"A batch holds 1 to {MAX_BATCH_SIZE:,} contacts.", field="batch_size")
    campaign.self_assign, campaign.batch_size = on, batch_size
    campaign.save(update_fields=["self_assign", "batch_size", "updated_at"])
    return campaign
