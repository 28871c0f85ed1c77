"""`clinlead load-framework` with files no one should load: each refused whole with the reason."""

import json

import pytest
from django.core.management import CommandError, call_command

from clinlead.development.frameworks import FRAMEWORK_DIR
from clinlead.development.models import Framework
from clinlead.org.models import Organisation

pytestmark = pytest.mark.django_db


def example(**changes):
    data = json.loads((FRAMEWORK_DIR / "example-organisation-framework.json").read_text())
    return data | changes


@pytest.fixture
def trust():
    return Organisation.objects.create(name="Test Trust", slug="test-trust")


def load(tmp_path, text):
    path = tmp_path / "framework.json"
    path.write_text(text)
    call_command("load_framework", str(path), "--organisation", "test-trust")


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"levels": ["Novice", "L" * 5000]}, "level 2 is longer than 100 characters"),
        (
            {"dimensions": [{"code": f"d{i}", "name": f"D {i}"} for i in range(20_000)]},
            "20,000 dimensions",
        ),
        (
            {"dimensions": [{"code": "a", "name": "Lead\x00s"}]},
            'dimension 1: "name" contains a control character',
        ),
        ({"dimensions": [{"code": "a", "name": "=HYPERLINK(1)"}]}, "would read as a formula"),
        ({"name": "Values\u202e"}, '"name" contains a hidden direction-changing character'),
    ],
)
def test_oversized_or_garbage_names_are_refused(trust, tmp_path, changes, says):
    with pytest.raises(CommandError, match=says):
        load(tmp_path, json.dumps(example(**changes)))
    assert not Framework.objects.filter(organisation=trust).exists()


def test_deeply_nested_json_is_refused_without_a_traceback(trust, tmp_path):
    """Issue 13's finding. Checked against 4d4ae8e, the commit before the fix (598122e): the
    100,000-deep array ended in RecursionError from json's decoder (a traceback), and the
    30-deep value was loaded without complaint; each half fails there on its own."""
    with pytest.raises(CommandError, match="nested more than"):
        load(tmp_path, "[" * 100_000 + "]" * 100_000)
    with pytest.raises(CommandError, match="nested more than"):
        deep = "deep"
        for _ in range(30):
            deep = [deep]
        load(tmp_path, json.dumps(example(extra=deep)))
