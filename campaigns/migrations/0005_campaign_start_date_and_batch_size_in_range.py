import datetime
import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0004_campaign_values_into_range'),
    ]

    operations = [
        migrations.AlterField(
            model_name='campaign',
            name='batch_size',
            field=models.PositiveIntegerField(default=100, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(1000)]),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('start_at__isnull', True), models.Q(('start_at__gte', datetime.datetime(1999, 12, 31, 0, 0, tzinfo=datetime.timezone.utc)), ('start_at__lt', datetime.datetime(2101, 1, 2, 0, 0, tzinfo=datetime.timezone.utc))), _connector='OR'), name='campaign_start_at_in_range'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('batch_size__gte', 1), ('batch_size__lte', 1000)), name='campaign_batch_size_in_range'),
        ),
    ]
