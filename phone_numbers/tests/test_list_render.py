"""The Phone Numbers page makes once per page what template tags made per row
(phone_numbers/list_rows.py), and is written in Jinja2 with its filter fields by hand
(templates/jinja2/phone_numbers/list_body.html): the page must read as Django wrote it, escape
what people typed, and say which field is wrong where the person looks."""

import re
from datetime import UTC, datetime

from django.template.loader import render_to_string
from django.urls import reverse

from phone_numbers.models import Kind, PhoneNumber, ProvisioningStatus
from phone_numbers.tests.factories import PhoneNumberFactory, campaign_on

LIST = reverse("phone_numbers:list")


def test_the_page_is_markup_inside_the_layout_not_escaped_text(cast) -> None:
    PhoneNumberFactory.create(organization=cast.org, name="Front desk")

    html = cast.client("alice").get(LIST).content.decode()

    assert '<main class="container page">' in html
    assert '<table class="data numbers">' in html
    assert "&lt;table" not in html
    assert "<td>Front desk</td>" in html


def test_each_drop_down_shows_the_choice_asked_for(cast) -> None:
    html = cast.client("alice").get(LIST, {"kind": "reusable", "office": cast.office_b.pk})
    html = html.content.decode()

    kind = _select(html, "kind")
    assert '<option value="reusable" selected>Reusable</option>' in kind
    assert '<option value="">Any kind</option>' in kind
    assert kind.count(" selected") == 1
    office = _select(html, "office")
    assert f'<option value="{cast.office_b.pk}" selected>{cast.office_b.name}</option>' in office
    assert office.count(" selected") == 1
    # Nothing asked: "any" is shown.
    assert '<option value="" selected>Any response type</option>' in _select(html, "response_type")


def test_a_value_we_cannot_use_is_marked_beside_its_field(cast) -> None:
    response = cast.client("alice").get(LIST, {"kind": "premium", "agent": "zz"})
    html = response.content.decode()

    assert response.status_code == 400
    assert (
        '<select name="kind" id="id_kind" aria-invalid="true" aria-describedby="id_kind_error">'
        in html
    )
    assert '<ul class="errorlist" id="id_kind_error"><li>Select a valid choice.' in html
    assert " selected" not in _select(html, "kind")  # the bad value is not one of them
    # The agent field keeps what was typed and names its help text.
    assert (
        '<input type="text" name="agent" id="id_agent" value="zz" '
        'aria-describedby="id_agent_helptext">'
    ) in html
    assert '<small class="muted" id="id_agent_helptext">' in html


def test_what_people_type_is_escaped(cast) -> None:
    typed = '"><script>alert(1)</script>'
    PhoneNumberFactory.create(organization=cast.org, name="<b>Bold</b> & co")

    html = cast.client("alice").get(LIST, {"agent": typed}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html

    html = cast.client("alice").get(LIST).content.decode()
    assert "<td>&lt;b&gt;Bold&lt;/b&gt; &amp; co</td>" in html


def _select(html: str, name: str) -> str:
    found = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert found, f"no {name} drop-down"
    return found.group(0)


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
