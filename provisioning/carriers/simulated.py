"""The simulated carrier: the default adapter, deterministic for ``SIMULATED_CARRIER_SEED``.

It behaves like a real CPaaS (research/carriers.md §7): finite inventory per area code, a
purchase keyed by an idempotency key, submissions that the carriers decide after a latency, and
the faults the engine must survive. The environment forces every path (see DESIGN.md):
``_LATENCY`` (MIN-MAX seconds until a carrier decides: AT&T, T-Mobile and Verizon each draw
their own latency), ``_FAIL_AREA_CODES`` (every attempt rejected by one of the carriers),
``_FLAKY_AREA_CODES`` (CODE:N — the first N attempts of an order rejected by one carrier),
``_EMPTY_AREA_CODES`` (nothing to buy), ``_ERROR_RATE`` (share of calls failing with a 5xx,
a 429, a timeout, or — for writes — an ambiguous answer after the write happened) and
``_UNDELIVERABLE`` (contact numbers whose messages fail delivery).

Like a real provider it reports a sent message's delivery after its latency, as a signed
status webhook (HMAC-SHA256 with ``SIMULATED_CARRIER_WEBHOOK_SECRET`` over the timestamp and
the body; a report older than five minutes is a replay and refused). Having no server of its
own to call from, it hands that webhook to the same code the status view runs
(``provisioning.tasks.simulated_delivery_report``).

Its state lives in the database (``simulated_state``) and the knobs are read at call time. Its
count of calls (which decides the injected faults) is kept on a connection of its own, so a
rollback of the caller's transaction does not undo it — a real provider's books do not roll
back with ours either, and a retry after an injected error must draw again.
"""

import hashlib
import hmac
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.functional import cached_property

from config.carrier_knobs import Knobs, knobs_from
from provisioning.carriers.base import (
    CARRIERS,
    AmbiguousWriteError,
    AvailableNumber,
    CarrierDecision,
    CarrierState,
    DeliveryReport,
    DeliveryState,
    FailureScope,
    InboundMessage,
    NoInventory,
    NumberUnavailable,
    OwnedNumber,
    PermanentProviderError,
    ProvisioningHandle,
    ProvisioningState,
    ProvisioningStatus,
    RateLimited,
    TransientProviderError,
)
from provisioning.carriers.simulated_state import (
    SimulatedCall,
    SimulatedMessage,
    SimulatedNumber,
    SimulatedNumberState,
    SimulatedSubmission,
)

INVENTORY_PER_AREA_CODE = 36
SIGNATURE_HEADER = "X-Simulated-Signature"
TIMESTAMP_HEADER = "X-Simulated-Timestamp"
REPLAY_WINDOW_SECONDS = 300
UNDELIVERABLE_REASON = "Unreachable destination handset (30003)"
# Which carrier rejects, and why, when a number is to be rejected.
REJECTIONS = (
    ("att", "AT&T rejected the number: another aggregator owns the number."),
    ("tmobile", "T-Mobile rejected the number: not approved for this campaign."),
    ("verizon", "Verizon rejected the number: the number is not messaging-enabled."),
)


