"""Senders: the Unassigned pool (Contact.assignee), invite links, self-assign (chunks, claims),
canned responses, and a contact's conversation.

Hand-edited: on SQLite (the embedded default of `make run`) the new check constraints rebuild
campaigns_campaign, which drops the triggers that keep PhoneNumber.in_use (0003) and trips the
one on phone numbers that reads campaigns_campaign. They are dropped first and written again
last, from 0003's own SQL. Regenerating this migration must keep the two RunPython steps."""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

IN_USE = importlib.import_module("campaigns.migrations.0003_number_in_use_triggers")
SQLITE_TRIGGERS = [
    "phone_number_in_use_insert",
    "phone_number_in_use_keep",
    "campaign_number_usage_inserted",
    "campaign_number_usage_updated",
    "campaign_number_usage_deleted",
]


def drop_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def create_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in IN_USE.SQLITE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0003_number_in_use_triggers'),
        ('inboxes', '0002_conversations_and_messages'),
        ('offices', '0003_organization_texting_hours'),
        ('phone_numbers', '0009_list_text_sorts_ignore_case'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, create_sqlite_triggers),
        migrations.CreateModel(
            name='CannedResponse',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=100)),
                ('text', models.TextField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['title', 'id'],
            },
        ),
        migrations.CreateModel(
            name='SelfAssignClaim',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('request_key', models.CharField(max_length=64)),
                ('count', models.PositiveIntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='UnassignedChunk',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('first_id', models.BigIntegerField()),
                ('last_id', models.BigIntegerField()),
                ('has_unassigned', models.BooleanField(default=True)),
            ],
            options={
                'ordering': ['campaign', 'first_id'],
            },
        ),
        migrations.AddField(
            model_name='campaign',
            name='invite_enabled',
            field=models.BooleanField(default=False, verbose_name='invite link on'),
        ),
        migrations.AddField(
            model_name='campaign',
            name='invite_token_hash',
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AddField(
            model_name='contact',
            name='assignee',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='contact',
            name='conversation',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='contact', to='inboxes.conversation'),
        ),
        migrations.AddField(
            model_name='contact',
            name='texted_at',
            field=models.DateTimeField(blank=True, help_text='When we last texted them; set by the initial message.', null=True),
        ),
        migrations.AlterField(
            model_name='campaign',
            name='batch_size',
            field=models.PositiveIntegerField(default=100, help_text='How many contacts one self-assign claim gives (1 to 1,000).'),
        ),
        migrations.AddIndex(
            model_name='contact',
            index=models.Index(condition=models.Q(('assignee__isnull', False), ('texted_at__isnull', True)), fields=['assignee', 'campaign', 'id'], name='contact_initial_to_send'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('batch_size__gte', 1), ('batch_size__lte', 1000)), name='self_assign_batch_size_1_to_1000'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('invite_enabled', False), ('invite_token_hash__isnull', False), _connector='OR'), name='enabled_invite_link_has_token'),
        ),
        migrations.AddField(
            model_name='cannedresponse',
            name='campaign',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='canned_responses', to='campaigns.campaign'),
        ),
        migrations.AddField(
            model_name='selfassignclaim',
            name='campaign',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign'),
        ),
        migrations.AddField(
            model_name='selfassignclaim',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='unassignedchunk',
            name='campaign',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign'),
        ),
        migrations.AddConstraint(
            model_name='cannedresponse',
            constraint=models.UniqueConstraint(fields=('campaign', 'title'), name='canned_response_title_once_per_campaign'),
        ),
        migrations.AddConstraint(
            model_name='selfassignclaim',
            constraint=models.UniqueConstraint(fields=('campaign', 'user', 'request_key'), name='self_assign_claim_once'),
        ),
        migrations.AddIndex(
            model_name='unassignedchunk',
            index=models.Index(condition=models.Q(('has_unassigned', True)), fields=['campaign', 'first_id'], name='chunk_with_unassigned'),
        ),
        migrations.AddConstraint(
            model_name='unassignedchunk',
            constraint=models.UniqueConstraint(fields=('campaign', 'first_id'), name='chunk_once'),
        ),
        migrations.AddConstraint(
            model_name='unassignedchunk',
            constraint=models.CheckConstraint(condition=models.Q(('first_id__lte', models.F('last_id'))), name='chunk_first_before_last'),
        ),
        migrations.RunPython(create_sqlite_triggers, drop_sqlite_triggers),
    ]
