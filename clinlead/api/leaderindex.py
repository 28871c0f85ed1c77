"""The published leader-index figures (docs/api.md): the rules are in
`leaderindex.selectors_bi`; these endpoints only check the scope and the organisation."""

from datetime import date

from ninja import Router, Schema
from ninja.errors import HttpError

from clinlead.api.core import ERRORS, require_scope
from clinlead.leaderindex import selectors_bi

router = Router()


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


@router.get("/cycles/", response={200: list[Cycle], **ERRORS},
         url_name="leaderindex_cycles", operation_id="list_published_cycles")
def leader_index_cycles(request):
    """The token's organisation's published survey cycles, oldest first."""
    require_scope(request, "leaderindex:read")
    return [{"id": c.pk, "name": c.name, "opens_on": c.opens_on, "closes_on": c.closes_on}
            for c in selectors_bi.published_cycles(organisation=request.auth.organisation)]


@router.get("/cycles/{cycle_id}/summary/", response={200: LeaderIndexSummary, **ERRORS},
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