class SimulatedCarrier:
    name = "simulated"
    per_carrier_status = True

    @cached_property
    def knobs(self) -> Knobs:
        # Read on first use, not when the adapter is built: a webhook (built per request)
        # verifies and parses without them.
        return knobs_from(settings)

    # --- numbers --------------------------------------------------------------------------
    def search_numbers(self, *, area_code: str, quantity: int = 10) -> list[AvailableNumber]:
        self._fault("search", area_code, write=False)
        if not self._stock(area_code):
            return []
        rows = SimulatedNumber.objects.filter(
            area_code=area_code, state=SimulatedNumberState.AVAILABLE
        ).order_by("e164")[:quantity]
        return [AvailableNumber(row.e164, area_code, f"Area code {area_code}") for row in rows]

    def acquire_number(
        self,
        *,
        idempotency_key: str,
        candidate: AvailableNumber | None = None,
        area_code: str | None = None,
    ) -> OwnedNumber:
        ambiguous = self._fault("acquire", idempotency_key, write=True)
        owned = self.reconcile(idempotency_key)
        if owned is None:
            owned = self._buy(
                idempotency_key, candidate, candidate.area_code if candidate else area_code
            )
        if ambiguous:
            raise AmbiguousWriteError(
                "Timed out reading the answer", idempotency_key=idempotency_key
            )
        return owned

    def reconcile(self, idempotency_key: str) -> OwnedNumber | None:
        row = SimulatedNumber.objects.filter(
            idempotency_key=idempotency_key, state=SimulatedNumberState.OWNED
        ).first()
        return self._owned(row) if row else None

    def release_number(self, *, carrier_number_id: str) -> None:
        ambiguous = self._fault("release", carrier_number_id, write=True)
        SimulatedNumber.objects.filter(
            carrier_number_id=carrier_number_id, state=SimulatedNumberState.OWNED
        ).update(state=SimulatedNumberState.RELEASED, released_at=timezone.now())
        if ambiguous:
            raise AmbiguousWriteError(
                "Timed out reading the answer", idempotency_key=carrier_number_id
            )

    # --- provisioning ---------------------------------------------------------------------
    def submit_provisioning(
        self, *, number: OwnedNumber, campaign_ref: str, customer_reference: str
    ) -> ProvisioningHandle:
        ambiguous = self._fault("submit", number.carrier_number_id, write=True)
        if not SimulatedNumber.objects.filter(
            carrier_number_id=number.carrier_number_id, state=SimulatedNumberState.OWNED
        ).exists():
            raise PermanentProviderError(f"{number.e164} is not a number of this account.")
        submission = self._submission(number, customer_reference)
        if ambiguous:
            raise AmbiguousWriteError(
                "Timed out reading the answer", idempotency_key=submission.ref
            )
        return ProvisioningHandle(ref=submission.ref, e164=submission.e164)

    def get_provisioning_status(self, handle: ProvisioningHandle) -> ProvisioningStatus:
        return self.get_provisioning_statuses([handle])[handle.ref]

    def get_provisioning_statuses(
        self, handles: Sequence[ProvisioningHandle]
    ) -> dict[str, ProvisioningStatus]:
        refs = [handle.ref for handle in handles]
        if refs:
            self._fault("status", refs[0], write=False)
        rows = {row.ref: row for row in SimulatedSubmission.objects.filter(ref__in=refs)}
        now = timezone.now()
        return {ref: self._status(rows.get(ref), now) for ref in refs}

    # --- messages and webhooks ------------------------------------------------------------
    def send_message(self, *, from_e164: str, to_e164: str, body: str, idempotency_key: str) -> str:
        """Sends once per ``idempotency_key``; a repeated key answers with the text already
        sent (and its delivery report again). An injected ambiguous answer comes after the
        text left."""
        ambiguous = self._fault("send", idempotency_key, write=True)
        carrier_message_id = _book_message(
            idempotency_key=idempotency_key, from_e164=from_e164, to_e164=to_e164, body=body
        )
        self._report_later(carrier_message_id, to_e164)
        if ambiguous:
            raise AmbiguousWriteError(
                "Timed out after 10 s (send)", idempotency_key=idempotency_key
            )
        return carrier_message_id

    def delivery_report(
        self, *, carrier_message_id: str, to_e164: str
    ) -> tuple[dict[str, str], bytes]:
        """The signed status webhook this carrier sends about a message: headers and body."""
        undeliverable = to_e164 in self.knobs.undeliverable
        payload = {
            "id": carrier_message_id,
            "status": DeliveryState.FAILED if undeliverable else DeliveryState.DELIVERED,
            "reason": UNDELIVERABLE_REASON if undeliverable else "",
        }
        body = json.dumps(payload).encode()
        return webhook_headers(body), body

    def verify_webhook(self, *, url: str = "", headers: Mapping[str, str], body: bytes) -> bool:
        given = {k.lower(): v for k, v in headers.items()}
        timestamp = given.get(TIMESTAMP_HEADER.lower(), "")
        fresh = timestamp.isascii() and timestamp.isdigit()
        if not fresh or abs(time.time() - int(timestamp)) > REPLAY_WINDOW_SECONDS:
            return False
        expected = webhook_signature(body, timestamp=timestamp)
        # As bytes: a header may hold any Latin-1 text, which compare_digest refuses as str.
        signature = given.get(SIGNATURE_HEADER.lower(), "").encode("utf-8", "surrogateescape")
        return hmac.compare_digest(expected.encode(), signature)

    def parse_webhook(self, *, headers: Mapping[str, str], body: bytes) -> list[InboundMessage]:
        data = _webhook_fields(body, "to", "from", "body", "id")
        if not (E164.fullmatch(data["to"]) and E164.fullmatch(data["from"])):
            raise ValueError("The numbers are not E.164.")
        return [InboundMessage(data["to"], data["from"], data["body"], data["id"])]

    def parse_status_webhook(
        self, *, headers: Mapping[str, str], body: bytes
    ) -> list[DeliveryReport]:
        data = _webhook_fields(body, "id", "status", optional=("reason",))
        return [DeliveryReport(data["id"], DeliveryState(data["status"]), data["reason"])]

    def _report_later(self, carrier_message_id: str, to_e164: str) -> None:
        """After the send is committed, the carriers' answer arrives after the latency."""
        from provisioning.tasks import simulated_delivery_report

        countdown = random.uniform(*self.knobs.latency)
        transaction.on_commit(
            lambda: simulated_delivery_report.apply_async(
                (carrier_message_id, to_e164), countdown=countdown
            )
        )

    # --- internals ------------------------------------------------------------------------
    def _stock(self, area_code: str) -> bool:
        """Generates the area code's inventory on first use; False for an empty area code."""
        if area_code in self.knobs.empty_area_codes:
            return False
        if not SimulatedNumber.objects.filter(area_code=area_code).exists():
            rng = random.Random(f"{self.knobs.seed}:inventory:{area_code}")
            subscribers = rng.sample(range(2_000_000, 10_000_000), INVENTORY_PER_AREA_CODE)
            SimulatedNumber.objects.bulk_create(
                [
                    SimulatedNumber(e164=f"+1{area_code}{s}", area_code=area_code)
                    for s in subscribers
                ],
                ignore_conflicts=True,
            )
        return True

    def _buy(
        self, key: str, candidate: AvailableNumber | None, area_code: str | None
    ) -> OwnedNumber:
        if not area_code or not self._stock(area_code):
            raise NoInventory(area_code or "(none)")
        try:
            with transaction.atomic():
                available = SimulatedNumber.objects.select_for_update(skip_locked=True).filter(
                    area_code=area_code, state=SimulatedNumberState.AVAILABLE
                )
                if candidate:
                    available = available.filter(e164=candidate.e164)
                row = available.order_by("e164").first()
                if row is None:
                    raise NumberUnavailable(candidate.e164) if candidate else NoInventory(area_code)
                row.state = SimulatedNumberState.OWNED
                row.idempotency_key = key
                row.carrier_number_id = f"SIMPN{row.pk:08d}"
                row.acquired_at = timezone.now()
                row.save(
                    update_fields=["state", "idempotency_key", "carrier_number_id", "acquired_at"]
                )
        except IntegrityError:
            # The same key bought a number in a concurrent request: that purchase is ours.
            owned = self.reconcile(key)
            if owned is None:
                raise
            return owned
        return self._owned(row)

    def _submission(self, number: OwnedNumber, customer_reference: str) -> SimulatedSubmission:
        existing = SimulatedSubmission.objects.filter(
            carrier_number_id=number.carrier_number_id
        ).first()
        if existing:
            return existing
        earlier = SimulatedSubmission.objects.filter(
            customer_reference=customer_reference, area_code=number.area_code
        ).count()
        rng = random.Random(f"{self.knobs.seed}:submit:{number.carrier_number_id}")
        rejecter, reason = self._decide(number.area_code, earlier + 1, rng)
        carriers: list[dict[str, Any]] = [
            {
                "carrier": carrier,
                # Each carrier's own latency, drawn from its own stream of the seed.
                "after": random.Random(
                    f"{self.knobs.seed}:submit:{number.carrier_number_id}:{carrier}"
                ).uniform(*self.knobs.latency),
                "approved": carrier != rejecter,
                "reason": reason if carrier == rejecter else "",
            }
            for carrier in CARRIERS
        ]
        # Complete when the last carrier approves; failed as soon as the rejecting one decides.
        decided_after = max(
            c["after"] for c in carriers if rejecter is None or c["carrier"] == rejecter
        )
        now = timezone.now()
        try:
            with transaction.atomic():
                return SimulatedSubmission.objects.create(
                    ref=f"SUB-{number.carrier_number_id}",
                    carrier_number_id=number.carrier_number_id,
                    customer_reference=customer_reference,
                    e164=number.e164,
                    area_code=number.area_code,
                    submitted_at=now,
                    decide_at=now + timedelta(seconds=decided_after),
                    approved=rejecter is None,
                    reason=reason,
                    carriers=carriers,
                )
        except IntegrityError:
            return SimulatedSubmission.objects.get(carrier_number_id=number.carrier_number_id)

    def _decide(self, area_code: str, nth: int, rng: random.Random) -> tuple[str | None, str]:
        """The carrier that rejects the ``nth`` attempt of an order, with its reason; None
        when all three approve."""
        flaky = self.knobs.flaky_area_codes.get(area_code, 0)
        if area_code in self.knobs.fail_area_codes or nth <= flaky:
            return rng.choice(REJECTIONS)
        return None, ""

    @staticmethod
    def _status(row: SimulatedSubmission | None, now: datetime) -> ProvisioningStatus:
        if row is None:
            return ProvisioningStatus(
                ProvisioningState.FAILED, "The carrier has no such submission.", FailureScope.NUMBER
            )
        carriers = tuple(_carrier_decision(row, decision, now) for decision in row.carriers)
        if now < row.decide_at:
            return ProvisioningStatus(ProvisioningState.PENDING, carriers=carriers)
        if row.approved:
            return ProvisioningStatus(ProvisioningState.COMPLETE, carriers=carriers)
        return ProvisioningStatus(
            ProvisioningState.FAILED, row.reason, FailureScope.NUMBER, carriers=carriers
        )

    def _fault(self, operation: str, key: str, *, write: bool) -> bool:
        """Raises an injected transient error, or returns True when a write must be applied
        and then answered ambiguously. Deterministic for the seed and the call's count."""
        if self.knobs.error_rate <= 0:
            return False
        call_key = f"{operation}:{key}"[:200]
        calls = _count_call(call_key)
        rng = random.Random(f"{self.knobs.seed}:{call_key}:{calls}")
        if rng.random() >= self.knobs.error_rate:
            return False
        kinds = ["5xx", "429", "timeout"] + (["ambiguous"] if write else [])
        kind = rng.choice(kinds)
        if kind == "5xx":
            raise TransientProviderError(f"503 Service Unavailable ({operation})")
        if kind == "429":
            raise RateLimited(f"429 Too Many Requests ({operation})", retry_after=1.0)
        if kind == "timeout":
            raise TransientProviderError(f"Timed out after 10 s ({operation})")
        return True

    @staticmethod
    def _owned(row: SimulatedNumber) -> OwnedNumber:
        return OwnedNumber(
            e164=row.e164,
            area_code=row.area_code,
            carrier_number_id=row.carrier_number_id,
            idempotency_key=row.idempotency_key or "",
        )


