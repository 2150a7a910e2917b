"""The contacts table keeps only the indexes its reads need, so that a self-assign claim (a
hundred contacts rewritten, each row version entered in every index) writes three index entries
a contact instead of six:

- the campaign's own index goes: ``contact_once_per_campaign`` (campaign, phone) serves every
  look-up by campaign, and so does ``chunk_once`` for the chunks and ``self_assign_claim_once``
  for the claims;
- the assignee's index and ``contact_initial_to_send`` become one, ``contact_assigned``:
  (assignee, campaign, whether the initial message is still to send, id) over the assigned
  contacts only;
- the conversation's unique index holds no entry for a contact without a conversation (which
  is every contact not yet texted): ``Contact.conversation`` turns from a one-to-one field into
  a foreign key with a partial unique constraint.

Hand-written: on PostgreSQL the indexes are built and dropped CONCURRENTLY, outside a
transaction (a minute or so at a million contacts, during which senders keep texting), and
nothing else is touched (Django's own AlterField would drop and re-validate the foreign keys,
locking the table while it reads it whole). Elsewhere (SQLite) Django's operations run as
generated. Regenerating this migration must keep that split."""

import django.db.models.deletion
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models

CONTACT = "campaigns_contact"
CREATE = [
    'CREATE INDEX CONCURRENTLY "contact_assigned" ON "campaigns_contact" '
    '("assignee_id", "campaign_id", ("texted_at" IS NULL), "id") '
    'WHERE "assignee_id" IS NOT NULL',
    'CREATE UNIQUE INDEX CONCURRENTLY "contact_conversation_once" ON "campaigns_contact" '
    '("conversation_id") WHERE "conversation_id" IS NOT NULL',
]
# The single-column indexes Django made for these foreign keys (named after a hash: looked up).
FOREIGN_KEY_INDEXES = [
    (CONTACT, "campaign_id"),
    (CONTACT, "assignee_id"),
    ("campaigns_selfassignclaim", "campaign_id"),
    ("campaigns_unassignedchunk", "campaign_id"),
]


def _single_column(schema_editor, table, column, *, unique):
    """Names of the indexes (or unique constraints) on ``table`` that cover ``column`` alone
    and whole (no condition)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, c.conname FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0] "
            "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid "
            "WHERE t.relname = %s AND a.attname = %s AND x.indnatts = 1 "
            "AND x.indpred IS NULL AND x.indisunique = %s AND NOT x.indisprimary",
            [table, column, unique],
        )
        return cursor.fetchall()


def forward(schema_editor):
    for statement in CREATE:
        schema_editor.execute(statement)
    # Two statements that each wait only for their lock: the index the constraint used goes
    # with it.
    for _, constraint in _single_column(schema_editor, CONTACT, "conversation_id", unique=True):
        schema_editor.execute(f'ALTER TABLE "{CONTACT}" DROP CONSTRAINT "{constraint}"')
    for table, column in FOREIGN_KEY_INDEXES:
        for index, _ in _single_column(schema_editor, table, column, unique=False):
            schema_editor.execute(f'DROP INDEX CONCURRENTLY "{index}"')
    schema_editor.execute('DROP INDEX CONCURRENTLY IF EXISTS "contact_initial_to_send"')
    # The planner's statistics on the indexed expression (texted_at IS NULL) come from ANALYZE.
    schema_editor.execute(f'ANALYZE "{CONTACT}"')


def backward(schema_editor):
    schema_editor.execute(
        'CREATE INDEX CONCURRENTLY "contact_initial_to_send" ON "campaigns_contact" '
        '("assignee_id", "campaign_id", "id") '
        'WHERE ("assignee_id" IS NOT NULL AND "texted_at" IS NULL)'
    )
    for table, column in FOREIGN_KEY_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX CONCURRENTLY "{table}_{column}_restored" ON "{table}" ("{column}")'
        )
    schema_editor.execute(
        'CREATE UNIQUE INDEX CONCURRENTLY "campaigns_contact_conversation_id_key" '
        'ON "campaigns_contact" ("conversation_id")'
    )
    schema_editor.execute(
        'ALTER TABLE "campaigns_contact" ADD CONSTRAINT "campaigns_contact_conversation_id_key" '
        'UNIQUE USING INDEX "campaigns_contact_conversation_id_key"'
    )
    schema_editor.execute('DROP INDEX CONCURRENTLY "contact_assigned"')
    schema_editor.execute('DROP INDEX CONCURRENTLY "contact_conversation_once"')


class ConcurrentlyOnPostgresql(migrations.SeparateDatabaseAndState):
    """``operations`` as Django runs them, except on PostgreSQL, where ``forward`` and
    ``backward`` make the same schema concurrently."""

    def __init__(self, operations, forward, backward):
        super().__init__(state_operations=operations, database_operations=operations)
        self.forward, self.backward = forward, backward

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.forward(schema_editor)
        else:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.backward(schema_editor)
        else:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("campaigns", "0009_contact_reply_waits"),
        ("inboxes", "0004_message_delivery_claim"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        ConcurrentlyOnPostgresql(
            [
                migrations.RemoveIndex(
                    model_name="contact",
                    name="contact_initial_to_send",
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="campaign",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contacts",
                        to="campaigns.campaign",
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="conversation",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="contacts",
                        related_query_name="contact",
                        to="inboxes.conversation",
                    ),
                ),
                migrations.AlterField(
                    model_name="selfassignclaim",
                    name="campaign",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="campaigns.campaign",
                    ),
                ),
                migrations.AlterField(
                    model_name="unassignedchunk",
                    name="campaign",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="campaigns.campaign",
                    ),
                ),
                migrations.AddIndex(
                    model_name="contact",
                    index=models.Index(
                        models.F("assignee"),
                        models.F("campaign"),
                        django.db.models.lookups.IsNull(models.F("texted_at"), True),
                        models.F("id"),
                        condition=models.Q(("assignee__isnull", False)),
                        name="contact_assigned",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="contact",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("conversation__isnull", False)),
                        fields=("conversation",),
                        name="contact_conversation_once",
                    ),
                ),
            ],
            forward,
            backward,
        )
    ]
