from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clinlead.accounts"
    default_auto_field = "django.db.models.BigAutoField"
