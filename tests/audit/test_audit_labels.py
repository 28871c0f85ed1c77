"""The audit log speaks in words: every action recorded anywhere in Clinlead's code has a label,
and recorded values read as values (metric names, lists joined, Yes/No), not as Python."""

import ast
from pathlib import Path

from django.db import transaction
from django.urls import reverse

from clinlead.audit import labels
from clinlead.audit import services as audit
from clinlead.org.models import Organisation

PACKAGE = Path(__file__).resolve().parents[2] / "clinlead"


def _strings(nodes):
    return [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def action_names_in_the_code():
    """Every string given as an audit action: an `action=` argument, an `action` parameter's
    default, or a value assigned to a variable `action` (argparse's "store_true" and the like
    have no dot, and are not audit actions)."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                names.update(_strings(k.value for k in node.keywords if k.arg == "action"))
            elif isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "action" for t in node.targets):
                names.update(_strings([node.value]))
            elif isinstance(node, ast.FunctionDef):
                args = node.args
                positional = args.posonlyargs + args.args
                defaulted = positional[len(positional) - len(args.defaults):]
                pairs = list(zip(defaulted, args.defaults, strict=True))
                pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                          if d is not None]
                names.update(_strings(d for a, d in pairs if a.arg == "action"))
    return {name for name in names if "." in name}


def test_the_code_records_the_actions_this_test_knows_to_look_for():
    found = action_names_in_the_code()
    # The three ways an action is named in the code are all seen.
    assert {"succession.candidate_nominated", "leaderindex.cycle_published",
            "selection.ballot_extended", "surveys.cycle_closed"} <= found


def test_every_audit_action_in_the_code_has_a_label():
    missing = sorted(action_names_in_the_code() - set(labels.ACTION_LABELS))
    assert missing == [], f"add a label in clinlead/audit/labels.py for {missing}"


def test_values_read_as_words():
    assert labels.value_text("metrics", ["hsmr"]) == "Hospital standardised mortality ratio (HSMR)"
    assert labels.value_text("metrics", ["hsmr", "turnover_pct"]).count(", ") == 1
    assert labels.value_text("allow_self_nomination", True) == "Yes"
    assert labels.value_text("full_extract", False) == "No"
    assert labels.value_text("starts", "2027-04-01") == "1 April 2027"
    assert labels.details(before={"readiness": "1_2_years"}, after={"readiness": "ready_now"}) == [
        ("Readiness", "ready_now (was 1_2_years)")]


def test_the_audit_log_shows_the_label_and_readable_values(demo, login):
    northgate = Organisation.objects.get(slug="northgate")
    with transaction.atomic():
        audit.record(actor=None, label="Labels Test", action="succession.candidate_nominated",
                     organisation=northgate, after={"metrics": ["hsmr"], "emailed": True})
    page = login("aude").get(reverse("audit:log", kwargs={"slug": "northgate"}),
                             {"actor": "Labels Test"}).content.decode()
    assert ">Candidate nominated to a succession pool<" in page
    assert f"Metrics: {labels.METRICS['hsmr'].label}" in page and "Emailed: Yes" in page
    assert "['hsmr']" not in page and "<code>succession.candidate_nominated</code>" not in page


def test_the_auditor_finds_events_by_the_words_of_their_label(demo, login):
    northgate = Organisation.objects.get(slug="northgate")
    with transaction.atomic():
        audit.record(actor=None, label="Labels Test", action="succession.candidate_nominated",
                     organisation=northgate)
    page = login("aude").get(reverse("audit:log", kwargs={"slug": "northgate"}),
                             {"action": "succession pool", "actor": "Labels Test"}).content.decode()
    assert ">Candidate nominated to a succession pool<" in page and "1 event<" in page
