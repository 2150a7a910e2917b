"""The invite-link sign-up is limited like the sign-in (accounts/limits.py, django-axes): guessed
links and refused sign-ups lock the address with the lockout message and 429."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from campaigns.invite_links import campaign_invite_link_enable
from campaigns.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed sign-ins for this account or from this address."
NEWCOMER = {
    "first_name": "Nia",
    "last_name": "Okafor",
    "email": "nia@example.test",
    "password": "correct-horse-battery-9",
}


@pytest.fixture
def link(cast) -> str:
    campaign = CampaignFactory.create(organization=cast.org, office=cast.office_a, active=True)
    token = campaign_invite_link_enable(campaign=campaign)
    assert token is not None
    return reverse("join", kwargs={"token": token})


def test_guessed_invite_links_lock_the_address(cast, link) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(4):
        assert client.get(reverse("join", kwargs={"token": f"guess-{n}"})).status_code == 200
    assert client.get(reverse("join", kwargs={"token": "guess-5"})).status_code == 429

    refused = client.get(link)
    signing_up = client.post(link, NEWCOMER)

    assert refused.status_code == 429
    assert LOCKED in refused.content.decode()
    assert signing_up.status_code == 429
    assert not User.objects.filter(email="nia@example.test").exists()
    # Another address follows the right link as before.
    assert Client(REMOTE_ADDR="198.51.100.9").get(link).status_code == 200


def test_refused_sign_ups_lock_the_address(cast, link) -> None:
    """Each refusal could tell whether an address has an account: five, then no more."""
    client = Client(REMOTE_ADDR="203.0.113.7")
    for email in ["alice@acme.test", "bob@acme.test", "x", "sam@acme.test"]:
        answer = client.post(link, {**NEWCOMER, "email": email})
        assert answer.status_code == 200
        assert 'class="errorlist' in answer.content.decode()

    assert client.post(link, {**NEWCOMER, "email": "y@"}).status_code == 429

    answer = client.post(link, NEWCOMER)

    assert answer.status_code == 429
    assert LOCKED in answer.content.decode()
    assert not User.objects.filter(email="nia@example.test").exists()


def test_guesses_from_many_addresses_lock_none_of_the_others(cast, link) -> None:
    """A guess names no account: it counts against its address only, never against everyone
    who follows a link without an account."""
    for n in range(6):
        Client(REMOTE_ADDR=f"198.51.100.{n}").get(reverse("join", kwargs={"token": "guess"}))

    answer = Client(REMOTE_ADDR="192.0.2.50").post(link, NEWCOMER)

    assert answer.status_code == 302
    assert User.objects.filter(email="nia@example.test").exists()


def test_a_right_link_and_sign_up_count_nothing(cast, link) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(6):
        assert client.get(link).status_code == 200

    assert client.post(link, NEWCOMER).status_code == 302
