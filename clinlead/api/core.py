"""The API's foundation (docs/api.md): the NinjaAPI, authentication by organisation token,
scopes, the rate limit and the error shape every endpoint shares.

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

from django.conf import settings
from django.core.cache import cache
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer

from clinlead.accounts import api_tokens

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
    description="Published figures for BI tools and the HR extract upload. See docs/api.md.",
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


ERRORS = {401: Error, 403: Error, 404: Error, 429: Error}
