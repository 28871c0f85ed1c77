"""What the organisation chart tells the apps above it (they connect in their `AppConfig.ready`).

org sits below accounts and every domain app, so it never imports them: when something they care
about changes, it sends one of these, inside the transaction that made the change, so a receiver's
writes commit or roll back with it.
"""

from django.dispatch import Signal

# Sent with `person_ids` (a list) when the HR import marks people as leavers.
people_left = Signal()

# Sent with `user_ids` when a reversed HR import gives back the logins its leavers lost (the ids
# that `people_left`'s receiver returned).
logins_to_restore = Signal()
