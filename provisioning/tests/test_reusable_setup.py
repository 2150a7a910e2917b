"""Setting up a reusable number on /numbers/new/: the dependent inbox list, the office quota
(also under a race), the bot-backed IDK rule, office scoping, and who may add what."""

import re
import threading

import pytest
from django.db import connection
from django.urls import reverse

from inboxes.tests.factories import InboxFactory
from offices.models import IdkBehaviour
from phone_numbers.models import Kind, PhoneNumber, ResponseType
from phone_numbers.services import OfficeQuotaFull
from phone_numbers.tests.factories import ReusableNumberFactory

NEW = reverse("phone_numbers:new")
FIELDS = reverse("phone_numbers:reusable_fields")


def order_post(cast, who: str, order, **data: object):
    return cast.client(who).post(
        NEW,
        {
            "number_type": "reusable",
            "use_case": order.use_case.pk,
            "area_codes": "212",
            "e164": "+12125550100",
            "action": "order",
            "response_type": "agent",
            **data,
        },
    )


def errors_of(response, field: str) -> str:
    form = response.context["form"]
    return " ".join(form.errors.get(field, []))


@pytest.mark.django_db
def test_the_type_switches_to_reusable_without_a_reload(cast, order) -> None:
    response = cast.client("alice").get(
        NEW, {"number_type": "reusable"}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert not body.lstrip().startswith("<!doctype")
    assert '<option value="reusable" selected>Reusable</option>' in body
    assert "Provision Number" in body
    for label in ["Name", "Description", "Campus/Office", "Agent", "Inbox(es)", "Response Type"]:
        assert f">{label}" in body
    assert "A label only" in body
    assert "Choose a Campus/Office first" in body


@pytest.mark.django_db
def test_the_inbox_list_offers_only_the_chosen_offices_inboxes(cast) -> None:
    InboxFactory.create(office=cast.office_a, name="Front desk")
    InboxFactory.create(office=cast.office_b, name="Aid desk")

    empty = cast.client("alice").get(FIELDS).content.decode()
    of_a = cast.client("alice").get(FIELDS, {"office": cast.office_a.pk}).content.decode()
    of_b = cast.client("alice").get(FIELDS, {"office": cast.office_b.pk}).content.decode()

    assert "Choose a Campus/Office first" in empty
    assert "Front desk" not in empty
    assert "Front desk" in of_a
    assert "Aid desk" not in of_a
    assert "Aid desk" in of_b
    assert "Front desk" not in of_b
    assert "Admissions holds 0 of its 5 reusable numbers." in of_a


def test_changing_office_unticks_the_other_offices_inboxes_and_warns(cast) -> None:
    front = InboxFactory.create(office=cast.office_a, name="Front desk")
    InboxFactory.create(office=cast.office_b, name="Aid desk")
    params = {"office": cast.office_a.pk, "inboxes": [front.pk], "response_type": "agent"}

    of_a = cast.client("alice").get(FIELDS, params).content.decode()
    of_b = cast.client("alice").get(FIELDS, {**params, "office": cast.office_b.pk})
    of_b_page = of_b.content.decode()

    assert re.search(rf'<input[^>]*name="inboxes" value="{front.pk}"[^>]*checked', of_a)
    assert "incoming messages will go nowhere" not in of_a
    assert "Aid desk" in of_b_page
    assert not re.search(r'<input[^>]*name="inboxes"[^>]*checked', of_b_page)
    assert "incoming messages will go nowhere" in of_b_page


def test_the_blank_form_marks_the_office_required(cast) -> None:
    page = cast.client("alice").get(NEW, {"number_type": "reusable"}).content.decode()

    assert 'Campus/Office <span aria-hidden="true">*</span>' in page


@pytest.mark.django_db
def test_a_member_gets_no_inboxes_of_another_office(cast) -> None:
    InboxFactory.create(office=cast.office_b, name="Aid desk")

    body = cast.client("bob").get(FIELDS, {"office": cast.office_b.pk}).content.decode()

    assert "Aid desk" not in body
    assert "Choose a Campus/Office first" in body


@pytest.mark.django_db
def test_ordering_saves_the_defaults(cast, order) -> None:
    desk = InboxFactory.create(office=cast.office_a, name="Front desk")

    response = order_post(
        cast,
        "alice",
        order,
        name="Campus visits",
        description="Tour day questions",
        office=cast.office_a.pk,
        agent="Dana Diaz",
        inboxes=[desk.pk],
    )

    number = PhoneNumber.objects.get()
    assert response.status_code == 302
    assert (number.kind, number.office, number.name, number.agent, number.response_type) == (
        Kind.REUSABLE,
        cast.office_a,
        "Campus visits",
        "Dana Diaz",
        ResponseType.AGENT,
    )
    assert list(number.inboxes.all()) == [desk]
    assert number.requested_e164 == "+12125550100"


@pytest.mark.django_db
def test_only_the_number_and_the_office_are_required(cast, order) -> None:
    response = order_post(cast, "alice", order, response_type="")

    assert errors_of(response, "office") == "This field is required."
    assert not PhoneNumber.objects.exists()

    order_post(cast, "alice", order, office=cast.office_a.pk, response_type="")
    number = PhoneNumber.objects.get()
    assert (number.name, number.response_type) == ("", ResponseType.AGENT)


@pytest.mark.django_db
def test_an_inbox_of_another_office_is_refused_beside_the_field(cast, order) -> None:
    aid_desk = InboxFactory.create(office=cast.office_b, name="Aid desk")

    response = order_post(cast, "alice", order, office=cast.office_a.pk, inboxes=[aid_desk.pk])

    assert "Aid desk is not an inbox of Admissions" in errors_of(response, "inboxes")
    assert 'id="id_inboxes_errors"' in response.content.decode()
    assert not PhoneNumber.objects.exists()


@pytest.mark.django_db
def test_an_office_at_its_quota_is_refused_beside_the_office_field(cast, order) -> None:
    cast.office_b.number_quota = 3
    cast.office_b.save()
    ReusableNumberFactory.create_batch(3, office=cast.office_b)

    response = order_post(cast, "alice", order, office=cast.office_b.pk)

    assert errors_of(response, "office").startswith(
        "Financial Aid holds 3 of its 3 reusable numbers, its quota."
    )
    assert PhoneNumber.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_adds_at_quota_minus_one_cannot_both_pass(cast, order) -> None:
    cast.office_a.number_quota = 2
    cast.office_a.save()
    ReusableNumberFactory.create(office=cast.office_a, use_case=order.use_case)
    barrier = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []

    def add() -> None:
        try:
            barrier.wait()
            order("415", kind=Kind.REUSABLE, office=cast.office_a)
            outcomes.append("added")
        except OfficeQuotaFull:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=add) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["added", "refused"]
    assert PhoneNumber.objects.filter(office=cast.office_a).count() == 2


