from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clinlead.accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from clinlead import validation
        from clinlead.accounts import receivers
        from clinlead.org import signals as org_signals

        # Every form of every app: dates in a plausible window, text within a cap.
        validation.install()
        org_signals.people_left.connect(receivers.end_leavers_logins,
                                        dispatch_uid="accounts.end_leavers_logins")
