from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clinlead.accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from clinlead import validation

        # Every form of every app: dates in a plausible window, text within a cap.
        validation.install()
