"""Scripted carriers for the tests: the simulated carrier with one fault forced at its edge."""

import threading
from collections import Counter
from collections.abc import Sequence

from provisioning.carriers.base import (
    AmbiguousWriteError,
    AvailableNumber,
    FailureScope,
    OwnedNumber,
    PermanentProviderError,
    ProvisioningHandle,
    ProvisioningState,
    ProvisioningStatus,
    RateLimited,
    TransientProviderError,
)
from provisioning.carriers.simulated import SimulatedCarrier


class Script:
    """Faults still to inject, shared by every instance (the worker makes its own)."""

    faults: Counter[str] = Counter()
    reads: Counter[str] = Counter()
    lock = threading.Lock()
    barrier: threading.Barrier | None = None
    # Numbers whose status read fails the whole carrier call (an account-scope error).
    poisoned: set[str] = set()
    # Numbers whose status read times out, however often it is asked (a transient error).
    timing_out: set[str] = set()

    @classmethod
    def reset(cls, **faults: int) -> None:
        cls.faults = Counter(faults)
        cls.reads = Counter()
        cls.barrier = None
        cls.poisoned = set()
        cls.timing_out = set()

    @classmethod
    def take(cls, fault: str) -> bool:
        with cls.lock:
            if cls.faults[fault] > 0:
                cls.faults[fault] -= 1
                return True
            return False


class ScriptedCarrier(SimulatedCarrier):
    def acquire_number(
        self,
        *,
        idempotency_key: str,
        candidate: AvailableNumber | None = None,
        area_code: str | None = None,
    ) -> OwnedNumber:
        if Script.take("acquire_5xx"):
            raise TransientProviderError("502 Bad Gateway")
        owned = super().acquire_number(
            idempotency_key=idempotency_key, candidate=candidate, area_code=area_code
        )
        if Script.take("acquire_ambiguous"):
            raise AmbiguousWriteError("Read timed out", idempotency_key=idempotency_key)
        return owned

    def submit_provisioning(
        self, *, number: OwnedNumber, campaign_ref: str, customer_reference: str
    ) -> ProvisioningHandle:
        if Script.take("submit_429"):
            raise RateLimited("429 Too Many Requests", retry_after=0.2)
        if Script.take("submit_5xx"):
            raise TransientProviderError("503 Service Unavailable")
        if Script.take("submit_rejected"):
            raise PermanentProviderError(
                f"21712: {number.e164} is already assigned to another campaign."
            )
        if Script.take("submit_use_case_refused"):
            raise PermanentProviderError("The use case is suspended.", scope=FailureScope.CAMPAIGN)
        return super().submit_provisioning(
            number=number, campaign_ref=campaign_ref, customer_reference=customer_reference
        )

    def get_provisioning_statuses(
        self, handles: Sequence[ProvisioningHandle]
    ) -> dict[str, ProvisioningStatus]:
        if Script.take("status_timeout"):
            raise TransientProviderError("Timed out after 10 s")
        if Script.timing_out & {handle.e164 for handle in handles}:
            raise TransientProviderError("Read timed out after 10 s")
        if Script.poisoned & {handle.e164 for handle in handles}:
            raise PermanentProviderError(
                "20003: the account is suspended.", scope=FailureScope.ACCOUNT
            )
        if Script.take("campaign_rejected"):
            reason = "The carriers suspended the use case."
            failed = ProvisioningStatus(ProvisioningState.FAILED, reason, FailureScope.CAMPAIGN)
            return {handle.ref: failed for handle in handles}
        statuses = super().get_provisioning_statuses(handles)
        if Script.take("status_missing_ref"):
            del statuses[handles[0].ref]
        return statuses

    def release_number(self, *, carrier_number_id: str) -> None:
        if Script.take("release_5xx"):
            raise TransientProviderError("502 Bad Gateway")
        super().release_number(carrier_number_id=carrier_number_id)


class CountingCarrier(SimulatedCarrier):
    """Records every status read; the first read of each thread waits for the other thread so
    both are inside a batch at once."""

    def get_provisioning_statuses(
        self, handles: Sequence[ProvisioningHandle]
    ) -> dict[str, ProvisioningStatus]:
        with Script.lock:
            Script.reads.update(handle.ref for handle in handles)
        barrier = Script.barrier
        if barrier is not None and not getattr(_local, "waited", False):
            _local.waited = True
            barrier.wait()
        return {handle.ref: ProvisioningStatus(ProvisioningState.PENDING) for handle in handles}


_local = threading.local()
