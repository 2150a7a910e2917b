"""Each organization's time zone: set at creation, changed by its admins, and every page of the
organization shows its times in it, in one format with the zone named."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from campaigns.tests.factories import CampaignFactory
from offices.models import Organization
from offices.services import OfficeError, organization_update
from offices.time_zones import time_zone_choices, time_zone_names

# The page's automatic replies, posted unchanged with every save of the zone.
TEXTS = {"opt_out_message": "You are unsubscribed.", "help_message": "Reply STOP to opt out."}

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 11, 30, 22, 23, tzinfo=UTC)


def _zones(cast, acme: str, other: str) -> None:
    for org, zone in ((cast.org, acme), (cast.other_org, other)):
        org.time_zone = zone
        org.save()


# --- every page of an organization is in its zone ----------------------------------------------
def test_each_organization_sees_the_same_moment_in_its_own_zone(cast) -> None:
    _zones(cast, "America/Chicago", "Pacific/Auckland")
    acme = CampaignFactory.create(organization=cast.org, start_at=MOMENT)
    other = CampaignFactory.create(organization=cast.other_org, start_at=MOMENT)

    at_acme = cast.client("alice").get(reverse("campaigns:detail", kwargs={"pk": acme.pk}))
    at_other = cast.client("charlie").get(reverse("campaigns:detail", kwargs={"pk": other.pk}))

    assert "<dd>Nov 30, 2026, 4:23 PM CST</dd>" in at_acme.content.decode()
    assert "<dd>Dec 1, 2026, 11:23 AM NZDT</dd>" in at_other.content.decode()


def test_the_zone_is_let_go_after_the_request(cast) -> None:
    _zones(cast, "Pacific/Auckland", "UTC")

    response = cast.client("alice").get(reverse("campaigns:drafts"))

    assert response.status_code == 200
    assert timezone.get_current_timezone_name() == "UTC"  # the server's, not Acme's


def test_one_format_names_the_zone() -> None:
    template = Template("{{ moment|when }} · {{ moment|date }} · {{ moment }}")

    with timezone.override("America/Los_Angeles"):
        text = template.render(Context({"moment": MOMENT}))

    assert text == "Nov 30, 2026, 2:23 PM PST · Nov 30, 2026 · Nov 30, 2026, 2:23 PM PST"


# --- the Organization settings page -----------------------------------------------------------
def test_an_admin_changes_the_time_zone_and_pages_follow(cast) -> None:
    client = cast.client("alice")
    page = client.get(reverse("offices:settings"))
    assert page.context["form"]["time_zone"].value() == "America/New_York"
    assert '<optgroup label="United States">' in page.content.decode()

    response = client.post(
        reverse("offices:settings"),
        {"name": "Acme College", "time_zone": "America/Denver", **TEXTS},
    )

    assert response["Location"] == reverse("offices:settings")
    cast.org.refresh_from_db()
    assert cast.org.time_zone == "America/Denver"
    campaign = CampaignFactory.create(organization=cast.org, start_at=MOMENT)
    detail = client.get(reverse("campaigns:detail", kwargs={"pk": campaign.pk}))
    assert "Nov 30, 2026, 3:23 PM MST" in detail.content.decode()


def test_a_zone_that_is_not_one_is_refused_beside_the_field_and_nothing_is_saved(cast) -> None:
    response = cast.client("alice").post(
        reverse("offices:settings"), {"name": "Renamed", "time_zone": "Mars/Olympus_Mons", **TEXTS}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"] == [
        "“Mars/Olympus_Mons” is not a time zone of the list."
    ]
    assert 'id="id_time_zone_errors"' in response.content.decode()
    cast.org.refresh_from_db()
    assert (cast.org.name, cast.org.time_zone) == ("Acme College", "America/New_York")


@pytest.mark.parametrize("who", ["bob", "sam"])
def test_only_admins_may_change_the_settings(cast, who: str) -> None:
    response = cast.client(who).post(
        reverse("offices:settings"), {"name": "Acme College", "time_zone": "UTC", **TEXTS}
    )

    assert response.status_code == 403
    cast.org.refresh_from_db()
    assert cast.org.time_zone == "America/New_York"


def test_an_admin_changes_only_their_own_organization(cast) -> None:
    cast.client("charlie").post(
        reverse("offices:settings"), {"name": "Other Org", "time_zone": "Europe/Paris", **TEXTS}
    )

    zones = dict(Organization.objects.values_list("name", "time_zone"))
    assert zones == {"Acme College": "America/New_York", "Other Org": "Europe/Paris"}


def test_an_alias_given_at_the_command_line_stays_selected(cast) -> None:
    cast.org.time_zone = "US/Eastern"
    cast.org.save()

    page = cast.client("alice").get(reverse("offices:settings"))

    assert page.context["form"]["time_zone"].value() == "US/Eastern"
    assert '<option value="US/Eastern" selected>US/Eastern</option>' in page.content.decode()


def test_every_zone_offered_is_valid_and_offered_once() -> None:
    offered = [name for _, group in time_zone_choices() for name, _ in group]

    assert set(offered) <= time_zone_names()
    # The US group repeats its zones inside "America" and "Pacific"; nothing else repeats.
    assert len(offered) - len(set(offered)) == 7
    assert {"America/Chicago", "Pacific/Auckland", "Europe/Paris", "UTC"} <= set(offered)
    assert "localtime" not in time_zone_names()


# --- set at creation --------------------------------------------------------------------------
def test_create_organization_takes_a_time_zone() -> None:
    out = StringIO()

    call_command(
        "create_organization",
        "Kiwi College",
        admin_email="a@kiwi.test",
        time_zone="Pacific/Auckland",
        stdout=out,
    )

    assert Organization.objects.get(slug="kiwi-college").time_zone == "Pacific/Auckland"
    assert "times in Pacific/Auckland" in out.getvalue()


def test_create_organization_refuses_an_unknown_time_zone() -> None:
    with pytest.raises(CommandError, match="“Chicago” is not a time zone"):
        call_command(
            "create_organization",
            "X",
            admin_email="x@x.test",
            time_zone="Chicago",
            stdout=StringIO(),
        )

    assert not Organization.objects.exists()


def test_the_service_refuses_an_unknown_zone_itself(cast) -> None:
    with pytest.raises(OfficeError, match="“Nowhere” is not a time zone"):
        organization_update(organization=cast.org, name="Renamed", time_zone="Nowhere")

    cast.org.refresh_from_db()
    assert (cast.org.name, cast.org.time_zone) == ("Acme College", "America/New_York")
