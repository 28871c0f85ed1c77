"""Shared fixtures. Personas come from the demo generator, as a new user would meet them:
Alice leads (may), Bob is on her team, Charlie works at another trust (may not), and one
login per other role.
"""

from datetime import date

import pytest
from django.conf import settings

from clinlead.org import demo_data as D


def pytest_configure(config):
    # Argon2 is deliberately slow; tests that log in hundreds of times use a fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test process keeps its own cache (emptied before every test, below): test databases
    # reuse ids, so one test's kept figures must never be another's.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def demo(db):
    """A small demo group (three trusts, ~200 staff) with every persona's login and every
    feature's demo data, built as `clinlead demo` builds it."""
    from django.db import transaction

    from clinlead.org.demo import DemoGenerator, add_feature_demo_data

    generator = DemoGenerator(staff=200, seed=11, today=date.today()).build()
    with transaction.atomic():  # as `clinlead demo` does: one transaction, also in live-server tests
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
