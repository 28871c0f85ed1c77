from django.apps import AppConfig


class SuccessionConfig(AppConfig):
    name = "clinlead.succession"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from clinlead.succession import readiness  # noqa: F401  (connects the pools' recount to org's readiness_changed)
