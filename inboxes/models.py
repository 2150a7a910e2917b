from django.db import models

from offices.models import Office, Organization


class Inbox(models.Model):
    """Where agents answer incoming messages. Belongs to one office."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="inboxes")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="inboxes")
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "inboxes"
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="inbox_name_unique_per_office")
        ]

    def __str__(self) -> str:
        return self.name
