"""Contacts from CSV: the file checks, the row-by-row preview, and the bulk save."""

import pytest

from campaigns.contacts_import import (
    PreparedContacts,
    contacts_file_read,
    contacts_import,
    contacts_preview,
    contacts_save,
)
from campaigns.errors import CampaignError
from campaigns.models import Contact
from campaigns.tests.factories import CampaignFactory, ContactFactory, OptOutFactory

pytestmark = pytest.mark.django_db

GOOD_AND_BAD = (
    b"Phone,First Name,Last Name,School\n"
    b"(212) 555-0101,Ada,Lovelace,Hunter\n"
    b"212-555-0102,Alan,Turing,\n"
    b"not a number,Bad,Row,X\n"
    b"2125550101,Dup,Licate,Y\n"
    b"+1 917 555 0100,Opted,Out,Z\n"
    b",No,Phone,\n"
    b"\n"
    b"646 555 0103,Grace,Hopper,Yale\n"
)


@pytest.fixture
def campaign(cast):
    OptOutFactory.create(organization=cast.org, phone="+19175550100")
    return CampaignFactory.create(organization=cast.org, office=cast.office_a)


def test_the_preview_reports_each_bad_row_and_saves_nothing(campaign):
    report = contacts_preview(campaign=campaign, dataset=contacts_file_read(GOOD_AND_BAD))

    assert (report.total, report.valid, report.skipped) == (7, 3, 4)
    assert [(p.row, p.value, p.why) for p in report.problems] == [
        (4, "not a number", "not a valid US phone number"),
        (5, "2125550101", "duplicate of row 2"),
        (6, "+1 917 555 0100", "opted out"),
        (7, "", "no phone number"),
    ]
    assert report.extra_columns == ["school"]
    assert not Contact.objects.exists()


def test_confirming_saves_the_valid_rows_normalised_with_their_fields(campaign):
    report = contacts_import(campaign=campaign, dataset=contacts_file_read(GOOD_AND_BAD))

    assert report.valid == 3
    rows = list(campaign.contacts.values_list("phone", "first_name", "last_name", "fields"))
    assert rows == [
        ("+12125550101", "Ada", "Lovelace", {"school": "Hunter"}),
        ("+12125550102", "Alan", "Turing", {}),
        ("+16465550103", "Grace", "Hopper", {"school": "Yale"}),
    ]
    campaign.refresh_from_db()
    assert campaign.contact_fields == ["school"]


def test_a_second_upload_skips_people_already_on_the_campaign(campaign):
    ContactFactory.create(campaign=campaign, phone="+12125550101")

    report = contacts_import(campaign=campaign, dataset=contacts_file_read(GOOD_AND_BAD))

    assert report.valid == 2
    assert ("already a contact of this campaign") in {p.why for p in report.problems}
    assert campaign.contacts.count() == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,email\nAda,ada@x.test\n", "it has name, email. Expected columns: phone"),
        (b"", "it has nothing. Expected columns: phone"),
        (b"phone,first_name\n", "has a header but no contacts"),
        (b"phone,first_name\n2125550101,Ada,extra\n", "Row 2 has 3 cells but the header names 2"),
        (b"phone,phone\n2125550101,1\n", "repeated or empty: phone"),
        ("phone\n2125550101\n".encode("utf-16"), "not UTF-8 text"),
    ],
    ids=["wrong-header", "empty", "no-rows", "ragged", "repeated-column", "not-utf8"],
)
def test_a_bad_file_says_why_and_saves_nothing(campaign, content, message):
    with pytest.raises(CampaignError, match=message) as caught:
        contacts_import(campaign=campaign, dataset=contacts_file_read(content))

    assert caught.value.field == "file"
    assert not Contact.objects.exists()


def test_a_mac_excel_file_with_cr_line_ends_reads_like_any_other(campaign):
    content = b"Phone,First Name\r2125550101,Ada\r6465550103,Grace\r"

    report = contacts_import(campaign=campaign, dataset=contacts_file_read(content))

    assert report.valid == 2
    assert list(campaign.contacts.values_list("first_name", flat=True)) == ["Ada", "Grace"]


