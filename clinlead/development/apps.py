from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "clinlead.development"
    default_auto_field = "django.db.models.BigAutoField"
