"""campaigns' SQL that is written by hand, for PostgreSQL and for SQLite (the embedded default
of `make run`): saving an uploaded contacts file in bulk, copying contacts to a clone or a
follow-up, the self-assign claim, and the triggers that keep ``PhoneNumber.in_use`` (the
Phone Numbers list's Usage column and sort key). The rest of the app calls the functions here
and never asks which database it runs on.

The triggers live in campaigns because phone_numbers cannot see campaigns (DESIGN.md, the
direction of the arrows). Their SQL below is the *current* version; migration 0003 runs a
frozen copy of the version of its day. A migration that changes them freezes its new SQL and
writes it here too: ``tests/test_kept_columns.py`` (PostgreSQL) and the SQLite smoke run
(``scripts/smoke_embedded.py``) fail while the two disagree."""

import json
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from django.core import checks
from django.db import OperationalError, connections
from django.db import connection as default_connection
from django.db.models import Exists, QuerySet, Subquery
from django.utils import timezone
from psycopg.errors import DeadlockDetected

from accounts.models import User
from campaigns.models import (
    Campaign,
    CampaignSender,
    Contact,
    SelfAssignClaim,
    UnassignedChunk,
)
from campaigns.selectors import contacts_to_text
from config.database import allow_prepared
from phone_numbers import sql as phone_numbers_sql
from phone_numbers.sql import Trigger, Triggers, triggers_check

# phone, first name, last name, extra fields: a row the contacts preview validated.
ContactRow = tuple[str, str, str, dict[str, Any]]
COLUMNS = "campaign_id, phone, first_name, last_name, fields, created_at"
SQLITE_BATCH = 5000


# --- contacts -------------------------------------------------------------------------------
def contacts_insert(
    *, campaign_id: int, rows: Sequence[ContactRow], using: str = "default"
) -> None:
    """Saves validated rows as the campaign's contacts: PostgreSQL's COPY (a 100,000-row file
    in about a second), elsewhere the ORM's bulk insert."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        contacts = (_contact(campaign_id, row) for row in rows)
        Contact.objects.using(using).bulk_create(contacts, batch_size=SQLITE_BATCH)
        return
    now = timezone.now()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {Contact._meta.db_table} ({COLUMNS}) FROM STDIN") as copy,
    ):
        for phone, first_name, last_name, fields in rows:
            copy.write_row((campaign_id, phone, first_name, last_name, json.dumps(fields), now))


def _contact(campaign_id: int, row: ContactRow) -> Contact:
    phone, first_name, last_name, fields = row
    return Contact(
        campaign_id=campaign_id,
        phone=phone,
        first_name=first_name,
        last_name=last_name,
        fields=fields,
    )


def contacts_copy(*, contacts: QuerySet[Contact], campaign_id: int) -> int:
    """Copies ``contacts`` (phone, names, fields; not their replies) into the campaign in one
    INSERT … SELECT, which both databases run as written; returns how many."""
    connection = connections[contacts.db]
    columns = contacts.values("phone", "first_name", "last_name", "fields")
    sql, params = columns.query.get_compiler(connection=connection).as_sql()
    # The time is a parameter, adapted to how the database stores it (SQLite has no now()).
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Contact._meta.db_table} ({COLUMNS}) "
            "SELECT %s, s.phone, s.first_name, s.last_name, s.fields, %s "
            f"FROM ({sql}) AS s",
            [campaign_id, created_at, *params],
        )
        return cursor.rowcount


# --- self-assign ----------------------------------------------------------------------------
# campaigns.self_assign explains the design (chunks locked with SKIP LOCKED). On PostgreSQL a
# claim is sent as raw SQL: two statements in the common case (the seat, then one statement
# that checks, claims and records), because through the ORM the client's own work per claim
# (~14 ms of CPU building the queries) held every claim's locks and made it the bottleneck.
# SQLite has no SKIP LOCKED and one writer at a time: there the ORM version below runs.
#
# The statements go through a cursor of their own that binds parameters on the server, and
# psycopg prepares each once per connection: Django's cursor sends the values inlined, so
# PostgreSQL parsed and planned the claim's statement again at every claim (a fifth of its
# CPU). Django leaves psycopg's prepared statements off (for transaction-pooling proxies that
# cannot carry them; PgBouncer can since 1.21); this turns them on for the statements that ask.
@contextmanager
def _prepared() -> Iterator[psycopg.Cursor[Any]]:
    default_connection.ensure_connection()
    raw = default_connection.connection
    allow_prepared(raw)
    with default_connection.wrap_database_errors, psycopg.Cursor(raw) as cursor:
        yield cursor


# Where this process's next claim of a campaign looks first: the last chunk its previous claim
# held. Emptied chunks leave dead entries at the head of ``chunk_with_unassigned`` that only a
# VACUUM removes (and none can while any transaction in the cluster is older than them): a
# claim that looked from the first chunk walked them all, a page of them per 300 claims made.
_RESUME_AT: dict[int, int] = {}


def _run(cursor: psycopg.Cursor[Any], sql: str, params: dict[str, Any]) -> tuple[Any, ...]:
    row = cursor.execute(sql, params, prepare=True).fetchone()
    assert row is not None  # each statement here answers one row
    return row


def deadlock_retried[T](run: Callable[[], T], *, attempts: int) -> T:
    """``run()``, again (up to ``attempts`` times in all) while PostgreSQL ends it to break a
    deadlock: ``run`` must be a transaction of its own, which the deadlock rolled back."""
    for _ in range(attempts - 1):
        try:
            return run()
        except OperationalError as error:
            if not isinstance(error.__cause__, DeadlockDetected):
                raise
    return run()


@dataclass(frozen=True)
class Seat:
    """The locked seat's campaign, as a claim needs it."""

    status: str
    self_assign: bool
    batch_size: int
    name: str
    organization_id: int


