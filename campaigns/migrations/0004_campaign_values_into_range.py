# Its own migration (transaction): constraints are added in the next one, after these updates.

import datetime
from django.conf import settings
from django.db import migrations, models


def bring_saved_values_into_range(apps, schema_editor):
    """Rows saved before the range existed (a year-9999 start date cannot even be read back):
    a start date beyond the range keeps the campaign waiting, one before it lets it start, as
    they did; a batch size is clamped. Plain UPDATEs, so the bad values are never read."""
    Campaign = apps.get_model("campaigns", "Campaign")
    utc = datetime.timezone.utc
    Campaign.objects.filter(start_at__gte=datetime.datetime(2101, 1, 2, tzinfo=utc)).update(
        start_at=datetime.datetime(2100, 12, 31, 12, tzinfo=utc)
    )
    Campaign.objects.filter(start_at__lt=datetime.datetime(1999, 12, 31, tzinfo=utc)).update(
        start_at=datetime.datetime(2000, 1, 1, 12, tzinfo=utc)
    )
    Campaign.objects.filter(batch_size__lt=1).update(batch_size=1)
    Campaign.objects.filter(batch_size__gt=1000).update(batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0003_number_in_use_triggers'),
        ('offices', '0003_office_number_quota_in_range'),
        ('phone_numbers', '0009_list_text_sorts_ignore_case'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(bring_saved_values_into_range, migrations.RunPython.noop),
    ]