_own = threading.local()


def _own_connection() -> BaseDatabaseWrapper:
    """This thread's connection of the simulator's own, in autocommit. On SQLite (one writer
    at a time, and a caller's transaction takes the write lock at BEGIN) the caller's own
    connection: a second one would wait for the caller's lock."""
    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        return connections[DEFAULT_DB_ALIAS]
    connection = getattr(_own, "connection", None)
    if connection is None:
        connection = _own.connection = connections.create_connection(DEFAULT_DB_ALIAS)
    return connection


def _count_call(call_key: str) -> int:
    """Counts one more call with this key, committed at once outside the caller's transaction."""
    connection = _own_connection()
    table = connection.ops.quote_name(SimulatedCall._meta.db_table)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (key, calls) VALUES (%s, 1) ON CONFLICT (key) "
                f"DO UPDATE SET calls = {table}.calls + 1 RETURNING calls",
                [call_key],
            )
            return int(cursor.fetchone()[0])
    except DatabaseError:
        if connection is not connections[DEFAULT_DB_ALIAS]:
            connection.close()  # a broken connection is opened afresh by the next call
        raise


def _book_message(*, idempotency_key: str, from_e164: str, to_e164: str, body: str) -> str:
    """The carrier's id of the text sent under ``idempotency_key``, sent now if it was not:
    committed at once on the simulator's own connection, as a provider's log does not roll back
    with the caller's transaction (or die with its worker)."""
    connection = _own_connection()
    table = connection.ops.quote_name(SimulatedMessage._meta.db_table)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (carrier_message_id, idempotency_key, from_e164, to_e164,"
                " body, requests, sent_at) VALUES (%s, %s, %s, %s, %s, 1, %s)"
                " ON CONFLICT (idempotency_key)"
                f" DO UPDATE SET requests = {table}.requests + 1 RETURNING carrier_message_id",
                [
                    f"SIMMSG-{uuid.uuid4().hex}",
                    idempotency_key[:200],
                    from_e164,
                    to_e164,
                    body,
                    connection.ops.adapt_datetimefield_value(timezone.now()),
                ],
            )
            return str(cursor.fetchone()[0])
    except DatabaseError:
        if connection is not connections[DEFAULT_DB_ALIAS]:
            connection.close()  # a broken connection is opened afresh by the next call
        raise


