from django.contrib import admin

from inboxes.models import BotAnswer, Conversation, InboundMessage, Inbox


@admin.register(Inbox)
class InboxAdmin(admin.ModelAdmin[Inbox]):
    list_display = ["name", "office", "organization", "created_at"]
    list_filter = ["organization"]
    search_fields = ["name"]


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin[InboundMessage]):
    """Every text that reached us; filter by route "Unrouted" for those that matched nothing."""

    list_display = ["received_at", "to_e164", "from_e164", "body", "route", "organization", "note"]
    list_filter = ["route", "carrier"]
    search_fields = ["to_e164", "from_e164", "carrier_message_id"]
    readonly_fields = [f.name for f in InboundMessage._meta.fields]
    date_hierarchy = "received_at"

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin[Conversation]):
    list_display = ["number_e164", "contact_e164", "organization", "inbox", "status", "bot"]
    list_filter = ["status", "organization"]
    search_fields = ["number_e164", "contact_e164"]
    raw_id_fields = ["inbox", "assignee"]


@admin.register(BotAnswer)
class BotAnswerAdmin(admin.ModelAdmin[BotAnswer]):
    list_display = ["office", "answer", "updated_at"]
    list_filter = ["organization"]
