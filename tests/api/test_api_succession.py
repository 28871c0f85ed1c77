"""The succession monitor's figures through the API are the monitor page's: the same bench
strength and risk, each key position's pool depth and risk by the risk list's rule, and pipeline
diversity only as the page shows it (published in the latest snapshot by the disclosure rule)."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder

from clinlead.accounts import api_tokens
from clinlead.org.models import Organisation, Unit
from tests.api.tokens import bearer, organisation_admin_only, token

MONITOR = "/api/succession/monitor/"


@pytest.fixture
def secret(demo):
    return token(scopes=["succession:read"], name="Board BI")[1]


def plain(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def test_the_monitor_needs_the_succession_scope(demo, client):
    _, secret = token(scopes=["leaderindex:read"])
    assert client.get(MONITOR, headers=bearer(secret)).status_code == 403
    assert client.get(MONITOR).status_code == 401


def test_only_someone_who_sees_the_monitor_gives_a_token_its_figures(demo):
    with pytest.raises(ValidationError, match="succession:read"):
        api_tokens.create_api_token(actor=organisation_admin_only(),
                                    organisation=Organisation.objects.get(slug="northgate"),
                                    name="BI", scopes=["succession:read"])


def test_the_figures_are_the_monitor_pages(demo, client, login, secret):
    body = client.get(MONITOR, headers=bearer(secret)).json()
    page = login("tara").get("/succession/northgate/")
    figures = page.context["f"]
    assert body["organisation"] == "northgate"
    assert body["bench"] == plain({k: figures["bench"][k] for k in body["bench"]})
    assert body["at_risk"] == figures["risk_count"] and body["vacant"] == figures["vacant_count"]
    assert body["holder_leaves"] == figures["leaving_count"]
    assert {t["months"]: t["count"] for t in body["terms_ending"]} == {
        int(m): n for m, n in figures["terms_ending"].items()}
    # Each key position once, and the ones at risk are the monitor's count.
    assert len(body["positions"]) == figures["bench"]["key_positions"]
    assert sum(1 for p in body["positions"] if p["at_risk"]) == figures["risk_count"]
    ready = sum(1 for p in body["positions"] if p["ready_now"] >= 1)
    assert ready == figures["bench"]["ready_now_1"]
    assert [s["day"] for s in body["trend"]] == [s.day.isoformat() for s in page.context["series"]]
    # Pipeline diversity exactly as the page shows it, and present in the demo's snapshot.
    assert body["diversity"] and body["diversity"] == plain(page.context["diversity"])
    assert body["diversity_as_of"] == page.context["latest"].day.isoformat()


def test_a_division_is_drilled_into_as_on_the_page_without_diversity(demo, client, login, secret):
    division = Unit.objects.filter(organisation__slug="northgate", depth=0).order_by("name").first()
    body = client.get(MONITOR, {"division": division.pk}, headers=bearer(secret)).json()
    page = login("tara").get(f"/succession/northgate/?division={division.pk}")
    assert body["division"] == division.path
    assert body["bench"]["key_positions"] == page.context["f"]["bench"]["key_positions"]
    assert body["at_risk"] == page.context["f"]["risk_count"]
    assert body["diversity"] is None and page.context["diversity"] is None


def test_a_token_sees_its_own_organisation_only(demo, client, secret):
    elsewhere = Unit.objects.filter(organisation__slug="riverside", depth=0).first()
    answer = client.get(MONITOR, {"division": elsewhere.pk}, headers=bearer(secret))
    assert answer.status_code == 404
    _, riverside = token(scopes=["succession:read"], slug="riverside", name="Riverside BI")
    northgate = Organisation.objects.get(slug="northgate")
    northgate_ids = set(northgate.positions.values_list("pk", flat=True))
    body = client.get(MONITOR, headers=bearer(riverside)).json()
    assert body["organisation"] == "riverside"
    assert not {p["id"] for p in body["positions"]} & northgate_ids
