"""Sessions in the database, with their expiry rounded up to the hour.

A session row's expiry is its login time plus SESSION_COOKIE_AGE: to the second, it would date
when an elector logged in to vote or a member of staff asked for their survey link. Rounded up
to the next hour, it says no more than the hour (docs/secrecy.md, "Login records"). A session
lasts up to an hour longer on the server; the browser's cookie still ends on time.
"""

from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


def _next_hour(moment):
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(hours=1)


class SessionStore(DatabaseSessionStore):
    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.expire_date = _next_hour(session.expire_date)
        return session
