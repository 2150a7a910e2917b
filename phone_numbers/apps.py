from django.apps import AppConfig
from django.core import checks


class PhoneNumbersConfig(AppConfig):
    name = "phone_numbers"
    verbose_name = "Phone numbers"

    def ready(self) -> None:
        from phone_numbers.sql import check_triggers

        # Tagged database: it runs where the database is checked (migrate, check --database).
        checks.register(check_triggers, checks.Tags.database)
