from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self) -> None:
        from campaigns.receivers import on_numbers_finished
        from provisioning.hooks import number_provisioning_finished

        number_provisioning_finished.connect(on_numbers_finished, dispatch_uid="campaigns")
