"""The campaign pages: indexes, the form and its number section, actions, contacts upload."""

import re
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import Campaign, CampaignStatus
from campaigns.tests.factories import (
    CampaignFactory,
    CampaignSenderFactory,
    ContactFactory,
    PhoneNumberFactory,
    UseCaseFactory,
)

pytestmark = pytest.mark.django_db


# --- indexes --------------------------------------------------------------------------------
@pytest.mark.parametrize("rows", [1, 12])
def test_the_drafts_index_runs_a_fixed_number_of_queries(cast, rows, django_assert_max_num_queries):
    for _ in range(rows):
        campaign = CampaignFactory.create(organization=cast.org, office=cast.office_a)
        ContactFactory.create_batch(2, campaign=campaign)
    CampaignFactory.create(organization=cast.org, single_use=True, status="launching")
    client = cast.client("alice")

    with django_assert_max_num_queries(8):
        response = client.get(reverse("campaigns:drafts"))

    assert len(response.context["page"].object_list) == rows + 1


@pytest.mark.parametrize("index", ["active", "archived"])
def test_the_other_indexes_run_a_fixed_number_of_queries(
    cast, index, django_assert_max_num_queries
):
    CampaignFactory.create_batch(10, organization=cast.org, **{index: True})
    client = cast.client("alice")

    with django_assert_max_num_queries(8):
        response = client.get(reverse(f"campaigns:{index}"))

    assert len(response.context["page"].object_list) == 10


def test_the_drafts_index_flags_launching_and_provisioning_failed(cast):
    CampaignFactory.create(organization=cast.org, single_use=True, status="launching", name="L")
    CampaignFactory.create(organization=cast.org, single_use=True, provisioning_failed=True)
    CampaignFactory.create(organization=cast.org, active=True, name="Live one")

    body = cast.client("alice").get(reverse("campaigns:drafts")).content.decode()

    assert 'class="tag tag-yellow" data-flag="launching">Launching' in body
    assert 'class="tag tag-red" data-flag="provisioning-failed">Provisioning failed' in body
    assert "Live one" not in body


def test_a_sender_sees_only_the_campaigns_they_send_on(cast):
    mine = CampaignFactory.create(organization=cast.org, active=True, name="Mine")
    CampaignSenderFactory.create(campaign=mine, user=cast.sam)
    CampaignFactory.create(organization=cast.org, active=True, name="Not mine")

    response = cast.client("sam").get(reverse("campaigns:active"))

    assert [c.name for c in response.context["page"].object_list] == ["Mine"]


def test_an_office_member_sees_their_offices_campaigns(cast):
    CampaignFactory.create(organization=cast.org, office=cast.office_a, name="Admissions one")
    CampaignFactory.create(organization=cast.org, office=cast.office_b, name="Aid one")

    response = cast.client("bob").get(reverse("campaigns:drafts"))

    assert [c.name for c in response.context["page"].object_list] == ["Admissions one"]


# --- the form -------------------------------------------------------------------------------
def test_the_dedicated_drop_down_lists_complete_numbers_and_counts_the_others(cast):
    PhoneNumberFactory.create(organization=cast.org, e164="+12125550001")
    PhoneNumberFactory.create(organization=cast.org, e164="+12125550002", provisioning=True)
    PhoneNumberFactory.create(organization=cast.org, e164="+12125550003", provisioning=True)
    PhoneNumberFactory.create(organization=cast.other_org, e164="+12125550004")

    response = cast.client("alice").get(reverse("campaigns:create"))

    choices = [str(n) for n in response.context["form"].fields["dedicated_number"].queryset]
    assert choices == ["+12125550001"]
    assert "2 dedicated numbers still provisioning are not listed" in response.content.decode()


def test_creating_a_campaign_on_a_dedicated_number(cast):
    number = PhoneNumberFactory.create(organization=cast.org)
    response = cast.client("alice").post(
        reverse("campaigns:create"),
        {
            "name": "Fall visit day",
            "office": cast.office_a.pk,
            "initial_message": "Hi {first_name}!",
            "start_at": "2026-12-01T09:30",
            "number_choice": "dedicated",
            "dedicated_number": number.pk,
        },
    )

    campaign = Campaign.objects.get(name="Fall visit day")
    assert response["Location"] == reverse("campaigns:detail", kwargs={"pk": campaign.pk})
    # Typed in the organization's zone (America/New_York by default), stored in UTC.
    assert (campaign.phone_number, campaign.created_by, campaign.start_at) == (
        number,
        cast.alice,
        datetime(2026, 12, 1, 14, 30, tzinfo=UTC),
    )


