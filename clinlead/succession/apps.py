from django.apps import AppConfig


class SuccessionConfig(AppConfig):
    name = "clinlead.succession"
    default_auto_field = "django.db.models.BigAutoField"
