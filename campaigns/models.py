from django.conf import settings
from django.db import models
from django.db.models import Q

from offices.models import Office, Organization
from phone_numbers.models import PhoneNumber, UseCase


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    LAUNCHING = "launching", "Launching"
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


class NumberChoice(models.TextChoices):
    SINGLE_USE = "single_use", "Single-use number"
    DEDICATED = "dedicated", "Dedicated number"
    REUSABLE = "reusable", "Reusable number"


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
    self_assign = models.BooleanField(default=False)
    batch_size = models.PositiveIntegerField(default=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups"
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
                condition=Q(number_choice="reusable", status__in=["launching", "active"]),
                name="reusable_number_one_active_campaign",
            ),
        ]

    def __str__(self) -> str:
        return self.name
