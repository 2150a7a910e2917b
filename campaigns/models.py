from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import IsNull

from inboxes.models import Conversation
from offices.bounds import EARLIEST_STORED, LATEST_STORED
from offices.models import Office, Organization
from phone_numbers.models import PhoneNumber, UseCase
from phone_numbers.usage import IN_USE_CAMPAIGN_STATUSES


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    LAUNCHING = "launching", "Launching"
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


SENDERS_CHANGE_IN = (CampaignStatus.DRAFT, CampaignStatus.LAUNCHING, CampaignStatus.ACTIVE)


class NumberChoice(models.TextChoices):
    SINGLE_USE = "single_use", "Single-use number"
    DEDICATED = "dedicated", "Dedicated number"
    REUSABLE = "reusable", "Reusable number"


class CampaignIdk(models.TextChoices):
    """What the bot does with a reply to the campaign it cannot answer."""

    DEFAULT = "default", "Default (the office's IDK behaviour)"
    AGENT = "agent", "Agent (Needs Attention for the sender)"


class Campaign(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="campaigns"
    )
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(max_length=200)
    status = models.CharField(
        max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    provisioning_failed = models.BooleanField(default=False)
    number_choice = models.CharField(
        max_length=10, choices=NumberChoice.choices, default=NumberChoice.SINGLE_USE
    )
    area_codes = models.JSONField(
        default=list, blank=True, help_text="Single-use: area code preferences, in order."
    )
    use_case = models.ForeignKey(
        UseCase, on_delete=models.PROTECT, null=True, blank=True, related_name="campaigns"
    )
    phone_number = models.ForeignKey(
        PhoneNumber, on_delete=models.PROTECT, null=True, blank=True, related_name="campaigns"
    )
    initial_message = models.TextField(blank=True)
    start_at = models.DateTimeField(
        "start date",
        null=True,
        blank=True,
        help_text="Initial message sending window: no initial message leaves before it.",
    )
    idk = models.CharField(
        "bot IDK behaviour",
        max_length=7,
        choices=CampaignIdk.choices,
        default=CampaignIdk.AGENT,
        help_text="When the bot cannot answer a reply: the office's IDK behaviour, or the "
        "sender answers.",
    )
    self_assign = models.BooleanField(default=False)
    batch_size = models.PositiveIntegerField(
        default=100, help_text="How many contacts one self-assign claim gives (1 to 1,000)."
    )
    # The invite link's token is derived from the nonce and SECRET_KEY; only its SHA-256 is
    # kept (campaigns.invite_links).
    invite_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    invite_nonce = models.CharField(max_length=64, blank=True, default="", db_default="")
    invite_enabled = models.BooleanField("invite link on", default=False)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups"
    )
    cloned_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="clones"
    )
    contact_fields = models.JSONField(
        default=list, blank=True, help_text="Extra contact columns the uploaded files carried."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    launched_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone_number"],
                condition=Q(number_choice="reusable", status__in=list(IN_USE_CAMPAIGN_STATUSES)),
                name="reusable_number_one_active_campaign",
            ),
            # A provisioning-failed draft may be archived; it keeps its flag there.
            models.CheckConstraint(
                condition=Q(provisioning_failed=False) | Q(status__in=["draft", "archived"]),
                name="only_drafts_and_archived_are_provisioning_failed",
            ),
            models.CheckConstraint(
                condition=~Q(status="active")
                | Q(phone_number__isnull=False, launched_at__isnull=False),
                name="active_campaign_has_number_and_launch",
            ),
            models.CheckConstraint(
                condition=Q(batch_size__gte=1, batch_size__lte=1000),
                name="self_assign_batch_size_1_to_1000",
            ),
            models.CheckConstraint(
                condition=Q(invite_enabled=False) | Q(invite_token_hash__isnull=False),
                name="enabled_invite_link_has_token",
            ),
            models.CheckConstraint(
                condition=Q(status="archived", archived_at__isnull=False)
                | (~Q(status="archived") & Q(archived_at__isnull=True)),
                name="archived_at_set_only_when_archived",
            ),
            # Backs the form's range (offices.bounds): a start date that could not be read
            # back would take down every page that lists the campaign.
            models.CheckConstraint(
                condition=Q(start_at__isnull=True)
                | Q(start_at__gte=EARLIEST_STORED, start_at__lt=LATEST_STORED),
                name="campaign_start_at_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_follow_up(self) -> bool:
        return self.parent_id is not None

    @property
    def orders_its_number(self) -> bool:
        """Single-use campaigns buy their number at launch; follow-ups reuse the parent's."""
        return self.number_choice == NumberChoice.SINGLE_USE and not self.is_follow_up

    @property
    def accepts_contacts(self) -> bool:
        """Contacts are uploaded to a draft; a follow-up's come from its parent."""
        return self.status == CampaignStatus.DRAFT and not self.is_follow_up

    @property
    def accepts_senders(self) -> bool:
        """Senders change until the campaign is archived; a provisioning-failed draft is done
        with (its clone takes the senders along)."""
        return self.status in SENDERS_CHANGE_IN and not self.provisioning_failed

    @property
    def mails_assignment_on_add(self) -> bool:
        """A sender added to an active campaign is e-mailed their assignment at once."""
        return self.status == CampaignStatus.ACTIVE

    @property
    def area_codes_display(self) -> str:
        return ", ".join(self.area_codes) or "any"

    @property
    def area_codes_phrase(self) -> str:
        """“area code 212”, “area codes 212, 646”, or “any area code”."""
        if not self.area_codes:
            return "any area code"
        return f"area code{'s' if len(self.area_codes) > 1 else ''} {self.area_codes_display}"

    @property
    def area_codes_label(self) -> str:
        """The phrase as a label: “Area code 212”."""
        return self.area_codes_phrase[:1].upper() + self.area_codes_phrase[1:]


class CampaignTransition(models.Model):
    """One row of a campaign's timeline: who moved it from which status to which, and why.

    ``from_status`` is blank on the first row, written when the campaign is created.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=CampaignStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=CampaignStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.from_status or 'new'} → {self.to_status}"


class CampaignSender(models.Model):
    """A member with the sender role who texts on the campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="senders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaign_senders"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__email"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="sender_once_per_campaign")
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.campaign}"


