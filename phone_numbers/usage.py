"""Which campaign, if any, is using a number — read through the reverse relation ``campaigns``
so that this app never imports ``campaigns`` (it stands above us). Whether a number is in use
at all is ``PhoneNumber.in_use``, which the database keeps from the campaigns
(campaigns/migrations/0003)."""

from typing import Any

from django.db.models import Case, CharField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from phone_numbers.models import PhoneNumber

# A number is "In Use" while a campaign on it is launching or active (campaigns.CampaignStatus).
IN_USE_CAMPAIGN_STATUSES = ("launching", "active")


def _campaigns_live(offices: QuerySet | None) -> QuerySet:
    campaign = PhoneNumber._meta.get_field("campaigns").related_model
    campaigns = campaign._default_manager.filter(status__in=IN_USE_CAMPAIGN_STATUSES)
    if offices is not None:
        campaigns = campaigns.filter(office__in=offices)
    return campaigns.order_by("-id")


def campaign_using(field: str, *, offices: QuerySet | None = None) -> Subquery:
    """One field of the newest launching/active campaign on the number (a dedicated number
    may carry several at once); only of the campaigns of ``offices`` when given."""
    campaigns = _campaigns_live(offices).filter(phone_number=OuterRef("pk"))
    return Subquery(campaigns.values(field)[:1])


def campaigns_using(
    numbers: list[int], *, offices: QuerySet | None = None
) -> dict[int, tuple[int, str]]:
    """For each of ``numbers`` that a launching or active campaign uses (of ``offices`` only,
    when given): (the newest such campaign's id, its name). One query; none for no numbers."""
    if not numbers:
        return {}
    campaigns = _campaigns_live(offices).filter(phone_number__in=numbers)
    using: dict[int, tuple[int, str]] = {}
    for number, campaign, name in campaigns.values_list("phone_number_id", "id", "name"):
        using.setdefault(number, (campaign, name))
    return using


def campaign_name_if_in_use(*, offices: QuerySet | None = None) -> Any:
    """NULL when the number is available; else the name of the campaign using it, or "" when
    ``offices`` is given and no campaign of those offices uses it (the number is in use by a
    campaign the person may not see). Only numbers in use look their campaign up."""
    return Case(
        When(in_use=True, then=Coalesce(campaign_using("name", offices=offices), Value(""))),
        default=None,
        output_field=CharField(),
    )