def _form_data(cast, **values) -> dict[str, object]:
    return {
        "name": "X",
        "office": cast.office_a.pk,
        "initial_message": "Hi {first_name}",
        "number_choice": "single_use",
        "area_codes": "212, 646",
        "use_case": UseCaseFactory.create(organization=cast.org).pk,
        **values,
    }


def test_a_new_campaign_may_use_fields_of_the_file_it_has_not_uploaded_yet(cast):
    response = cast.client("alice").post(
        reverse("campaigns:create"), _form_data(cast, initial_message="Hi {school}")
    )

    campaign = Campaign.objects.get()
    assert response.url == reverse("campaigns:detail", kwargs={"pk": campaign.pk})
    assert campaign.initial_message == "Hi {school}"


def test_with_contacts_unknown_message_fields_are_all_shown_beside_the_message(cast):
    campaign = CampaignFactory.create(organization=cast.org, office=cast.office_a)
    ContactFactory.create(campaign=campaign)

    response = cast.client("alice").post(
        reverse("campaigns:edit", kwargs={"pk": campaign.pk}),
        _form_data(cast, initial_message="Hi {nickname} of {school}"),
    )

    errors = response.context["form"].errors
    assert errors["initial_message"] == [
        "Your contacts have no column for {nickname}, {school}. Fields you can use: "
        "{first_name}, {last_name}, {phone}."
    ]
    assert 'id="id_initial_message_errors"' in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.initial_message == "Hi {first_name}, this is Acme College."


@pytest.mark.parametrize(
    ("choice", "area_codes", "error"),
    [
        ("single_use", "212 64", "“64” is not an area code; enter 3 digits, e.g. 212."),
        ("single_use", "212, 212", "Give each area code once; repeated: 212."),
        ("single_use", "201 202 203 204 205 206", "Give at most 5 area codes."),
        ("single_use", "", "Enter at least one area code."),
    ],
)
def test_the_campaign_form_checks_area_codes_as_the_number_form_does(
    cast, choice, area_codes, error
):
    response = cast.client("alice").post(
        reverse("campaigns:create"),
        {
            "name": "X",
            "office": cast.office_a.pk,
            "number_choice": choice,
            "area_codes": area_codes,
            "use_case": UseCaseFactory.create(organization=cast.org).pk,
        },
    )

    assert response.context["form"].errors["area_codes"] == [error]
    assert not Campaign.objects.exists()


def test_the_campaign_form_ignores_area_codes_for_a_dedicated_number(cast):
    number = PhoneNumberFactory.create(organization=cast.org)
    response = cast.client("alice").post(
        reverse("campaigns:create"),
        {
            "name": "X",
            "office": cast.office_a.pk,
            "number_choice": "dedicated",
            "dedicated_number": number.pk,
            "area_codes": "nonsense",
        },
    )

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert (campaign.phone_number, campaign.area_codes) == (number, [])


def test_the_reusable_picker_lists_the_offices_numbers_with_their_status(cast):
    free = PhoneNumberFactory.create(
        organization=cast.org, reusable=True, office=cast.office_a, name="Front desk"
    )
    busy = PhoneNumberFactory.create(
        organization=cast.org, reusable=True, office=cast.office_a, name="Visits", agent="Ana"
    )
    PhoneNumberFactory.create(organization=cast.org, reusable=True, office=cast.office_b)
    user = CampaignFactory.create(
        organization=cast.org, number_choice="reusable", phone_number=busy, active=True
    )

    response = cast.client("alice").get(
        reverse("campaigns:reusable_numbers"), {"office": cast.office_a.pk}
    )

    assert [n.pk for n in response.context["numbers"]] == [free.pk, busy.pk]
    body = response.content.decode()
    assert "Available" in body
    assert f'href="{reverse("campaigns:detail", kwargs={"pk": user.pk})}"' in body
    assert ">In Use</a>" in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "desk"}, ["Front desk"]),
        ({"agent": "Ana"}, ["Visits"]),
        ({"response_type": "bot"}, []),
    ],
)
def test_the_reusable_picker_searches_and_filters(cast, query, expected):
    PhoneNumberFactory.create(
        organization=cast.org, reusable=True, office=cast.office_a, name="Front desk"
    )
    PhoneNumberFactory.create(
        organization=cast.org, reusable=True, office=cast.office_a, name="Visits", agent="Ana"
    )

    response = cast.client("alice").get(
        reverse("campaigns:reusable_numbers"), {"office": cast.office_a.pk, **query}
    )

    assert [n.name for n in response.context["numbers"]] == expected


