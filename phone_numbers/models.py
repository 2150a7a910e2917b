import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Lower

from inboxes.models import Inbox
from offices.models import Office, Organization


class UseCaseState(models.TextChoices):
    PENDING = "pending", "Pending review"
    ACTIVE = "active", "Active"
    REJECTED = "rejected", "Rejected"
    SUSPENDED = "suspended", "Suspended"


class UseCase(models.Model):
    """A registered 10DLC campaign (brand + use case) that numbers are provisioned under.

    The carriers accept at most ``NUMBERS_PER_USE_CASE`` (49) numbers on one use case; the
    count is of numbers that are not released. Failed numbers don't count: a number that fails
    has been released at the carrier (``HOLDS_A_NUMBER``).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="use_cases"
    )
    name = models.CharField(max_length=120)
    carrier_reference = models.CharField(max_length=80, blank=True)
    state = models.CharField(
        max_length=10, choices=UseCaseState.choices, default=UseCaseState.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="use_case_name_unique_per_organization"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Kind(models.TextChoices):
    DEDICATED = "dedicated", "Dedicated"
    SINGLE_USE = "single_use", "Single-use"
    REUSABLE = "reusable", "Reusable"


class ProvisioningStatus(models.TextChoices):
    REQUESTED = "requested", "Provisioning requested"
    INITIATED = "initiated", "Provisioning initiated"
    COMPLETE = "complete", "Provisioning complete"
    FAILED = "failed", "Provisioning failed"
    RELEASED = "released", "Released"


IN_FLIGHT = (ProvisioningStatus.REQUESTED, ProvisioningStatus.INITIATED)
# Numbers that hold a place — on a use case at the carriers, and in an office's quota. A failed
# one holds none: the engine gives its number back to the carrier whenever a number fails.
HOLDS_A_NUMBER = (*IN_FLIGHT, ProvisioningStatus.COMPLETE)


class PhoneNumberQuerySet(models.QuerySet["PhoneNumber"]):
    def holding_a_number(self) -> "PhoneNumberQuerySet":
        return self.filter(provisioning_status__in=HOLDS_A_NUMBER)

    def counting_against_quota(self) -> "PhoneNumberQuerySet":
        """Reusable numbers that count against their office's number quota."""
        return self.holding_a_number().filter(kind=Kind.REUSABLE)


class ResponseType(models.TextChoices):
    AGENT = "agent", "Agent-backed"
    BOT = "bot", "Bot-backed"


# Columns of the number the Phone Numbers list sorts by, each with its own index.
# Text sorts compare lower-cased, so "alpha" and "Alpha" sort together whatever the database's
# collation (a "C" collation would put every capital first).
LIST_TEXT_SORT_COLUMNS = ("name", "description", "agent", "inbox_names", "office_name")
LIST_SORT_COLUMNS = {
    "name": "name",
    "description": "description",
    "kind": "kind",
    "agent": "agent",
    "response_type": "response",
    "provisioning_status": "status",
    "created_at": "created",
    "inbox_names": "inboxes",
    "office_name": "office",
    "in_use": "usage",
}


INBOX_NAMES_KEPT = 400
# Between the name and the description in PhoneNumber.search_text: a search box holds one line,
# so no search reaches across from one to the other.
SEARCH_TEXT_SEPARATOR = "\n"


