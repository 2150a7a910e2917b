"""The poller's lease on a submitted number: a column no index covers, and pages filled to 80 %
so that writing it is a HOT update (PostgreSQL; elsewhere the column alone).

Hand-written (RunPython): regenerating phone_numbers' migrations must keep this one. The SQL
is frozen as of this migration; the current version is in phone_numbers/sql.py
(POSTGRESQL_NUMBERS_STORAGE)."""

from django.db import migrations, models

STORAGE = "ALTER TABLE phone_numbers_phonenumber SET (fillfactor = 80)"
RESET = "ALTER TABLE phone_numbers_phonenumber RESET (fillfactor)"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STORAGE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESET)


class Migration(migrations.Migration):

    dependencies = [
        ('phone_numbers', '0012_search_short_and_pending'),
    ]

    operations = [
        migrations.AddField(
            model_name='phonenumber',
            name='poll_leased_until',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(forward, backward),
    ]
