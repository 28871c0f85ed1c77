"""The stored evaluation results (docs/api.md): what the evaluation report shows, from
`evaluation.robustness.report_as_shown` (estimates, intervals and the report's own words, a
secondary outcome's verdict after Holm's adjustment); nothing is computed here. A token reads
the evaluations its organisation takes part in."""

from datetime import datetime

from ninja import Router, Schema
from ninja.errors import HttpError

from clinlead.api.core import ERRORS, require_scope
from clinlead.evaluation import robustness, selectors

router = Router()
SCOPE = "evaluation:read"


class EvaluationListed(Schema):
    id: int
    name: str
    organiser: str
    pilots: int
    comparators: int


class MetricFigures(Schema):
    metric: str
    label: str
    unit: str
    higher_is_better: bool
    primary: bool
    estimated: bool
    stale: bool
    reason: str
    estimate: float | None
    ci95: list[float | None] | None
    verdict: str | None
    verdict_before_adjustment: str | None
    holm_adjusted_p: float | None
    summary: str | None
    change: str | None
    p_value_randomisation: float | None
    pretrend_p: float | None
    observations: int
    pilots: int | None
    comparators: int | None


class EvaluationResults(Schema):
    id: int
    name: str
    question: str
    verdict: str
    stale: bool
    computed_at: datetime | None
    pilots: list[str]
    comparators: list[str]
    metrics: list[MetricFigures]
    caveats: list[str]


def _metric(m) -> dict:
    metric, r = m["metric"], m["result"] if m["estimated"] else None
    return {
        "metric": metric.name, "label": metric.label, "unit": metric.unit,
        "higher_is_better": metric.direction == metric.Direction.HIGHER,
        "estimated": m["estimated"], "stale": m["stale"], "reason": m["reason"],
        "estimate": r["estimate"] if r else None, "ci95": list(r["ci95"]) if r else None,
        "primary": m.get("role") == robustness.PRIMARY, "verdict": m.get("verdict"),
        "verdict_before_adjustment": m.get("raw_verdict", m.get("verdict")),
        "holm_adjusted_p": m.get("adjusted_p"), "summary": m.get("summary"),
        "change": m.get("change_text"),
        "p_value_randomisation": r.get("p_value_randomisation") if r else None,
        "pretrend_p": r.get("pretrend_p") if r else None, "observations": m["observations"],
        "pilots": r.get("n_pilots") if r else None,
        "comparators": r.get("n_comparators") if r else None,
    }


@router.get("/", response={200: list[EvaluationListed], **ERRORS},
            url_name="evaluation_list", operation_id="list_evaluations")
def evaluation_list(request):
    """The evaluations the token's organisation takes part in (as organiser, pilot or
    comparator)."""
    require_scope(request, SCOPE)
    taking_part = selectors.evaluations_for(organisation=request.auth.organisation)
    return [{"id": e.pk, "name": e.name, "organiser": e.organisation.slug, "pilots": e.pilots,
             "comparators": e.comparators} for e in taking_part.order_by("name", "pk")]


@router.get("/{evaluation_id}/results/", response={200: EvaluationResults, **ERRORS},
            url_name="evaluation_results", operation_id="get_evaluation_results")
def evaluation_results(request, evaluation_id: int):
    """An evaluation's stored results as its report shows them: per metric the estimate, its 95 %
    interval (randomisation), the verdict (better, worse or unclear) and the report's sentence;
    and the board's one-paragraph verdict. `stale`: the data or design changed since."""
    require_scope(request, SCOPE)
    taking_part = selectors.evaluations_for(organisation=request.auth.organisation)
    evaluation = taking_part.filter(pk=evaluation_id).first()
    if evaluation is None:
        raise HttpError(404, "No evaluation with that id that this organisation takes part in")
    data = robustness.report_as_shown(evaluation=evaluation)
    return {"id": evaluation.pk, "name": evaluation.name, "question": evaluation.question,
            "verdict": data["verdict"], "stale": data["stale"], "computed_at": data["computed_at"],
            "pilots": [p.name for p in data["pilots"]],
            "comparators": [p.name for p in data["comparators"]],
            "metrics": [_metric(m) for m in data["metrics"]], "caveats": data["caveats"]}