class PhoneNumber(models.Model):
    """A sending number of an organization. Usable for sending only when ``complete``."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="phone_numbers"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # NULL until the carrier sells us a number; "" would collide in the unique constraint.
    e164 = models.CharField("number", max_length=16, null=True, blank=True)  # noqa: DJ001
    area_codes = models.JSONField(
        default=list, blank=True, help_text="Area code preferences, in order."
    )
    use_case = models.ForeignKey(UseCase, on_delete=models.PROTECT, related_name="phone_numbers")
    provisioning_status = models.CharField(
        max_length=10, choices=ProvisioningStatus.choices, default=ProvisioningStatus.REQUESTED
    )
    # The number the person picked from the search; bought if it is still for sale.
    requested_e164 = models.CharField(max_length=16, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    idempotency_key = models.UUIDField(default=uuid.uuid4, editable=False)
    carrier_number_id = models.CharField(max_length=80, blank=True)
    carrier_provisioning_ref = models.CharField(max_length=80, blank=True)
    failure_reason = models.TextField(blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    # Until when a poller holds the submitted number it claimed while it asks the carrier
    # (outside any transaction); the next write of the number's status or schedule ends it.
    # Not indexed, so that claiming one is a HOT update, not a new entry in every index.
    poll_leased_until = models.DateTimeField(null=True, blank=True)
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requested_phone_numbers",
    )

    # Reusable numbers: owned by an office, with default behaviour for when no active
    # campaign uses them.
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="phone_numbers"
    )
    name = models.CharField(max_length=120, blank=True)
    description = models.CharField(max_length=300, blank=True)
    agent = models.CharField(
        max_length=120, blank=True, help_text="A label: who primarily looks after this number."
    )
    response_type = models.CharField(max_length=5, choices=ResponseType.choices, blank=True)
    inboxes = models.ManyToManyField(Inbox, blank=True, related_name="phone_numbers")
    # The Phone Numbers list's "inboxes" sort key and column: the inbox names in name order
    # (ignoring case), joined by ", ", cut to INBOX_NAMES_KEPT characters ending in "…" (so its
    # index entry always fits). Kept by the database, never by Django: triggers (migrations 0004,
    # 0007, 0008) recompute it on every write of the number, of its inboxes, and of an inbox's
    # name.
    inbox_names = models.TextField(default="", db_default="", blank=True, editable=False)
    # The list's "office" sort key: the office's name ("" for none). Kept by the database
    # (migration 0006): on every write of the number's office, and when the office is renamed.
    office_name = models.CharField(
        max_length=120, default="", db_default="", blank=True, editable=False
    )
    # Whether a launching or active campaign uses the number: the list's "usage" sort key and
    # its Usage column. Kept by the database from the campaigns (campaigns/migrations/0003),
    # which this app cannot see; never written by Django.
    in_use = models.BooleanField(default=False, db_default=False, editable=False)
    # What the list's search box reads (phone_numbers/filters.py): the name and the
    # description, one per line (SEARCH_TEXT_SEPARATOR), upper-cased once when written rather
    # than on every row that every search reads; a search is one LIKE on one column, served
    # by one trigram index. Kept by the database, never by Django (migration 0014): on every
    # insert and every write of the name, the description or the text itself.
    search_text = models.TextField(default="", db_default="", blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    objects = PhoneNumberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["e164"],
                condition=Q(e164__isnull=False) & ~Q(provisioning_status="released"),
                name="one_unreleased_row_per_number",
            ),
            models.CheckConstraint(
                condition=~Q(kind="reusable") | Q(office__isnull=False),
                name="reusable_number_has_office",
            ),
            models.CheckConstraint(
                condition=Q(kind="reusable") | Q(response_type=""),
                name="only_reusable_numbers_have_response_type",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_poll_at", "id"],
                condition=Q(provisioning_status__in=["requested", "initiated"]),
                name="phone_number_due_poll_idx",
            ),
            # The Phone Numbers list sorts by any column with keyset pages: one range scan of
            # (organization, sort key, id) at any depth (phone_numbers/filters.py SORT_KEYS).
            models.Index(
                F("organization"),
                Coalesce(F("e164"), Value("")),
                F("id"),
                name="pn_list_number_idx",
            ),
            *[
                models.Index(F("organization"), Lower(column), F("id"), name=f"pn_list_{short}_idx")
                if column in LIST_TEXT_SORT_COLUMNS
                else models.Index(
                    fields=["organization", column, "id"], name=f"pn_list_{short}_idx"
                )
                for column, short in LIST_SORT_COLUMNS.items()
            ],
        ]

    def __str__(self) -> str:
        return (
            self.e164 or f"{self.get_kind_display()} number (area codes {self.area_codes_display})"
        )

    @property
    def area_codes_display(self) -> str:
        return ", ".join(self.area_codes) or "any"

    @property
    def is_in_flight(self) -> bool:
        return self.provisioning_status in IN_FLIGHT

    @property
    def is_usable(self) -> bool:
        return self.provisioning_status == ProvisioningStatus.COMPLETE

    @property
    def holds_a_number(self) -> bool:
        """Provisioning or provisioned; a failed or released number has nothing to use."""
        return self.provisioning_status in HOLDS_A_NUMBER


class AttemptOutcome(models.TextChoices):
    PENDING = "pending", "Waiting for the carriers"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Deadline passed"
    RELEASED = "released", "Released"


class ProvisioningAttempt(models.Model):
    """One submission of a number to the carriers: rejected, approved, or past its deadline.
    The number's history, shown on its page; written only by the provisioning engine's door
    (``provisioning.transitions``).

    Transport faults never make a row; the ``n``-th row is the ``n``-th of the five attempts.
    """

    phone_number = models.ForeignKey(
        PhoneNumber, on_delete=models.CASCADE, related_name="provisioning_attempts"
    )
    n = models.PositiveSmallIntegerField("attempt")
    e164 = models.CharField("number", max_length=16)
    area_code = models.CharField(max_length=3)
    carrier_provisioning_ref = models.CharField(max_length=80)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=10, choices=AttemptOutcome.choices, default=AttemptOutcome.PENDING
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["phone_number", "n"]
        constraints = [
            models.UniqueConstraint(fields=["phone_number", "n"], name="one_row_per_attempt"),
            models.CheckConstraint(condition=Q(n__gte=1), name="attempt_n_from_one"),
            models.CheckConstraint(
                condition=Q(outcome="pending", ended_at__isnull=True)
                | (~Q(outcome="pending") & Q(ended_at__isnull=False)),
                name="attempt_ended_unless_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.n} for {self.e164}: {self.get_outcome_display()}"
