"""Password logins for staff who still work here.

A login linked to a member of staff works only while HR has them as active: on the day an
import marks them as left, the login stops (an open session ends at its next request, since
Django asks the backend again for every request's user). Logins with no staff record (the
superuser, a service account) depend on `is_active` alone.
"""

from django.contrib.auth.backends import ModelBackend


class ActiveStaffBackend(ModelBackend):
    def user_can_authenticate(self, user):
        if not super().user_can_authenticate(user):
            return False
        return user.person_id is None or user.person.active
