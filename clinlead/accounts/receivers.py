"""What accounts does when the apps below it report a change (connected in `AccountsConfig.ready`)."""

from clinlead.accounts.models import User


def end_leavers_logins(sender, *, person_ids, **kwargs):
    """A leaver's login ends with their employment (the HR import reports leavers). Returns the
    logins it switched off as [user id, person id] pairs, which the import keeps so that a
    reversal can give back exactly those."""
    logins = User.objects.filter(person_id__in=person_ids, is_active=True)
    ended = [list(pair) for pair in logins.values_list("id", "person_id")]
    logins.update(is_active=False)
    return ended


def restore_logins(sender, *, user_ids, **kwargs):
    """A reversed HR import gives back the logins its leavers lost."""
    User.objects.filter(id__in=user_ids).update(is_active=True)