@dataclass(frozen=True)
class Taken:
    """What a claim found: an earlier claim of the same request key, initial messages left
    to send (nothing claimed in either case), or the new claim."""

    earlier_id: int | None = None
    left: bool = False
    claim: SelfAssignClaim | None = None


def self_assign_seat_lock(*, campaign_id: int, user_id: int) -> Seat | None:
    """Locks the sender's seat (serialising that sender's claims, nobody else's) and reads
    its campaign; None if ``user_id`` is not a sender of the campaign. In a transaction."""
    if default_connection.vendor != "postgresql":
        seat = (
            CampaignSender.objects.select_for_update(of=("self",))
            .select_related("campaign")
            .filter(campaign_id=campaign_id, user_id=user_id)
            .first()
        )
        if seat is None:
            return None
        c = seat.campaign
        return Seat(c.status, c.self_assign, c.batch_size, c.name, c.organization_id)
    with _prepared() as cursor:
        found = cursor.execute(_SEAT, {"campaign": campaign_id, "user": user_id}, prepare=True)
        row = found.fetchone()
    return None if row is None else Seat(*row[:5])


# The seat's statement also sets, for the rest of the claim's transaction, how PostgreSQL runs
# the prepared statements: with the plan it made once (by its own choice it planned the claim
# again at every execution, its estimate for the generic plan being far above the one for the
# values at hand), and without JIT, which that estimate would switch on (0.2 s a claim).
_SEAT = """
SELECT c.status, c.self_assign, c.batch_size, c.name, c.organization_id,
  set_config('plan_cache_mode', 'force_generic_plan', true), set_config('jit', 'off', true)
FROM campaigns_campaignsender s JOIN campaigns_campaign c ON c.id = s.campaign_id
WHERE s.campaign_id = %(campaign)s AND s.user_id = %(user)s FOR UPDATE OF s
"""


