from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "clinlead.selection"
    default_auto_field = "django.db.models.BigAutoField"
