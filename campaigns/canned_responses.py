"""Canned responses: answers an admin writes on a campaign, for its senders to pick."""

from django.db import transaction

from campaigns.errors import CampaignError
from campaigns.models import Campaign, CampaignStatus, CannedResponse


@transaction.atomic
def canned_response_create(*, campaign: Campaign, title: str, text: str) -> CannedResponse:
    title, text = title.strip(), text.strip()
    if campaign.status == CampaignStatus.ARCHIVED:
        raise CampaignError(
            f"“{campaign.name}” is archived; its canned responses no longer change."
        )
    if not title:
        raise CampaignError("Give the canned response a title.", field="title")
    if len(title) > 100:
        raise CampaignError("Keep the title to 100 characters.", field="title")
    if not text:
        raise CampaignError("Write the canned response's text.", field="text")
    if CannedResponse.objects.filter(campaign=campaign, title__iexact=title).exists():
        raise CampaignError(f"There is a canned response called “{title}” already.", field="title")
    return CannedResponse.objects.create(campaign=campaign, title=title, text=text)


def canned_response_delete(*, campaign: Campaign, pk: int) -> None:
    CannedResponse.objects.filter(campaign=campaign, pk=pk).delete()
