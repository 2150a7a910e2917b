# The number's attempts move here from provisioning (provisioning/0005 forgets them): the table
# and its rows are kept and renamed to this app's name. Only the state is created here.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('phone_numbers', '0010_search_trigram_indexes'),
        ('provisioning', '0004_carrier_status'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ProvisioningAttempt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('n', models.PositiveSmallIntegerField(verbose_name='attempt')),
                        ('e164', models.CharField(max_length=16, verbose_name='number')),
                        ('area_code', models.CharField(max_length=3)),
                        ('carrier_provisioning_ref', models.CharField(max_length=80)),
                        ('started_at', models.DateTimeField()),
                        ('ended_at', models.DateTimeField(blank=True, null=True)),
                        ('outcome', models.CharField(choices=[('pending', 'Waiting for the carriers'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('expired', 'Deadline passed'), ('released', 'Released')], default='pending', max_length=10)),
                        ('reason', models.TextField(blank=True)),
                        ('phone_number', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='provisioning_attempts', to='phone_numbers.phonenumber')),
                    ],
                    options={
                        'db_table': 'provisioning_provisioningattempt',
                        'ordering': ['phone_number', 'n'],
                        'constraints': [models.UniqueConstraint(fields=('phone_number', 'n'), name='one_row_per_attempt'), models.CheckConstraint(condition=models.Q(('n__gte', 1)), name='attempt_n_from_one'), models.CheckConstraint(condition=models.Q(models.Q(('ended_at__isnull', True), ('outcome', 'pending')), models.Q(models.Q(('outcome', 'pending'), _negated=True), ('ended_at__isnull', False)), _connector='OR'), name='attempt_ended_unless_pending')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='provisioningattempt', table=None),
    ]
