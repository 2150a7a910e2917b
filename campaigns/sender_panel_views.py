"""The admin's sender panel on a campaign's page: the counts, a row per sender, assigning,
moving and taking back contacts, the invite link and self-assign. The page loads the panel
with htmx; every action answers with the panel again."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import User
from campaigns.assignment import contacts_assign, contacts_move, contacts_take_back
from campaigns.assignment_counts import campaign_assignment_counts, campaign_sender_rows
from campaigns.canned_responses import canned_response_create, canned_response_delete
from campaigns.errors import CampaignError
from campaigns.invite_links import (
    campaign_invite_link_disable,
    campaign_invite_link_enable,
    campaign_invite_link_regenerate,
    campaign_invite_link_token,
)
from campaigns.models import Campaign, CampaignSender
from campaigns.selectors import campaign_get
from campaigns.self_assign import MAX_BATCH_SIZE, campaign_self_assign_set
from campaigns.views import campaign_admin_required
from offices.bounds import whole_number
from offices.permissions import TenantRequest


def _get(request: TenantRequest, pk: int) -> Campaign:
    return campaign_get(organization=request.organization, membership=request.membership, pk=pk)


def _panel(
    request: TenantRequest,
    campaign: Campaign,
    *,
    error: str = "",
    new_link: str = "",
    partial: bool = False,
) -> HttpResponse:
    """The panel for htmx; without it (no JavaScript), back to the campaign's page."""
    if not (partial or _htmx(request)):
        if error:
            messages.error(request, error)
        if new_link:
            messages.success(request, f"New invite link: {new_link}")
        return redirect("campaigns:detail", pk=campaign.pk)
    token = campaign_invite_link_token(campaign=campaign)
    context = {
        "campaign": campaign,
        "counts": campaign_assignment_counts(campaign=campaign),
        "rows": campaign_sender_rows(campaign=campaign),
        "error": error,
        "new_link": new_link,
        "invite_link": (
            request.build_absolute_uri(reverse("join", kwargs={"token": token})) if token else ""
        ),
        "max_batch_size": MAX_BATCH_SIZE,
        "canned_responses": campaign.canned_responses.all(),
    }
    return render(request, "campaigns/_sender_panel.html", context)


@campaign_admin_required
def sender_panel(request: TenantRequest, pk: int) -> HttpResponse:
    return _panel(request, _get(request, pk), partial=True)


def _act(request: TenantRequest, pk: int, action: Callable[[Campaign], str]) -> HttpResponse:
    campaign = _get(request, pk)
    try:
        new_link = action(campaign)
    except CampaignError as error:
        return _panel(request, campaign, error=error.message)
    campaign.refresh_from_db()
    return _panel(request, campaign, new_link=new_link)


def _sender(request: TenantRequest, campaign: Campaign, field: str) -> User:
    """A sender of this campaign named by the form; anyone else is refused like a bad field."""
    seat = (
        CampaignSender.objects.filter(campaign=campaign, user_id=_int(request.POST.get(field)))
        .select_related("user")
        .first()
    )
    if seat is None:
        raise CampaignError("Choose one of this campaign's senders.", field=field)
    return seat.user


def _count(request: TenantRequest, *, required: bool = True) -> int | None:
    raw = request.POST.get("count", "").strip()
    if not raw and not required:
        return None
    count = whole_number(raw)
    if count is None:
        raise CampaignError("Give a whole number of contacts.", field="count")
    return count


@require_POST
@campaign_admin_required
def sender_assign(request: TenantRequest, pk: int) -> HttpResponse:
    def act(campaign: Campaign) -> str:
        sender = _sender(request, campaign, "sender")
        contacts_assign(campaign=campaign, sender=sender, count=_count(request) or 0)
        return ""

    return _act(request, pk, act)


@require_POST
@campaign_admin_required
def sender_move(request: TenantRequest, pk: int) -> HttpResponse:
    def act(campaign: Campaign) -> str:
        contacts_move(
            campaign=campaign,
            from_sender=_sender(request, campaign, "sender"),
            to_sender=_sender(request, campaign, "to_sender"),
            count=_count(request, required=False),
        )
        return ""

    return _act(request, pk, act)


@require_POST
@campaign_admin_required
def sender_take_back(request: TenantRequest, pk: int) -> HttpResponse:
    def act(campaign: Campaign) -> str:
        sender = _sender(request, campaign, "sender")
        contacts_take_back(campaign=campaign, sender=sender, count=_count(request, required=False))
        return ""

    return _act(request, pk, act)


@require_POST
@campaign_admin_required
def invite_link(request: TenantRequest, pk: int) -> HttpResponse:
    """``action``: ``on``, ``off`` or ``regenerate``. A new token is shown once, as a link."""

    def act(campaign: Campaign) -> str:
        action = request.POST.get("action")
        token = None
        if action == "on":
            token = campaign_invite_link_enable(campaign=campaign)
        elif action == "off":
            campaign_invite_link_disable(campaign=campaign)
        elif action == "regenerate":
            token = campaign_invite_link_regenerate(campaign=campaign)
        else:
            raise CampaignError("Choose to turn the link on or off, or to regenerate it.")
        return request.build_absolute_uri(reverse("join", kwargs={"token": token})) if token else ""

    return _act(request, pk, act)


@require_POST
@campaign_admin_required
def self_assign(request: TenantRequest, pk: int) -> HttpResponse:
    def act(campaign: Campaign) -> str:
        batch_size = whole_number(request.POST.get("batch_size"))
        if batch_size is None:
            raise CampaignError(
                f"A batch holds 1 to {MAX_BATCH_SIZE:,} contacts.", field="batch_size"
            )
        campaign_self_assign_set(
            campaign=campaign, on=request.POST.get("self_assign") == "on", batch_size=batch_size
        )
        return ""

    return _act(request, pk, act)


@require_POST
@campaign_admin_required
def canned_add(request: TenantRequest, pk: int) -> HttpResponse:
    def act(campaign: Campaign) -> str:
        canned_response_create(
            campaign=campaign,
            title=request.POST.get("title", ""),
            text=request.POST.get("text", ""),
        )
        return ""

    return _act(request, pk, act)


@require_POST
@campaign_admin_required
def canned_delete(request: TenantRequest, pk: int, canned_pk: int) -> HttpResponse:
    def act(campaign: Campaign) -> str:
        canned_response_delete(campaign=campaign, pk=canned_pk)
        return ""

    return _act(request, pk, act)


def _int(value: str | None) -> int:
    return whole_number(value) or 0


def _htmx(request: TenantRequest) -> bool:
    return bool(getattr(request, "htmx", False))
