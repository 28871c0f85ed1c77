"""What accounts does when the apps below it report a change (connected in `AccountsConfig.ready`)."""

from clinlead.accounts.models import User


def end_leavers_logins(sender, *, person_ids, **kwargs):
    """A leaver's login ends with their employment (the HR import reports leavers)."""
    User.objects.filter(person_id__in=person_ids).update(is_active=False)
