"""Which campaign, if any, is using a number — read through the reverse relation ``campaigns``
so that this app never imports ``campaigns`` (it stands above us)."""

from typing import Any

from django.db.models import Case, CharField, Exists, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from phone_numbers.models import PhoneNumber

# A number is "In Use" while a campaign on it is launching or active (campaigns.CampaignStatus).
IN_USE_CAMPAIGN_STATUSES = ("launching", "active")


def _campaign_model() -> Any:
    return PhoneNumber._meta.get_field("campaigns").related_model


def _campaigns_using_number(offices: QuerySet | None = None) -> QuerySet:
    campaigns = _campaign_model()._default_manager.filter(
        phone_number=OuterRef("pk"), status__in=IN_USE_CAMPAIGN_STATUSES
    )
    if offices is not None:
        campaigns = campaigns.filter(office__in=offices)
    return campaigns.order_by("-id")


def numbers_in_use(*, organization: Any) -> list[int]:
    """The ids of the organization's numbers in use: few (one per live campaign at most), read
    from the campaigns, never by testing every number."""
    campaigns = _campaign_model()._default_manager.filter(
        organization=organization, status__in=IN_USE_CAMPAIGN_STATUSES, phone_number__isnull=False
    )
    return sorted(set(campaigns.values_list("phone_number_id", flat=True)))


def in_use() -> Exists:
    return Exists(_campaigns_using_number())


def campaign_name_if_in_use(*, offices: QuerySet | None = None) -> Case:
    """NULL when the number is available; else the name of the campaign using it, or "" when
    ``offices`` is given and no campaign of those offices uses it (the number is in use by a
    campaign the person may not see). For a whole export: the membership test is one hashed set
    built once, and only numbers in use look their campaign up."""
    using = _campaign_model()._default_manager.filter(status__in=IN_USE_CAMPAIGN_STATUSES)
    return Case(
        When(
            pk__in=using.values("phone_number_id"),
            then=Coalesce(campaign_using("name", offices=offices), Value("")),
        ),
        default=None,
        output_field=CharField(),
    )


def campaign_using(field: str, *, offices: QuerySet | None = None) -> Subquery:
    """One field of the newest launching/active campaign on the number (a dedicated number
    may carry several at once); only of the campaigns of ``offices`` when given."""
    return Subquery(_campaigns_using_number(offices).values(field)[:1])
