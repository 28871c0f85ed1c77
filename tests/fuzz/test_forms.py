"""Every form of Clinlead, filled in by hypothesis as every role with arbitrary Unicode, NULs,
formulas, huge and tiny numbers and impossible dates: the answer is always below 500, and a
refused form leaves every table as it was."""

import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.access_table import ROLES
from tests.fuzz.conftest import report_cases
from tests.fuzz.hostile import (
    KIND_STRATEGIES,
    FormFinder,
    csv_bytes,
    table_cells,
    value_for,
    xlsx_bytes,
)
from tests.fuzz.invariants import assert_nothing_half_written, row_counts
from tests.held_demo import rolled_back, sign_in

pytestmark = pytest.mark.django_db  # makes the session create the test database

EXAMPLES_PER_KIND = 1
# Pages that are files, not forms, or that end the session the example runs in.
SKIP = (
    "pdf",
    "xlsx",
    "export",
    "blt",
    "chart",
    "example",
    "logout",
    "evidence_file",
    "receipts",
    "ballots",
)
DISCOVER_AS = ("admin", "alice", "bob")
# Forms the suite must reach (by a part of their address): the imports and the id-taking forms.
MUST_FIND = [
    r"/org/northgate/import/$",
    r"/evaluation/\d+/import/$",
    r"/leader-index/northgate/import/$",
    r"/candidates/nominate/$",
    r"/committee/$",
    r"/took-part/$",
    r"/s/[^/]+/$",
    r"/learning/new/$",
]


@pytest.fixture(scope="module")
def forms_to_fill(fuzz_world, django_db_blocker):
    """Every form on every page, as the superuser, a leader and a member of staff see them."""
    from django.test import Client

    from tests.test_access import ACCESS

    _, objects, sessions = fuzz_world
    found = {}
    with django_db_blocker.unblock():
        for role in DISCOVER_AS:
            client = Client()
            sign_in(client, role, sessions)
            for name, (method, arguments, _) in sorted(ACCESS.items()):
                if method != "get" or any(s in name for s in SKIP):
                    continue
                with rolled_back():
                    response = client.get(reverse(name, kwargs=arguments(objects)), follow=True)
                if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    continue
                finder = FormFinder(response.request["PATH_INFO"])
                finder.feed(response.content.decode())
                for form in finder.forms:
                    if any(s in form["action"] for s in ("logout",)):
                        continue
                    key = (
                        form["method"],
                        form["action"].split("?")[0],
                        tuple(sorted(form["fields"])),
                    )
                    found.setdefault(key, form | {"seen_by": set()})["seen_by"].add(role)
        # Actions posted from buttons (nominate, took part, ...): the id they may be sent.
        for name, (method, arguments, _) in sorted(ACCESS.items()):
            if method == "post" and "logout" not in name:
                action = reverse(name, kwargs=arguments(objects))
                found.setdefault(
                    ("post", action, ("person",)),
                    {
                        "method": "post",
                        "action": action,
                        "fields": {"person": {"kind": "hidden", "options": []}},
                        "files": set(),
                        "seen_by": {"admin", "tara"},
                    },
                )
        # The survey form, reached by a member of staff asking for their link (kept for the module).
        client = Client()
        sign_in(client, "bob", sessions)
        page = client.post(
            reverse("surveys:start", kwargs={"pk": objects["open_cycle"]}), follow=True
        )
        finder = FormFinder(page.request["PATH_INFO"])
        finder.feed(page.content.decode())
        for form in finder.forms:
            found[(form["method"], form["action"], tuple(sorted(form["fields"])))] = form | {
                "seen_by": {"anonymous"}
            }
    actions = {action for _, action, _ in found}
    missing = [part for part in MUST_FIND if not any(re.search(part, action) for action in actions)]
    assert not missing, f"forms not found on any page: {missing}; found {sorted(actions)}"
    return [found[key] for key in sorted(found) if "logout" not in key[1]]


def upload_for(form):
    """A file for a form's file field: a table of hostile cells under a real or broken header."""
    from clinlead.analytics.metric_series import COLUMNS as FIGURES
    from clinlead.org.hr_format import COLUMN_NAMES as HR

    header = st.sampled_from(
        [list(HR), list(FIGURES), ["organisation", "organisation"], ["", "x"], []]
    )
    return header.flatmap(
        lambda h: st.tuples(
            st.just(h),
            table_cells(len(h)),
            st.sampled_from(["upload.csv", "upload.xlsx", "upload.txt", "upload.pdf"]),
        )
    )


def _file(header, rows, filename):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = xlsx_bytes(header, rows) if filename.endswith(".xlsx") else csv_bytes(header, rows)
    return SimpleUploadedFile(filename, content)


@settings(
    max_examples=EXAMPLES_PER_KIND,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
    report_multiple_bugs=False,
)
@given(data=st.data())
def _fill(data, client, form, kind, sessions, counter):
    role = data.draw(
        st.one_of(st.sampled_from(sorted(form["seen_by"])), st.sampled_from(ROLES)), label="role"
    )
    values = {}
    for name, field in form["fields"].items():
        if name in form["files"]:
            values[name] = _file(*data.draw(upload_for(form), label=name))
        else:
            values[name] = data.draw(value_for(field, kind), label=name)
    counter[0] += 1
    sign_in(client, role, sessions)
    with rolled_back():
        if form["method"] == "post":
            before = row_counts()
            response = client.post(form["action"], values)
            if response.status_code >= 400 or response.status_code == 200:
                assert_nothing_half_written(
                    before, row_counts(), what=f"POST {form['action']} as {role}"
                )
        else:
            response = client.get(
                form["action"], {k: v for k, v in values.items() if isinstance(v, str)}
            )
    assert response.status_code < 500, (form["action"], role, values)


def test_every_form_as_every_role_answers_below_500_and_writes_nothing_when_refused(
    fuzz_db, forms_to_fill, client, request
):
    _, _, sessions = fuzz_db
    counter, failures = [0], []
    for form in forms_to_fill:
        for kind in KIND_STRATEGIES:
            try:
                _fill(client=client, form=form, kind=kind, sessions=sessions,
                      counter=counter)
            except Exception as exc:  # noqa: BLE001 - every failing form is listed, not just the first
                failures.append(
                    f"{form['method'].upper()} {form['action']} with {kind}: {type(exc).__name__}: "
                    f"{str(exc).splitlines()[0][:200] if str(exc) else ''}"
                )
    report_cases(request, counter[0])
    print(f"(form submissions over {len(forms_to_fill)} forms)")
    assert not failures, "\n".join(failures)
