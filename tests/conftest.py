"""Shared fixtures. Personas come from the demo generator, as a new user would meet them:
Alice leads (may), Bob is on her team, Charlie works at another trust (may not), and one
login per other role.

The demo group is built once per test process and each test that asks for `demo` runs inside a
transaction on top of it, rolled back afterwards (see `SharedDemo`). Tests that do not ask for it
see an empty database, as before.
"""

import os
import pickle
import shutil
import sqlite3
import threading
from datetime import date
from pathlib import Path

import nacl.pwhash
import pytest
from django.conf import settings

from clinlead import actions, sealing
from clinlead.org import demo_data as D
from tests import tables_from_models

DEMO_STAFF, DEMO_SEED = 200, 11

SQLITE_ONLY_REASON = (
    "runs on SQLite only: the database engine makes no difference to what it checks "
    "(unset DATABASE_URL to run it)"
)
NO_DATABASE_REASON = (
    "runs on SQLite only: it uses no database, so the engine cannot change its result "
    "(unset DATABASE_URL to run it)"
)


def pytest_configure(config):
    # Argon2 is deliberately slow; tests that log in hundreds of times use a fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # So is Argon2id for custody key files (half a second of CPU and 256 MB each at its production
    # cost): key files made in tests, by a page, a command run in this process or the live server,
    # use the lowest cost (each file records the cost it was made with, so any file still opens).
    sealing.set_kdf_cost(
        opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN, memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN
    )
    # Each test process keeps its own cache (emptied before every test, below): test databases
    # reuse ids, so one test's kept figures must never be another's.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The demo leaves its custodians' key files in a folder; each test process builds its own
    # demo (with its own keys), so each keeps its own folder.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    settings.DEMO_KEY_DIR = Path(settings.DATA_DIR) / "test-demo-custody-keys" / worker