def self_assign_take(
    *,
    campaign_id: int,
    organization_id: int,
    user_id: int,
    request_key: str,
    wanted: int,
    chunk_size: int,
) -> Taken:
    """After ``self_assign_seat_lock``, in its transaction: the earlier claim of
    ``request_key``, or the refusal because initial messages are left, or up to ``wanted``
    Unassigned contacts assigned to the sender and the claim recorded."""
    if default_connection.vendor != "postgresql":
        return _orm_take(campaign_id, user_id, request_key, wanted)
    key: dict[str, int | str] = {
        "campaign": campaign_id,
        "organization": organization_id,
        "user": user_id,
        "key": request_key,
    }
    with _prepared() as cursor:
        # A pass looks at the open chunks past ``after``: first past where this process's
        # previous claim ended. Before it, chunks were emptied or held by other claims (which
        # resume there); one a take-back reopened there waits until nothing is open past it.
        after = _RESUME_AT.get(campaign_id, 0) - 1
        row = {**key, "after": after, "chunks": math.ceil(wanted / chunk_size)}
        state = _run(cursor, _CLAIM_FIRST, {**row, "wanted": wanted})
        earlier, left, recorded, expected, last, claim_id, created_at = state
        if earlier is not None or left:
            return Taken(earlier_id=earlier, left=left)
        total, missed, from_start, may_wait = recorded, expected - recorded, after < 0, True
        highest = last if last is not None else -1
        while total < wanted:
            if missed:
                # The pass read its chunks' contacts as of its start, and a claim that held one
                # committed before this one locked it: read them again (they stay this
                # claim's chunks, so the same pass finds them).
                sql = _CLAIM_NEXT_SKIP
            elif last is not None:
                after, may_wait, sql = last, True, _CLAIM_NEXT_SKIP
            elif not from_start:
                # Nothing open from where this process resumed: from the first chunk, then.
                from_start, after, sql = True, -1, _CLAIM_NEXT_SKIP
            elif may_wait:
                # Every open chunk is held by another claim (a small pool): rather than give a
                # short batch, wait for the first one past those this claim holds (claims wait
                # only upwards, so never for one another in a circle).
                may_wait, after, sql = False, highest, _CLAIM_NEXT_WAIT
            else:
                break
            chunks = math.ceil((wanted - total) / chunk_size)
            row = {**key, "after": after, "chunks": chunks, "wanted": wanted - total}
            got, expected, last = _run(cursor, sql, row)
            total, missed = total + got, expected - got
            if last is not None:
                highest = max(highest, last)
        if total != recorded:
            _run(cursor, _CLAIM_COUNT, {"count": total, "claim": claim_id})
    if highest > 0:
        _RESUME_AT[campaign_id] = highest
    claim = SelfAssignClaim.from_db(
        default_connection.alias,
        ["id", "campaign_id", "user_id", "request_key", "count", "created_at"],
        [claim_id, campaign_id, user_id, request_key, total, created_at],
    )
    return Taken(claim=claim)