def test_the_reusable_picker_shows_nothing_of_another_organizations_office(cast):
    PhoneNumberFactory.create(organization=cast.org, reusable=True, office=cast.office_a)

    response = cast.client("charlie").get(
        reverse("campaigns:reusable_numbers"), {"office": cast.office_a.pk}
    )

    assert response.context["office"] is None
    assert not response.context["numbers"]


@pytest.mark.parametrize("office", ["9" * 40, "²", "-1"])
def test_the_reusable_picker_reads_a_typed_office_id_it_cannot_hold_as_none(cast, office):
    response = cast.client("alice").get(
        reverse("campaigns:reusable_numbers"), {"office": office, "reusable_number": office}
    )

    assert response.status_code == 200
    assert (response.context["office"], response.context["selected"]) == (None, None)


# --- actions (POST only) --------------------------------------------------------------------
ACTIONS = ["launch", "archive", "clone", "sender_add", "contacts_confirm", "follow_up_count"]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(("who", "status"), [("charlie", 404), ("bob", 403), ("sam", 403)])
def test_actions_refuse_other_organizations_and_other_roles(cast, action, who, status):
    campaign = CampaignFactory.create(organization=cast.org, office=cast.office_a)
    CampaignSenderFactory.create(campaign=campaign, user=cast.sam)

    response = cast.client(who).post(reverse(f"campaigns:{action}", kwargs={"pk": campaign.pk}))

    assert response.status_code == status
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    assert Campaign.objects.count() == 1


def test_launching_from_the_page_says_why_it_is_refused(cast):
    campaign = CampaignFactory.create(organization=cast.org)

    response = cast.client("alice").post(
        reverse("campaigns:launch", kwargs={"pk": campaign.pk}), follow=True
    )

    assert "Upload contacts before launching." in response.content.decode()


def test_the_details_page_offers_only_the_actions_of_its_state(cast):
    failed = CampaignFactory.create(
        organization=cast.org, single_use=True, provisioning_failed=True
    )

    body = cast.client("alice").get(reverse("campaigns:detail", kwargs={"pk": failed.pk})).content
    text = body.decode()

    assert ">Clone</button>" in text
    assert ">Archive</button>" in text
    assert ">Launch</button>" not in text
    assert "This campaign cannot be launched again." in text
    card = text[text.index('id="number-card"') :]
    # As the product document places it: the red flag under the area code.
    assert card.index("Area codes 212, 646") < card.index('data-status="failed"')
    assert "clone this campaign</a>; the clone keeps its contacts" in card
    assert "Senders can be added before launch" not in text
    assert "Provisioning failed, so senders no longer change here." in text
    assert ">Add sender</button>" not in text


def test_archiving_a_provisioning_failed_draft_takes_it_off_drafts(cast):
    failed = CampaignFactory.create(
        organization=cast.org, single_use=True, provisioning_failed=True, name="Dead end"
    )
    client = cast.client("alice")

    response = client.post(reverse("campaigns:archive", kwargs={"pk": failed.pk}), follow=True)

    assert "“Dead end” archived." in response.content.decode()
    assert "Dead end" not in client.get(reverse("campaigns:drafts")).content.decode()
    archived = client.get(reverse("campaigns:archived")).content.decode()
    assert "Dead end" in archived
    assert 'data-flag="provisioning-failed"' in archived
    page = client.get(reverse("campaigns:detail", kwargs={"pk": failed.pk})).content.decode()
    assert ">Archive</button>" not in page
    assert ">Clone</button>" in page