# tryfirst: pytest-xdist reads the xdist_group marks in its own hook of this name; run after it,
# the marks added here came too late and a file's shared fixture was set up in both workers.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Tests whose result the database engine cannot change run in CI's SQLite pass only: browser,
    PDF and demo-command tests, and every test that uses no database at all (the analytics, the
    hypothesis properties, the console scripts reading files). On PostgreSQL (CI's second pass)
    they are skipped, saying why; on SQLite (the default) they run. A test about PostgreSQL
    itself that asks for no test database says so with `pytest.mark.postgresql`.

    pytest-xdist hands out single tests (`--dist loadgroup`: a long file no longer keeps one
    worker busy while the other waits), except that a file whose tests share a module- or
    class-scoped fixture, or that asks for it (`pytest.mark.xdist_group`), runs whole, in order,
    in one process: its fixture is then set up once."""
    on_postgresql = _on_postgresql()
    for item in items:
        if on_postgresql and not item.get_closest_marker("postgresql"):
            if item.get_closest_marker("sqlite_only") or item.get_closest_marker("browser"):
                item.add_marker(pytest.mark.skip(reason=SQLITE_ONLY_REASON))
            elif not _uses_the_database(item):
                item.add_marker(pytest.mark.skip(reason=NO_DATABASE_REASON))
        if not item.get_closest_marker("xdist_group") and _shares_a_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


# What a test asks for, directly or through its fixtures, to reach the test database.
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
     "live_server", "django_db_setup", "shared_demo"}
)


def _uses_the_database(item):
    """Whether the test can reach the test database: pytest-django blocks it for any other."""
    return bool(item.get_closest_marker("django_db")) or not DATABASE_FIXTURES.isdisjoint(
        getattr(item, "fixturenames", ())
    )


def _shares_a_fixture(item):
    """Whether the test uses a module-, class- or package-scoped fixture of this project (a
    plugin's, such as pytest-django's class-scoped unittest hook, has no base folder)."""
    definitions = getattr(item, "_fixtureinfo", None)
    return definitions is not None and any(
        fixture.scope in ("class", "module", "package") and fixture.baseid
        for fixtures in definitions.name2fixturedefs.values()
        for fixture in fixtures
    )


def _on_postgresql():
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()


# ------------------------------------------------------------------------ the test databases
@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """Runs just before pytest-django creates the test databases: they are made from the models,
    with migrations off until `django_db_setup` below (see tests/tables_from_models.py)."""
    tables_from_models.MIGRATIONS_OFF.enable()
    return {alias: database["NAME"] for alias, database in settings.DATABASES.items()}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, django_db_modify_db_settings):
    """pytest-django's test databases, made from the models; then the migrations are back, and
    what they leave besides the tables (their record, the cache table, seeded rows) is added."""
    tables_from_models.MIGRATIONS_OFF.disable()
    with django_db_blocker.unblock():
        tables_from_models.complete(real_names=django_db_modify_db_settings)


# ---------------------------------------------------------------------------------- the demo
class SharedDemo:
    """The 200-person demo, built once per test process into the test database and reused.

    Two database states are kept: the empty migrated database and the database holding the demo
    (committed). Before each database test the connection is pointed at the state the test needs:
    on SQLite by copying a kept in-memory snapshot into the test database (SQLite's backup API,
    milliseconds); on PostgreSQL by switching between two databases, the empty test database
    and a clone of it holding the demo. An ordinary test then runs in its usual transaction and
    is rolled back, so the next one sees the same demo.

    Tests that commit (`transactional_db`, `live_server`, `django_db(transaction=True)`) end
    with a flush. On SQLite they get the demo copied in and the empty snapshot back afterwards;
    on PostgreSQL they run on the empty database and build their own demo, as before.

    Files the demo stores (evidence under MEDIA_ROOT) are kept in a folder of this process and
    copied into the test's MEDIA_ROOT; the Python objects (`world`) are copied per test.
    """

    def __init__(self, *, tmp_path_factory):
        from django.db import connection

        self.connection = connection
        self.media = tmp_path_factory.mktemp("demo-media")
        self.world = None
        self.sqlite = connection.vendor == "sqlite"
        self.state = "empty"  # what the test database holds now: empty, demo or dirty
        self.snapshots = {}
        self.databases = {"empty": connection.settings_dict["NAME"]}
        self.held = False  # a module-scoped fixture holds the demo in its own transaction
        self.flushed = False  # PostgreSQL: a committing test has flushed the empty database

    # -- building
    def build(self):
        from django.test import override_settings

        from clinlead.org.demo import DemoGenerator, add_feature_demo_data

        if self.sqlite:
            self._keep_empty()
            if self.state != "empty":
                self._restore("empty")
        else:
            self.connection.creation.clone_test_db(suffix="demo", verbosity=0, autoclobber=True)
            self.databases["demo"] = self.connection.creation.get_test_db_clone_settings("demo")[
                "NAME"
            ]
            self._switch("demo")
        with override_settings(MEDIA_ROOT=self.media):
            generator = DemoGenerator(staff=DEMO_STAFF, seed=DEMO_SEED, today=date.today()).build()
            with actions.atomic():  # as `clinlead demo` does: one action's transaction
                world = generator.write()
                add_feature_demo_data(world=world, generator=generator)
        world.generator = generator
        self.world = world
        # Each test gets its own copy, unpickled from these bytes: a pickle round trip copies as
        # deepcopy does (5 ms against deepcopy's 70 ms, for every one of several hundred tests).
        self.pickled = pickle.dumps(world, protocol=pickle.HIGHEST_PROTOCOL)
        if self.sqlite:
            self.snapshots["demo"] = self._snapshot()
        self.state = "demo"

    def destroy(self):
        if not self.sqlite and "demo" in self.databases:
            self._switch("empty")
            self.connection.creation.destroy_test_db(verbosity=0, suffix="demo")

    # -- before and after each database test
    def prepare(self, item):
        if self.held:
            return
        wanted = "demo" if self.serves(item) else "empty"
        if self.sqlite:
            self._keep_empty()
            if self.state != wanted:
                self._restore(wanted)
            if _is_transactional(item):
                self.state = "dirty"  # flushed at the end of the test
        else:
            self._switch(wanted)
            if self.flushed and wanted == "empty":
                _reload_seed_data()
                self.flushed = False
            if _is_transactional(item):
                self.flushed = True  # the empty database is flushed at the end of the test

    def hold(self):
        """Point the connection at the demo (building it if no test asked for it yet), for a
        module-scoped fixture that rolls back what it writes itself (the fuzz suite)."""
        if self.world is None:
            self.build()
        if self.sqlite:
            if self.state != "demo":
                self._restore("demo")
        else:
            self._switch("demo")
        self.held = True
        return self.copy_for_test()

    def use_empty(self):
        """Point the connection at the empty test database, for a module-scoped fixture that
        commits its own rows and flushes them after (the survey forensic suite): whichever test
        ran before, it starts from nothing, and the next test gets its state back."""
        if self.sqlite:
            if self.state != "empty" and "empty" in self.snapshots:
                self._restore("empty")
            if "empty" in self.snapshots:
                self.state = "dirty"
        else:
            self._switch("empty")
            if self.flushed:
                _reload_seed_data()
            self.flushed = True

    def serves(self, item):
        """Whether this test's `demo` is the shared one (else the fixture builds its own)."""
        return (
            self.world is not None
            and "demo" in item.fixturenames
            and (self.sqlite or not _is_transactional(item))
        )

    def copy_for_test(self):
        target = Path(settings.MEDIA_ROOT)
        for source in self.media.rglob("*"):
            stored = target / source.relative_to(self.media)
            if source.is_file() and not stored.exists():
                stored.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, stored)
        return pickle.loads(self.pickled)

    # -- mechanics
    def _keep_empty(self):
        """Snapshot the empty migrated database before the first test can change it: a run in
        which no test asks for the demo still needs it back after a committing test."""
        if "empty" not in self.snapshots and self.state == "empty":
            self.snapshots["empty"] = self._snapshot()

    def _snapshot(self):
        self.connection.ensure_connection()
        kept = sqlite3.connect(":memory:", check_same_thread=False)
        self.connection.connection.backup(kept)
        return kept

    def _restore(self, state):
        self.connection.ensure_connection()
        self.snapshots[state].backup(self.connection.connection)
        self.state = state

    def _switch(self, state):
        name = self.databases[state]
        if self.connection.settings_dict["NAME"] != name:
            self.connection.close()
            self.connection.settings_dict["NAME"] = name
            settings.DATABASES[self.connection.alias]["NAME"] = name
        self.state = state


