from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from inboxes.conversations import conversations_elsewhere, inbox_tab, inbox_tab_counts
from inboxes.forms import InboxForm
from inboxes.models import ConversationStatus
from inboxes.selectors import inbox_get, inbox_list, inbox_list_with_unread
from inboxes.services import InboxError, inbox_create, inbox_update
from offices.models import Role
from offices.permissions import TenantRequest, admin_required, role_required, staff_required


@staff_required
def inbox_list_view(request: TenantRequest) -> HttpResponse:
    inboxes = inbox_list_with_unread(
        organization=request.organization, membership=request.membership
    )
    return render(request, "inboxes/inbox_list.html", {"inboxes": inboxes})


@role_required(Role.ADMIN, Role.MEMBER, visible=inbox_list)
def inbox_detail(request: TenantRequest, pk: int) -> HttpResponse:
    """The inbox's conversations, one tab per status (Needs Attention first)."""
    inbox = inbox_get(organization=request.organization, membership=request.membership, pk=pk)
    tab = request.GET.get("tab", ConversationStatus.NEEDS_ATTENTION)
    if tab not in ConversationStatus.values:
        tab = ConversationStatus.NEEDS_ATTENTION
    counts = inbox_tab_counts(inbox=inbox)
    context = {
        "inbox": inbox,
        "tab": tab,
        "tabs": [(value, label, counts[value]) for value, label in ConversationStatus.choices],
        "conversations": inbox_tab(inbox=inbox, status=tab)[:200],
    }
    return render(request, "inboxes/inbox_detail.html", context)


@admin_required
def conversations_elsewhere_view(request: TenantRequest) -> HttpResponse:
    """Admins: conversations in no inbox (undelivered, other numbers, the bot's, campaigns')."""
    conversations = conversations_elsewhere(organization=request.organization)[:200]
    return render(request, "inboxes/elsewhere.html", {"conversations": conversations})


@admin_required
def inbox_create_view(request: TenantRequest) -> HttpResponse:
    form = InboxForm(
        request.POST if request.method == "POST" else None,
        organization=request.organization,
        initial={"office": request.GET.get("office")},
    )
    if request.method == "POST" and form.is_valid():
        inbox = inbox_create(**form.cleaned_data)
        messages.success(request, f"Inbox “{inbox.name}” created in {inbox.office.name}.")
        return redirect("inboxes:detail", pk=inbox.pk)
    return render(request, "inboxes/inbox_form.html", {"form": form})


@role_required(Role.ADMIN, visible=inbox_list)
def inbox_edit(request: TenantRequest, pk: int) -> HttpResponse:
    inbox = inbox_get(organization=request.organization, membership=request.membership, pk=pk)
    form = InboxForm(
        request.POST if request.method == "POST" else None,
        organization=request.organization,
        inbox=inbox,
        initial={"office": inbox.office, "name": inbox.name, "description": inbox.description},
    )
    if request.method == "POST" and form.is_valid():
        try:
            inbox_update(inbox=inbox, **form.cleaned_data)
        except InboxError as error:
            form.add_error("office", str(error))
        else:
            messages.success(request, f"Inbox “{inbox.name}” saved.")
            return redirect("inboxes:detail", pk=inbox.pk)
    return render(request, "inboxes/inbox_form.html", {"form": form, "inbox": inbox})