def test_a_sender_sees_the_page_without_actions(cast):
    campaign = CampaignFactory.create(organization=cast.org, active=True)
    CampaignSenderFactory.create(campaign=campaign, user=cast.sam)

    text = cast.client("sam").get(reverse("campaigns:detail", kwargs={"pk": campaign.pk}))

    assert ">Archive</button>" not in text.content.decode()
    assert "Provisioning complete" in text.content.decode()


# --- contacts upload ------------------------------------------------------------------------
def test_upload_preview_then_confirm(cast):
    campaign = CampaignFactory.create(organization=cast.org)
    csv = b"phone,first_name\n2125550101,Ada\nnope,Bad\n"
    client = cast.client("alice")
    url = reverse("campaigns:contacts", kwargs={"pk": campaign.pk})

    preview = client.post(url, {"file": SimpleUploadedFile("c.csv", csv, "text/csv")})

    assert preview.context["report"].valid == 1
    assert "not a valid US phone number" in preview.content.decode()
    assert not campaign.contacts.exists()
    token = preview.context["confirm"]["upload"].value()
    confirm_url = reverse("campaigns:contacts_confirm", kwargs={"pk": campaign.pk})
    client.post(confirm_url, {"upload": token})
    assert list(campaign.contacts.values_list("phone", flat=True)) == ["+12125550101"]
    again = client.post(confirm_url, {"upload": token}, follow=True)
    assert "expired or was already saved" in again.content.decode()
    assert campaign.contacts.count() == 1


def test_an_upload_token_does_not_work_on_another_campaign(cast):
    campaign = CampaignFactory.create(organization=cast.org)
    other = CampaignFactory.create(organization=cast.org)
    client = cast.client("alice")
    preview = client.post(
        reverse("campaigns:contacts", kwargs={"pk": campaign.pk}),
        {"file": SimpleUploadedFile("c.csv", b"phone\n2125550101\n", "text/csv")},
    )
    token = preview.context["confirm"]["upload"].value()

    client.post(reverse("campaigns:contacts_confirm", kwargs={"pk": other.pk}), {"upload": token})

    assert not other.contacts.exists()


def test_a_wrong_header_is_reported_beside_the_file_field(cast):
    campaign = CampaignFactory.create(organization=cast.org)

    response = cast.client("alice").post(
        reverse("campaigns:contacts", kwargs={"pk": campaign.pk}),
        {"file": SimpleUploadedFile("c.csv", b"mobile_no,name\n1,2\n", "text/csv")},
    )

    [error] = response.context["form"].errors["file"]
    assert error.startswith("The first row must name the columns; it has mobile_no, name.")
    assert 'id="id_file_errors"' in response.content.decode()


def test_an_unreadable_file_is_reported_beside_the_field_not_a_500(cast):
    campaign = CampaignFactory.create(organization=cast.org)
    url = reverse("campaigns:contacts", kwargs={"pk": campaign.pk})
    content = b"phone,note\n2125550101," + b"x" * 140_000 + b"\n"

    response = cast.client("alice").post(url, {"file": SimpleUploadedFile("c.csv", content)})

    assert response.status_code == 200
    [error] = response.context["form"].errors["file"]
    assert error.startswith("Row 2 cannot be read as CSV")


def test_a_file_over_the_size_limit_is_refused_beside_the_field(cast, monkeypatch):
    monkeypatch.setattr("campaigns.forms.CONTACTS_FILE_MAX_MB", 1)
    campaign = CampaignFactory.create(organization=cast.org)
    url = reverse("campaigns:contacts", kwargs={"pk": campaign.pk})
    content = b"phone\n" + b"2125550101\n" * 200_000  # 2.2 MB

    response = cast.client("alice").post(url, {"file": SimpleUploadedFile("c.csv", content)})

    [error] = response.context["form"].errors["file"]
    assert error == (
        "This file is 2 MB; a contacts file can be at most 1 MB. "
        "Split it and upload the parts one after another."
    )
    assert response.context["report"] is None
    assert "At most 50 MB." in cast.client("alice").get(url).content.decode()


# --- follow-up ------------------------------------------------------------------------------
def test_the_follow_up_page_counts_who_remains(cast):
    parent = CampaignFactory.create(organization=cast.org, active=True)
    ContactFactory.create(campaign=parent, phone="+12025550101")
    ContactFactory.create(campaign=parent, phone="+12025550102")

    response = cast.client("alice").post(
        reverse("campaigns:follow_up_count", kwargs={"pk": parent.pk}),
        {"exclude_phones": "(202) 555-0101"},
    )

    assert (response.context["remaining"], response.context["total"]) == (1, 2)


