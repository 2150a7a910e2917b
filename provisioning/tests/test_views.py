"""The add-a-number page and the number's page, through Django's test client."""

import pytest
from django.urls import reverse

from phone_numbers.models import (
    AttemptOutcome,
    Kind,
    PhoneNumber,
    ProvisioningAttempt,
    ProvisioningStatus,
)
from phone_numbers.tests.factories import PhoneNumberFactory
from provisioning.submitting import number_submit

pytestmark = pytest.mark.django_db
NEW = reverse("phone_numbers:new")


def post(cast, data: dict[str, object], htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return cast.client("alice").post(NEW, {"number_type": "dedicated", **data}, headers=headers)


def test_the_page_offers_the_dedicated_type_and_the_orange_button(cast, order) -> None:
    response = cast.client("alice").get(NEW)

    body = response.content.decode()
    assert '<option value="dedicated" selected>Dedicated</option>' in body
    assert "Student outreach" in body
    assert 'class="provision"' in body
    assert "Provision Number" in body


def test_provision_number_swaps_in_the_available_numbers(cast, order) -> None:
    response = post(
        cast,
        {"use_case": order.use_case.pk, "area_codes": "000, 212", "action": "search"},
        htmx=True,
    )

    body = response.content.decode()
    assert not body.lstrip().startswith("<!doctype")
    assert body.count('type="radio" name="e164"') == 10
    assert "Nothing is available in 000; showing the next preference." in body


@pytest.mark.parametrize(
    ("area_codes", "error"),
    [
        ("", "Enter at least one area code."),
        ("21x", "“21x” is not an area code; enter 3 digits, e.g. 212."),
        ("212 646 212", "Give each area code once; repeated: 212."),
        ("201 202 203 204 205 206", "Give at most 5 area codes."),
        ("000", "No numbers available in 000. Try another area code."),
    ],
)
def test_area_code_errors_sit_beside_the_field(cast, order, area_codes, error) -> None:
    response = post(cast, {"use_case": order.use_case.pk, "area_codes": area_codes}, htmx=True)

    assert f'<ul class="errorlist" id="id_area_codes_errors"><li>{error}</li></ul>' in (
        response.content.decode()
    )
    assert not PhoneNumber.objects.exists()


def test_ordering_without_a_pick_asks_for_one(cast, order) -> None:
    response = post(cast, {"use_case": order.use_case.pk, "area_codes": "212", "action": "order"})

    assert "Pick one of the available numbers." in response.content.decode()
    assert not PhoneNumber.objects.exists()


def test_picking_a_number_orders_it_and_opens_its_page(cast, order) -> None:
    data = {"use_case": order.use_case.pk, "area_codes": "212", "e164": "+12125550100"}

    response = post(cast, {**data, "action": "order"})

    number = PhoneNumber.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("phone_numbers:detail", args=[number.pk])
    assert (number.kind, number.requested_e164, number.requested_by) == (
        Kind.DEDICATED,
        "+12125550100",
        cast.alice,
    )


def test_a_full_use_case_says_so_beside_the_use_case(cast, order, settings) -> None:
    settings.NUMBERS_PER_USE_CASE = 1
    PhoneNumberFactory.create(organization=cast.org, use_case=order.use_case)
    data = {"use_case": order.use_case.pk, "area_codes": "212", "e164": "+12125550100"}

    response = post(cast, {**data, "action": "order"})

    body = response.content.decode()
    assert (
        '<ul class="errorlist" id="id_use_case_errors"><li>The use case “Student outreach”' in body
    )
    assert "Archive unused single-use campaigns" in body
    assert PhoneNumber.objects.count() == 1


def test_another_organizations_use_case_cannot_be_chosen(cast, order) -> None:
    from phone_numbers.tests.factories import UseCaseFactory

    theirs = UseCaseFactory.create(organization=cast.other_org)
    data = {"use_case": theirs.pk, "area_codes": "212", "e164": "+12125550100", "action": "order"}

    response = post(cast, data)

    assert "Select a valid choice" in response.content.decode()
    assert not PhoneNumber.objects.exists()


def test_the_status_card_polls_while_in_flight_and_stops_when_final(cast, order) -> None:
    number = order("415")
    number_submit(phone_number_id=number.pk)
    url = reverse("phone_numbers:status", args=[number.pk])

    in_flight = cast.client("bob").get(url).content.decode()
    number.provisioning_status = ProvisioningStatus.COMPLETE
    number.save()
    final = cast.client("bob").get(url).content.decode()

    assert 'hx-trigger="every 2s"' in in_flight
    assert "Provisioning initiated" in in_flight
    assert "hx-trigger" not in final
    assert "Provisioning complete" in final


def test_the_number_page_lists_attempts_in_constant_queries(
    cast, django_assert_max_num_queries
) -> None:
    number = PhoneNumberFactory.create(
        organization=cast.org,
        provisioning_status=ProvisioningStatus.FAILED,
        attempts=5,
        failure_reason="Provisioning failed after 5 attempts. Last reason: no.",
        requested_by=cast.alice,
    )
    for n in range(1, 6):
        ProvisioningAttempt.objects.create(
            phone_number=number,
            n=n,
            e164=f"+1999555000{n}",
            area_code="999",
            carrier_provisioning_ref=f"SUB-{n}",
            started_at=number.created_at,
            ended_at=number.created_at,
            outcome=AttemptOutcome.REJECTED,
            reason=f"Reason {n}",
        )
    client = cast.client("alice")
    url = reverse("phone_numbers:detail", args=[number.pk])

    with django_assert_max_num_queries(8):
        response = client.get(url)

    body = response.content.decode()
    assert body.count("<td>Rejected</td>") == 5
    assert "Reason 5" in body
    assert "Provisioning failed after 5 attempts" in body
    assert 'data-status="failed"' in body


def test_a_failed_number_says_what_to_do_next(cast) -> None:
    from phone_numbers.tests.factories import ReusableNumberFactory

    dedicated = PhoneNumberFactory.create(
        organization=cast.org, e164=None, provisioning_status=ProvisioningStatus.FAILED
    )
    reusable = ReusableNumberFactory.create(
        office=cast.office_a,
        e164=None,
        provisioning_status=ProvisioningStatus.FAILED,
        name="Open house",
        agent="Dana",
    )
    url = "/numbers/{}/"

    dedicated_page = cast.client("alice").get(url.format(dedicated.pk)).content.decode()
    as_bob = cast.client("bob").get(url.format(dedicated.pk)).content.decode()
    reusable_page = cast.client("bob").get(url.format(reusable.pk)).content.decode()

    assert "What now:" in dedicated_page
    assert (
        f'href="/numbers/new/?number_type=dedicated&amp;use_case={dedicated.use_case_id}">'
        "Add a new dedicated number</a>"
    ) in dedicated_page
    assert "Ask an admin of your organization to add a new number" in as_bob
    assert "Add a new dedicated number" not in as_bob
    assert "does not count against the quota of Admissions" in reusable_page
    assert (
        f"?number_type=reusable&amp;use_case={reusable.use_case_id}&amp;office={cast.office_a.pk}"
        "&amp;name=Open+house&amp;agent=Dana&amp;response_type=agent"
    ) in reusable_page


def test_the_replacement_form_starts_from_the_failed_numbers_defaults(cast) -> None:
    page = cast.client("alice").get(
        NEW, {"number_type": "reusable", "office": cast.office_b.pk, "name": "Open house"}
    )

    body = page.content.decode()
    assert f'<option value="{cast.office_b.pk}" selected>Financial Aid</option>' in body
    assert 'value="Open house"' in body


def test_the_status_card_says_when_a_poll_finds_it_final(cast, order) -> None:
    number = order("415")
    url = reverse("phone_numbers:status", args=[number.pk])

    polled_in_flight = cast.client("alice").get(url, headers={"HX-Request": "true"})
    number.provisioning_status = ProvisioningStatus.COMPLETE
    number.save()
    polled_final = cast.client("alice").get(url, headers={"HX-Request": "true"})

    assert "data-final" not in polled_in_flight.content.decode()
    assert 'id="number-status" class="card" data-final>' in polled_final.content.decode()
    assert "data-final" not in cast.client("alice").get(f"/numbers/{number.pk}/").content.decode()
