"""Clinlead's API for BI tools and HR systems (docs/api.md), built with django-ninja: typed
pydantic schemas and the OpenAPI schema (published at /api/schema/, its snapshot committed as
docs/api/openapi.json) come from the same code.

It sits with the site's modules (settings, urls, cli) because it puts parts together: tokens
from accounts, the HR import from org, figures from leaderindex, succession and evaluation.
One module per domain; the endpoints are thin and the rules stay in each domain's services,
selectors and the disclosure module.

- Authentication: `Authorization: Bearer <token>`, an organisation's token; a signed-in browser
  session does not count (401 without a token, whoever is signed in).
- Scopes: a token without the endpoint's scope gets 403.
- Rate limit: CLINLEAD_API_REQUESTS_PER_MINUTE per token (fixed one-minute windows in the shared
  cache); past it, 429 with Retry-After (seconds to the next window).
- Another organisation's object, or one not published, is 404: a token sees its own
  organisation only.
"""

from clinlead.api import evaluation, hr, leaderindex, succession
from clinlead.api.core import api

api.add_router("/leader-index/", leaderindex.router)
api.add_router("/hr/", hr.router)
api.add_router("/succession/", succession.router)
api.add_router("/evaluations/", evaluation.router)

__all__ = ["api"]