@pytest.mark.django_db
def test_the_service_refuses_an_inbox_of_another_office(cast, order) -> None:
    aid_desk = InboxFactory.create(office=cast.office_b, name="Aid desk")

    with pytest.raises(Exception, match="Aid desk is not an inbox of Admissions") as raised:
        order("415", kind=Kind.REUSABLE, office=cast.office_a, inboxes=[aid_desk])

    assert getattr(raised.value, "field", None) == "inboxes"
    assert not PhoneNumber.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("idk_default", "says"),
    [
        (IdkBehaviour.SILENT, "<strong>Do not reply</strong>"),
        (IdkBehaviour.AGENT, "which a bot-backed number cannot take"),
    ],
)
def test_bot_backed_shows_the_offices_idk_behaviour(cast, idk_default, says) -> None:
    cast.office_a.idk_default = idk_default
    cast.office_a.save()

    bot = cast.client("alice").get(FIELDS, {"office": cast.office_a.pk, "response_type": "bot"})
    agent = cast.client("alice").get(FIELDS, {"office": cast.office_a.pk, "response_type": "agent"})

    assert says in bot.content.decode()
    assert "IDK default" not in agent.content.decode()
    assert "incoming messages will go nowhere" in agent.content.decode()


@pytest.mark.django_db
def test_a_member_adds_reusable_numbers_for_their_offices_only(cast, order) -> None:
    page = cast.client("bob").get(NEW).content.decode()
    assert '<option value="reusable" selected>Reusable</option>' in page
    assert 'value="dedicated"' not in page
    assert "Admissions" in page
    assert "Financial Aid" not in page

    refused = order_post(cast, "bob", order, office=cast.office_b.pk)
    assert "Select a valid choice" in errors_of(refused, "office")
    assert not PhoneNumber.objects.exists()

    order_post(cast, "bob", order, office=cast.office_a.pk)
    assert PhoneNumber.objects.get().requested_by == cast.bob


