from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "clinlead.selection"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The messages a queued notification task may build (clinlead.notifications.BUILDERS).
        from clinlead.selection import messages  # noqa: F401
