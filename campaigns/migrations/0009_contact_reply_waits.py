"""The replies waiting for a sender, along their own partial index (the Send click and the
Replies list read them). Built CONCURRENTLY on PostgreSQL, outside a transaction, so adding it to
a contacts table of millions of rows does not block texting while it builds."""

from django.db import migrations, models

REPLY_WAITS = models.Index(
    condition=models.Q(
        ("last_reply_at__isnull", False),
        models.Q(
            ("texted_at__isnull", True),
            ("last_reply_at__gt", models.F("texted_at")),
            _connector="OR",
        ),
        ("assignee__isnull", False),
    ),
    fields=["assignee", "campaign", "last_reply_at", "id"],
    name="contact_reply_waits",
)


def forward(apps, schema_editor):
    contact = apps.get_model("campaigns", "Contact")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REPLY_WAITS.create_sql(contact, schema_editor, concurrently=True))
    else:
        schema_editor.add_index(contact, REPLY_WAITS)


def backward(apps, schema_editor):
    schema_editor.remove_index(apps.get_model("campaigns", "Contact"), REPLY_WAITS)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("campaigns", "0008_campaign_invite_nonce"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="contact", index=REPLY_WAITS)],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
    ]
