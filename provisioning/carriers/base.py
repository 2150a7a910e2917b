"""The provider-neutral carrier protocol (research/carriers.md §6), trimmed to what Longcode uses.

The adapter owns the provider's vocabulary; the engine sees only ``pending | complete | failed``
with a reason and a failure scope, and the error classes below:

- ``TransientProviderError`` (5xx, timeouts) and ``RateLimited`` (429, ``retry_after``): retry
  with backoff; never an attempt.
- ``AmbiguousWriteError``: the request may have been applied (a purchase whose answer was lost);
  reconcile by the idempotency key before doing anything else.
- ``PermanentProviderError(scope)``: will not succeed by retrying; ``NoInventory`` (an area code
  with nothing to buy) and ``NumberUnavailable`` (sold since the search) are its kinds that mean
  "try the next area code / candidate", still not an attempt.
"""

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# The three carriers whose approval provisioning is ("thumbs up"), keyed as the panel stores them.
CARRIERS: dict[str, str] = {"att": "AT&T", "tmobile": "T-Mobile", "verizon": "Verizon"}


class ProvisioningState(enum.StrEnum):
    PENDING = "pending"
    COMPLETE = "complete"
    FAILED = "failed"


class FailureScope(enum.StrEnum):
    """Whose fault a failure is: a new number helps only when it is the number's."""

    NUMBER = "number"
    CAMPAIGN = "campaign"
    ACCOUNT = "account"


@dataclass(frozen=True)
class AvailableNumber:
    e164: str
    area_code: str
    region: str = ""


@dataclass(frozen=True)
class OwnedNumber:
    e164: str
    area_code: str
    carrier_number_id: str
    idempotency_key: str


@dataclass(frozen=True)
class ProvisioningHandle:
    """What we keep of a submission to ask about it later (``carrier_provisioning_ref``)."""

    ref: str
    e164: str


class CarrierState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class CarrierDecision:
    """Where one carrier (a key of ``CARRIERS``) stands on a submission, and since when."""

    carrier: str
    state: CarrierState
    since: datetime
    reason: str = ""


@dataclass(frozen=True)
class ProvisioningStatus:
    """The overall answer, and each carrier's where the provider tells them apart (empty
    ``carriers`` when it reports one overall state, as Twilio does)."""

    state: ProvisioningState
    reason: str = ""
    scope: FailureScope | None = None
    carriers: tuple[CarrierDecision, ...] = ()


@dataclass(frozen=True)
class InboundMessage:
    to_e164: str
    from_e164: str
    body: str
    carrier_message_id: str


class DeliveryState(enum.StrEnum):
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class DeliveryReport:
    """A provider's word on one message we sent: delivered, or failed with its reason."""

    carrier_message_id: str
    state: DeliveryState
    reason: str = ""


class ProviderError(Exception):
    """Anything the carrier answered other than success."""


class TransientProviderError(ProviderError):
    """A 5xx, a timeout or a reset connection: safe to retry."""


class RateLimited(TransientProviderError):
    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AmbiguousWriteError(TransientProviderError):
    """The write may have happened; reconcile by ``idempotency_key`` before retrying."""

    def __init__(self, message: str, *, idempotency_key: str) -> None:
        super().__init__(message)
        self.idempotency_key = idempotency_key


class PermanentProviderError(ProviderError):
    def __init__(self, message: str, *, scope: FailureScope = FailureScope.NUMBER) -> None:
        super().__init__(message)
        self.scope = scope


class NoInventory(PermanentProviderError):
    def __init__(self, area_code: str) -> None:
        super().__init__(f"No numbers available in area code {area_code}.")
        self.area_code = area_code


class NumberUnavailable(PermanentProviderError):
    def __init__(self, e164: str) -> None:
        super().__init__(f"{e164} is no longer available.")
        self.e164 = e164


class CarrierAdapter(Protocol):
    name: str
    # Whether its statuses carry each carrier's decision (``ProvisioningStatus.carriers``).
    per_carrier_status: bool

    def search_numbers(self, *, area_code: str, quantity: int = 10) -> list[AvailableNumber]:
        """Numbers for sale in an area code; an empty list when there are none."""
        ...

    def acquire_number(
        self,
        *,
        idempotency_key: str,
        candidate: AvailableNumber | None = None,
        area_code: str | None = None,
    ) -> OwnedNumber:
        """Buys ``candidate`` (or any number in ``area_code``). The same key buys at most once."""
        ...

    def submit_provisioning(
        self, *, number: OwnedNumber, campaign_ref: str, customer_reference: str
    ) -> ProvisioningHandle:
        """Associates the number with the registered 10DLC campaign; the carriers decide later.

        ``customer_reference`` is stamped on the submission (stable across one order's attempts).
        """
        ...

    def get_provisioning_status(self, handle: ProvisioningHandle) -> ProvisioningStatus: ...

    def get_provisioning_statuses(
        self, handles: Sequence[ProvisioningHandle]
    ) -> dict[str, ProvisioningStatus]:
        """The status of many submissions in one call, keyed by ``handle.ref``."""
        ...

    def release_number(self, *, carrier_number_id: str) -> None:
        """Gives the number back. Idempotent: a number the carrier does not know is released."""
        ...

    def reconcile(self, idempotency_key: str) -> OwnedNumber | None:
        """The number bought with this key, if the purchase happened."""
        ...

    def send_message(self, *, from_e164: str, to_e164: str, body: str, idempotency_key: str) -> str:
        """Sends a text; returns the carrier's message id. Its delivery status arrives later
        at the status webhook (``parse_status_webhook``). The same ``idempotency_key`` sends
        at most once where the provider supports it (a repeated request answers with the id
        of the text already sent); ``AmbiguousWriteError`` means the text may have left."""
        ...

    def verify_webhook(self, *, url: str, headers: Mapping[str, str], body: bytes) -> bool:
        """True when the request really comes from the provider (and is not a replay). ``url``
        is the full URL the provider requested (Twilio signs it with the parameters)."""
        ...

    def parse_webhook(self, *, headers: Mapping[str, str], body: bytes) -> list[InboundMessage]: ...

    def parse_status_webhook(
        self, *, headers: Mapping[str, str], body: bytes
    ) -> list[DeliveryReport]: ...
