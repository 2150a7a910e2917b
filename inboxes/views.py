from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from inboxes.forms import InboxForm
from inboxes.selectors import inbox_get, inbox_list
from inboxes.services import InboxError, inbox_create, inbox_update
from offices.models import Role
from offices.permissions import TenantRequest, admin_required, role_required, staff_required


@staff_required
def inbox_list_view(request: TenantRequest) -> HttpResponse:
    inboxes = inbox_list(organization=request.organization, membership=request.membership)
    return render(request, "inboxes/inbox_list.html", {"inboxes": inboxes})


@role_required(Role.ADMIN, Role.MEMBER, visible=inbox_list)
def inbox_detail(request: TenantRequest, pk: int) -> HttpResponse:
    inbox = inbox_get(organization=request.organization, membership=request.membership, pk=pk)
    return render(request, "inboxes/inbox_detail.html", {"inbox": inbox})


@admin_required
def inbox_create_view(request: TenantRequest) -> HttpResponse:
    form = InboxForm(
        request.POST or None,
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
        request.POST or None,
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
