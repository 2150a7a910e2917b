from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from campaigns.models import Campaign, CampaignTransition, Contact
from inboxes.models import Inbox
from offices.models import IdkBehaviour, Membership, Office, Organization, Role
from phone_numbers.models import Kind, PhoneNumber, UseCase
from provisioning.services import number_order

DEMO_SLUG = "demo-college"
DEMO_PASSWORD = "longcode-demo"
PEOPLE = [
    ("admin@demo.longcode.test", "Ada", "Admin", Role.ADMIN, []),
    ("member@demo.longcode.test", "Milo", "Member", Role.MEMBER, ["Admissions"]),
    ("sender1@demo.longcode.test", "Sasha", "Sender", Role.SENDER, []),
    ("sender2@demo.longcode.test", "Theo", "Texter", Role.SENDER, []),
]


# The demo composes every app, so it lives in the app at the top of the arrows: campaigns.
class Command(BaseCommand):
    help = "Creates the demo organization (offices, inboxes, people); safe to run again."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        org, created = Organization.objects.get_or_create(
            slug=DEMO_SLUG, defaults={"name": "Demo College"}
        )
        offices = {
            name: Office.objects.get_or_create(
                organization=org,
                name=name,
                defaults={"number_quota": quota, "idk_default": idk},
            )[0]
            for name, quota, idk in [
                ("Admissions", 5, IdkBehaviour.AGENT),
                ("Financial Aid", 3, IdkBehaviour.REPLY),
            ]
        }
        for office_name, inbox_name in [
            ("Admissions", "Admissions front desk"),
            ("Admissions", "Campus visits"),
            ("Financial Aid", "FAFSA help"),
        ]:
            Inbox.objects.get_or_create(
                organization=org, office=offices[office_name], name=inbox_name
            )
        use_case, _ = UseCase.objects.get_or_create(
            organization=org,
            name="Student outreach",
            defaults={"carrier_reference": "CDEMO01"},
        )
        for email, first, last, role, office_names in PEOPLE:
            user, user_created = User.objects.get_or_create(
                email=email, defaults={"first_name": first, "last_name": last}
            )
            if user_created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            membership, _ = Membership.objects.get_or_create(
                organization=org, user=user, defaults={"role": role}
            )
            membership.offices.set([offices[name] for name in office_names])
        _seed_campaigns(org, offices["Admissions"])
        _demo_dedicated_number(org, use_case)
        self._print_login(created)

    def _print_login(self, created: bool) -> None:
        verb = "Created" if created else "Found"
        self.stdout.write(self.style.SUCCESS(f"{verb} the demo organization “Demo College”."))
        self.stdout.write(f"Sign in at {settings.SITE_URL}/accounts/login/ with:")
        for email, *_, role, _offices in PEOPLE:
            self.stdout.write(f"  {role.label:<14} {email} / {DEMO_PASSWORD}")


# --- campaigns (issue 5) --------------------------------------------------------------------
DEMO_CONTACTS = [
    ("+12125550101", "Ada", "Lovelace"),
    ("+12125550102", "Alan", "Turing"),
    ("+12125550103", "Grace", "Hopper"),
    ("+12125550104", "Katherine", "Johnson"),
    ("+12125550105", "Edsger", "Dijkstra"),
]


def _seed_campaigns(org: Organization, admissions: Office) -> None:
    """A single-use draft with contacts on the Admissions office (idempotent)."""
    admin = User.objects.get(email=PEOPLE[0][0])
    campaign, created = Campaign.objects.get_or_create(
        organization=org,
        name="Fall visit day",
        defaults={
            "office": admissions,
            "initial_message": "Hi {first_name}! Join us for Fall visit day on campus.",
            "area_codes": ["212", "646"],
            "use_case": UseCase.objects.filter(organization=org).first(),
            "created_by": admin,
        },
    )
    if created:
        CampaignTransition.objects.create(
            campaign=campaign, to_status="draft", by=admin, reason="Created"
        )
        Contact.objects.bulk_create(
            Contact(campaign=campaign, phone=phone, first_name=first, last_name=last)
            for phone, first, last in DEMO_CONTACTS
        )


def _demo_dedicated_number(org: Organization, use_case: UseCase) -> None:
    """A dedicated number ordered like any other, so the demo shows its tag go yellow → green."""
    if PhoneNumber.objects.filter(organization=org, kind=Kind.DEDICATED).exists():
        return
    admin = User.objects.get(email=PEOPLE[0][0])
    number_order(
        organization=org,
        kind=Kind.DEDICATED,
        use_case=use_case,
        area_codes=["415", "628"],
        requested_by=admin,
    )
