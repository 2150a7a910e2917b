"""The Phone Numbers page makes once per page what template tags made per row, and keeps its
drop-downs rendered (phone_numbers/list_rows.py, widgets.py): the page must read exactly as the
tags wrote it."""

from datetime import UTC, datetime

import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse

from phone_numbers import widgets
from phone_numbers.models import Kind, PhoneNumber, ProvisioningStatus
from phone_numbers.tests.factories import PhoneNumberFactory, campaign_on
from phone_numbers.widgets import KeptSelect

LIST = reverse("phone_numbers:list")
KINDS = [("", "Any kind"), *Kind.choices]


@pytest.mark.parametrize("value", ["", None, "reusable", "single_use"])
@pytest.mark.parametrize("attrs", [{"id": "id_kind"}, {"id": "id_kind", "aria-invalid": "true"}])
def test_a_kept_drop_down_is_djangos_own(value, attrs) -> None:
    django_own = forms.Select(choices=KINDS).render("kind", value, attrs)

    assert KeptSelect(choices=KINDS).render("kind", value, attrs) == django_own
    assert KeptSelect(choices=KINDS).render("kind", value, attrs) == django_own  # kept


def test_a_value_that_is_not_a_choice_is_never_kept() -> None:
    widgets._kept.clear()

    html = KeptSelect(choices=KINDS).render("kind", "premium", {"id": "id_kind"})

    assert html == forms.Select(choices=KINDS).render("kind", "premium", {"id": "id_kind"})
    assert widgets._kept == {}


def test_the_list_writes_the_day_in_the_organizations_time_zone(cast) -> None:
    cast.org.time_zone = "America/Los_Angeles"
    cast.org.save()
    number = PhoneNumberFactory.create(organization=cast.org)
    # 03:00 UTC on New Year's Day is still New Year's Eve in California.
    PhoneNumber.objects.filter(pk=number.pk).update(created_at=datetime(2026, 1, 1, 3, tzinfo=UTC))

    html = cast.client("alice").get(LIST).content.decode()

    assert '<td class="nowrap">Dec 31, 2025</td>' in html


def test_each_row_links_and_tags_as_the_template_tags_did(cast) -> None:
    failed = PhoneNumberFactory.create(
        organization=cast.org,
        provisioning_status=ProvisioningStatus.FAILED,
        failure_reason='Carrier said "no" <twice>',
    )
    used = PhoneNumberFactory.create(organization=cast.org, kind=Kind.SINGLE_USE)
    campaign = campaign_on(used, name="Fall yield")

    html = cast.client("alice").get(LIST).content.decode()

    assert f'<a href="/numbers/{failed.pk}/">' in html
    assert f'<a href="/numbers/{used.pk}/">' in html
    assert f'<a href="/campaigns/{campaign.pk}/">Fall yield</a>' in html
    assert render_to_string("includes/status_tag.html", {"number": failed}) in html
    assert 'title="Carrier said &quot;no&quot; &lt;twice&gt;"' in html
    assert "<td>Single-use</td>" in html
