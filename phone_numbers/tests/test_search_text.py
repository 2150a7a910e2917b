"""The search box reads the text the database keeps on each number (PhoneNumber.search_text:
name and description upper-cased, one per line), so the text must follow every write of them
whatever the path — a form, the service, a stale save, a bulk update, raw SQL — and no search
may reach across from the name into the description. (SQLite's triggers: the smoke run,
scripts/smoke_embedded.py.)"""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from phone_numbers.models import SEARCH_TEXT_SEPARATOR, PhoneNumber
from phone_numbers.services import reusable_number_update
from phone_numbers.sql import POSTGRESQL_SEARCH_INDEXES
from phone_numbers.tests.factories import PhoneNumberFactory, ReusableNumberFactory

pytestmark = pytest.mark.django_db

LIST = reverse("phone_numbers:list")
BEFORE = ("phone_numbers", "0013_poll_lease")


def text(number: PhoneNumber) -> str:
    return PhoneNumber.objects.values_list("search_text", flat=True).get(pk=number.pk)


def found(cast, q: str) -> list[str]:
    response = cast.client("alice").get(LIST, {"q": q})
    assert response.status_code == 200
    return [number.e164 for number in response.context["page"].rows]


def test_a_new_number_has_its_name_and_description_upper_cased_one_per_line(cast) -> None:
    named = PhoneNumberFactory.create(
        organization=cast.org, name="Parents line", description="FAFSA night"
    )
    blank = PhoneNumberFactory.create(organization=cast.org)
    bulk = PhoneNumber.objects.bulk_create(
        [PhoneNumber(organization=cast.org, use_case=named.use_case, kind="dedicated", name="b")]
    )[0]

    assert SEARCH_TEXT_SEPARATOR == "\n"
    assert text(named) == "PARENTS LINE\nFAFSA NIGHT"
    assert text(blank) == "\n"
    assert text(bulk) == "B\n"


def test_the_text_follows_every_write_of_the_name_and_description(cast) -> None:
    number = ReusableNumberFactory.create(office=cast.office_a, name="Front desk")
    stale = PhoneNumber.objects.get(pk=number.pk)

    reusable_number_update(
        phone_number=number,
        name="Visits",
        description="Campus tours",
        office=cast.office_a,
        agent="",
        inboxes=[],
        response_type="agent",
    )
    assert text(number) == "VISITS\nCAMPUS TOURS"

    PhoneNumber.objects.filter(pk=number.pk).update(description="Open day")
    assert text(number) == "VISITS\nOPEN DAY"

    # Loaded before both changes: its copy of the text is never written back.
    stale.save(update_fields=["search_text"])
    assert text(number) == "VISITS\nOPEN DAY"
    stale.agent = "Dana"
    stale.save()  # a full save writes its old name and description back, and their text
    assert text(number) == "FRONT DESK\n"

    PhoneNumber.objects.filter(pk=number.pk).update(search_text="written by hand")
    assert text(number) == "FRONT DESK\n"

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE phone_numbers_phonenumber SET name = %s WHERE id = %s", ["Raw", number.pk]
        )
    assert text(number) == "RAW\n"


def test_a_write_of_other_columns_leaves_the_text_alone(cast) -> None:
    number = PhoneNumberFactory.create(organization=cast.org, name="Parents line")

    PhoneNumber.objects.filter(pk=number.pk).update(agent="Dana", failure_reason="late")

    assert text(number) == "PARENTS LINE\n"


def test_a_search_finds_the_name_or_the_description_never_across_the_two(cast) -> None:
    PhoneNumberFactory.create(
        organization=cast.org, e164="+16175550001", name="Spring", description="Fair"
    )
    PhoneNumberFactory.create(organization=cast.org, e164="+16175550002", name="Line one\nline two")

    assert found(cast, "spring") == ["+16175550001"]
    assert found(cast, "FAIR") == ["+16175550001"]
    assert found(cast, "spring fair") == []
    # A line break only comes in a link made by hand: it finds a name that holds one, and
    # never the end of a name with the start of its description.
    assert found(cast, "spring\nfair") == []
    assert found(cast, "one\nline") == ["+16175550002"]


def test_the_search_takes_the_typed_text_literally(cast) -> None:
    PhoneNumberFactory.create(organization=cast.org, e164="+16175550001", name="100% fun_day")
    PhoneNumberFactory.create(organization=cast.org, e164="+16175550002", name="1000 fun-days")

    assert found(cast, "100%") == ["+16175550001"]
    assert found(cast, "n_d") == ["+16175550001"]
    assert found(cast, "0 f") == ["+16175550002"]


@pytest.mark.django_db(transaction=True)
def test_the_numbers_there_before_the_text_get_it_batch_by_batch(monkeypatch) -> None:
    filling = importlib.import_module("phone_numbers.migrations.0015_search_text_index")
    monkeypatch.setattr(filling, "BATCH", 2)  # batches that end between the rows
    kept = PhoneNumberFactory.create(name="Kept", description="Through the way back")
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps.get_model("phone_numbers", "PhoneNumber")
        older = [
            old.objects.create(
                organization_id=kept.organization_id,
                use_case_id=kept.use_case_id,
                kind="dedicated",
                name=f"Line {n}",
                description="Spring" if n % 2 else "",
            )
            for n in range(5)
        ]

        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

        texts = dict(PhoneNumber.objects.values_list("pk", "search_text"))
        assert texts == {
            kept.pk: "KEPT\nTHROUGH THE WAY BACK",
            **{n.pk: f"LINE {i}\n{'SPRING' if i % 2 else ''}" for i, n in enumerate(older)},
        }
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["pn_search_%"]
            )
            indexes = {name for (name,) in cursor.fetchall()}
        assert indexes == set(POSTGRESQL_SEARCH_INDEXES)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
