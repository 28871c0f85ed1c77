from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "clinlead.org"
    default_auto_field = "django.db.models.BigAutoField"
