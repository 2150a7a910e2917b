from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from accounts.models import User
from campaigns.confirmations import campaign_confirmation
from campaigns.contacts_import import (
    PreparedContacts,
    contacts_file_read,
    contacts_preview,
    contacts_save,
)
from campaigns.errors import CampaignError
from campaigns.filters import ReusableNumberFilter
from campaigns.forms import (
    CampaignForm,
    ContactsConfirmForm,
    ContactsUploadForm,
    FollowUpForm,
    SenderAddForm,
)
from campaigns.models import Campaign, CampaignStatus
from campaigns.selectors import (
    campaign_counts,
    campaign_get,
    campaign_list,
    campaign_replies,
    campaign_senders,
    campaign_timeline,
    campaign_visible,
    dedicated_numbers_provisioning_count,
    reusable_numbers_for_office,
    sender_candidates,
)
from campaigns.services import (
    Targeting,
    campaign_archive,
    campaign_clone,
    campaign_create,
    campaign_follow_up_create,
    campaign_launch,
    campaign_sender_add,
    campaign_sender_remove,
    campaign_update,
    follow_up_audience,
    follow_up_check_parent,
)
from campaigns.transitions import campaign_actions, provisioning_failure
from campaigns.uploads import upload_keep, upload_take
from offices.bounds import whole_number
from offices.models import Office, Role
from offices.permissions import TenantRequest, admin_required, any_role_required, role_required
from provisioning.selectors import number_carrier_panel

PAGE_SIZE = 50
INDEX_TITLES = {"active": "Active campaigns", "drafts": "Drafts", "archived": "Archived"}
# Launch buys a number and Archive can release one for good: both ask first. The page asks in
# a dialog; their GET asks the same as a page, for browsers without JavaScript.
CONFIRMED_ACTIONS = {"archive": "archived", "launch": "launched"}


# A page about one campaign: a campaign the person cannot see answers 404 whatever the role.
campaign_admin_required = role_required(Role.ADMIN, visible=campaign_visible)


def _get(request: TenantRequest, pk: int) -> Campaign:
    return campaign_get(organization=request.organization, membership=request.membership, pk=pk)


# --- indexes and details --------------------------------------------------------------------
def _index(request: TenantRequest, index: str) -> HttpResponse:
    campaigns = campaign_list(
        organization=request.organization, membership=request.membership, index=index
    )
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = campaign_counts(organization=request.organization, membership=request.membership)
    return render(
        request,
        "campaigns/index.html",
        {"index": index, "title": INDEX_TITLES[index], "page": page, "counts": counts},
    )


@any_role_required
def campaign_active_list(request: TenantRequest) -> HttpResponse:
    return _index(request, "active")


@any_role_required
def campaign_draft_list(request: TenantRequest) -> HttpResponse:
    return _index(request, "drafts")


@any_role_required
def campaign_archived_list(request: TenantRequest) -> HttpResponse:
    return _index(request, "archived")


@any_role_required
def campaign_detail(request: TenantRequest, pk: int) -> HttpResponse:
    campaign = _get(request, pk)
    actions = _actions(request, campaign)
    context = {
        **_number_context(campaign, actions=actions),
        "contact_count": campaign.contacts.count(),
        "senders": campaign_senders(campaign=campaign),
        "timeline": campaign_timeline(campaign=campaign),
        # Each asked in a dialog on the page: what the action will do to this campaign.
        "confirmations": [
            campaign_confirmation(campaign=campaign, action=action)
            for action in CONFIRMED_ACTIONS
            if action in actions
        ],
    }
    if request.membership.is_admin:
        candidates = sender_candidates(organization=request.organization, campaign=campaign)
        context["sender_form"] = SenderAddForm(candidates=candidates)
        context["replies"] = campaign_replies(campaign=campaign)
    return render(request, "campaigns/detail.html", context)


@any_role_required
def campaign_number_status(request: TenantRequest, pk: int) -> HttpResponse:
    """The number card alone; the page polls it while the campaign is launching. Once the
    campaign is active or back in draft, htmx reloads the whole page (its actions changed)."""
    campaign = _get(request, pk)
    if campaign.status != CampaignStatus.LAUNCHING and request.GET.get("was") == "launching":
        return HttpResponseClientRefresh()
    context = _number_context(campaign, actions=_actions(request, campaign))
    return render(request, "campaigns/_number_card.html", context)


def _actions(request: TenantRequest, campaign: Campaign) -> frozenset[str]:
    return campaign_actions(campaign) if request.membership.is_admin else frozenset()


def _number_context(campaign: Campaign, *, actions: frozenset[str]) -> dict[str, object]:
    number = campaign.phone_number
    return {
        "campaign": campaign,
        "number": number,
        "actions": actions,
        "max_attempts": settings.PROVISIONING_MAX_ATTEMPTS,
        "numbers_per_use_case": settings.NUMBERS_PER_USE_CASE,
        "live": campaign.status == CampaignStatus.LAUNCHING,
        "failure": provisioning_failure(number) if campaign.provisioning_failed else "",
        "carrier_panel": number_carrier_panel(number=number),
    }