@pytest.mark.django_db
def test_dedicated_stays_admin_only(cast, order) -> None:
    response = cast.client("bob").post(
        NEW, {"number_type": "dedicated", "use_case": order.use_case.pk, "area_codes": "212"}
    )

    assert response.status_code == 403
    assert not PhoneNumber.objects.exists()


@pytest.mark.django_db
def test_an_office_members_only_office_is_chosen_for_them(cast) -> None:
    InboxFactory.create(office=cast.office_a, name="Front desk")

    as_bob = cast.client("bob").get(NEW).content.decode()
    as_alice = cast.client("alice").get(NEW, {"number_type": "reusable"}).content.decode()

    assert f'<option value="{cast.office_a.pk}" selected>Admissions</option>' in as_bob
    assert "Front desk" in as_bob
    assert "Admissions holds 0 of its 5 reusable numbers." in as_bob
    # An admin of two offices chooses one.
    assert " selected>Admissions<" not in as_alice
    assert " selected>Financial Aid<" not in as_alice
    assert "Choose a Campus/Office first" in as_alice


@pytest.mark.django_db
def test_the_blank_form_warns_of_nothing_before_anything_is_chosen(cast) -> None:
    blank = cast.client("bob").get(NEW).content.decode()
    chosen = cast.client("bob").get(FIELDS, {"office": cast.office_a.pk, "response_type": "agent"})

    assert "incoming messages will go nowhere" not in blank
    assert "incoming messages will go nowhere" in chosen.content.decode()


@pytest.mark.django_db
def test_the_quota_note_sits_beside_the_office_once(cast, order) -> None:
    cast.office_b.number_quota = 3
    cast.office_b.save()
    ReusableNumberFactory.create_batch(3, office=cast.office_b)

    fresh = cast.client("bob").get(NEW).content.decode()
    refreshed = cast.client("alice").get(FIELDS, {"office": cast.office_b.pk}).content.decode()
    refused = order_post(cast, "alice", order, office=cast.office_b.pk).content.decode()

    # Right after the office field, before the Agent field.
    note = fresh.index("Admissions holds 0 of its 5 reusable numbers.")
    assert fresh.index('id="id_office"') < note < fresh.index('id="id_agent"')
    assert fresh.count("holds 0 of its 5") == 1
    # A change of office refreshes it in place (out of band).
    assert '<p id="office-quota" class="office-quota muted" hx-swap-oob="true">' in refreshed
    assert refreshed.count("Financial Aid holds 3 of its 3 reusable numbers") == 1
    # The quota error beside the field says it; the note does not repeat it.
    assert refused.count("Financial Aid holds 3 of its 3 reusable numbers") == 1


@pytest.mark.django_db
def test_a_quoted_idk_message_ends_the_sentence_once(cast) -> None:
    cast.office_a.idk_default = IdkBehaviour.REPLY
    cast.office_a.idk_message = "Sorry, we did not understand."
    cast.office_a.save()

    body = cast.client("alice").get(FIELDS, {"office": cast.office_a.pk, "response_type": "bot"})

    assert "“Sorry, we did not understand.”</p>" in body.content.decode()
    assert ".”." not in body.content.decode()


@pytest.mark.django_db
def test_cancel_sits_with_the_other_buttons_at_the_end(cast) -> None:
    page = cast.client("bob").get(NEW).content.decode()
    start = page.index('<form method="post" id="number-form"')
    form = page[start : page.index("</form>", start)]

    assert form.count(">Cancel</a>") == 1
    assert form.index("Response Type") < form.index(">Cancel</a>")
