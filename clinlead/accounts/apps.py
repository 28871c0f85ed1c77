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
        self._keep_login_records_minimal()
        org_signals.people_left.connect(receivers.end_leavers_logins,
                                        dispatch_uid="accounts.end_leavers_logins")
        org_signals.logins_to_restore.connect(receivers.restore_logins,
                                              dispatch_uid="accounts.restore_logins")

    @staticmethod
    def _keep_login_records_minimal():
        """docs/secrecy.md, "Login records": no login time on the user (Django's last_login
        would date an elector's visit to vote), and failed-login rows without request details."""
        from axes.models import AccessAttempt
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import pre_save

        from clinlead.accounts import lockout

        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(lockout.remember_sign_in, dispatch_uid="clinlead_remember_sign_in")
        pre_save.connect(lockout.keep_only_what_lockout_needs, sender=AccessAttempt,
                         dispatch_uid="clinlead_minimal_access_attempt")
