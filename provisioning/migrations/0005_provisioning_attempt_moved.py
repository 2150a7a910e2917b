# The attempts now belong to phone_numbers (phone_numbers/0011 took over the table and its rows):
# forgotten here, in the state only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('phone_numbers', '0011_provisioning_attempt'),
        ('provisioning', '0004_carrier_status'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ProvisioningAttempt')],
            database_operations=[],
        ),
    ]