def test_a_bad_pasted_number_is_shown_beside_the_list(cast):
    parent = CampaignFactory.create(organization=cast.org, active=True)
    ContactFactory.create(campaign=parent)

    response = cast.client("alice").post(
        reverse("campaigns:follow_up", kwargs={"pk": parent.pk}),
        {"name": "F", "initial_message": "Hi", "exclude_phones": "2025550101, hello"},
    )

    assert response.context["form"].errors["exclude_phones"] == [
        "These are not phone numbers: hello."
    ]
    assert Campaign.objects.count() == 1


# --- single-use launching -------------------------------------------------------------------
def _launching(cast) -> Campaign:
    campaign = CampaignFactory.create(organization=cast.org, office=cast.office_a, single_use=True)
    ContactFactory.create(campaign=campaign)
    cast.client("alice").post(reverse("campaigns:launch", kwargs={"pk": campaign.pk}))
    campaign.refresh_from_db()
    return campaign


def test_launching_shows_the_wait_and_polls_the_number_card(cast):
    campaign = _launching(cast)
    detail = reverse("campaigns:detail", kwargs={"pk": campaign.pk})

    text = cast.client("alice").get(detail).content.decode()

    assert campaign.status == CampaignStatus.LAUNCHING
    assert 'data-flag="launching"' in text
    assert 'hx-trigger="every 2s"' in text
    assert "Area codes 212, 646" in text
    assert 'attempt <strong data-testid="attempts">0/5</strong>' in text
    assert ">Launch</button>" not in text
    assert ">Archive</button>" not in text


def test_the_number_card_reloads_the_page_once_the_campaign_is_no_longer_launching(cast):
    campaign = _launching(cast)
    url = reverse("campaigns:number_status", kwargs={"pk": campaign.pk})
    CampaignSenderFactory.create(campaign=campaign, user=cast.sam)

    assert (
        "Provisioning initiated" in cast.client("sam").get(f"{url}?was=launching").content.decode()
    )
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.ACTIVE)
    finished = cast.client("sam").get(f"{url}?was=launching")
    settled = cast.client("sam").get(url)

    assert finished.headers["HX-Refresh"] == "true"
    assert "hx-trigger" not in settled.content.decode()


def test_the_launch_message_says_the_campaign_is_launching(cast):
    campaign = CampaignFactory.create(organization=cast.org, single_use=True)
    ContactFactory.create(campaign=campaign)

    response = cast.client("alice").post(
        reverse("campaigns:launch", kwargs={"pk": campaign.pk}), follow=True
    )

    assert "is launching: its single-use number is being bought" in response.content.decode()


def test_a_full_use_case_is_refused_on_the_page_and_nothing_bought(cast, settings):
    settings.NUMBERS_PER_USE_CASE = 1
    campaign = CampaignFactory.create(organization=cast.org, single_use=True)
    ContactFactory.create(campaign=campaign)
    PhoneNumberFactory.create(organization=cast.org, use_case=campaign.use_case)

    response = cast.client("alice").post(
        reverse("campaigns:launch", kwargs={"pk": campaign.pk}), follow=True
    )

    assert "Archive unused single-use campaigns to free numbers" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_a_forced_launch_of_a_provisioning_failed_draft_is_refused(cast):
    failed = CampaignFactory.create(
        organization=cast.org, single_use=True, provisioning_failed=True
    )
    ContactFactory.create(campaign=failed)

    response = cast.client("alice").post(
        reverse("campaigns:launch", kwargs={"pk": failed.pk}), follow=True
    )

    assert "cannot be launched again. Clone it" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == CampaignStatus.DRAFT


def test_a_provisioning_failed_draft_offers_only_clone_and_archive(cast):
    failed = CampaignFactory.create(
        organization=cast.org, single_use=True, provisioning_failed=True
    )

    text = cast.client("alice").get(reverse("campaigns:detail", kwargs={"pk": failed.pk}))
    body = text.content.decode()

    for refused in (">Edit</a>", ">Launch</button>", "Add sender"):
        assert refused not in body
    assert ">Clone</button>" in body
    assert ">Archive</button>" in body


