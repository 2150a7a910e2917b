"""The messenger (``/messenger/``): a sender's campaigns, their assignment one contact at a
time (one click per message), *Get more*, and the conversations waiting for an answer."""

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from campaigns.errors import CampaignError
from campaigns.messenger import (
    conversation_messages,
    messenger_campaign,
    messenger_campaigns,
    messenger_contact,
    messenger_has_contacts,
    messenger_next_contact,
    messenger_replies,
)
from campaigns.models import Campaign, CampaignStatus, Contact
from campaigns.self_assign import self_assign_claim
from campaigns.sending import (
    SendRefused,
    contact_opt_out,
    initial_message_send_assigned,
    initial_message_text,
    message_gate,
    reply_send,
)
from offices.bounds import whole_number
from offices.permissions import TenantRequest, any_role_required


def _campaign(request: TenantRequest, pk: int) -> Campaign:
    return messenger_campaign(organization=request.organization, user=request.user, pk=pk)


@any_role_required
def messenger_index(request: TenantRequest) -> HttpResponse:
    campaigns = messenger_campaigns(organization=request.organization, user=request.user)
    return render(request, "campaigns/messenger/index.html", {"campaigns": campaigns})


def _assignment_context(request: TenantRequest, campaign: Campaign) -> dict[str, object]:
    assignment = messenger_next_contact(campaign=campaign, user=request.user)
    contact = assignment.contact
    refusal = ""
    if contact is not None:
        try:
            # The next contact comes from contacts_to_text: not opted out. The send checks again.
            message_gate(campaign=campaign, contact=contact, initial=True, opt_out_read=True)
        except SendRefused as error:
            refusal = error.message
    return {
        "campaign": campaign,
        "contact": contact,
        "text": initial_message_text(contact) if contact else "",
        "refusal": refusal,
        "left": assignment.initial_messages,
        "replies": assignment.replies,
        # Only when there is nobody to text: never on a Send click that brings the next one.
        "assigned_any": contact is not None
        or messenger_has_contacts(campaign=campaign, user=request.user),
        "get_more": contact is None
        and campaign.self_assign
        and campaign.status == CampaignStatus.ACTIVE,
        "request_key": uuid.uuid4().hex,
    }


def _assignment(request: TenantRequest, campaign: Campaign) -> HttpResponse:
    context = _assignment_context(request, campaign)
    if _htmx(request):
        return render(request, "campaigns/messenger/_assignment.html", context)
    return render(request, "campaigns/messenger/assignment.html", context)


@any_role_required
def messenger_assignment(request: TenantRequest, pk: int) -> HttpResponse:
    return _assignment(request, _campaign(request, pk))


@require_POST
@any_role_required
def messenger_send(request: TenantRequest, pk: int) -> HttpResponse:
    """Sends the initial message to the contact on screen and brings the next one."""
    campaign = _campaign(request, pk)
    try:
        initial_message_send_assigned(
            campaign=campaign, sender=request.user, contact_pk=_int(request.POST.get("contact"))
        )
    except Contact.DoesNotExist as missing:
        raise Http404("No such contact in your assignment.") from missing
    except SendRefused as error:
        messages.error(request, error.message)
    if _htmx(request):
        return _assignment(request, campaign)
    return redirect("messenger:assignment", pk=campaign.pk)


@require_POST
@any_role_required
def messenger_get_more(request: TenantRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    try:
        claim = self_assign_claim(
            campaign=campaign,
            sender=request.user,
            request_key=request.POST.get("request_key", "")[:64],
        )
    except CampaignError as error:
        messages.error(request, error.message)
    else:
        if claim.count == 0:
            messages.info(request, "Unassigned is empty: every contact has a sender.")
    if _htmx(request):
        return _assignment(request, campaign)
    return redirect("messenger:assignment", pk=campaign.pk)


@any_role_required
def messenger_replies_view(request: TenantRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    replies = messenger_replies(campaign=campaign, user=request.user)
    template = "campaigns/messenger/_replies.html" if _htmx(request) else None
    return render(
        request,
        template or "campaigns/messenger/replies.html",
        {"campaign": campaign, "replies": replies},
    )


@any_role_required
def messenger_conversation(request: TenantRequest, pk: int, contact_pk: int) -> HttpResponse:
    """The thread with one contact; POST answers it (the form's key makes it once)."""
    campaign = _campaign(request, pk)
    contact = messenger_contact(campaign=campaign, user=request.user, pk=contact_pk)
    error = ""
    if request.method == "POST":
        try:
            reply_send(
                contact=contact,
                sender=request.user,
                body=request.POST.get("body", ""),
                idempotency_key=request.POST.get("key", "")[:40],
            )
        except SendRefused as refused:
            error = refused.message
        else:
            return redirect("messenger:conversation", pk=campaign.pk, contact_pk=contact.pk)
    return render(request, "campaigns/messenger/conversation.html", _thread(contact, error))


def _thread(contact: Contact, error: str) -> dict[str, object]:
    return {
        "campaign": contact.campaign,
        "contact": contact,
        "thread": conversation_messages(contact=contact),
        "canned_responses": contact.campaign.canned_responses.all(),
        "error": error,
        "key": uuid.uuid4().hex,
    }


@require_POST
@any_role_required
def messenger_opt_out(request: TenantRequest, pk: int, contact_pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    contact = messenger_contact(campaign=campaign, user=request.user, pk=contact_pk)
    contact_opt_out(contact=contact, by=request.user)
    messages.success(request, f"{contact.phone} is opted out: nobody here texts them again.")
    return redirect("messenger:conversation", pk=campaign.pk, contact_pk=contact.pk)


def _int(value: str | None) -> int:
    return whole_number(value) or 0


def _htmx(request: TenantRequest) -> bool:
    return bool(getattr(request, "htmx", False))