# One pass of a claim: lock up to %(chunks)s open chunks past %(after)s (LOCKING below), take up
# to %(wanted)s of their Unassigned contacts, and close the chunks that pass emptied.
#
# A claim writes only contacts of chunks it holds, each chunk's by its own id range (a join
# the planner could choose freely walked the contacts' whole primary key: 2 s at a million).
# So the chunk's lock is its contacts' lock: they are not locked one by one as well (a WAL
# record and a dirtied page per contact). What the chunk lock does not keep out, an admin
# assigning by hand (campaigns.assignment), the UPDATE's own condition does: it waits for a
# contact such a transaction holds and takes it only if it is still Unassigned once that one
# has committed.
#
# ``found`` numbers the chunks' Unassigned contacts, one more than wanted: the UPDATE takes the
# range up to the last wanted one (one index walk, where a list of ids cost a walk each), the
# chunks before the one more were emptied, and the chunk holding it stays open. The statement
# reads as of its start, which may be before a claim that held one of the chunks committed:
# then it takes fewer than ``expected``, and self_assign_take runs the pass again (it finds the
# same chunks, this claim's now, and reads them afresh).
_CLAIM_PASS = """
chunk AS (
  SELECT u.id, u.first_id, u.last_id FROM campaigns_unassignedchunk u
  WHERE u.campaign_id = %(campaign)s AND u.has_unassigned AND u.first_id > %(after)s {guard}
  ORDER BY u.first_id LIMIT %(chunks)s
  FOR UPDATE {locking}
),
found AS (
  SELECT f.id, row_number() OVER (ORDER BY f.id) AS n
  FROM chunk CROSS JOIN LATERAL (
    SELECT c.id FROM campaigns_contact c
    WHERE c.campaign_id = %(campaign)s AND c.id BETWEEN chunk.first_id AND chunk.last_id
      AND c.assignee_id IS NULL AND c.texted_at IS NULL
    ORDER BY c.id LIMIT %(wanted)s + 1
  ) AS f
  ORDER BY f.id LIMIT %(wanted)s + 1
),
edge AS (
  SELECT max(id) FILTER (WHERE n <= %(wanted)s) AS last_taken,
    min(id) FILTER (WHERE n > %(wanted)s) AS first_left,
    count(*) FILTER (WHERE n <= %(wanted)s) AS expected
  FROM found
),
taken AS (
  UPDATE campaigns_contact c SET assignee_id = %(user)s
  FROM chunk
  WHERE c.id BETWEEN chunk.first_id AND chunk.last_id AND c.id <= (SELECT last_taken FROM edge)
    AND c.campaign_id = %(campaign)s AND c.assignee_id IS NULL AND c.texted_at IS NULL
  RETURNING c.id
),
closed AS (
  UPDATE campaigns_unassignedchunk u SET has_unassigned = false
  FROM chunk
  WHERE u.id = chunk.id
    AND chunk.last_id < coalesce((SELECT first_left FROM edge), chunk.last_id + 1)
)"""

# The first pass also reads, after the seat lock, an earlier claim of the request key and
# whether initial messages are left (contacts_to_text, by hand); claims only if neither; and
# records the claim.
_CLAIM_FIRST = (
    """
WITH state AS (
  SELECT
    (SELECT id FROM campaigns_selfassignclaim
     WHERE campaign_id = %(campaign)s AND user_id = %(user)s AND request_key = %(key)s
    ) AS earlier,
    EXISTS (
      SELECT 1 FROM campaigns_contact c
      WHERE c.assignee_id = %(user)s AND c.campaign_id = %(campaign)s AND c.texted_at IS NULL
        AND NOT EXISTS (
          SELECT 1 FROM campaigns_optout o
          WHERE o.organization_id = %(organization)s AND o.phone = c.phone
        )
    ) AS left_
),"""
    + _CLAIM_PASS.format(
        guard="AND (SELECT earlier IS NULL AND NOT left_ FROM state)", locking="SKIP LOCKED"
    )
    + """,
recorded AS (
  INSERT INTO campaigns_selfassignclaim (campaign_id, user_id, request_key, count, created_at)
  SELECT %(campaign)s, %(user)s, %(key)s, (SELECT count(*) FROM taken), now()
  FROM state WHERE earlier IS NULL AND NOT left_
  RETURNING id, count, created_at
)
SELECT state.earlier, state.left_, coalesce(recorded.count, 0), (SELECT expected FROM edge),
  (SELECT max(first_id) FROM chunk), recorded.id, recorded.created_at
FROM state LEFT JOIN recorded ON true
"""
)
_CLAIM_NEXT = (
    "WITH"
    + _CLAIM_PASS
    + "\nSELECT (SELECT count(*) FROM taken), (SELECT expected FROM edge), max(first_id) FROM chunk"
)
_CLAIM_NEXT_SKIP = _CLAIM_NEXT.format(guard="", locking="SKIP LOCKED")
_CLAIM_NEXT_WAIT = _CLAIM_NEXT.format(guard="", locking="")
_CLAIM_COUNT = (
    "UPDATE campaigns_selfassignclaim SET count = %(count)s WHERE id = %(claim)s RETURNING id"
)


