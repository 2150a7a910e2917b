# Its own migration (transaction): the constraint is added in the next one, after these updates.

import datetime

from django.db import migrations


def bring_start_dates_into_range(apps, schema_editor):
    """Rows saved before the range existed (a year-9999 start date cannot even be read back):
    a start date beyond the range keeps the campaign waiting, one before it lets it start, as
    they did. Plain UPDATEs, so the bad values are never read."""
    Campaign = apps.get_model("campaigns", "Campaign")
    utc = datetime.timezone.utc
    Campaign.objects.filter(start_at__gte=datetime.datetime(2101, 1, 2, tzinfo=utc)).update(
        start_at=datetime.datetime(2100, 12, 31, 12, tzinfo=utc)
    )
    Campaign.objects.filter(start_at__lt=datetime.datetime(1999, 12, 31, tzinfo=utc)).update(
        start_at=datetime.datetime(2000, 1, 1, 12, tzinfo=utc)
    )


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0005_campaign_idk_and_opt_out_source'),
    ]

    operations = [
        migrations.RunPython(bring_start_dates_into_range, migrations.RunPython.noop),
    ]