def test_the_clone_link_asks_before_it_clones(cast):
    failed = CampaignFactory.create(
        organization=cast.org, single_use=True, provisioning_failed=True
    )
    url = reverse("campaigns:clone", kwargs={"pk": failed.pk})

    page = cast.client("alice").get(url)
    response = cast.client("alice").post(url)

    assert "The clone is a fresh draft" in page.content.decode()
    clone = Campaign.objects.get(cloned_from=failed)
    assert response.headers["Location"] == reverse("campaigns:detail", kwargs={"pk": clone.pk})
    assert (clone.status, clone.provisioning_failed, clone.phone_number) == ("draft", False, None)


# --- consequential actions ask first --------------------------------------------------------
def _detail(cast, campaign: Campaign) -> str:
    url = reverse("campaigns:detail", kwargs={"pk": campaign.pk})
    return cast.client("alice").get(url).content.decode()


def _dialog(page: str, action: str) -> str:
    start = page.index(f'<dialog id="confirm-{action}"')
    return page[start : page.index("</dialog>", start)]


def test_launching_a_single_use_campaign_asks_saying_a_number_is_bought(cast):
    one = CampaignFactory.create(organization=cast.org, single_use=True, area_codes=["212"])
    several = CampaignFactory.create(organization=cast.org, single_use=True)

    dialog = _dialog(_detail(cast, one), "launch")

    assert (
        "Launching buys a number in area code 212 and starts provisioning with the carriers; "
        "no message can be sent until it is complete." in dialog
    )
    assert (
        'method="post" action="{}"'.format(reverse("campaigns:launch", kwargs={"pk": one.pk}))
        in dialog
    )
    assert '<form method="dialog">' in dialog  # Cancel closes it without JavaScript of ours
    assert "buys a number in area codes 212, 646 and" in _dialog(_detail(cast, several), "launch")


def test_launching_on_a_dedicated_or_reusable_number_asks_saying_it_goes_live_at_once(cast):
    dedicated = CampaignFactory.create(
        organization=cast.org, name="Open day", phone_number__e164="+14152064322"
    )
    CampaignSenderFactory.create(campaign=dedicated, user=cast.sam)
    number = PhoneNumberFactory.create(
        organization=cast.org, reusable=True, office=cast.office_a, e164="+16465550199"
    )
    reusable = CampaignFactory.create(
        organization=cast.org,
        office=cast.office_a,
        name="Line",
        number_choice="reusable",
        phone_number=number,
    )

    assert (
        "“Open day” goes live at once on the dedicated number (415) 206-4322, already "
        "provisioned: messages can be sent now. Its 1 sender is e-mailed the assignment."
    ) in _dialog(_detail(cast, dedicated), "launch")
    assert (
        "“Line” goes live at once on the reusable number (646) 555-0199, already provisioned; "
        "while the campaign is active its settings replace the number&#x27;s defaults"
    ) in _dialog(_detail(cast, reusable), "launch")


def test_launching_on_a_number_no_longer_provisioned_asks_saying_it_will_be_refused(cast):
    campaign = CampaignFactory.create(
        organization=cast.org,
        phone_number__e164="+14152064322",
        phone_number__provisioning_status="failed",
    )

    assert (
        "(415) 206-4322 is not provisioned (Provisioning failed), so the launch will be refused"
    ) in _dialog(_detail(cast, campaign), "launch")


