"""DESIGN's public contract: the carrier-facing hooks and the entry points keep their paths, and
each answers as a caller who is not who they claim to be expects."""

import pytest
from django.urls import reverse

from campaigns.tests.factories import CampaignFactory


@pytest.mark.parametrize(
    ("name", "kwargs", "path"),
    [
        ("home", {}, "/"),
        ("accounts:logout", {}, "/accounts/logout/"),
        ("accounts:password_reset", {}, "/accounts/password-reset/"),
        ("carrier_inbound_hook", {"carrier": "simulated"}, "/hooks/simulated/inbound/"),
        ("carrier_status_hook", {"carrier": "simulated"}, "/hooks/simulated/status/"),
        ("twilio_events_hook", {}, "/hooks/twilio/events/"),
    ],
)
def test_the_public_paths_hold(name, kwargs, path) -> None:
    assert reverse(name, kwargs=kwargs) == path


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["carrier_inbound_hook", "carrier_status_hook"])
def test_an_unsigned_carrier_hook_is_refused(client, name) -> None:
    url = reverse(name, kwargs={"carrier": "simulated"})
    answer = client.post(url, data=b"{}", content_type="application/json")
    assert answer.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["carrier_inbound_hook", "carrier_status_hook"])
def test_a_hook_for_another_carrier_is_not_found(client, name) -> None:
    url = reverse(name, kwargs={"carrier": "nosuchcarrier"})
    assert client.post(url, data=b"{}", content_type="application/json").status_code == 404


@pytest.mark.django_db
def test_the_twilio_events_hook_is_not_there_while_twilio_is_not_the_carrier(client) -> None:
    answer = client.post(reverse("twilio_events_hook"), data=b"[]", content_type="application/json")
    assert answer.status_code == 404


def test_home_sends_a_person_to_the_active_campaigns(cast) -> None:
    answer = cast.client("alice").get(reverse("home"))
    assert answer.status_code == 302
    assert answer["Location"] == reverse("campaigns:active")


def test_signing_out_ends_the_session(cast) -> None:
    client = cast.client("alice")
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("campaigns:active")).status_code == 302


def test_removing_a_sender_takes_them_off_the_campaign(cast) -> None:
    campaign = CampaignFactory.create(organization=cast.org, office=cast.office_a)
    campaign.senders.create(user=cast.sam)
    url = reverse("campaigns:sender_remove", args=[campaign.pk, cast.sam.pk])
    assert cast.client("alice").post(url).status_code == 302
    assert not campaign.senders.filter(user=cast.sam).exists()
