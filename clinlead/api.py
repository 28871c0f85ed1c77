"""Clinlead's API for BI tools and HR systems (docs/api.md), built with django-ninja: typed
pydantic schemas and the OpenAPI schema (published at /api/schema/) come from the same code.

It sits with the site's modules (settings, urls, cli) because it puts parts together: tokens
from accounts, figures from leaderindex. The endpoints are thin; the rules live in
`accounts.api_tokens` (tokens and scopes) and `leaderindex.selectors_bi` (what is published).

- Authentication: `Authorization: Bearer <token>`, an organisation's token; a signed-in browser
  session does not count (401 without a token, whoever is signed in).
- Scopes: a token without the endpoint's scope gets 403.
- Rate limit: CLINLEAD_API_REQUESTS_PER_MINUTE per token (fixed one-minute windows in the shared
  cache); past it, 429 with Retry-After (seconds to the next window).
- Another organisation's cycle, or one not published, is 404: a token sees its own organisation
  only.
"""

import math
import time
from datetime import date

from django.conf import settings
from django.core.cache import cache
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer

from clinlead.accounts import api_tokens
from clinlead.leaderindex import selectors_bi

DEFAULT_REQUESTS_PER_MINUTE = 120
WINDOW_SECONDS = 60


def _now() -> float:
    return time.time()


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many requests; retry after {retry_after} s")
        self.retry_after = retry_after


def check_rate(token) -> None:
    """Count this request in the token's current window; RateLimited past the limit."""
    limit = getattr(settings, "CLINLEAD_API_REQUESTS_PER_MINUTE", DEFAULT_REQUESTS_PER_MINUTE)
    now = _now()
    window = int(now // WINDOW_SECONDS)
    key = f"clinlead-api-rate:{token.pk}:{window}"
    cache.add(key, 0, timeout=2 * WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add and incr: this request starts the window
        cache.set(key, 1, timeout=2 * WINDOW_SECONDS)
        count = 1
    if count > limit:
        raise RateLimited(max(1, math.ceil((window + 1) * WINDOW_SECONDS - now)))


class OrganisationToken(HttpBearer):
    def authenticate(self, request, token):
        found = api_tokens.token_for(secret=token)
        if found is not None:
            check_rate(found)
        return found


api = NinjaAPI(
    title="Clinlead API", version="1", urls_namespace="api", auth=OrganisationToken(),
    description="Published figures for BI tools. See docs/api.md.",
    # The schema is the contract and holds no data: anyone may read it. No docs page: it would
    # load Swagger UI's scripts from a CDN, which the content security policy forbids.
    openapi_url="/schema/", docs_url=None,
)


@api.exception_handler(RateLimited)
def too_many_requests(request, exc):
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def require_scope(request, scope):
    if scope not in request.auth.scopes:
        raise HttpError(403, f"This token lacks the scope {scope}")


class Error(Schema):
    detail: str


class Cycle(Schema):
    id: int
    name: str
    opens_on: date
    closes_on: date


class OrganisationFigures(Schema):
    respondents: int | None
    index: float | None
    some_answers_counted_higher_up: bool
    invited: int | None
    responded: int | None
    leaders_published: int


class UnitFigures(Schema):
    unit: str
    respondents: int
    index: float
    ci95: list[float] | None
    behaviours: dict[str, float | None]
    some_answers_counted_higher_up: bool


class LeaderFigures(Schema):
    staff_number: str
    name: str
    respondents: int
    index: float
    ci95: list[float] | None
    percentile: float | None
    behaviours: dict[str, float | None]


class LeaderIndexSummary(Schema):
    cycle_id: int
    cycle: str
    organisation: str
    min_responses: int
    organisation_figures: OrganisationFigures
    units: list[UnitFigures]
    leaders: list[LeaderFigures] | None


ERRORS = {401: Error, 403: Error, 404: Error, 429: Error}


@api.get("/leader-index/cycles/", response={200: list[Cycle], **ERRORS},
         url_name="leaderindex_cycles", operation_id="list_published_cycles")
def leader_index_cycles(request):
    """The token's organisation's published survey cycles, oldest first."""
    require_scope(request, "leaderindex:read")
    return [{"id": c.pk, "name": c.name, "opens_on": c.opens_on, "closes_on": c.closes_on}
            for c in selectors_bi.published_cycles(organisation=request.auth.organisation)]


@api.get("/leader-index/cycles/{cycle_id}/summary/", response={200: LeaderIndexSummary, **ERRORS},
         url_name="leaderindex_summary", operation_id="get_leader_index_summary")
def leader_index_summary(request, cycle_id: int):
    """A published cycle's leader-index figures: the organisation's, each unit's and, with the
    scope leaderindex:leaders:read, each leader's (else `leaders` is null). Only figures the
    pages publish; a behaviour held back (fewer than the threshold answered) is null."""
    require_scope(request, "leaderindex:read")
    cycle = selectors_bi.published_cycle(organisation=request.auth.organisation, pk=cycle_id)
    if cycle is None:
        raise HttpError(404, "No published cycle with that id at this organisation")
    return selectors_bi.leader_index_summary(
        cycle=cycle, with_leaders="leaderindex:leaders:read" in request.auth.scopes)
