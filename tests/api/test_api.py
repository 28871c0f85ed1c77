"""The API: organisation tokens with scopes, what the leader-index summary publishes, and the
rate limit (docs/api.md)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from clinlead.accounts import api_tokens
from clinlead.accounts.models import ApiToken, User
from clinlead.audit.models import AuditEvent
from clinlead.leaderindex.models import CycleResult, LeaderResult, UnitResult
from clinlead.org.models import Organisation
from clinlead.surveys.models import SurveyCycle

SUMMARY = "/api/leader-index/cycles/{}/summary/"


def published_cycles(slug="northgate"):
    return SurveyCycle.objects.filter(organisation__slug=slug, status=SurveyCycle.Status.PUBLISHED)


def published(slug="northgate"):
    return published_cycles(slug).first()


def token(*, scopes=("leaderindex:read",), slug="northgate", name="Power BI"):
    admin = User.objects.get(username="admin")
    organisation = Organisation.objects.get(slug=slug)
    return api_tokens.create_api_token(actor=admin, organisation=organisation, name=name,
                                       scopes=list(scopes))


def call(client, url, secret):
    return client.get(url, headers={"Authorization": f"Bearer {secret}"})


def test_only_a_digest_of_the_token_is_stored_and_its_creation_is_audited(demo):
    stored, secret = token()
    assert secret not in str(ApiToken.objects.filter(pk=stored.pk).values().get())
    assert stored.digest == api_tokens.digest_of(secret)
    event = AuditEvent.objects.get(action="accounts.api_token_created")
    assert event.after == {"name": "Power BI", "scopes": ["leaderindex:read"]}
    assert secret not in str(event.after) + event.object_repr


def test_only_an_organisation_admin_or_superuser_creates_a_token(demo):
    northgate = Organisation.objects.get(slug="northgate")
    with pytest.raises(PermissionDenied):
        api_tokens.create_api_token(actor=User.objects.get(username="tara"), organisation=northgate,
                                    name="BI", scopes=["leaderindex:read"])
    assert not ApiToken.objects.exists()


def test_unknown_scopes_are_refused(demo):
    with pytest.raises(ValidationError, match="leaderindex:write"):
        token(scopes=["leaderindex:write"])


def test_the_command_prints_the_token_once_and_refuses_a_non_admin(demo, capsys):
    create = ["create_api_token", "northgate", "--scope", "leaderindex:read", "--by"]
    call_command(*create, "admin", "Power BI")
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert api_tokens.token_for(secret=secret).name == "Power BI"
    with pytest.raises(CommandError, match="organisation admin"):
        call_command(*create, "bob", "Other")


def test_the_revoke_command_ends_a_token_with_its_audit_event(demo, client):
    _, secret = token()
    call_command("revoke_api_token", "northgate", "Power BI", "--by", "admin")
    assert call(client, "/api/leader-index/cycles/", secret).status_code == 401
    assert AuditEvent.objects.get(action="accounts.api_token_revoked").after == {"revoked": True}
    with pytest.raises(CommandError, match="no live API token"):
        call_command("revoke_api_token", "northgate", "Power BI", "--by", "admin")


def test_a_summary_needs_a_live_token_with_the_scope(demo, client):
    cycle = published()
    url = SUMMARY.format(cycle.pk)
    assert client.get(url).status_code == 401
    assert call(client, url, "clinlead_not-a-token").status_code == 401
    stored, secret = token()
    assert call(client, url, secret).status_code == 200
    api_tokens.revoke_api_token(actor=User.objects.get(username="admin"), token=stored)
    assert call(client, url, secret).status_code == 401
    _, without_scope = token(scopes=["leaderindex:leaders:read"], name="Leaders only")
    assert call(client, url, without_scope).status_code == 403


def test_a_token_sees_its_own_organisation_only(demo, client):
    _, secret = token(slug="northgate")
    elsewhere = SurveyCycle.objects.exclude(organisation__slug="northgate").filter(
        status=SurveyCycle.Status.PUBLISHED).first()
    assert elsewhere is not None
    assert call(client, SUMMARY.format(elsewhere.pk), secret).status_code == 404
    listed = call(client, "/api/leader-index/cycles/", secret).json()
    assert {c["id"] for c in listed} == set(published_cycles().values_list("pk", flat=True))


def test_the_summary_holds_the_published_figures_and_nothing_below_the_threshold(demo, client):
    cycle = published()
    _, secret = token()
    body = call(client, SUMMARY.format(cycle.pk), secret).json()
    result = CycleResult.objects.get(cycle=cycle)
    assert body["organisation_figures"]["index"] == result.index
    assert body["organisation_figures"]["respondents"] == result.responses
    assert {u["unit"]: u["index"] for u in body["units"]} == {
        r.unit.path: r.index for r in UnitResult.objects.filter(cycle=cycle)}
    assert body["units"], "the demo's cycle publishes unit figures"
    assert all(u["respondents"] >= body["min_responses"] for u in body["units"])
    # Leaders are named, so they need their own scope.
    assert body["leaders"] is None
    _, with_leaders = token(scopes=["leaderindex:read", "leaderindex:leaders:read"], name="HR BI")
    leaders = call(client, SUMMARY.format(cycle.pk), with_leaders).json()["leaders"]
    assert {row["staff_number"] for row in leaders} == set(
        LeaderResult.objects.filter(cycle=cycle).values_list("leader__staff_number", flat=True))
    assert all(row["respondents"] >= body["min_responses"] for row in leaders)


def test_past_the_rate_limit_a_token_gets_429_with_retry_after(demo, client, settings, monkeypatch):
    settings.CLINLEAD_API_REQUESTS_PER_MINUTE = 3
    # 20 s into a window, held there: the calls below cannot straddle two windows.
    monkeypatch.setattr("clinlead.api.core._now", lambda: 1_800_000_000.0 + 20)
    _, secret = token()
    _, other = token(name="Another tool")
    answers = [call(client, "/api/leader-index/cycles/", secret) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1]["Retry-After"] == "40"
    # The limit is per token: another token still gets through.
    assert call(client, "/api/leader-index/cycles/", other).status_code == 200


def test_the_page_shows_a_new_token_once_and_revokes_it(demo, login):
    page = login("admin")
    url = "/accounts/northgate/api-tokens/"
    # Found from the Roles page.
    assert url in page.get("/accounts/northgate/roles/").content.decode()
    created = page.post(url, {"name": "Power BI", "scopes": ["leaderindex:read"]})
    secret = created.context["secret"]
    assert secret in created.content.decode() and created["Cache-Control"] == "no-store"
    assert secret not in page.get(url).content.decode()
    stored = api_tokens.token_for(secret=secret)
    assert stored.created_by.username == "admin"
    page.post(f"{url}{stored.pk}/revoke/")
    assert api_tokens.token_for(secret=secret) is None
    revoked = AuditEvent.objects.filter(action="accounts.api_token_revoked")
    assert revoked.filter(actor__username="admin").exists()