# --- create and edit ------------------------------------------------------------------------
def _form_context(request: TenantRequest, form: CampaignForm) -> dict[str, object]:
    return {
        "form": form,
        "provisioning_count": dedicated_numbers_provisioning_count(
            organization=request.organization
        ),
        "picker_url": "campaigns:reusable_numbers",
    }


def _save_errors(form: CampaignForm, error: CampaignError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


@admin_required
def campaign_create_view(request: TenantRequest) -> HttpResponse:
    form = CampaignForm(
        request.POST if request.method == "POST" else None, organization=request.organization
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_create(
                organization=request.organization,
                created_by=request.user,
                settings=form.settings(),
            )
        except CampaignError as error:
            _save_errors(form, error)
        else:
            messages.success(request, f"Campaign “{campaign.name}” created as a draft.")
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/form.html", _form_context(request, form))


@campaign_admin_required
def campaign_edit(request: TenantRequest, pk: int) -> HttpResponse:
    campaign = _get(request, pk)
    if campaign.status == CampaignStatus.ARCHIVED:
        messages.error(request, f"“{campaign.name}” is archived and can no longer be edited.")
        return redirect("campaigns:detail", pk=campaign.pk)
    form = CampaignForm(
        request.POST if request.method == "POST" else None,
        organization=request.organization,
        campaign=campaign,
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_update(campaign=campaign, settings=form.settings())
        except CampaignError as error:
            _save_errors(form, error)
        else:
            messages.success(request, f"Campaign “{campaign.name}” saved.")
            return redirect("campaigns:detail", pk=campaign.pk)
    context = _form_context(request, form)
    context["campaign"] = campaign
    return render(request, "campaigns/form.html", context)


@admin_required
def campaign_reusable_numbers(request: TenantRequest) -> HttpResponse:
    """The reusable-number picker (an htmx partial): the office's numbers, searchable."""
    office_pk = whole_number(request.GET.get("office"))
    office = (
        Office.objects.filter(organization=request.organization, pk=office_pk).first()
        if office_pk
        else None
    )
    numbers = reusable_numbers_for_office(organization=request.organization, office=office)
    filterset = ReusableNumberFilter(request.GET or None, queryset=numbers)
    return render(
        request,
        "campaigns/_reusable_picker.html",
        {
            "office": office,
            "filterset": filterset,
            "numbers": filterset.qs,
            "selected": whole_number(request.GET.get("reusable_number")),
        },
    )


# --- actions --------------------------------------------------------------------------------


def _confirm_page(request: TenantRequest, campaign: Campaign, action: str) -> HttpResponse:
    if action not in campaign_actions(campaign):
        messages.error(
            request,
            f"“{campaign.name}” is {campaign.get_status_display().lower()}; "
            f"it cannot be {CONFIRMED_ACTIONS[action]} now.",
        )
        return redirect("campaigns:detail", pk=campaign.pk)
    confirmation = campaign_confirmation(campaign=campaign, action=action)
    return render(
        request, "campaigns/confirm.html", {"campaign": campaign, "confirmation": confirmation}
    )


@require_http_methods(["GET", "POST"])
@campaign_admin_required
def campaign_launch_view(request: TenantRequest, pk: int) -> HttpResponse:
    campaign = _get(request, pk)
    if request.method != "POST":
        return _confirm_page(request, campaign, "launch")
    try:
        campaign = campaign_launch(campaign=campaign, launched_by=request.user)
    except CampaignError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _launched_message(campaign))
    return redirect("campaigns:detail", pk=campaign.pk)


def _launched_message(campaign: Campaign) -> str:
    if campaign.status == CampaignStatus.LAUNCHING:
        return (
            f"“{campaign.name}” is launching: its single-use number is being bought and "
            "provisioned. It becomes active by itself when provisioning is complete, and you "
            "will get an e-mail."
        )
    return f"“{campaign.name}” is live."


@require_http_methods(["GET", "POST"])
@campaign_admin_required
def campaign_archive_view(request: TenantRequest, pk: int) -> HttpResponse:
    campaign = _get(request, pk)
    if request.method != "POST":
        return _confirm_page(request, campaign, "archive")
    try:
        campaign = campaign_archive(campaign=campaign, archived_by=request.user)
    except CampaignError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{campaign.name}” archived.")
    return redirect("campaigns:detail", pk=campaign.pk)


@campaign_admin_required
def campaign_clone_view(request: TenantRequest, pk: int) -> HttpResponse:
    """GET (the link in the provisioning-failed e-mail) asks to confirm; POST clones."""
    campaign = _get(request, pk)
    if request.method != "POST":
        return render(request, "campaigns/clone.html", {"campaign": campaign})
    clone = campaign_clone(campaign=campaign, cloned_by=request.user)
    messages.success(request, f"“{clone.name}” created as a draft, with the same contacts.")
    return redirect("campaigns:detail", pk=clone.pk)


@campaign_admin_required
def campaign_follow_up(request: TenantRequest, pk: int) -> HttpResponse:
    parent = _get(request, pk)
    try:
        follow_up_check_parent(parent)
    except CampaignError as error:
        messages.error(request, error.message)
        return redirect("campaigns:detail", pk=parent.pk)
    form = FollowUpForm(
        request.POST if request.method == "POST" else None,
        initial={"name": f"Follow-up: {parent.name}"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            follow_up = campaign_follow_up_create(
                parent=parent,
                created_by=request.user,
                name=form.cleaned_data["name"],
                initial_message=form.cleaned_data["initial_message"],
                targeting=form.targeting(),
            )
        except CampaignError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"Follow-up “{follow_up.name}” created as a draft.")
            return redirect("campaigns:detail", pk=follow_up.pk)
    context = {"parent": parent, "form": form, **_audience(parent, form)}
    return render(request, "campaigns/follow_up.html", context)


@require_POST
@campaign_admin_required
def campaign_follow_up_count(request: TenantRequest, pk: int) -> HttpResponse:
    """How many of the parent's contacts the targeting leaves (an htmx partial)."""
    parent = _get(request, pk)
    form = FollowUpForm(request.POST)
    form.is_valid()
    return render(request, "campaigns/_audience.html", _audience(parent, form))


def _audience(parent: Campaign, form: FollowUpForm) -> dict[str, object]:
    total = parent.contacts.count()
    if form.is_bound and "exclude_phones" in form.errors:
        return {"total": total, "remaining": None}
    targeting = form.targeting() if form.is_bound else Targeting()
    remaining = follow_up_audience(parent=parent, targeting=targeting).count()
    return {"total": total, "remaining": remaining}


# --- contacts -------------------------------------------------------------------------------
@campaign_admin_required
def campaign_contacts(request: TenantRequest, pk: int) -> HttpResponse:
    campaign = _get(request, pk)
    form = ContactsUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    report = confirm = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            report = contacts_preview(campaign=campaign, dataset=contacts_file_read(data))
        except CampaignError as error:
            form.add_error("file", error.message)
        else:
            confirm = ContactsConfirmForm(
                initial={
                    "upload": upload_keep(campaign_id=campaign.pk, data=report.prepared.to_bytes())
                }
            )
    contacts = Paginator(campaign.contacts.order_by("id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "campaigns/contacts.html",
        {
            "campaign": campaign,
            "form": form,
            "report": report,
            "confirm": confirm,
            "contacts": contacts,
        },
    )


@require_POST
@campaign_admin_required
def campaign_contacts_confirm(request: TenantRequest, pk: int) -> HttpResponse:
    campaign = _get(request, pk)
    data = upload_take(campaign_id=campaign.pk, token=request.POST.get("upload", ""))
    if data is None:
        messages.error(request, "That upload has expired or was already saved; upload it again.")
        return redirect("campaigns:contacts", pk=campaign.pk)
    try:
        report = contacts_save(campaign=campaign, prepared=PreparedContacts.from_bytes(data))
    except CampaignError as error:
        messages.error(request, error.message)
        return redirect("campaigns:contacts", pk=campaign.pk)
    rows = "row" if report.skipped == 1 else "rows"
    skipped = f" {report.skipped} {rows} skipped." if report.skipped else ""
    messages.success(request, f"{report.valid} contacts saved.{skipped}")
    return redirect("campaigns:contacts", pk=campaign.pk)


# --- senders --------------------------------------------------------------------------------
@require_POST
@campaign_admin_required
def campaign_sender_add_view(request: TenantRequest, pk: int) -> HttpResponse:
    campaign = _get(request, pk)
    candidates = sender_candidates(organization=request.organization, campaign=campaign)
    form = SenderAddForm(request.POST, candidates=candidates)
    if not form.is_valid():
        messages.error(request, "Choose one of your organization's senders.")
        return redirect("campaigns:detail", pk=campaign.pk)
    user = form.cleaned_data["user"]
    try:
        campaign_sender_add(campaign=campaign, user=user, added_by=request.user)
    except CampaignError as error:
        messages.error(request, error.message)
    else:
        mailed = " They were e-mailed their assignment." if campaign.mails_assignment_on_add else ""
        messages.success(request, f"{user.display_name} added as a sender.{mailed}")
    return redirect("campaigns:detail", pk=campaign.pk)


@require_POST
@campaign_admin_required
def campaign_sender_remove_view(request: TenantRequest, pk: int, user_pk: int) -> HttpResponse:
    campaign = _get(request, pk)
    user = get_object_or_404(User, pk=user_pk, campaign_senders__campaign=campaign)
    try:
        campaign_sender_remove(campaign=campaign, user=user)
    except CampaignError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{user.display_name} removed from the senders.")
    return redirect("campaigns:detail", pk=campaign.pk)
