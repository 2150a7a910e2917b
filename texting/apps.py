from django.apps import AppConfig


class TextingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "texting"