def test_archiving_a_single_use_campaign_asks_saying_its_number_is_released_for_good(cast):
    number = PhoneNumberFactory.create(
        organization=cast.org, kind="single_use", e164="+14152064322"
    )
    campaign = CampaignFactory.create(
        organization=cast.org,
        single_use=True,
        active=True,
        name="Night owls",
        phone_number=number,
    )

    dialog = _dialog(_detail(cast, campaign), "archive")

    assert (
        "Archiving “Night owls” releases (415) 206-4322 to the carrier for good; it cannot be "
        "undone. No more messages can be sent on it."
    ) in dialog


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("dedicated", "keeps the dedicated number (415) 206-4322 for your other campaigns."),
        ("shared", "keeps (415) 206-4322 while “Follow” still uses it; the number is released"),
        ("failed", "its number failed provisioning and was already given back to the carrier."),
    ],
)
def test_archiving_says_what_becomes_of_each_kind_of_number(cast, kind, expected):
    if kind == "failed":
        campaign = CampaignFactory.create(
            organization=cast.org, single_use=True, provisioning_failed=True
        )
    else:
        single = kind == "shared"
        number = PhoneNumberFactory.create(
            organization=cast.org, kind="single_use" if single else "dedicated", e164="+14152064322"
        )
        campaign = CampaignFactory.create(
            organization=cast.org, active=True, single_use=single, phone_number=number
        )
        if single:
            CampaignFactory.create(
                organization=cast.org, name="Follow", parent=campaign, phone_number=number
            )

    assert expected in _dialog(_detail(cast, campaign), "archive")


def test_without_javascript_launch_asks_on_a_page_then_launches(cast):
    campaign = CampaignFactory.create(organization=cast.org, single_use=True, area_codes=["212"])
    ContactFactory.create(campaign=campaign)
    url = reverse("campaigns:launch", kwargs={"pk": campaign.pk})
    detail = _detail(cast, campaign)
    client = cast.client("alice")

    page = client.get(url).content.decode()

    # The page's Launch button is a GET form to this page; only its POST launches.
    assert f'<form method="get" action="{url}"><button type="submit" data-confirm' in detail
    assert "Launching buys a number in area code 212" in page
    assert f'<form method="post" action="{url}"' in page
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    response = client.post(url, follow=True)
    assert "is launching" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.LAUNCHING


def test_without_javascript_archive_asks_on_a_page_then_archives(cast):
    campaign = CampaignFactory.create(organization=cast.org, active=True, name="Done")
    url = reverse("campaigns:archive", kwargs={"pk": campaign.pk})
    client = cast.client("alice")

    page = client.get(url).content.decode()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE
    response = client.post(url, follow=True)

    assert "Archiving “Done” keeps the dedicated number" in page
    assert f'href="{reverse("campaigns:detail", kwargs={"pk": campaign.pk})}">Cancel' in page
    assert "“Done” archived." in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ARCHIVED


def test_the_confirm_page_of_an_action_the_campaign_no_longer_offers_says_so(cast):
    campaign = CampaignFactory.create(organization=cast.org, active=True, name="Live")

    response = cast.client("alice").get(
        reverse("campaigns:launch", kwargs={"pk": campaign.pk}), follow=True
    )

    assert "“Live” is active; it cannot be launched now." in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("campaigns:detail", kwargs={"pk": campaign.pk})


def test_a_sender_gets_no_confirm_dialogs(cast):
    campaign = CampaignFactory.create(organization=cast.org, active=True)
    CampaignSenderFactory.create(campaign=campaign, user=cast.sam)

    url = reverse("campaigns:detail", kwargs={"pk": campaign.pk})
    assert "<dialog" not in cast.client("sam").get(url).content.decode()


# --- details that read as finished ----------------------------------------------------------
def test_the_drafts_row_keeps_the_area_code_while_buying_and_after_failing(cast):
    buying = PhoneNumberFactory.create(
        organization=cast.org, kind="single_use", e164=None, provisioning_status="initiated"
    )
    CampaignFactory.create(
        organization=cast.org,
        single_use=True,
        status="launching",
        area_codes=["415"],
        phone_number=buying,
    )
    failed_number = PhoneNumberFactory.create(
        organization=cast.org, kind="single_use", e164=None, provisioning_status="failed"
    )
    CampaignFactory.create(
        organization=cast.org,
        single_use=True,
        provisioning_failed=True,
        area_codes=["999"],
        phone_number=failed_number,
    )

    body = cast.client("alice").get(reverse("campaigns:drafts")).content.decode()

    assert re.search(r'"muted">Area code 415</span>\s*<span class="tag tag-yellow"', body)
    assert re.search(r'"muted">Area code 999</span>\s*<span class="tag tag-red"', body)


def test_the_campaign_page_heading_of_the_number_is_not_monospace(cast):
    campaign = CampaignFactory.create(organization=cast.org, active=True)

    page = _detail(cast, campaign)

    assert '<span class="number-big">' in page
    assert "number-big mono" not in page