def test_a_windows_excel_file_in_cp1252_is_read_without_a_word(campaign):
    content = "phone,first_name,city\n2125550101,Zoë,Bogotá “Centro”\n".encode("cp1252")

    contacts_import(campaign=campaign, dataset=contacts_file_read(content))

    [(first_name, fields)] = campaign.contacts.values_list("first_name", "fields")
    assert (first_name, fields) == ("Zoë", {"city": "Bogotá “Centro”"})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"phone,note\n2125550101," + b"x" * 140_000 + b"\n",
            r"Row 2 cannot be read as CSV: field larger than field limit",
        ),
        (b"phone,note\n2125550101,ok\n6465550103,a\x00b\n", "Row 3 contains a NUL character"),
        (b"phone\x00,note\n2125550101,ok\n", "Row 1 contains a NUL character"),
        (b"phone\n\x81\x8d\x00\n", "not UTF-8 text"),
    ],
    ids=["huge-cell", "nul-in-row", "nul-in-header", "binary"],
)
def test_a_file_csv_cannot_read_is_refused_beside_the_field(campaign, content, message):
    with pytest.raises(CampaignError, match=message) as caught:
        contacts_file_read(content)

    assert caught.value.field == "file"


def test_a_follow_up_takes_no_uploads(cast, campaign):
    follow_up = CampaignFactory.create(organization=cast.org, parent=campaign)

    with pytest.raises(CampaignError, match="come from its parent campaign"):
        contacts_preview(campaign=follow_up, dataset=contacts_file_read(GOOD_AND_BAD))


def test_an_active_campaign_takes_no_uploads(cast):
    active = CampaignFactory.create(organization=cast.org, active=True)

    with pytest.raises(CampaignError, match="uploaded while the campaign is a draft"):
        contacts_import(campaign=active, dataset=contacts_file_read(GOOD_AND_BAD))


def test_the_preview_lists_only_the_first_errors_of_a_big_bad_file(campaign):
    content = "phone\n" + "\n".join(f"bad{i}" for i in range(300)) + "\n"

    report = contacts_preview(campaign=campaign, dataset=contacts_file_read(content.encode()))

    assert (report.total, report.valid, len(report.problems)) == (300, 0, 50)
    assert report.reasons == {"not a valid US phone number": 300}


def test_confirming_rechecks_only_what_changed_since_the_preview(cast, campaign):
    preview = contacts_preview(campaign=campaign, dataset=contacts_file_read(GOOD_AND_BAD))
    kept = PreparedContacts.from_bytes(preview.prepared.to_bytes())  # as the page stores it
    OptOutFactory.create(organization=cast.org, phone="+12125550101")
    ContactFactory.create(campaign=campaign, phone="+12125550102")

    report = contacts_save(campaign=campaign, prepared=kept)

    assert (report.total, report.valid) == (preview.total, 1)
    assert report.reasons == {"opted out or added meanwhile": 2}
    assert sorted(campaign.contacts.values_list("phone", flat=True)) == [
        "+12125550102",
        "+16465550103",
    ]


def test_an_upload_lacking_a_field_of_the_message_names_every_missing_column(cast):
    campaign = CampaignFactory.create(
        organization=cast.org, initial_message="Hi {first_name} from {school}, {grade} in {city}"
    )
    dataset = contacts_file_read(b"phone,first_name,city\n2125550101,Ada,NYC\n")

    with pytest.raises(CampaignError) as caught:
        contacts_preview(campaign=campaign, dataset=dataset)

    assert caught.value.message == (
        "The initial message uses {school}, {grade}, but this file has no school, grade "
        "columns. Add them to the file, or edit the message to use only the fields this file "
        "has: {first_name}, {last_name}, {phone}, {city}. Nothing was saved."
    )
    assert caught.value.field == "file"
    assert not campaign.contacts.exists()


def test_an_upload_with_the_messages_fields_previews_them_as_kept(cast):
    campaign = CampaignFactory.create(organization=cast.org, initial_message="Hi {school}")
    dataset = contacts_file_read(b"phone,school\n2125550101,Hunter\n")

    report = contacts_preview(campaign=campaign, dataset=dataset)

    assert (report.valid, report.extra_columns) == (1, ["school"])
