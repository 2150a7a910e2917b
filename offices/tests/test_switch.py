"""A person in several organizations works in one at a time and switches in the header."""

import pytest
from django.urls import reverse

from offices.models import Role
from offices.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_a_person_in_two_organizations_switches_between_them(cast):
    MembershipFactory.create(organization=cast.org, user=cast.charlie, role=Role.SENDER)
    client = cast.client("charlie")
    first = client.get(reverse("campaigns:active")).content.decode()

    response = client.post(reverse("offices:switch"), {"organization": cast.org.pk})
    after = client.get(reverse("campaigns:active")).content.decode()

    assert response.status_code == 302
    assert f'value="{cast.other_org.pk}" selected>Other Org' in first
    assert f'value="{cast.org.pk}" selected>Acme College' in after
    assert "Sender" in after


def test_switching_to_an_organization_one_is_not_in_answers_404(cast):
    client = cast.client("charlie")

    response = client.post(reverse("offices:switch"), {"organization": cast.org.pk})

    assert response.status_code == 404
    assert "Acme College" not in client.get(reverse("campaigns:active")).content.decode()


def test_one_organization_shows_no_switcher(cast):
    body = cast.client("alice").get(reverse("campaigns:active")).content.decode()

    assert 'name="organization"' not in body
    assert "Acme College" in body


@pytest.mark.parametrize("raw", ["²", "9" * 40, "x"])
def test_an_organization_that_is_no_id_answers_404(cast, raw):
    assert (
        cast.client("charlie").post(reverse("offices:switch"), {"organization": raw}).status_code
        == 404
    )
