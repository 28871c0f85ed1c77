"""The shared demo held by a whole test module, for modules that ask the same world many
questions (the access table, the form fuzz): the demo, the ids the access table's URLs need and
a logged-in session for each role are made once per module, and each test (or example) runs in
a transaction of its own, rolled back afterwards (the test's own, or `rolled_back`). Whatever
the module writes is rolled back when it ends. A module using it runs whole in one process
(tests/conftest.py)."""

from contextlib import contextmanager
from http.cookies import SimpleCookie

from django.db import transaction

from tests.access_table import ROLES


@contextmanager
def held_world(shared_demo, django_db_blocker, app_modules):
    """(world, objects, sessions) for the module: the shared demo, the access table's ids
    (`access_objects`) and each role's session cookies (`sign_in`)."""
    from django.test import Client

    from clinlead.accounts.models import User

    with django_db_blocker.unblock():
        world = shared_demo.hold()
        outer = _testcase_atomic()
        outer.__enter__()
        try:
            objects = access_objects(world, app_modules)
            users = {u.username: u for u in User.objects.filter(username__in=ROLES)}
            sessions = {}
            for role in ROLES:
                client = Client()
                if role != "anonymous":
                    client.force_login(users[role])
                sessions[role] = dict(client.cookies)
            yield world, objects, sessions
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            shared_demo.held = False


def access_objects(world, app_modules):
    """The ids the access table's URLs are built from: a Northgate unit, person and key position,
    and what each app's `tests/<app>/access.py` makes with its `objects(world)`."""
    from clinlead.org.models import Organisation, Position, Unit

    northgate = Organisation.objects.get(slug="northgate")
    found = {
        "unit": Unit.objects.get(organisation=northgate, path="Medicine/Cardiology").pk,
        "person": world.personas["bob"],
        "position": Position.objects.filter(organisation=northgate, is_key=True).first().pk,
    }
    for module in app_modules:
        if hasattr(module, "objects"):
            found.update(module.objects(world))
    return found


def sign_in(client, role, sessions):
    """The client as `role`, from the session made for the module: a login writes the session,
    the lockout's records and last_login, most of a cheap request's time. Whatever a request
    does to the session (a logout, a new key) is rolled back with the test."""
    client.cookies = SimpleCookie()
    for name, morsel in sessions[role].items():
        client.cookies[name] = morsel.copy()


def _testcase_atomic():
    # Marked as a test case's block, so the actions' durable transactions may run inside it.
    atomic = transaction.atomic()
    atomic._from_testcase = True
    return atomic


class rolled_back:
    """One test or example: whatever it writes is undone afterwards."""

    def __enter__(self):
        self.atomic = _testcase_atomic()
        self.atomic.__enter__()

    def __exit__(self, *exc):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)
        return False
