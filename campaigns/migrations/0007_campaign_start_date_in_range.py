import datetime
from django.db import migrations, models


def on_postgresql_only(app_label, model_name, constraint):
    """Adds the check on PostgreSQL. SQLite would rebuild the whole table to add it, which drops
    the triggers that keep the phone numbers' sort columns (README, *Layout*); the embedded
    SQLite default relies on the forms' checks alone."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_constraint(apps.get_model(app_label, model_name), constraint)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_constraint(apps.get_model(app_label, model_name), constraint)

    return migrations.SeparateDatabaseAndState(
        database_operations=[migrations.RunPython(forwards, backwards)],
        state_operations=[migrations.AddConstraint(model_name=model_name, constraint=constraint)],
    )


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0006_campaign_start_date_into_range'),
    ]

    operations = [
        on_postgresql_only(
            'campaigns',
            'campaign',
            models.CheckConstraint(condition=models.Q(('start_at__isnull', True), models.Q(('start_at__gte', datetime.datetime(1999, 12, 31, 0, 0, tzinfo=datetime.timezone.utc)), ('start_at__lt', datetime.datetime(2101, 1, 2, 0, 0, tzinfo=datetime.timezone.utc))), _connector='OR'), name='campaign_start_at_in_range'),
        ),
    ]
