from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from offices.forms import MemberInviteForm, OfficeForm, OrganizationSettingsForm
from offices.models import Role
from offices.permissions import TenantRequest, admin_required, role_required, staff_required
from offices.selectors import member_list, office_get, office_list, office_visible
from offices.services import OfficeError, member_invite, office_create, organization_update


@staff_required
def office_list_view(request: TenantRequest) -> HttpResponse:
    offices = office_list(organization=request.organization, membership=request.membership)
    return render(request, "offices/office_list.html", {"offices": offices})


@role_required(Role.ADMIN, Role.MEMBER, visible=office_visible)
def office_detail(request: TenantRequest, pk: int) -> HttpResponse:
    office = office_get(organization=request.organization, membership=request.membership, pk=pk)
    inboxes = office.inboxes.order_by("name")
    members = member_list(organization=request.organization).filter(offices=office)
    return render(
        request,
        "offices/office_detail.html",
        {"office": office, "inboxes": inboxes, "members": members},
    )


@admin_required
def office_create_view(request: TenantRequest) -> HttpResponse:
    form = OfficeForm(
        request.POST if request.method == "POST" else None, organization=request.organization
    )
    if request.method == "POST" and form.is_valid():
        office = office_create(organization=request.organization, **form.cleaned_data)
        messages.success(request, f"Office “{office.name}” created.")
        return redirect("offices:detail", pk=office.pk)
    return render(request, "offices/office_form.html", {"form": form})


@role_required(Role.ADMIN, visible=office_visible)
def office_edit(request: TenantRequest, pk: int) -> HttpResponse:
    office = office_get(organization=request.organization, membership=request.membership, pk=pk)
    form = OfficeForm(
        request.POST if request.method == "POST" else None,
        instance=office,
        organization=request.organization,
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Office “{office.name}” saved.")
        return redirect("offices:detail", pk=office.pk)
    return render(request, "offices/office_form.html", {"form": form, "office": office})


@admin_required
def member_list_view(request: TenantRequest) -> HttpResponse:
    members = member_list(organization=request.organization)
    return render(request, "offices/member_list.html", {"members": members})


@admin_required
def member_invite_view(request: TenantRequest) -> HttpResponse:
    form = MemberInviteForm(
        request.POST if request.method == "POST" else None,
        organization=request.organization,
        initial={"offices": request.GET.getlist("office")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership = member_invite(
                organization=request.organization, invited_by=request.user, **form.cleaned_data
            )
        except OfficeError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, f"Invitation sent to {membership.user.email}.")
            return redirect("offices:members")
    return render(request, "offices/member_invite.html", {"form": form})


@admin_required
def organization_settings_view(request: TenantRequest) -> HttpResponse:
    organization = request.organization
    form = OrganizationSettingsForm(
        request.POST if request.method == "POST" else None, organization=organization
    )
    if request.method == "POST" and form.is_valid():
        organization_update(organization=organization, **form.cleaned_data)
        messages.success(request, f"Settings saved. Times are shown in {organization.time_zone}.")
        return redirect("offices:settings")
    return render(request, "offices/organization_settings.html", {"form": form})