def _orm_take(campaign_id: int, user_id: int, request_key: str, wanted: int) -> Taken:
    """``self_assign_take`` through the ORM, for SQLite (which ignores the row locks)."""
    campaign = Campaign.objects.get(pk=campaign_id)
    earlier = SelfAssignClaim.objects.filter(
        campaign_id=campaign_id, user_id=user_id, request_key=request_key
    )
    state = (
        CampaignSender.objects.filter(campaign_id=campaign_id, user_id=user_id)
        .annotate(
            earlier=Subquery(earlier.values("pk")[:1]),
            left=Exists(contacts_to_text(campaign=campaign, sender=User(pk=user_id))),
        )
        .values("earlier", "left")
        .get()
    )
    if state["earlier"] is not None or state["left"]:
        return Taken(earlier_id=state["earlier"], left=state["left"])
    got, after = 0, -1
    while got < wanted:
        chunk = _orm_next_chunk(campaign_id, after=after)
        if chunk is None:
            break
        after = chunk.first_id
        got += _orm_claim_from(chunk, user_id, wanted - got)
    claim = SelfAssignClaim.objects.create(
        campaign_id=campaign_id, user_id=user_id, request_key=request_key, count=got
    )
    return Taken(claim=claim)


def _orm_next_chunk(campaign_id: int, *, after: int) -> UnassignedChunk | None:
    """Locks the next chunk with Unassigned contacts: one nobody holds if there is one, else
    waits for the first held one. ``first_id > after``: a chunk this claim already holds is
    not skipped by its own lock, and taking chunks in id order means no waiting in a circle."""
    open_chunks = UnassignedChunk.objects.filter(
        campaign_id=campaign_id, has_unassigned=True, first_id__gt=after
    ).order_by("first_id")
    free = open_chunks.select_for_update(skip_locked=True).first()
    return free if free is not None else open_chunks.select_for_update().first()


def _orm_claim_from(chunk: UnassignedChunk, user_id: int, wanted: int) -> int:
    """Assigns up to ``wanted`` Unassigned contacts of the locked ``chunk`` and clears the
    chunk if that emptied it."""
    unassigned = Contact.objects.filter(
        campaign_id=chunk.campaign_id,
        pk__gte=chunk.first_id,
        pk__lte=chunk.last_id,
        assignee__isnull=True,
        texted_at__isnull=True,
    )
    taking = unassigned.select_for_update(skip_locked=True).order_by("pk").values("pk")[:wanted]
    got = Contact.objects.filter(pk__in=Subquery(taking)).update(assignee_id=user_id)
    UnassignedChunk.objects.filter(pk=chunk.pk).exclude(Exists(unassigned)).update(
        has_unassigned=False
    )
    return got


# --- the messenger --------------------------------------------------------------------------
def contact_lock_to_send(
    *, contact_pk: int, campaign_id: int, organization_id: int, sender_id: int
) -> tuple[Contact, bool]:
    """The sender's contact in the campaign, locked until the transaction ends, and whether it
    opted out (anywhere in the organization), read in the same statement; any other contact
    raises ``Contact.DoesNotExist``. By hand for the same reason as the read below: the Send
    click runs it. SQLite takes no row lock: its transactions hold the database's write lock
    from BEGIN (``transaction_mode`` IMMEDIATE in the settings)."""
    connection = default_connection
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    params = {
        "contact": contact_pk,
        "campaign": campaign_id,
        "organization": organization_id,
        "sender": sender_id,
    }
    for contact in Contact.objects.raw(_CONTACT_TO_SEND + lock, params):
        return contact, contact.opted_out  # type: ignore[attr-defined]
    raise Contact.DoesNotExist("No such contact in the sender's assignment.")


_CONTACT_TO_SEND = """
SELECT c.*, EXISTS (
  SELECT 1 FROM campaigns_optout o
  WHERE o.organization_id = %(organization)s AND o.phone = c.phone
) AS opted_out
FROM campaigns_contact c
WHERE c.id = %(contact)s AND c.campaign_id = %(campaign)s AND c.assignee_id = %(sender)s"""


