from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q

from offices.bounds import OFFICE_QUOTA_MAX
from offices.time_zones import DEFAULT_TIME_ZONE, time_zone_validate


class Organization(models.Model):
    """The tenant. Every tenant-owned row points at one."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    time_zone = models.CharField(
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        validators=[time_zone_validate],
        help_text="Every time is shown in it, and a campaign's start date is entered in it.",
    )
    # TCPA-style quiet hours, read in each contact's own time zone (campaigns.sending).
    texting_hours_start = models.TimeField(
        default=time(9, 0), help_text="No message leaves before this hour, in the contact's time."
    )
    texting_hours_end = models.TimeField(
        default=time(20, 0), help_text="No message leaves after this hour, in the contact's time."
    )
    opt_out_message = models.CharField(
        "opt-out confirmation",
        max_length=320,
        default="You are unsubscribed and will not receive more messages from us.",
        help_text="Sent once to a contact who is opted out.",
    )
    help_message = models.CharField(
        "help text",
        max_length=320,
        default="Reply STOP to unsubscribe. For help, contact us through our website.",
        help_text="Sent to a contact who texts HELP or INFO.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(texting_hours_start__lt=F("texting_hours_end")),
                name="texting_hours_start_before_end",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Office member"
    SENDER = "sender", "Sender"


class IdkBehaviour(models.TextChoices):
    """What the bot does with a message it does not understand ("I don't know")."""

    REPLY = "reply", "Reply with the office's IDK message"
    SILENT = "silent", "Do not reply"
    AGENT = "agent", "Hand over to an agent"


class Office(models.Model):
    """A campus or office: owns reusable numbers and inboxes, and has a number quota."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="offices")
    name = models.CharField(max_length=120)
    number_quota = models.PositiveIntegerField(
        default=5,
        validators=[
            MaxValueValidator(
                OFFICE_QUOTA_MAX,
                f"An office can hold at most {OFFICE_QUOTA_MAX:,} reusable numbers.",
            )
        ],
        help_text="How many reusable numbers this office may hold.",
    )
    idk_default = models.CharField(
        "IDK default",
        max_length=10,
        choices=IdkBehaviour.choices,
        default=IdkBehaviour.REPLY,
        help_text="What the bot does when it does not understand a message.",
    )
    idk_message = models.CharField(
        "IDK message",
        max_length=320,
        blank=True,
        default="Sorry, I didn't understand that. A member of our team will follow up.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="office_name_unique_per_organization"
            ),
            models.CheckConstraint(
                condition=models.Q(number_quota__lte=OFFICE_QUOTA_MAX),
                name="office_number_quota_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's place in an organization: their role and, for members, their offices."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    offices = models.ManyToManyField(Office, blank=True, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="membership_unique_per_organization"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.organization}"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN
