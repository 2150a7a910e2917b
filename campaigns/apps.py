from django.apps import AppConfig
from django.core import checks


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self) -> None:
        from campaigns.receivers import on_numbers_finished
        from campaigns.sql import check_triggers
        from provisioning.hooks import number_provisioning_finished

        number_provisioning_finished.connect(on_numbers_finished, dispatch_uid="campaigns")
        # Tagged database: it runs where the database is checked (migrate, check --database).
        checks.register(check_triggers, checks.Tags.database)
