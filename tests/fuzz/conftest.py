"""The fuzz suite's world: the demo group built once per module, every example rolled back.

`fuzz_cases` in a test's user_properties is added up (also across xdist workers) and printed
at the end of the run, so CI output shows how many cases were tried."""

import pytest
from django.db import transaction

_CASES = {}


class FuzzCases(UserWarning):
    """How many cases a fuzz test tried. Issued as a warning too, because pytest-xdist's
    controller never loads this folder's hooks: the warnings summary reaches CI output always."""


def report_cases(request, count):
    request.node.user_properties.append(("fuzz_cases", count))
    print(f"\nfuzz: {count} cases tried in {request.node.name}")
    import warnings

    warnings.warn(FuzzCases(f"fuzz: {count} cases tried"), stacklevel=2)


@pytest.fixture(scope="module")
def fuzz_world(shared_demo, django_db_blocker):
    """The shared demo world (tests/conftest.py) and the ids the access table needs; whatever the
    module writes is rolled back when it ends."""
    from tests.test_access import APP_MODULES

    with django_db_blocker.unblock():
        world = shared_demo.hold()
        outer = _testcase_atomic()
        outer.__enter__()
        try:
            objects = _objects(world, APP_MODULES)
            yield world, objects
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            shared_demo.held = False


@pytest.fixture
def fuzz_db(fuzz_world, django_db_blocker):
    with django_db_blocker.unblock():
        yield fuzz_world


def _testcase_atomic():
    # Marked as a test case's block, so the actions' durable transactions may run inside it.
    atomic = transaction.atomic()
    atomic._from_testcase = True
    return atomic


class rolled_back:
    """One example: whatever it writes is undone afterwards."""

    def __enter__(self):
        self.atomic = _testcase_atomic()
        self.atomic.__enter__()

    def __exit__(self, *exc):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)
        return False


def _objects(world, modules):
    from clinlead.org.models import Organisation, Position, Unit

    northgate = Organisation.objects.get(slug="northgate")
    found = {
        "unit": Unit.objects.get(organisation=northgate, path="Medicine/Cardiology").pk,
        "person": world.personas["bob"],
        "position": Position.objects.filter(organisation=northgate, is_key=True).first().pk,
    }
    for module in modules:
        if hasattr(module, "objects"):
            found.update(module.objects(world))
    return found


def pytest_runtest_logreport(report):
    for name, value in report.user_properties:
        if name == "fuzz_cases":
            _CASES[report.nodeid] = value


def pytest_terminal_summary(terminalreporter):
    if _CASES:
        total = sum(_CASES.values())
        terminalreporter.write_sep("-", f"fuzz: {total} cases tried")
        for nodeid, count in sorted(_CASES.items()):
            terminalreporter.write_line(f"  {count:5d}  {nodeid}")
