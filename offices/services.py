import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.text import slugify

from accounts.models import User
from accounts.services import set_password_path
from notifications.services import notification_enqueue
from offices.models import IdkBehaviour, Membership, Office, Organization, Role
from offices.sms import sms_length_error
from offices.time_zones import DEFAULT_TIME_ZONE, time_zone_validate


class OfficeError(Exception):
    """A rule of organizations, offices or memberships was broken; the message says which."""


@dataclass(frozen=True)
class NewOrganization:
    organization: Organization
    admin: User
    password: str | None  # set only when we generated it


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "organization"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def organization_create(
    *,
    name: str,
    admin_email: str,
    admin_password: str | None = None,
    time_zone: str = DEFAULT_TIME_ZONE,
) -> NewOrganization:
    email = admin_email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise OfficeError(f"“{admin_email}” is not an e-mail address.") from None
    if Membership.objects.filter(user__email=email).exists():
        raise OfficeError(f"{email} already belongs to an organization.")
    _check_time_zone(time_zone)
    organization = Organization.objects.create(
        name=name, slug=_unique_slug(name), time_zone=time_zone
    )
    generated = None if admin_password else secrets.token_urlsafe(12)
    admin = User.objects.filter(email=email).first()
    if admin is None:
        admin = User.objects.create_user(email=email, password=admin_password or generated)
    elif admin_password:
        admin.set_password(admin_password)
        admin.save(update_fields=["password"])
    else:
        generated = None  # an existing user keeps the password they have
    Membership.objects.create(organization=organization, user=admin, role=Role.ADMIN)
    return NewOrganization(organization=organization, admin=admin, password=generated)


def _check_time_zone(time_zone: str) -> None:
    try:
        time_zone_validate(time_zone)
    except ValidationError as error:
        raise OfficeError(error.messages[0]) from error


def organization_update(
    *,
    organization: Organization,
    name: str,
    time_zone: str,
    opt_out_message: str | None = None,
    help_message: str | None = None,
) -> None:
    """The Organization settings page: its name, the zone its times are shown in, and the
    automatic replies to STOP and HELP (each kept as it is when None)."""
    _check_time_zone(time_zone)
    organization.name, organization.time_zone = name, time_zone
    fields = ["name", "time_zone"]
    texts = (
        ("opt_out_message", "Opt-out confirmation", opt_out_message),
        ("help_message", "Help text", help_message),
    )
    for field, label, text in texts:
        if text is None:
            continue
        error = sms_length_error(text)
        if error is not None:
            raise OfficeError(f"{label}: {error}")
        setattr(organization, field, text.strip())
        fields.append(field)
    organization.save(update_fields=fields)


def office_create(
    *,
    organization: Organization,
    name: str,
    number_quota: int,
    idk_default: str = IdkBehaviour.REPLY,
    idk_message: str = "",
) -> Office:
    return Office.objects.create(
        organization=organization,
        name=name,
        number_quota=number_quota,
        idk_default=idk_default,
        idk_message=idk_message,
    )


@transaction.atomic
def member_invite(
    *,
    organization: Organization,
    email: str,
    role: str,
    offices: list[Office],
    invited_by: User,
    first_name: str = "",
    last_name: str = "",
) -> Membership:
    """Adds a person to the organization and e-mails them: a link to choose a password when
    their account is new (or was never given one), else word that they were added. A person
    may belong to several organizations; whether they already belong to another one is never
    said, so an invite reveals nothing about another organization's people. Re-inviting an
    existing member updates their role and offices."""
    email = email.strip().lower()
    if any(office.organization_id != organization.id for office in offices):
        raise OfficeError("An office of another organization cannot be given.")
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.save(update_fields=["password"])
    membership, _ = Membership.objects.update_or_create(
        organization=organization, user=user, defaults={"role": role}
    )
    membership.offices.set(offices)
    context: dict[str, Any] = {
        "organization": organization,
        "invited_by": invited_by,
        "membership": membership,
    }
    if user.has_usable_password():
        template, context["login_path"] = "offices/added", reverse("accounts:login")
    else:
        template, context["set_password_path"] = "offices/invite", set_password_path(user)
    notification_enqueue(
        event=f"invite:{membership.pk}:{membership.created_at.isoformat()}",
        recipient=user.email,
        template=template,
        context=context,
        time_zone=organization.time_zone,
    )
    return membership
