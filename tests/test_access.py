"""Every URL of Clinlead, requested by every role, gets exactly the answer this table says.

A URL that has no row here fails the suite: adding a page means deciding who may see it.
"""

import importlib
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_table import (
    EVERYONE_LOGGED_IN,
    FORBIDDEN,
    FOUND,
    NORTHGATE,
    OK,
    PERSONAS,
    ROLES,
    only,
)
from tests.held_demo import held_world, sign_in

# url name -> (method, arguments builder, {role: status})
ACCESS = {
    "home": ("get", lambda w: {}, only(EVERYONE_LOGGED_IN)),
    "health": ("get", lambda w: {}, {role: OK for role in ROLES}),
    "health-ready": ("get", lambda w: {}, {role: OK for role in ROLES}),
    "accounts:login": ("get", lambda w: {}, {"anonymous": OK, **{r: FOUND for r in PERSONAS}}),
    "accounts:logout": ("post", lambda w: {}, {role: FOUND for role in ROLES}),
    # Single sign-on's refusal page: anybody may be sent there, logged in or not.
    "accounts:sso_refused": ("get", lambda w: {}, {role: FORBIDDEN for role in ROLES}),
    # One visible organisation: straight to it; the superuser sees the list of three.
    "org:organisations": ("get", lambda w: {}, {"anonymous": FOUND, **{r: FOUND for r in PERSONAS}, "admin": OK}),
    "org:organisation": ("get", lambda w: {"slug": "northgate"}, only(NORTHGATE)),
    "org:unit": ("get", lambda w: {"pk": w["unit"]}, only(NORTHGATE)),
    "org:person": ("get", lambda w: {"pk": w["person"]}, only(NORTHGATE)),
    "org:position": ("get", lambda w: {"pk": w["position"]}, only(NORTHGATE)),
    "org:people": ("get", lambda w: {"slug": "northgate"}, only(NORTHGATE)),
    "org:positions": ("get", lambda w: {"slug": "northgate"}, only(NORTHGATE)),
    "org:positions_xlsx": ("get", lambda w: {"slug": "northgate"}, only(NORTHGATE)),
    "org:import_hr": ("get", lambda w: {"slug": "northgate"}, only({"tara", "admin"})),
    # With no upload waiting, applying sends the talent admin back to the upload page.
    "org:import_hr_apply": ("post", lambda w: {"slug": "northgate"}, only({"tara", "admin"}, when_allowed=FOUND)),
    "org:hr_example": ("get", lambda w: {"slug": "northgate"}, only({"tara", "admin"})),
    "org:diversity": ("get", lambda w: {"slug": "northgate"}, only({"sam", "admin"})),
    "audit:log": ("get", lambda w: {"slug": "northgate"}, only({"aude", "admin"})),
    "audit:export": ("get", lambda w: {"slug": "northgate"}, only({"aude", "admin"})),
}


APP_MODULES = [
    importlib.import_module(f"tests.{path.parent.name}.access")
    for path in sorted(Path(__file__).parent.glob("*/access.py"))
]
for _module in APP_MODULES:
    assert not set(_module.ROWS) & set(ACCESS), f"{_module.__name__} repeats a URL"
    ACCESS.update(_module.ROWS)


def all_url_names():
    names = set()

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix)
            elif isinstance(p, URLPattern):
                assert p.name, f"every URL needs a name to sit in the access table: {p.pattern}"
                names.add(prefix + p.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_has_a_row_in_the_access_table():
    missing = all_url_names() - set(ACCESS)
    assert not missing, f"URLs with no access rule: {sorted(missing)}"
    assert not set(ACCESS) - all_url_names(), "the table names URLs that no longer exist"


def test_every_row_covers_every_role():
    for name, (_, _, table) in ACCESS.items():
        assert set(table) == set(ROLES), name


@pytest.fixture(scope="module")
def access_world(shared_demo, django_db_blocker):
    """The demo, the URLs' ids and each role's session, made once for the module
    (tests/held_demo.py); each test's requests are rolled back after it."""
    with held_world(shared_demo, django_db_blocker, APP_MODULES) as held:
        yield held


def url_names():
    # A PDF is drawn the same on any database: those rows are checked on SQLite only.
    return [pytest.param(name, marks=pytest.mark.sqlite_only) if name.endswith("pdf") else name
            for name in sorted(ACCESS)]


@pytest.fixture
def pdfs_laid_out_once(monkeypatch):
    """WeasyPrint lays out each page of HTML once per test: the roles that may read a PDF are
    served the same HTML, and the same HTML always gives the same PDF (2 to 4 seconds each).
    The view still runs whole for every role; only the layout of an HTML already laid out is
    reused. Returns {(html, tagged): pdf}."""
    from django.template.loader import render_to_string

    from clinlead import pdf

    drawn, draw = {}, pdf.render_pdf

    def render_pdf(*, template, context, request=None, tagged=False):
        html = render_to_string(template, context, request=request)
        if (html, tagged) not in drawn:
            drawn[(html, tagged)] = draw(template=template, context=context, request=request,
                                         tagged=tagged)
        return drawn[(html, tagged)]

    monkeypatch.setattr(pdf, "render_pdf", render_pdf)
    return drawn


# The test's own transaction (inside the module's) rolls back what its requests write.
@pytest.mark.django_db
@pytest.mark.parametrize("name", url_names())
def test_each_role_gets_the_answer_the_table_gives(name, access_world, client, pdfs_laid_out_once):
    _, objects, sessions = access_world
    method, arguments, table = ACCESS[name]
    url = reverse(name, kwargs=arguments(objects))
    answers = {}
    for role in ROLES:
        sign_in(client, role, sessions)
        response = getattr(client, method)(url)
        answers[role] = response.status_code
        if role == "anonymous" and table[role] == FOUND and name not in {"accounts:logout", "accounts:login"}:
            assert reverse("accounts:login") in response["Location"], name
    assert answers == table, name