def messenger_next_contact_read(
    *, campaign_id: int, organization_id: int, user_id: int, counted: int
) -> tuple[Contact | None, int, int]:
    """The sender's next contact to text (None when none is left), how many initial messages
    are left and how many replies wait, each counted no further than ``counted`` rows: one
    statement, which both databases run as written. Through the ORM the same reads took three
    statements, and more CPU to build than the database spent running them (the Send click
    answers with this, benchmarks/bench_send_click.py)."""
    params = {
        "campaign": campaign_id,
        "organization": organization_id,
        "user": user_id,
        "counted": counted,
    }
    row = next(iter(Contact.objects.raw(_NEXT_CONTACT, params)))
    contact = row if row.pk is not None else None
    return contact, row.initial_messages, row.replies  # type: ignore[attr-defined]


# ``to_text`` is contacts_to_text by hand and ``waiting`` the condition REPLY_WAITS, each walked
# along its partial index (contact_assigned, contact_reply_waits) and no further than
# the count needs; campaigns/tests/test_messenger.py holds them to the ORM's. The one row comes
# back when nothing is left to send too (its contact columns null), with the replies' count.
_NEXT_CONTACT = """
WITH to_text AS (
  SELECT t.id FROM campaigns_contact t
  WHERE t.assignee_id = %(user)s AND t.campaign_id = %(campaign)s AND t.texted_at IS NULL
    AND NOT EXISTS (
      SELECT 1 FROM campaigns_optout o
      WHERE o.organization_id = %(organization)s AND o.phone = t.phone
    )
  ORDER BY t.id LIMIT %(counted)s
)
SELECT c.*,
  (SELECT count(*) FROM to_text) AS initial_messages,
  (SELECT count(*) FROM (
    SELECT 1 FROM campaigns_contact w
    WHERE w.assignee_id = %(user)s AND w.campaign_id = %(campaign)s
      AND w.last_reply_at IS NOT NULL AND (w.texted_at IS NULL OR w.last_reply_at > w.texted_at)
    LIMIT %(counted)s
  ) AS waiting) AS replies
FROM (SELECT 1 AS one) AS one
LEFT JOIN campaigns_contact c ON c.id = (SELECT min(id) FROM to_text)
"""


