"""The fuzz suite's world: the demo group built once per module, every example rolled back.

`fuzz_cases` in a test's user_properties is added up (also across xdist workers) and printed
at the end of the run, so CI output shows how many cases were tried."""

import pytest

from tests.held_demo import held_world

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
    """(world, objects, sessions): the shared demo world (tests/conftest.py), the ids the access
    table needs and each role's session (tests/held_demo.py); whatever the module writes is
    rolled back when it ends."""
    from tests.test_access import APP_MODULES

    with held_world(shared_demo, django_db_blocker, APP_MODULES) as held:
        yield held


@pytest.fixture
def fuzz_db(fuzz_world, django_db_blocker):
    with django_db_blocker.unblock():
        yield fuzz_world


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
