from django.apps import AppConfig


class SuccessionConfig(AppConfig):
    name = "clinlead.succession"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The pools' recount when org's readiness_changed is sent (connected on import).
        # An appointment made anywhere (succession's pages or a selection's final choice) changes
        # the monitor's figures: have them worked out again.
        from clinlead.org.appointments import appointments_changed
        from clinlead.succession import readiness  # noqa: F401

        appointments_changed.connect(_refresh_monitor, dispatch_uid="succession-monitor")


def _refresh_monitor(sender, *, organisation_id, **kwargs):
    from clinlead.succession.monitor_store import data_changed

    data_changed(organisation_id)