# A reply waits when the contact wrote after we last texted them.
REPLY_WAITS = Q(last_reply_at__isnull=False) & (
    Q(texted_at__isnull=True) | Q(last_reply_at__gt=F("texted_at"))
)


class Contact(models.Model):
    """A person a campaign texts. ``phone`` is E.164; extra CSV columns live in ``fields``.

    A change of a contact that is not a HOT update (assigning it, texting it) writes its new
    row version into every index whose condition it meets, and the self-assign claim rewrites a
    hundred contacts at a time: so the table keeps only the indexes its reads need, and three
    of them take an assigned contact not yet texted. The campaign's own look-ups go through
    ``contact_once_per_campaign`` (its first column), a sender's through ``contact_assigned``,
    and a conversation's through ``contact_conversation_once``, which holds no entry for the
    contacts not yet texted.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="contacts", db_index=False
    )
    phone = models.CharField(max_length=16)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    fields = models.JSONField(default=dict, blank=True)
    # Unassigned while null. A sender keeps the contacts they texted even once removed.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # At most one contact per conversation (contact_conversation_once).
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        related_query_name="contact",
        db_index=False,
    )
    texted_at = models.DateTimeField(
        null=True, blank=True, help_text="When we last texted them; set by the initial message."
    )
    last_reply_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # A sender's contacts, those with their initial message still to send first, in
            # order: the messenger's next contact and what waits, the admin's per-sender
            # counts and moves, and the user's deletion (its SET NULL).
            models.Index(
                F("assignee"),
                F("campaign"),
                IsNull(F("texted_at"), True),
                F("id"),
                condition=Q(assignee__isnull=False),
                name="contact_assigned",
            ),
            # A sender's replies waiting, oldest first: the messenger's Replies and its count.
            models.Index(
                fields=["assignee", "campaign", "last_reply_at", "id"],
                condition=REPLY_WAITS & Q(assignee__isnull=False),
                name="contact_reply_waits",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "phone"], name="contact_once_per_campaign"),
            models.UniqueConstraint(
                fields=["conversation"],
                condition=Q(conversation__isnull=False),
                name="contact_conversation_once",
            ),
            models.CheckConstraint(
                condition=Q(phone__regex=r"^\+[1-9][0-9]{6,14}$"), name="contact_phone_is_e164"
            ),
        ]

    def __str__(self) -> str:
        return self.phone


class OptOutSource(models.TextChoices):
    KEYWORD = "keyword", "Keyword"
    SENDER = "sender", "Sender"
    IMPORT = "import", "Import"
    MANUAL = "manual", "Manual"


class OptOut(models.Model):
    """A phone number that asked not to be texted again, anywhere in the organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="opt_outs"
    )
    phone = models.CharField(max_length=16)
    source = models.CharField(
        "how", max_length=7, choices=OptOutSource.choices, default=OptOutSource.SENDER
    )
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "phone"], name="opt_out_once_per_organization"
            ),
        ]

    def __str__(self) -> str:
        return self.phone


class UnassignedChunk(models.Model):
    """A run of a campaign's contacts (consecutive ids) that self-assign claims from.

    ``has_unassigned`` is a hint, not a count: a claim that finds the chunk empty clears it,
    and taking contacts back to Unassigned sets it again. See ``campaigns.self_assign``.
    """

    # Looked up through chunk_once (its first column).
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    has_unassigned = models.BooleanField(default=True)

    class Meta:
        ordering = ["campaign", "first_id"]
        indexes = [
            models.Index(
                fields=["campaign", "first_id"],
                condition=Q(has_unassigned=True),
                name="chunk_with_unassigned",
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "first_id"], name="chunk_once"),
            models.CheckConstraint(
                condition=Q(first_id__lte=F("last_id")), name="chunk_first_before_last"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.first_id}-{self.last_id}"


class SelfAssignClaim(models.Model):
    """One press of *Get more*: the same request key gives the same claim, never a second."""

    # Looked up through self_assign_claim_once (its first column).
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    request_key = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "user", "request_key"], name="self_assign_claim_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} claimed {self.count} of {self.campaign_id}"


class CannedResponse(models.Model):
    """An answer an admin writes once for a campaign; senders pick it when replying."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="canned_responses"
    )
    title = models.CharField(max_length=100)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "title"], name="canned_response_title_once_per_campaign"
            )
        ]

    def __str__(self) -> str:
        return self.title


class OptOutRemoval(models.Model):
    """An opt-out taken back: by the contact (START) or by hand, with the reason."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=16)
    source = models.CharField("how", max_length=7, choices=OptOutSource.choices)
    reason = models.CharField(max_length=300, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    removed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-removed_at", "-id"]

    def __str__(self) -> str:
        return self.phone
