from django.contrib import admin

from notifications.models import OutboxEmail


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin[OutboxEmail]):
    # Operators see at a glance which e-mails failed and why (the mail server's refusal).
    list_display = [
        "event",
        "recipient",
        "subject",
        "status",
        "failure_reason",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "created_at"]
    search_fields = ["event", "recipient", "subject", "message_id"]
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]