def _carrier_decision(
    row: SimulatedSubmission, decision: dict[str, Any], now: datetime
) -> CarrierDecision:
    """One carrier's word at ``now``: pending since the submission until its latency has
    passed (never past ``decide_at`` once the submission is approved)."""
    at = row.submitted_at + timedelta(seconds=decision["after"])
    if row.approved:
        at = min(at, row.decide_at)
    if now < at:
        return CarrierDecision(decision["carrier"], CarrierState.PENDING, row.submitted_at)
    if decision["approved"]:
        return CarrierDecision(decision["carrier"], CarrierState.APPROVED, at)
    return CarrierDecision(decision["carrier"], CarrierState.REJECTED, at, decision["reason"])


E164 = re.compile(r"\+[1-9][0-9]{1,14}")
WEBHOOK_ID_MAX = 100


def _webhook_fields(body: bytes, *names: str, optional: Sequence[str] = ()) -> dict[str, str]:
    """The named text fields of a webhook's JSON object. ValueError for anything else (not
    JSON, not an object, a field missing or not text, a NUL that PostgreSQL cannot store, an
    id longer than the carrier's): the hooks answer 400 to a signed request they cannot read."""
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError("The body is not a JSON object.")
    given = {name: data.get(name) for name in names}
    given |= {name: data.get(name, "") for name in optional}
    fields: dict[str, str] = {}
    for name, value in given.items():
        if not isinstance(value, str) or "\x00" in value:
            raise ValueError(f"The field {name!r} is missing or not text.")
        fields[name] = value
    if len(fields.get("id", "")) > WEBHOOK_ID_MAX:
        raise ValueError("The message id is too long.")
    return fields


def webhook_signature(body: bytes, *, timestamp: str) -> str:
    secret = settings.SIMULATED_CARRIER_WEBHOOK_SECRET.encode()
    return hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def webhook_headers(body: bytes, *, at: float | None = None) -> dict[str, str]:
    """The headers that sign ``body`` as sent at ``at`` (now by default)."""
    timestamp = str(int(time.time() if at is None else at))
    return {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: webhook_signature(body, timestamp=timestamp),
    }
