"""Smoke check of the embedded default that `make run` uses (SQLite + the file-system broker):
migrate, seed the demo, and open every main page as the demo admin. The test suite runs on
PostgreSQL only; this makes sure the newcomer's first command still works.

Run by scripts/test.sh with DATABASE_URL pointing at a throwaway SQLite file (and an in-memory
broker, so no task is left behind for a later `make run`)."""

import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402
from campaigns.models import Campaign  # noqa: E402
from campaigns.tests.factories import CampaignFactory, PhoneNumberFactory  # noqa: E402
from inboxes.tests.factories import InboxFactory  # noqa: E402
from offices.models import Office  # noqa: E402
from phone_numbers.models import PhoneNumber  # noqa: E402

call_command("migrate", verbosity=0)
call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
admin = User.objects.get(email="admin@demo.longcode.test")
organization = admin.memberships.get().organization

# The list's inboxes, office and usage sort keys are kept by SQLite triggers here (PostgreSQL's
# are tested by the suite). A migration that rebuilds a table drops its triggers silently: all
# must be in place, and a renamed office, an inbox and a live campaign must show on the number.
SQLITE_TRIGGERS = {
    "phone_number_inbox_names_keep",
    "phone_number_inboxes_added",
    "phone_number_inboxes_changed",
    "phone_number_inboxes_removed",
    "inbox_renamed",
    "phone_number_office_name_insert",
    "phone_number_office_name_update",
    "office_renamed",
    "phone_number_in_use_insert",
    "phone_number_in_use_keep",
    "campaign_number_usage_inserted",
    "campaign_number_usage_updated",
    "campaign_number_usage_deleted",
}
with connection.cursor() as cursor:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    missing = SQLITE_TRIGGERS - {name for (name,) in cursor.fetchall()}
if missing:
    sys.exit(f"SQLite lacks the triggers that keep the list's sort keys: {sorted(missing)}")
reusable = PhoneNumberFactory.create(reusable=True, organization=organization)
assert reusable.office is not None
reusable.inboxes.set([InboxFactory.create(office=reusable.office, name="Front desk")])
CampaignFactory.create(
    organization=organization, office=reusable.office, phone_number=reusable, active=True
)
Office.objects.filter(pk=reusable.office.pk).update(name="Smoke test office")
reusable.refresh_from_db()
kept = (reusable.inbox_names, reusable.office_name, reusable.in_use)
if kept != ("Front desk", "Smoke test office", True):
    sys.exit(f"SQLite does not keep the list's sort keys: {kept}")

client = Client()
client.force_login(admin)
campaign = Campaign.objects.first()
number = PhoneNumber.objects.first()
assert campaign is not None
assert number is not None
pages = [
    "/campaigns/",
    "/campaigns/drafts/",
    "/campaigns/archived/",
    "/campaigns/new/",
    f"/campaigns/{campaign.pk}/",
    f"/campaigns/{campaign.pk}/contacts/",
    "/numbers/",
    "/numbers/new/",
    f"/numbers/{number.pk}/",
    "/offices/",
    "/inboxes/",
] + [f"/numbers/?o={key}" for key in ("inboxes", "-usage", "office", "-number", "name")]
failures = []
for page in pages:
    status = client.get(page).status_code
    if status != 200:
        failures.append(f"{page} answered {status}")
export = client.get("/numbers/export.csv")
body = export.getvalue()
if export.status_code != 200 or not body.startswith(b"number,name,description,kind,"):
    failures.append(f"/numbers/export.csv answered {export.status_code}")
if failures:
    sys.exit("The embedded default is broken:\n  " + "\n  ".join(failures))
print(f"embedded default (SQLite): {len(pages) + 1} pages answer 200")
