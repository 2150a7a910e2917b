from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from accounts.models import User
from campaigns.demo import (
    DemoError,
    Stage,
    demo_numbers_and_campaigns_seed,
    demo_texting_seed,
    tasks_here_and_mail_to_nowhere,
)
from campaigns.errors import CampaignError
from inboxes.models import Inbox
from offices.models import IdkBehaviour, Membership, Office, Organization, Role
from phone_numbers.models import UseCase
from phone_numbers.services import ReusableNumberError
from provisioning.carriers.simulated import SimulatedCarrier
from provisioning.services import ProvisioningError

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
    help = (
        "Creates the demo organization: offices, inboxes, people, numbers and campaigns in "
        "every state, and texts sent, replies, an opt-out and texts to its inboxes and bot. "
        "Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not issubclass(import_string(settings.CARRIER_ADAPTER), SimulatedCarrier):
            raise CommandError(
                f"CARRIER_ADAPTER is {settings.CARRIER_ADAPTER}: the demo would buy real numbers. "
                "seed_demo runs on the simulated carrier only."
            )
        try:
            with tasks_here_and_mail_to_nowhere(), transaction.atomic():
                created, stage = self._foundations()
                demo_numbers_and_campaigns_seed(stage=stage)
                held_back = demo_texting_seed(stage=stage)
        except (DemoError, CampaignError, ProvisioningError, ReusableNumberError) as error:
            raise CommandError(f"The demo was not built (nothing was saved): {error}") from error
        self._print_login(created)
        for note in held_back:
            self.stdout.write(self.style.WARNING(note))

    def _foundations(self) -> tuple[bool, Stage]:
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
        people = {}
        # Hashing is slow on purpose; the demo's public password is hashed once for everyone.
        password = ""
        for email, first, last, role, office_names in PEOPLE:
            user, user_created = User.objects.get_or_create(
                email=email, defaults={"first_name": first, "last_name": last}
            )
            if user_created:
                password = password or make_password(DEMO_PASSWORD)
                user.password = password
                user.save(update_fields=["password"])
            membership, _ = Membership.objects.get_or_create(
                organization=org, user=user, defaults={"role": role}
            )
            membership.offices.set([offices[name] for name in office_names])
            people[email] = user
        inboxes = {inbox.name: inbox for inbox in Inbox.objects.filter(organization=org)}
        stage = Stage(
            organization=org,
            admin=people[PEOPLE[0][0]],
            use_case=use_case,
            offices=offices,
            inboxes=inboxes,
            people=people,
        )
        return created, stage

    def _print_login(self, created: bool) -> None:
        verb = "Created" if created else "Found"
        self.stdout.write(self.style.SUCCESS(f"{verb} the demo organization “Demo College”."))
        self.stdout.write(f"Sign in at {settings.SITE_URL}/accounts/login/ with:")
        for email, *_, role, _offices in PEOPLE:
            self.stdout.write(f"  {role.label:<14} {email} / {DEMO_PASSWORD}")
