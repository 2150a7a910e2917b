"""Ordering, searching and releasing numbers: the one way to get a number is ``number_order``.

A worker then buys and submits it (``provisioning.submitting``) and beat polls the carriers
until they decide (``provisioning.polling``); every change of its status goes through the door
in ``provisioning.transitions``.
"""

import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from config.celery import enqueue_on_commit
from offices.models import Organization
from phone_numbers.models import (
    AttemptOutcome,
    Kind,
    PhoneNumber,
    ProvisioningStatus,
    UseCase,
    UseCaseState,
)
from phone_numbers.services import (
    office_quota_reserve,
    response_type_or_default,
    reusable_defaults_check,
)
from phone_numbers.usage import campaign_using
from provisioning.area_codes import AreaCodeError, area_codes_parse
from provisioning.carriers import get_carrier
from provisioning.carriers.base import AvailableNumber, TransientProviderError
from provisioning.transitions import LEASE, SUBMIT_TASK, Move, number_transition

E164 = re.compile(r"^\+1\d{10}$")


class ProvisioningError(Exception):
    """A number could not be ordered, searched or released; the message says why."""


class UseCaseFull(ProvisioningError):
    pass


class NumberInUse(ProvisioningError):
    pass


def _area_codes(area_codes: Sequence[str]) -> list[str]:
    try:
        return area_codes_parse(area_codes)
    except AreaCodeError as error:
        raise ProvisioningError(str(error)) from error


@transaction.atomic
def number_order(
    *,
    organization: Organization,
    kind: str,
    use_case: UseCase,
    area_codes: Sequence[str],
    requested_by: User | None,
    e164: str | None = None,
    **reusable_fields: Any,
) -> PhoneNumber:
    """Orders a number: the row starts ``requested`` and is bought and submitted by a worker
    after commit. Refuses, buying nothing, when the use case already holds its limit.

    A reusable number takes ``office`` (required), ``name``, ``description``, ``agent``,
    ``inboxes`` (of that office) and ``response_type`` as ``reusable_fields``; its office's
    quota is checked under a lock of the office row (``phone_numbers.services``), which raises
    ``ReusableNumberError`` / ``OfficeQuotaFull`` naming the field at fault."""
    area_codes = _area_codes(area_codes)
    if e164 and not E164.match(e164):
        raise ProvisioningError(f"{e164} is not a US number in +1XXXXXXXXXX form.")
    use_case = _lock_use_case(organization, use_case)
    inboxes = reusable_fields.pop("inboxes", None)
    if kind == Kind.REUSABLE:
        inboxes = reusable_defaults_check(
            organization=organization, office=reusable_fields.get("office"), inboxes=inboxes or []
        )
        office_quota_reserve(organization=organization, office=reusable_fields["office"])
        reusable_fields["response_type"] = response_type_or_default(
            reusable_fields.get("response_type", "")
        )
    number = PhoneNumber.objects.create(
        organization=organization,
        kind=kind,
        use_case=use_case,
        area_codes=list(area_codes),
        requested_e164=e164 or "",
        requested_by=requested_by,
        provisioning_status=ProvisioningStatus.REQUESTED,
        next_poll_at=timezone.now() + LEASE,
        **reusable_fields,
    )
    if inboxes is not None:
        number.inboxes.set(inboxes)
    enqueue_on_commit(SUBMIT_TASK, number.pk)
    return number


def _lock_use_case(organization: Organization, use_case: UseCase) -> UseCase:
    # Locking the use case row serialises orders on it, so two at 48 cannot both pass.
    locked = UseCase.objects.select_for_update().get(pk=use_case.pk, organization=organization)
    if locked.state != UseCaseState.ACTIVE:
        raise ProvisioningError(
            f"The use case “{locked.name}” is {locked.get_state_display().lower()}; "
            "numbers can be ordered once the carriers have approved it."
        )
    limit = settings.NUMBERS_PER_USE_CASE
    held = PhoneNumber.objects.filter(use_case=locked).holding_a_number().count()
    if held >= limit:
        raise UseCaseFull(
            f"The use case “{locked.name}” already has {held} numbers; the carriers allow at "
            f"most {limit} on one use case. Archive unused single-use campaigns to free "
            "numbers, then try again."
        )
    return locked


def available_numbers(*, area_code: str, quantity: int = 10) -> list[AvailableNumber]:
    """Numbers for sale in an area code, for the person to pick from; [] when there are none."""
    codes = _area_codes([area_code])
    if len(codes) > 1:
        raise ProvisioningError("Search one area code at a time.")
    area_code = codes[0]
    carrier = get_carrier()
    for _ in range(3):
        try:
            return carrier.search_numbers(area_code=area_code, quantity=quantity)
        except TransientProviderError:
            continue
    raise ProvisioningError("The carrier is not answering right now; try again in a minute.")


def number_used_by(*, phone_number: PhoneNumber) -> str | None:
    """“the active campaign “Name”” when a launching or active campaign uses the number."""
    using = (
        PhoneNumber.objects.filter(pk=phone_number.pk)
        .values_list(campaign_using("status"), campaign_using("name"))
        .first()
    )
    if using is None or using[0] is None:
        return None
    return f"the {using[0]} campaign “{using[1]}”"


@transaction.atomic
def number_release(*, phone_number: PhoneNumber, force: bool = False) -> PhoneNumber:
    """Marks the number released (it stops counting on its use case at once) and gives it back
    to the carrier: durably, until the carrier confirms (``provisioning.releasing``).
    Idempotent: releasing a released number changes nothing.

    Refuses (``NumberInUse``) while a launching or active campaign uses the number, unless
    ``force``; archiving a campaign moves it to archived first, so its release is not refused.
    """
    number = PhoneNumber.objects.select_for_update().get(pk=phone_number.pk)
    if number.provisioning_status == ProvisioningStatus.RELEASED:
        return number
    user = None if force else number_used_by(phone_number=number)
    if user:
        raise NumberInUse(f"{number} is in use by {user}; archive the campaign first.")
    move = Move(number, ProvisioningStatus.RELEASED, outcome=AttemptOutcome.RELEASED)
    released = number_transition(move=move)
    assert released is not None  # the row is locked by this transaction
    return released
