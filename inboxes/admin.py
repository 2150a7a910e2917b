from django.contrib import admin

from inboxes.models import Inbox


@admin.register(Inbox)
class InboxAdmin(admin.ModelAdmin[Inbox]):
    list_display = ["name", "office", "organization", "created_at"]
    list_filter = ["organization"]
    search_fields = ["name"]