def _reload_seed_data():
    """What the data migrations load, which a flush removes; SQLite's kept snapshot holds it.
    The flush empties the tables but leaves their id sequences where they were, so they are
    started again first: the seeded rows get the ids a migrated database gives them."""
    from django.core.management.color import no_style
    from django.db import connection

    sequences = connection.introspection.sequence_list()
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_by_name_sql(no_style(), sequences):
            cursor.execute(statement)
    tables_from_models.load_seed_data()


def _is_transactional(item):
    from pytest_django.fixtures import validate_django_db

    marker = item.get_closest_marker("django_db")
    transaction, reset_sequences = validate_django_db(marker)[:2] if marker else (False, False)
    names = set(item.fixturenames)
    return bool(
        transaction
        or reset_sequences
        or names & {"transactional_db", "live_server", "django_db_reset_sequences"}
    )


@pytest.fixture(scope="session")
def shared_demo(django_db_setup, django_db_blocker, tmp_path_factory, request):
    """The process's SharedDemo, built at once if any collected test asks for `demo` (on
    PostgreSQL the clone must be made before a live server holds a connection)."""
    shared = SharedDemo(tmp_path_factory=tmp_path_factory)
    if any("demo" in getattr(item, "fixturenames", ()) for item in request.session.items):
        with django_db_blocker.unblock():
            shared.build()
    yield shared
    with django_db_blocker.unblock():
        shared.destroy()


@pytest.fixture
def _database_for_this_test(request, shared_demo, django_db_blocker):
    with django_db_blocker.unblock():
        shared_demo.prepare(request.node)


@pytest.fixture
def _django_db_helper(_database_for_this_test, _django_db_helper):
    """pytest-django's per-test database setup, once the connection holds the state this test
    needs (pytest-django's fixtures `db`, `transactional_db` and the django_db mark all use it)."""
    return _django_db_helper


@pytest.fixture
def demo(db, request, shared_demo):
    """A small demo group (three trusts, ~200 staff) with every persona's login and every
    feature's demo data, built as `clinlead demo` builds it. Each test sees it fresh: its
    changes are rolled back (see SharedDemo)."""
    if shared_demo.serves(request.node):
        return shared_demo.copy_for_test()

    from clinlead.org.demo import DemoGenerator, add_feature_demo_data

    # A demo of its own leaves its custodians' key files in a folder of its own: in the process's
    # folder they would replace the shared demo's, which later tests close its cycles with.
    settings = request.getfixturevalue("settings")
    settings.DEMO_KEY_DIR = request.getfixturevalue("tmp_path") / "demo-custody-keys"

    generator = DemoGenerator(staff=DEMO_STAFF, seed=DEMO_SEED, today=date.today()).build()
    # As `clinlead demo` does: one action's transaction, also in live-server tests.
    with actions.atomic():
        world = generator.write()
        add_feature_demo_data(world=world, generator=generator)
    world.generator = generator
    return world


@pytest.fixture
def login(client):
    """Log the test client in as a demo persona: login("alice")."""
    from clinlead.accounts.models import User

    def as_persona(username):
        client.force_login(User.objects.get(username=username))
        return client

    return as_persona


PERSONAS = [username for username, _, _ in D.PERSONAS]


def pytest_collection_finish(session):
    """On a fresh clone the front end comes from npm, which mostly waits for the network: start it
    in the background as soon as the tests are known, if one that will run needs it, while this
    process creates its database and builds the demo. `installed_frontend` then finds it
    installed, or waits for it (a file lock); a failure is reported there."""
    from tests.browser.conftest import CHROMIUM

    chromium = CHROMIUM.exists()
    if any(
        not item.get_closest_marker("skip")
        and (
            "installed_frontend" in getattr(item, "fixturenames", ())
            or (chromium and "frontend_assets" in getattr(item, "fixturenames", ()))
        )
        for item in session.items
    ):
        _FRONTEND_INSTALL.start()


def _install_frontend_in_background():
    from clinlead.frontend import ensure_assets

    try:
        ensure_assets(log=lambda message: None)
    except Exception:  # noqa: BLE001 - `installed_frontend` tries again and reports it
        pass


_FRONTEND_INSTALL = threading.Thread(target=_install_frontend_in_background, daemon=True)


def pytest_sessionfinish(session):
    if _FRONTEND_INSTALL.is_alive():
        _FRONTEND_INSTALL.join()  # never leave npm half-way through the folder


@pytest.fixture(scope="session")
def installed_frontend():
    """The folder holding the NHS.UK design system and axe-core from npm, installed once under
    CLINLEAD_DATA_DIR (a no-op once installed; test processes take turns through a lock)."""
    from clinlead.frontend import ensure_assets, frontend_dir

    ensure_assets(log=lambda message: None)
    return frontend_dir()