# --- triggers -------------------------------------------------------------------------------
def check_triggers(
    app_configs: Any = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    return triggers_check(
        TRIGGERS,
        app="campaigns",
        keeps="the Phone Numbers list's usage column (PhoneNumber.in_use)",
        databases=databases,
    )


# A campaign that starts or stops using a number touches the number's in_use; the number's own
# trigger then works the value out once its row is locked, so two campaigns on one number that
# change at once are counted one after the other (see migration 0003). The live statuses are
# phone_numbers.usage.IN_USE_CAMPAIGN_STATUSES; tests/test_kept_columns.py holds them equal.
POSTGRESQL_FUNCTIONS = [
    """
CREATE OR REPLACE FUNCTION phone_number_in_use_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.in_use := EXISTS (
    SELECT 1 FROM campaigns_campaign
    WHERE phone_number_id = NEW.id AND status IN ('launching', 'active')
  );
  RETURN NEW;
END $$
""",
    """
CREATE OR REPLACE FUNCTION campaign_number_usage_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Touch the numbers concerned; their own trigger works the value out.
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('launching', 'active') THEN
    UPDATE phone_numbers_phonenumber SET in_use = in_use WHERE id = OLD.phone_number_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status IN ('launching', 'active') THEN
    UPDATE phone_numbers_phonenumber SET in_use = in_use WHERE id = NEW.phone_number_id;
  END IF;
  RETURN NULL;
END $$
""",
]

POSTGRESQL_TRIGGERS = [
    Trigger(
        "phone_number_in_use_keep",
        "phone_numbers_phonenumber",
        """
CREATE TRIGGER phone_number_in_use_keep
BEFORE INSERT OR UPDATE OF in_use ON phone_numbers_phonenumber
FOR EACH ROW EXECUTE FUNCTION phone_number_in_use_keep()
""",
    ),
    Trigger(
        "campaign_number_usage_inserted_or_deleted",
        "campaigns_campaign",
        """
CREATE TRIGGER campaign_number_usage_inserted_or_deleted
AFTER INSERT OR DELETE ON campaigns_campaign
FOR EACH ROW EXECUTE FUNCTION campaign_number_usage_changed()
""",
    ),
    Trigger(
        "campaign_number_usage_updated",
        "campaigns_campaign",
        """
CREATE TRIGGER campaign_number_usage_updated
AFTER UPDATE OF status, phone_number_id ON campaigns_campaign
FOR EACH ROW
WHEN (
  OLD.status IS DISTINCT FROM NEW.status
  OR OLD.phone_number_id IS DISTINCT FROM NEW.phone_number_id
)
EXECUTE FUNCTION campaign_number_usage_changed()
""",
    ),
]

# SQLite has one writer at a time, so AFTER triggers that rewrite the row need no lock.
SQLITE_TRIGGERS = [
    Trigger(
        "phone_number_in_use_insert",
        "phone_numbers_phonenumber",
        """
CREATE TRIGGER phone_number_in_use_insert
AFTER INSERT ON phone_numbers_phonenumber
BEGIN
  UPDATE phone_numbers_phonenumber SET in_use = in_use WHERE id = NEW.id;
END
""",
    ),
    Trigger(
        "phone_number_in_use_keep",
        "phone_numbers_phonenumber",
        """
CREATE TRIGGER phone_number_in_use_keep
AFTER UPDATE OF in_use ON phone_numbers_phonenumber
BEGIN
  UPDATE phone_numbers_phonenumber
  SET in_use = EXISTS (
    SELECT 1 FROM campaigns_campaign
    WHERE phone_number_id = NEW.id AND status IN ('launching', 'active')
  )
  WHERE id = NEW.id;
END
""",
    ),
    Trigger(
        "campaign_number_usage_inserted",
        "campaigns_campaign",
        """
CREATE TRIGGER campaign_number_usage_inserted
AFTER INSERT ON campaigns_campaign
WHEN NEW.status IN ('launching', 'active')
BEGIN
  UPDATE phone_numbers_phonenumber SET in_use = in_use WHERE id = NEW.phone_number_id;
END
""",
    ),
    Trigger(
        "campaign_number_usage_updated",
        "campaigns_campaign",
        """
CREATE TRIGGER campaign_number_usage_updated
AFTER UPDATE OF status, phone_number_id ON campaigns_campaign
WHEN OLD.status IS NOT NEW.status OR OLD.phone_number_id IS NOT NEW.phone_number_id
BEGIN
  UPDATE phone_numbers_phonenumber SET in_use = in_use
  WHERE id IN (OLD.phone_number_id, NEW.phone_number_id);
END
""",
    ),
    Trigger(
        "campaign_number_usage_deleted",
        "campaigns_campaign",
        """
CREATE TRIGGER campaign_number_usage_deleted
AFTER DELETE ON campaigns_campaign
WHEN OLD.status IN ('launching', 'active')
BEGIN
  UPDATE phone_numbers_phonenumber SET in_use = in_use WHERE id = OLD.phone_number_id;
END
""",
    ),
]

TRIGGERS = Triggers(
    postgresql=POSTGRESQL_TRIGGERS,
    sqlite=SQLITE_TRIGGERS,
    postgresql_functions=POSTGRESQL_FUNCTIONS,
)


def triggers_all() -> list[tuple[str, Triggers]]:
    """Every app's declared triggers (campaigns stands above phone_numbers, so it sees both),
    for the smoke run and the tests."""
    return [("phone_numbers", phone_numbers_sql.TRIGGERS), ("campaigns", TRIGGERS)]
