"""Who texts whom: giving Unassigned contacts to senders, moving them, taking them back.

A contact is *Unassigned* while ``Contact.assignee`` is empty. Only contacts not yet texted
move: once a sender has texted someone, the conversation stays theirs. A campaign launches with
no senders (pre-loading) and every contact stays Unassigned until an admin assigns them or a
sender self-assigns (``campaigns.self_assign``).
"""

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from accounts.models import User
from campaigns.errors import CampaignError
from campaigns.models import Campaign, CampaignSender, Contact, UnassignedChunk


def _unsent(campaign: Campaign) -> QuerySet[Contact]:
    return Contact.objects.filter(campaign=campaign, texted_at__isnull=True)


def _check_sender(campaign: Campaign, user: User) -> None:
    if not campaign.accepts_senders:
        raise CampaignError(f"“{campaign.name}” no longer changes its senders' assignments.")
    if not CampaignSender.objects.filter(campaign=campaign, user=user).exists():
        raise CampaignError(f"{user.display_name} is not a sender of “{campaign.name}”.")


def _check_count(count: int) -> None:
    if count < 1:
        raise CampaignError("Give at least one contact.", field="count")


def _give(contacts: QuerySet[Contact], *, to: User | None, count: int | None) -> list[int]:
    """Sets the assignee of up to ``count`` of ``contacts`` (in id order) and returns their ids.

    Rows another transaction holds (a self-assign claim, another admin) are skipped rather
    than waited for, and the UPDATE re-checks that they are still what ``contacts`` selects."""
    locked = (
        contacts.select_for_update(skip_locked=True).order_by("pk").values_list("pk", flat=True)
    )
    ids = list(locked[:count] if count is not None else locked)
    contacts.filter(pk__in=ids).update(assignee=to)
    return ids


@transaction.atomic
def contacts_assign(*, campaign: Campaign, sender: User, count: int) -> int:
    """Gives ``count`` Unassigned contacts (fewer if Unassigned holds fewer) to ``sender``."""
    _check_count(count)
    _check_sender(campaign, sender)
    unassigned = _unsent(campaign).filter(assignee__isnull=True)
    if UnassignedChunk.objects.filter(campaign=campaign).exists():
        # Self-assign cut the campaign into chunks: every Unassigned contact lies in an open
        # one, so the walk in id order starts at the first of them rather than at the
        # campaign's first contact (past every contact claimed so far).
        first_open = UnassignedChunk.objects.filter(campaign=campaign, has_unassigned=True)
        start = first_open.order_by("first_id").values("first_id")[:1]
        unassigned = unassigned.filter(pk__gte=Subquery(start))
    return len(_give(unassigned, to=sender, count=count))


@transaction.atomic
def contacts_move(
    *, campaign: Campaign, from_sender: User, to_sender: User, count: int | None = None
) -> int:
    """Moves ``from_sender``'s contacts not yet texted (``count`` of them, or all) to
    ``to_sender``."""
    if count is not None:
        _check_count(count)
    if from_sender.pk == to_sender.pk:
        raise CampaignError("Choose another sender to move the contacts to.", field="to_sender")
    _check_sender(campaign, to_sender)
    mine = _unsent(campaign).filter(assignee=from_sender)
    return len(_give(mine, to=to_sender, count=count))


@transaction.atomic
def contacts_take_back(*, campaign: Campaign, sender: User, count: int | None = None) -> int:
    """Returns ``sender``'s contacts not yet texted (``count`` of them, or all) to Unassigned,
    where self-assign finds them again."""
    if count is not None:
        _check_count(count)
    ids = _give(_unsent(campaign).filter(assignee=sender), to=None, count=count)
    unassigned_chunks_reopen(campaign=campaign, contact_ids=ids)
    return len(ids)


def unassigned_chunks_reopen(*, campaign: Campaign, contact_ids: list[int]) -> None:
    """Marks the self-assign chunks holding contacts that became Unassigned again as worth
    claiming from.

    Open ones are marked too: a claim that holds one may be about to close it, having found it
    empty as of its start; marking it waits for that claim and marks it after. (A claim never
    waits for the contacts held here, which it sees assigned.)"""
    if not contact_ids:
        return
    holding = Contact.objects.filter(
        pk__in=contact_ids, pk__gte=OuterRef("first_id"), pk__lte=OuterRef("last_id")
    )
    UnassignedChunk.objects.filter(
        campaign=campaign, first_id__lte=max(contact_ids), last_id__gte=min(contact_ids)
    ).filter(Exists(holding)).update(has_unassigned=True)
