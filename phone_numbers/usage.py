"""Which campaign, if any, is using a number — read through the reverse relation ``campaigns``
so that this app never imports ``campaigns`` (it stands above us)."""

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from phone_numbers.models import PhoneNumber

# A number is "In Use" while a campaign on it is launching or active (campaigns.CampaignStatus).
IN_USE_CAMPAIGN_STATUSES = ("launching", "active")


def _campaigns_using_number() -> QuerySet:
    campaign_model = PhoneNumber._meta.get_field("campaigns").related_model
    return campaign_model._default_manager.filter(
        phone_number=OuterRef("pk"), status__in=IN_USE_CAMPAIGN_STATUSES
    ).order_by("-id")


def in_use() -> Exists:
    return Exists(_campaigns_using_number())


def campaign_using(field: str) -> Subquery:
    """One field of the newest launching/active campaign on the number (a dedicated number
    may carry several at once)."""
    return Subquery(_campaigns_using_number().values(field)[:1])
