"""The CSV export: the contract's columns, the list's filters and sort, office scoping,
formula neutralisation, and the same file from the command and the SQLite fallback."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from inboxes.tests.factories import InboxFactory
from phone_numbers.export import _buffered, _python_csv, export_csv
from phone_numbers.models import Kind, PhoneNumber
from phone_numbers.resources import PhoneNumberResource
from phone_numbers.selectors import phone_number_export_rows, phone_number_list
from phone_numbers.tests.factories import PhoneNumberFactory, ReusableNumberFactory, campaign_on

EXPORT = reverse("phone_numbers:export")
HEADER = (
    "number,name,description,kind,office,agent,response_type,inboxes,provisioning_status,"
    "usage,campaign,created_at"
)
WHEN = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


@pytest.fixture
def numbers(cast):
    reusable = ReusableNumberFactory.create(
        office=cast.office_a,
        e164="+16175550010",
        name='=HYPERLINK("http://evil")',
        description="-1 for the bot, +1 for people",
        agent="@dana",
        inboxes=[
            InboxFactory.create(office=cast.office_a, name="Visits"),
            InboxFactory.create(office=cast.office_a, name="Front desk"),
        ],
    )
    campaign_on(reusable, name="Fall yield")
    dedicated = PhoneNumberFactory.create(
        organization=cast.org, e164="+16175550020", name="Main line", description='Says "hi", twice'
    )
    hidden = ReusableNumberFactory.create(office=cast.office_b, e164="+16175550030", name="Aid")
    PhoneNumberFactory.create(organization=cast.other_org, e164="+16175550040", name="Other")
    PhoneNumber.objects.update(created_at=WHEN)
    return reusable, dedicated, hidden


def download(cast, who: str = "alice", **params) -> str:
    response = cast.client(who).get(EXPORT, params)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="phone-numbers-')
    return b"".join(response.streaming_content).decode()


def test_the_export_has_the_contracts_columns_and_neutralised_rows(cast, numbers) -> None:
    body = download(cast, o="number")
    assert body.splitlines() == [
        HEADER,
        '+16175550010,"\'=HYPERLINK(""http://evil"")","\'-1 for the bot, +1 for people",'
        "reusable,Admissions,'@dana,agent,Front desk;Visits,complete,in_use,Fall yield,"
        "2026-03-04T05:06:07Z",
        '+16175550020,Main line,"Says ""hi"", twice",dedicated,,,,,complete,available,,'
        "2026-03-04T05:06:07Z",
        "+16175550030,Aid,,reusable,Financial Aid,,agent,,complete,available,,2026-03-04T05:06:07Z",
    ]
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[0]["name"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["inboxes"].split(";") == ["Front desk", "Visits"]


def test_the_export_is_the_filtered_sorted_list(cast, numbers) -> None:
    params = {"o": "-name", "kind": "reusable"}
    exported = [row["number"] for row in csv.DictReader(io.StringIO(download(cast, **params)))]
    listed = cast.client("alice").get(reverse("phone_numbers:list"), params)
    assert exported == [n.e164 for n in listed.context["page"].rows]
    assert sorted(exported) == ["+16175550010", "+16175550030"]
    assert download(cast, q="Main").splitlines()[1:] == [
        '+16175550020,Main line,"Says ""hi"", twice",dedicated,,,,,complete,available,,'
        "2026-03-04T05:06:07Z"
    ]


def test_an_office_member_never_exports_another_offices_numbers(cast, numbers) -> None:
    body = download(cast, "bob")
    assert "+16175550030" not in body
    assert "+16175550010" in body
    assert "+16175550020" in body


def test_a_member_sees_another_offices_campaign_as_in_use_without_its_name(cast, numbers):
    _, dedicated, _ = numbers
    campaign_on(dedicated, name="Office B secret")
    dedicated.campaigns.update(office=cast.office_b)  # bob is not in office_b

    bobs = {row["number"]: row for row in csv.DictReader(io.StringIO(download(cast, "bob")))}
    alices = {row["number"]: row for row in csv.DictReader(io.StringIO(download(cast, "alice")))}

    assert (bobs["+16175550020"]["usage"], bobs["+16175550020"]["campaign"]) == ("in_use", "")
    assert alices["+16175550020"]["campaign"] == "Office B secret"
    assert bobs["+16175550010"]["campaign"] == "Fall yield"  # office_a's campaign is bob's


def test_the_python_fallback_hides_the_same_campaign_names_as_copy(cast, numbers) -> None:
    _, dedicated, _ = numbers
    campaign_on(dedicated, name="Office B secret")
    dedicated.campaigns.update(office=cast.office_b)
    bob = cast.bob.memberships.get()
    queryset = phone_number_list(organization=cast.org, membership=bob, params={"o": "name"})

    copied = b"".join(export_csv(queryset, membership=bob))
    written = b"".join(_buffered(_python_csv(phone_number_export_rows(queryset, membership=bob))))

    assert written == copied
    [row] = [line for line in copied.splitlines() if line.startswith(b"+16175550020")]
    assert row.endswith(b",dedicated,,,,,complete,in_use,,2026-03-04T05:06:07Z")


def test_another_organization_exports_only_its_own(cast, numbers) -> None:
    body = download(cast, "charlie")
    assert body.splitlines()[1:] == [
        "+16175550040,Other,,dedicated,,,,,complete,available,,2026-03-04T05:06:07Z"
    ]


def test_bad_filters_refuse_the_export_with_a_message(cast, numbers) -> None:
    response = cast.client("alice").get(EXPORT, {"kind": "premium"})
    assert response.status_code == 400
    assert "This export's filters are not valid" in response.content.decode()
    assert "kind" in response.content.decode()


def test_the_python_fallback_writes_the_same_bytes_as_copy(cast, numbers) -> None:
    queryset = phone_number_list(
        organization=cast.org, membership=cast.alice.memberships.get(), params={"o": "name"}
    )
    copied = b"".join(export_csv(queryset, membership=None))
    rows = phone_number_export_rows(queryset, membership=None)
    written = b"".join(_buffered(_python_csv(rows)))
    assert written == copied
    assert copied.count(b"\n") == 4


def test_the_admin_resource_exports_the_same_columns(cast, numbers) -> None:
    dataset = PhoneNumberResource().export(PhoneNumber.objects.filter(organization=cast.org))
    assert ",".join(dataset.headers) == HEADER
    by_number = {row[0]: row for row in dataset}
    assert by_number["+16175550010"][1] == '\'=HYPERLINK("http://evil")'
    assert by_number["+16175550010"][7:11] == (
        "Front desk;Visits",
        "complete",
        "in_use",
        "Fall yield",
    )
    assert by_number["+16175550020"][9] == "available"


def test_the_command_writes_the_same_file(cast, numbers, tmp_path) -> None:
    PhoneNumber.objects.filter(e164="+16175550030").update(
        kind=Kind.SINGLE_USE, office=None, response_type=""
    )
    out = io.StringIO()
    call_command("export_phone_numbers", "--organization", cast.org.slug, stdout=out)
    assert out.getvalue() == download(cast)
    target = tmp_path / "numbers.csv"
    call_command(
        "export_phone_numbers",
        "--organization",
        cast.org.slug,
        "--output",
        str(target),
        stderr=io.StringIO(),
    )
    assert target.read_text() == out.getvalue()
    assert target.read_text().startswith(HEADER + "\n")


@pytest.mark.parametrize(
    ("where", "reason"),
    [("missing/numbers.csv", "No such file or directory"), (".", "Is a directory")],
)
def test_the_command_says_in_one_line_when_it_cannot_write(cast, tmp_path, where, reason):
    target = tmp_path / where

    with pytest.raises(CommandError) as refused:
        call_command(
            "export_phone_numbers", "--organization", cast.org.slug, "--output", str(target)
        )

    assert str(refused.value) == f"Cannot write {target}: {reason}."


def test_the_command_refuses_an_unknown_slug(db) -> None:
    with pytest.raises(CommandError, match="No organization with the slug “nope”"):
        call_command("export_phone_numbers", "--organization", "nope")
