"""Every date and number a form takes has a sane range, checked beside the field (offices/
bounds.py) and backed by the database."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from campaigns.models import Campaign
from campaigns.tests.factories import CampaignFactory, PhoneNumberFactory
from offices.bounds import DATE_RANGE_MESSAGE

pytestmark = pytest.mark.django_db


def _fields(cast, number, start_at: str) -> dict[str, object]:
    return {
        "name": "Open day",
        "office": cast.office_a.pk,
        "initial_message": "Hi {first_name}!",
        "start_at": start_at,
        "number_choice": "dedicated",
        "dedicated_number": number.pk,
    }


def _lists_answer(client, campaign: Campaign | None = None) -> list[int]:
    urls = [reverse(f"campaigns:{name}") for name in ("active", "drafts", "archived")]
    if campaign is not None:
        urls += [
            reverse(f"campaigns:{name}", kwargs={"pk": campaign.pk}) for name in ("detail", "edit")
        ]
    return [client.get(url).status_code for url in urls]


def test_a_start_date_in_year_9999_is_refused_beside_the_field_and_nothing_is_saved(cast):
    number = PhoneNumberFactory.create(organization=cast.org)
    client = cast.client("alice")

    response = client.post(reverse("campaigns:create"), _fields(cast, number, "9999-12-31T23:59"))

    assert response.status_code == 200
    assert response.context["form"].errors["start_at"] == [DATE_RANGE_MESSAGE]
    assert DATE_RANGE_MESSAGE in response.content.decode()
    assert not Campaign.objects.exists()
    assert _lists_answer(client) == [200, 200, 200]


def test_editing_a_start_date_to_year_9999_keeps_the_one_before(cast):
    number = PhoneNumberFactory.create(organization=cast.org)
    campaign = CampaignFactory.create(
        organization=cast.org, office=cast.office_a, start_at=datetime(2026, 12, 1, tzinfo=UTC)
    )
    client = cast.client("alice")

    response = client.post(
        reverse("campaigns:edit", kwargs={"pk": campaign.pk}),
        _fields(cast, number, "9999-12-31T23:59"),
    )

    assert response.context["form"].errors["start_at"] == [DATE_RANGE_MESSAGE]
    campaign.refresh_from_db()
    assert campaign.start_at == datetime(2026, 12, 1, tzinfo=UTC)
    assert _lists_answer(client, campaign) == [200] * 5


@pytest.mark.parametrize(
    ("typed", "accepted"),
    [
        ("1999-12-31T23:59", False),
        ("2000-01-01T00:00", True),  # 1999-12-31 11:00 in UTC: the typed date is what counts
        ("2100-12-31T23:59", True),
        ("2101-01-01T00:00", False),
    ],
)
def test_the_range_is_checked_as_typed_in_the_organizations_zone(cast, typed, accepted):
    cast.org.time_zone = "Pacific/Auckland"
    cast.org.save()
    number = PhoneNumberFactory.create(organization=cast.org)

    response = cast.client("alice").post(reverse("campaigns:create"), _fields(cast, number, typed))

    assert Campaign.objects.exists() is accepted
    assert (response.status_code == 302) is accepted


def test_the_date_input_offers_only_the_range(cast):
    page = cast.client("alice").get(reverse("campaigns:create")).content.decode()

    assert 'min="2000-01-01T00:00"' in page
    assert 'max="2100-12-31T23:59"' in page


def test_the_database_refuses_a_start_date_out_of_range(cast):
    campaign = CampaignFactory.create(organization=cast.org, office=cast.office_a)

    for value in (datetime(2200, 1, 1, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Campaign.objects.filter(pk=campaign.pk).update(start_at=value)


def test_an_office_quota_beyond_1000_is_refused_beside_the_field(cast):
    client = cast.client("alice")
    url = reverse("offices:edit", kwargs={"pk": cast.office_a.pk})
    fields = {"name": "Admissions", "idk_default": "reply", "idk_message": "Sorry"}

    refused = client.post(url, {**fields, "number_quota": 1001})
    accepted = client.post(url, {**fields, "number_quota": 1000})

    assert refused.context["form"].errors["number_quota"] == [
        "An office can hold at most 1,000 reusable numbers."
    ]
    assert 'max="1000"' in refused.content.decode()
    assert accepted.status_code == 302
    cast.office_a.refresh_from_db()
    assert cast.office_a.number_quota == 1000
