"""The service rules: transitions, launch, archive, clone, follow-up, senders, editing."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.errors import CampaignError
from campaigns.models import Campaign, CampaignStatus, Contact, NumberChoice
from campaigns.services import (
    CampaignSettings,
    Targeting,
    campaign_archive,
    campaign_clone,
    campaign_create,
    campaign_follow_up_create,
    campaign_launch,
    campaign_sender_add,
    campaign_sender_remove,
    campaign_update,
    campaigns_number_finished,
)
from campaigns.tests.factories import (
    CampaignFactory,
    CampaignSenderFactory,
    ContactFactory,
    OptOutFactory,
    PhoneNumberFactory,
    UseCaseFactory,
)
from campaigns.transitions import TRANSITIONS, campaign_transition
from notifications.models import OutboxEmail
from phone_numbers.models import PhoneNumber, ProvisioningStatus
from phone_numbers.services import reusable_number_update
from phone_numbers.usage import IN_USE_CAMPAIGN_STATUSES

pytestmark = pytest.mark.django_db


def draft(cast, **kwargs) -> Campaign:
    campaign = CampaignFactory.create(organization=cast.org, office=cast.office_a, **kwargs)
    ContactFactory.create_batch(3, campaign=campaign)
    return campaign


# --- the transitions table ------------------------------------------------------------------
def test_the_transitions_table_is_the_state_machine_of_the_design():
    assert set(TRANSITIONS) == {
        ("draft", "launching"),
        ("draft", "active"),
        ("launching", "active"),
        ("launching", "draft"),
        ("draft", "archived"),
        ("active", "archived"),
    }


def test_a_transition_outside_the_table_is_refused_and_changes_nothing(cast):
    campaign = draft(cast, archived=True)

    with pytest.raises(CampaignError, match="is archived; it cannot be launched from there"):
        campaign_transition(campaign=campaign, to=CampaignStatus.ACTIVE, by=cast.alice)

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ARCHIVED
    assert not campaign.transitions.exists()


def test_a_transition_writes_the_timeline_row(cast):
    campaign = draft(cast)

    campaign_archive(campaign=campaign, archived_by=cast.alice)

    [row] = campaign.transitions.all()
    assert (row.from_status, row.to_status, row.by, row.reason) == (
        "draft",
        "archived",
        cast.alice,
        "Archived",
    )


# --- launch ---------------------------------------------------------------------------------
def test_a_dedicated_complete_number_launches_straight_to_active(cast):
    campaign = draft(cast)

    launched = campaign_launch(campaign=campaign, launched_by=cast.alice)

    assert launched.status == CampaignStatus.ACTIVE
    assert launched.launched_by == cast.alice
    assert launched.launched_at is not None
    row = launched.transitions.get()
    assert (row.from_status, row.to_status) == ("draft", "active")
    assert launched.phone_number is not None
    assert row.reason == f"Launched on dedicated number {launched.phone_number.e164}"


def test_a_dedicated_number_still_provisioning_is_refused(cast):
    number = PhoneNumberFactory.create(organization=cast.org, provisioning=True)
    campaign = draft(cast, phone_number=number)

    with pytest.raises(CampaignError, match=r"is not provisioned \(Provisioning initiated\)"):
        campaign_launch(campaign=campaign, launched_by=cast.alice)

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_a_reusable_number_in_use_is_refused_with_the_campaign_using_it(cast):
    number = PhoneNumberFactory.create(organization=cast.org, reusable=True, office=cast.office_a)
    CampaignFactory.create(
        organization=cast.org,
        office=cast.office_a,
        number_choice=NumberChoice.REUSABLE,
        phone_number=number,
        active=True,
        name="Spring open house",
    )
    campaign = draft(cast, number_choice=NumberChoice.REUSABLE, phone_number=number)

    with pytest.raises(CampaignError, match="is in use by “Spring open house”"):
        campaign_launch(campaign=campaign, launched_by=cast.alice)


def test_a_draft_cannot_launch_on_a_reusable_number_moved_to_another_office(cast):
    number = PhoneNumberFactory.create(organization=cast.org, reusable=True, office=cast.office_a)
    campaign = draft(cast, number_choice=NumberChoice.REUSABLE, phone_number=number)
    reusable_number_update(
        phone_number=number,
        name="",
        description="",
        office=cast.office_b,
        agent="",
        inboxes=[],
        response_type="agent",
    )

    with pytest.raises(CampaignError, match="now belongs to Financial Aid; choose one of the"):
        campaign_launch(campaign=campaign, launched_by=cast.alice)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_a_reusable_number_is_available_again_once_its_campaign_is_archived(cast):
    number = PhoneNumberFactory.create(organization=cast.org, reusable=True, office=cast.office_a)
    first = draft(cast, number_choice=NumberChoice.REUSABLE, phone_number=number)
    second = draft(cast, number_choice=NumberChoice.REUSABLE, phone_number=number)
    campaign_launch(campaign=first, launched_by=cast.alice)

    campaign_archive(campaign=first, archived_by=cast.alice)
    launched = campaign_launch(campaign=second, launched_by=cast.alice)

    assert launched.status == CampaignStatus.ACTIVE


def test_the_database_refuses_two_active_campaigns_on_one_reusable_number(cast):
    number = PhoneNumberFactory.create(organization=cast.org, reusable=True, office=cast.office_a)
    CampaignFactory.create(
        organization=cast.org, number_choice="reusable", phone_number=number, active=True
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignFactory.create(
            organization=cast.org, number_choice="reusable", phone_number=number, active=True
        )


def test_launching_twice_launches_once_and_says_so(cast, django_capture_on_commit_callbacks):
    campaign = draft(cast)
    CampaignSenderFactory.create(campaign=campaign, user=cast.sam)
    campaign_launch(campaign=campaign, launched_by=cast.alice)

    with pytest.raises(CampaignError, match="is already active"):
        campaign_launch(campaign=campaign, launched_by=cast.alice)

    assert campaign.transitions.count() == 1
    assert OutboxEmail.objects.count() == 2  # the launcher's and sam's, once each


def test_a_draft_needs_a_message_and_contacts_to_launch(cast):
    empty = CampaignFactory.create(organization=cast.org, initial_message="")
    ContactFactory.create(campaign=empty)
    no_contacts = CampaignFactory.create(organization=cast.org)

    with pytest.raises(CampaignError, match="Write the initial message before launching"):
        campaign_launch(campaign=empty, launched_by=cast.alice)
    with pytest.raises(CampaignError, match="Upload contacts before launching"):
        campaign_launch(campaign=no_contacts, launched_by=cast.alice)


def test_in_use_means_launching_or_active_for_every_app():
    assert IN_USE_CAMPAIGN_STATUSES == (CampaignStatus.LAUNCHING, CampaignStatus.ACTIVE)


def test_contacts_are_accepted_by_a_draft_that_is_not_a_follow_up(cast):
    parent = draft(cast, active=True)
    follow_up = draft(cast, parent=parent)

    assert [c.accepts_contacts for c in (draft(cast), parent, follow_up)] == [True, False, False]


def test_a_provisioning_failed_draft_archives_and_gives_nothing_back_again(cast):
    number = PhoneNumberFactory.create(
        organization=cast.org,
        kind="single_use",
        provisioning_status=ProvisioningStatus.FAILED,
        carrier_number_id="sim-given-back",
    )
    campaign = draft(cast, single_use=True, provisioning_failed=True, phone_number=number)

    archived = campaign_archive(campaign=campaign, archived_by=cast.alice)

    assert (archived.status, archived.provisioning_failed) == ("archived", True)
    number.refresh_from_db()
    assert (number.provisioning_status, number.released_at) == ("failed", None)


def test_a_provisioning_failed_draft_takes_no_new_senders(cast):
    campaign = draft(cast, single_use=True, provisioning_failed=True)

    with pytest.raises(CampaignError, match=r"Provisioning failed for .*senders no longer change"):
        campaign_sender_add(campaign=campaign, user=cast.sam, added_by=cast.alice)


def test_a_provisioning_failed_draft_cannot_be_launched_again(cast):
    campaign = draft(cast, single_use=True, provisioning_failed=True)

    with pytest.raises(CampaignError, match=r"cannot be launched again\. Clone it"):
        campaign_launch(campaign=campaign, launched_by=cast.alice)


def test_single_use_launch_orders_its_number_and_waits_in_launching(cast):
    campaign = draft(cast, single_use=True)

    launched = campaign_launch(campaign=campaign, launched_by=cast.alice)

    number = launched.phone_number
    assert number is not None
    assert launched.status == CampaignStatus.LAUNCHING
    assert (number.kind, number.provisioning_status) == ("single_use", "requested")
    assert (number.area_codes, number.use_case) == (["212", "646"], campaign.use_case)
    assert launched.launched_by == cast.alice
    assert list(OutboxEmail.objects.values_list("recipient", "subject")) == [
        ("alice@acme.test", f"“{campaign.name}” is launching: provisioning has started")
    ]
    with pytest.raises(CampaignError, match="is already launching"):
        campaign_launch(campaign=campaign, launched_by=cast.alice)
    assert PhoneNumber.objects.filter(kind="single_use").count() == 1


def test_a_launch_that_would_exceed_the_use_case_limit_buys_nothing(cast, settings):
    settings.NUMBERS_PER_USE_CASE = 2
    campaign = draft(cast, single_use=True)
    PhoneNumberFactory.create_batch(2, organization=cast.org, use_case=campaign.use_case)
    PhoneNumberFactory.create(
        organization=cast.org, use_case=campaign.use_case, provisioning_status="released"
    )

    with pytest.raises(CampaignError, match="Archive unused single-use campaigns"):
        campaign_launch(campaign=campaign, launched_by=cast.alice)

    campaign.refresh_from_db()
    assert (campaign.status, campaign.phone_number, campaign.launched_by) == ("draft", None, None)
    assert not campaign.provisioning_failed
    assert PhoneNumber.objects.filter(use_case=campaign.use_case).count() == 3
    assert not OutboxEmail.objects.exists()
    assert campaign.transitions.count() == 0


def test_a_finished_number_moves_its_launching_campaigns_found_in_one_query(
    cast, django_assert_max_num_queries
):
    campaigns = [draft(cast, single_use=True) for _ in range(3)]
    for campaign in campaigns:
        campaign_launch(campaign=campaign, launched_by=cast.alice)
    numbers = list(PhoneNumber.objects.filter(kind="single_use").order_by("pk"))
    numbers[0].provisioning_status = "complete"
    numbers[1].provisioning_status = "failed"
    numbers[1].failure_reason = "The carriers suspended the use case."
    numbers[2].provisioning_status = "initiated"

    moved = campaigns_number_finished(phone_numbers=numbers)

    assert [(c.status, c.provisioning_failed) for c in moved] == [
        ("active", False),
        ("draft", True),
    ]
    assert list(moved[1].transitions.values_list("reason", flat=True)) == [
        "Launched; a single-use number is being bought in area codes 212, 646 and provisioned",
        "Provisioning failed: The carriers suspended the use case.",
    ]
    with django_assert_max_num_queries(3):  # savepoint, one SELECT for the batch, release
        assert campaigns_number_finished(phone_numbers=numbers) == []


def test_finished_numbers_no_campaign_uses_cost_no_query(cast, django_assert_num_queries):
    campaign = draft(cast, single_use=True)
    campaign_launch(campaign=campaign, launched_by=cast.alice)
    launched = PhoneNumber.objects.get(kind="single_use")
    idle = PhoneNumberFactory.create_batch(2, organization=cast.org)
    assert launched.in_use
    assert not any(number.in_use for number in idle)
    launched.provisioning_status = "complete"

    with django_assert_num_queries(0):
        assert campaigns_number_finished(phone_numbers=idle) == []
    [moved] = campaigns_number_finished(phone_numbers=[*idle, launched])

    assert (moved.pk, moved.status) == (campaign.pk, "active")


def test_a_launching_campaign_cannot_be_archived(cast):
    campaign = draft(cast, single_use=True)
    campaign_launch(campaign=campaign, launched_by=cast.alice)

    with pytest.raises(CampaignError, match="is launching: its number is still being provisioned"):
        campaign_archive(campaign=campaign, archived_by=cast.alice)


def test_archiving_a_single_use_campaign_keeps_the_number_while_a_follow_up_uses_it(cast):
    number = PhoneNumberFactory.create(organization=cast.org, kind="single_use")
    parent = draft(cast, single_use=True, active=True, phone_number=number)
    follow_up = campaign_follow_up_create(
        parent=parent,
        created_by=cast.alice,
        name="Reminder",
        initial_message="Hi again",
        targeting=Targeting(),
    )

    campaign_archive(campaign=parent, archived_by=cast.alice)
    number.refresh_from_db()
    assert number.provisioning_status == ProvisioningStatus.COMPLETE

    campaign_archive(campaign=follow_up, archived_by=cast.alice)
    number.refresh_from_db()
    assert number.provisioning_status == ProvisioningStatus.RELEASED


def test_launch_writes_the_launcher_and_each_sender_an_email(cast):
    campaign = draft(cast)
    CampaignSenderFactory.create(campaign=campaign, user=cast.sam)

    campaign_launch(campaign=campaign, launched_by=cast.alice)

    emails = dict(OutboxEmail.objects.values_list("recipient", "subject"))
    assert emails == {
        "alice@acme.test": f"Your campaign “{campaign.name}” is live",
        "sam@acme.test": f"Your assignment: {campaign.name}",
    }


# --- archive --------------------------------------------------------------------------------
def test_archiving_an_active_campaign_keeps_its_dedicated_number(cast):
    campaign = draft(cast, active=True)

    archived = campaign_archive(campaign=campaign, archived_by=cast.alice)

    assert archived.status == CampaignStatus.ARCHIVED
    assert archived.archived_at is not None
    number = PhoneNumber.objects.get(campaigns=archived)
    assert number.provisioning_status == ProvisioningStatus.COMPLETE


def test_archiving_twice_is_refused(cast):
    campaign = draft(cast, archived=True)

    with pytest.raises(CampaignError, match="is already archived"):
        campaign_archive(campaign=campaign, archived_by=cast.alice)


# --- clone ----------------------------------------------------------------------------------
def test_clone_copies_settings_contacts_and_senders_but_not_a_single_use_number(cast):
    number = PhoneNumberFactory.create(organization=cast.org, kind="single_use")
    source = draft(
        cast,
        single_use=True,
        provisioning_failed=True,
        phone_number=number,
        start_at=timezone.now() + timedelta(1),
    )
    CampaignSenderFactory.create(campaign=source, user=cast.sam)

    clone = campaign_clone(campaign=source, cloned_by=cast.alice)

    assert clone.name == f"Copy of {source.name}"
    assert (clone.status, clone.provisioning_failed, clone.phone_number) == ("draft", False, None)
    assert (clone.area_codes, clone.use_case, clone.start_at) == (
        ["212", "646"],
        source.use_case,
        source.start_at,
    )
    assert clone.initial_message == source.initial_message
    assert sorted(clone.contacts.values_list("phone", flat=True)) == sorted(
        source.contacts.values_list("phone", flat=True)
    )
    assert list(clone.senders.values_list("user", flat=True)) == [cast.sam.pk]
    assert clone.cloned_from == source
    assert clone.transitions.get().reason == f"Cloned from “{source.name}”"


def test_clone_keeps_a_dedicated_number(cast):
    source = draft(cast, active=True)

    clone = campaign_clone(campaign=source, cloned_by=cast.alice)

    assert (clone.number_choice, clone.phone_number) == ("dedicated", source.phone_number)
    assert clone.contacts.count() == 3


# --- follow-up ------------------------------------------------------------------------------
def _parent_with_audience(cast) -> Campaign:
    parent = CampaignFactory.create(organization=cast.org, office=cast.office_a, active=True)
    now = timezone.now()
    for i, (replied, phone) in enumerate(
        [
            (True, "+12025550101"),
            (True, "+12025550102"),
            (False, "+12025550103"),
            (False, "+12025550104"),
            (False, "+12025550105"),
        ]
    ):
        ContactFactory.create(
            campaign=parent, phone=phone, first_name=f"P{i}", last_reply_at=now if replied else None
        )
    OptOutFactory.create(organization=cast.org, phone="+12025550105")
    return parent


@pytest.mark.parametrize(
    ("targeting", "remaining"),
    [
        (Targeting(), {"+12025550101", "+12025550102", "+12025550103", "+12025550104"}),
        (Targeting(exclude_replied=True), {"+12025550103", "+12025550104"}),
        (Targeting(exclude_not_replied=True), {"+12025550101", "+12025550102"}),
        (
            Targeting(exclude_phones=frozenset({"+12025550101", "+12025550103"})),
            {"+12025550102", "+12025550104"},
        ),
    ],
    ids=["opted-out-always", "replied", "did-not-reply", "pasted-list"],
)
def test_a_follow_up_audience_is_the_parents_contacts_minus_targeting(cast, targeting, remaining):
    parent = _parent_with_audience(cast)

    follow_up = campaign_follow_up_create(
        parent=parent,
        created_by=cast.alice,
        name="Second nudge",
        initial_message="Hi again {first_name}",
        targeting=targeting,
    )

    assert set(follow_up.contacts.values_list("phone", flat=True)) == remaining
    assert not follow_up.contacts.filter(last_reply_at__isnull=False).exists()
    assert (follow_up.parent, follow_up.phone_number, follow_up.number_choice) == (
        parent,
        parent.phone_number,
        parent.number_choice,
    )
    assert follow_up.status == CampaignStatus.DRAFT


def test_a_follow_up_launches_straight_to_active_on_the_parents_number(cast):
    parent = _parent_with_audience(cast)
    campaign_archive(campaign=parent, archived_by=cast.alice)
    follow_up = campaign_follow_up_create(
        parent=parent,
        created_by=cast.alice,
        name="Second nudge",
        initial_message="Hi again",
        targeting=Targeting(),
    )

    launched = campaign_launch(campaign=follow_up, launched_by=cast.alice)

    assert launched.status == CampaignStatus.ACTIVE
    row = launched.transitions.get(to_status="active")
    assert row.reason.startswith("Follow-up launched on +1")


def test_a_follow_up_of_a_single_use_campaign_uses_its_number_without_ordering(cast):
    number = PhoneNumberFactory.create(organization=cast.org, kind="single_use")
    parent = draft(cast, single_use=True, active=True, phone_number=number)

    follow_up = campaign_follow_up_create(
        parent=parent, created_by=cast.alice, name="F", initial_message="Hi", targeting=Targeting()
    )
    launched = campaign_launch(campaign=follow_up, launched_by=cast.alice)

    assert (launched.status, launched.phone_number) == ("active", number)


def test_no_follow_up_from_a_draft_or_a_released_number(cast):
    released = PhoneNumberFactory.create(
        organization=cast.org, provisioning_status=ProvisioningStatus.RELEASED
    )
    archived = draft(cast, archived=True, phone_number=released)

    with pytest.raises(CampaignError, match="from an active or archived campaign"):
        campaign_follow_up_create(
            parent=draft(cast),
            created_by=cast.alice,
            name="F",
            initial_message="Hi",
            targeting=Targeting(),
        )
    with pytest.raises(CampaignError, match="number is no longer provisioned"):
        campaign_follow_up_create(
            parent=archived,
            created_by=cast.alice,
            name="F",
            initial_message="Hi",
            targeting=Targeting(),
        )


def test_a_follow_up_with_nobody_left_is_refused_and_nothing_is_saved(cast):
    parent = _parent_with_audience(cast)
    before = Campaign.objects.count()

    with pytest.raises(CampaignError, match="No contacts remain after targeting"):
        campaign_follow_up_create(
            parent=parent,
            created_by=cast.alice,
            name="F",
            initial_message="Hi",
            targeting=Targeting(exclude_replied=True, exclude_not_replied=True),
        )

    assert Campaign.objects.count() == before


# --- senders --------------------------------------------------------------------------------
def test_only_people_with_the_sender_role_become_senders(cast):
    campaign = draft(cast)

    with pytest.raises(CampaignError, match=r"bob@acme\.test is not a sender"):
        campaign_sender_add(campaign=campaign, user=cast.bob, added_by=cast.alice)
    with pytest.raises(CampaignError, match=r"charlie@other\.test is not a sender"):
        campaign_sender_add(campaign=campaign, user=cast.charlie, added_by=cast.alice)


def test_a_sender_added_to_a_draft_gets_no_email_until_launch(cast):
    campaign = draft(cast)

    campaign_sender_add(campaign=campaign, user=cast.sam, added_by=cast.alice)

    assert not OutboxEmail.objects.exists()


def test_a_sender_added_to_an_active_campaign_gets_their_assignment_once(cast):
    campaign = draft(cast, active=True)

    campaign_sender_add(campaign=campaign, user=cast.sam, added_by=cast.alice)
    campaign_sender_remove(campaign=campaign, user=cast.sam)
    campaign_sender_add(campaign=campaign, user=cast.sam, added_by=cast.alice)

    [email] = OutboxEmail.objects.all()
    assert (email.recipient, email.subject) == (
        "sam@acme.test",
        f"Your assignment: {campaign.name}",
    )


def test_senders_of_an_archived_campaign_do_not_change(cast):
    campaign = draft(cast, archived=True)

    with pytest.raises(CampaignError, match="is archived; its senders no longer change"):
        campaign_sender_add(campaign=campaign, user=cast.sam, added_by=cast.alice)


# --- create and edit ------------------------------------------------------------------------
def settings_for(cast, **kwargs) -> CampaignSettings:
    values = {
        "name": "Fall outreach",
        "office": cast.office_a,
        "initial_message": "Hi {first_name}",
        "number_choice": NumberChoice.SINGLE_USE,
        "area_codes": ["212"],
        "use_case": UseCaseFactory.create(organization=cast.org),
    }
    return CampaignSettings(**{**values, **kwargs})


def test_create_writes_a_draft_and_the_first_timeline_row(cast):
    campaign = campaign_create(
        organization=cast.org, created_by=cast.alice, settings=settings_for(cast)
    )

    assert (campaign.status, campaign.area_codes, campaign.phone_number) == ("draft", ["212"], None)
    row = campaign.transitions.get()
    assert (row.from_status, row.to_status, row.reason) == ("", "draft", "Created")


def test_a_single_use_campaign_takes_the_simulators_area_codes_like_a_number_does(cast):
    settings = settings_for(cast, area_codes=["000", "998", "999", "112"])

    campaign = campaign_create(organization=cast.org, created_by=cast.alice, settings=settings)

    assert campaign.area_codes == ["000", "998", "999", "112"]


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"area_codes": ["21"]}, "area_codes", "“21” is not an area code; enter 3 digits"),
        ({"area_codes": ["212", "212"]}, "area_codes", "Give each area code once; repeated: 212"),
        ({"area_codes": ["201", "202", "203", "204", "205", "206"]}, "area_codes", "at most 5"),
        ({"area_codes": []}, "area_codes", "Enter at least one area code"),
        ({"use_case": None}, "use_case", "Choose the 10DLC use case"),
        ({"initial_message": "Hi {first_name"}, "initial_message", "Check the braces"),
        ({"number_choice": "dedicated"}, "dedicated_number", "Choose a dedicated number"),
    ],
)
def test_bad_settings_are_refused_beside_their_field(cast, kwargs, field, message):
    with pytest.raises(CampaignError, match=message) as caught:
        campaign_create(
            organization=cast.org, created_by=cast.alice, settings=settings_for(cast, **kwargs)
        )

    assert caught.value.field == field
    assert not Campaign.objects.exists()


def test_a_reusable_number_of_another_office_is_refused(cast):
    number = PhoneNumberFactory.create(organization=cast.org, reusable=True, office=cast.office_b)

    with pytest.raises(CampaignError, match="belongs to another office"):
        campaign_create(
            organization=cast.org,
            created_by=cast.alice,
            settings=settings_for(cast, number_choice="reusable", phone_number=number),
        )


def test_a_number_of_another_organization_is_refused(cast):
    foreign = PhoneNumberFactory.create(organization=cast.other_org)

    with pytest.raises(CampaignError, match="Choose a dedicated number"):
        campaign_create(
            organization=cast.org,
            created_by=cast.alice,
            settings=settings_for(cast, number_choice="dedicated", phone_number=foreign),
        )


# --- message fields: checked where the contacts' columns become known -------------------------
def test_a_draft_without_contacts_may_use_fields_of_a_file_uploaded_later(cast):
    campaign = campaign_create(
        organization=cast.org,
        created_by=cast.alice,
        settings=settings_for(cast, initial_message="Hi {first_name} from {school}, {grade}"),
    )

    assert campaign.initial_message == "Hi {first_name} from {school}, {grade}"


def test_a_draft_with_contacts_checks_every_field_when_saved(cast):
    campaign = draft(cast, contact_fields=["city"])

    with pytest.raises(CampaignError) as caught:
        campaign_update(
            campaign=campaign,
            settings=settings_for(cast, initial_message="Hi {school} in {city} and {grade}"),
        )

    assert caught.value.message == (
        "Your contacts have no column for {school}, {grade}. "
        "Fields you can use: {first_name}, {last_name}, {phone}, {city}."
    )
    assert caught.value.field == "initial_message"


def test_launch_is_refused_listing_every_field_the_contacts_lack(cast):
    campaign = draft(cast, contact_fields=["city"], initial_message="{school} {city} {grade}")

    with pytest.raises(CampaignError) as caught:
        campaign_launch(campaign=campaign, launched_by=cast.alice)

    assert caught.value.message == (
        "The initial message uses {school}, {grade}, which the contacts do not have. Edit the "
        "message to use only the fields they have: {first_name}, {last_name}, {phone}, {city}."
    )
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    assert not campaign.transitions.exists()


def test_launch_accepts_the_fields_an_uploaded_file_brought(cast):
    campaign = draft(cast, contact_fields=["school"], initial_message="Hi {first_name} {school}")

    launched = campaign_launch(campaign=campaign, launched_by=cast.alice)

    assert launched.status == CampaignStatus.ACTIVE


def test_an_extra_contact_column_becomes_a_message_field(cast):
    campaign = draft(cast, contact_fields=["school"])

    updated = campaign_update(
        campaign=campaign,
        settings=settings_for(
            cast,
            initial_message="Hi {first_name} from {school}",
            number_choice="dedicated",
            phone_number=campaign.phone_number,
        ),
    )

    assert updated.initial_message == "Hi {first_name} from {school}"


def test_an_active_campaign_changes_only_its_name_and_start_date(cast):
    campaign = draft(cast, active=True)
    start = timezone.now() + timedelta(days=2)

    updated = campaign_update(
        campaign=campaign,
        settings=settings_for(cast, name="Renamed", start_at=start, office=cast.office_b),
    )

    assert (updated.name, updated.start_at, updated.office) == ("Renamed", start, cast.office_a)
    assert updated.number_choice == "dedicated"


def test_an_archived_campaign_is_not_edited(cast):
    campaign = draft(cast, archived=True)

    with pytest.raises(CampaignError, match="archived and can no longer be edited"):
        campaign_update(campaign=campaign, settings=settings_for(cast))


def test_a_follow_up_keeps_its_parents_number_when_edited(cast):
    parent = _parent_with_audience(cast)
    follow_up = campaign_follow_up_create(
        parent=parent, created_by=cast.alice, name="F", initial_message="Hi", targeting=Targeting()
    )

    updated = campaign_update(
        campaign=follow_up, settings=settings_for(cast, name="F2", initial_message="Hey")
    )

    assert (updated.name, updated.phone_number, updated.number_choice) == (
        "F2",
        parent.phone_number,
        "dedicated",
    )
    assert Contact.objects.filter(campaign=updated).count() == 4
