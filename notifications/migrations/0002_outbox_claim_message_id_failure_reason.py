from django.db import migrations, models

import notifications.models


def give_each_email_its_message_id(apps, schema_editor):
    # One Message-ID per existing row (a callable default would give them all the same one).
    OutboxEmail = apps.get_model("notifications", "OutboxEmail")
    for email in OutboxEmail.objects.only("pk").iterator():
        email.message_id = notifications.models.outbox_message_id()
        email.save(update_fields=["message_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxemail",
            name="message_id",
            field=models.CharField(max_length=255, null=True, verbose_name="Message-ID"),
        ),
        migrations.RunPython(give_each_email_its_message_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="outboxemail",
            name="message_id",
            field=models.CharField(
                default=notifications.models.outbox_message_id,
                max_length=255,
                unique=True,
                verbose_name="Message-ID",
            ),
        ),
        migrations.AddField(
            model_name="outboxemail",
            name="failure_reason",
            field=models.TextField(
                blank=True,
                help_text="Why the e-mail was given up: the mail server's refusal, or no answer.",
            ),
        ),
        migrations.AlterField(
            model_name="outboxemail",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.RemoveIndex(model_name="outboxemail", name="outbox_pending_due_idx"),
        migrations.AddIndex(
            model_name="outboxemail",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "sending"])),
                fields=["next_attempt_at"],
                name="outbox_due_idx",
            ),
        ),
    ]
