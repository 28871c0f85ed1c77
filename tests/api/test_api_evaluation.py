"""The evaluation results through the API are the report's: the stored estimates, intervals and
the report's words, for the evaluations the token's organisation takes part in only."""

import pytest
from django.core.exceptions import ValidationError

from clinlead.accounts import api_tokens
from clinlead.evaluation import selectors
from clinlead.evaluation.models import Evaluation
from clinlead.org.models import Organisation
from tests.api.tokens import bearer, organisation_admin_only, token

LIST = "/api/evaluations/"
RESULTS = "/api/evaluations/{}/results/"


@pytest.fixture
def secret(demo):
    return token(scopes=["evaluation:read"], name="Board BI")[1]


def test_the_results_need_the_evaluation_scope(demo, client):
    _, secret = token(scopes=["leaderindex:read"])
    assert client.get(LIST, headers=bearer(secret)).status_code == 403
    with pytest.raises(ValidationError, match="evaluation:read"):
        api_tokens.create_api_token(actor=organisation_admin_only(),
                                    organisation=Organisation.objects.get(slug="northgate"),
                                    name="BI", scopes=["evaluation:read"])


def test_the_results_are_the_reports(demo, client, login, secret):
    listed = client.get(LIST, headers=bearer(secret)).json()
    evaluation = Evaluation.objects.get(pk=listed[0]["id"])
    body = client.get(RESULTS.format(evaluation.pk), headers=bearer(secret)).json()
    report = login("erin").get(evaluation.get_absolute_url()).context
    assert body["verdict"] == report["verdict"] and body["stale"] == report["stale"]
    shown = {m["metric"].name: m for m in report["metrics"]}
    assert {m["metric"] for m in body["metrics"]} == set(shown)
    estimated = [m for m in body["metrics"] if m["estimated"]]
    assert estimated, "the demo's evaluation has estimates"
    for m in estimated:
        page = shown[m["metric"]]
        assert m["estimate"] == page["result"]["estimate"]
        assert m["ci95"] == list(page["result"]["ci95"])
        assert (m["verdict"], m["summary"], m["change"]) == (
            page["verdict"], page["summary"], page["change_text"])
        assert m["verdict"] in {"better", "worse", "unclear"}
    # The report's reading, not the raw estimate's: in the demo a secondary outcome's interval
    # excludes nought, but after Holm's adjustment the report reads it "unclear".
    adjusted = [m for m in estimated if m["verdict_before_adjustment"] != m["verdict"]]
    assert adjusted and all(m["verdict"] == "unclear" and not m["primary"] for m in adjusted)


def test_a_token_sees_the_evaluations_its_organisation_takes_part_in_only(demo, client, secret):
    outsider = Organisation.objects.create(name="Outside Trust", slug="outside")
    _, other = token(scopes=["evaluation:read"], slug="outside", name="Outside BI")
    assert not selectors.evaluations_for(organisation=outsider).exists()
    evaluation = Evaluation.objects.first()
    assert client.get(LIST, headers=bearer(other)).json() == []
    assert client.get(RESULTS.format(evaluation.pk), headers=bearer(other)).status_code == 404
    assert client.get(RESULTS.format(evaluation.pk), headers=bearer(secret)).status_code == 200
