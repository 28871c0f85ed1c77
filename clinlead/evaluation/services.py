"""Evaluation actions: set up an evaluation, add a metric, import figures, take the leader
index from published cycles, and recompute results when the design or the data changed.

Each action runs in its own durable transaction with its audit event. Figures are
organisation-level, never about a person; even so the audit trail records counts, not values.
"""

import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone

from clinlead import actions
from clinlead.analytics.metric_series import (
    MAX_PROBLEMS_SHOWN,
    MetricSeriesError,
    Problem,
    read_metric_series,
)
from clinlead.analytics.periods import PeriodError, describe_granularity, parse_period
from clinlead.audit import services as audit
from clinlead.evaluation import charts, preregistration
from clinlead.evaluation.analysis import analyse_metric, current_fingerprints
from clinlead.evaluation.models import (
    LEADER_INDEX,
    Evaluation,
    EvaluationOrganisation,
    Metric,
    MetricResult,
    Observation,
)

UPLOAD_SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class Participant:
    """An organisation as the set-up names it; `organisation` links a Clinlead organisation."""

    name: str
    role: str
    start: str = ""
    code: str = ""
    organisation: object = None


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    created: int
    updated: int
    unchanged: int
    metrics: list


class ObservationFileError(ValidationError):
    """A file that cannot be imported; `problems` lists every (row, column, value, reason)."""

    def __init__(self, *, filename, problems=(), message=""):
        self.filename = filename
        self.problems = list(problems)
        self.total = len(self.problems)
        count = f"{self.total} problem{'' if self.total == 1 else 's'}"
        super().__init__(message or f"{filename}: {count} found; nothing was written")

    @property
    def shown(self):
        return self.problems[:MAX_PROBLEMS_SHOWN]


# --------------------------------------------------------------------------- set-up


def create_evaluation(*, actor, organisation, name, question="", metrics, participants, leads=6, lags=12):
    """A new evaluation set up by `organisation` (which takes part in it)."""
    cleaned = _check_design(name=name, metrics=metrics, participants=participants, leads=leads, lags=lags)
    if Evaluation.objects.filter(organisation=organisation, name__iexact=name.strip()).exists():
        raise ValidationError(f"{organisation} already has an evaluation called {name.strip()!r}")
    with actions.atomic():
        evaluation = _create(organisation=organisation, name=name, question=question, metrics=metrics,
                             participants=cleaned, leads=leads, lags=lags)
        audit.record(actor=actor, action="evaluation.created", obj=evaluation, after=_design_summary(evaluation))
    recompute_results(actor=actor, evaluation=evaluation)
    return evaluation


def _create(*, organisation, name, question, metrics, participants, leads=6, lags=12, permutations=499):
    evaluation = Evaluation.objects.create(organisation=organisation, name=name.strip(), question=question.strip(),
                                           leads=leads, lags=lags, permutations=permutations)
    evaluation.metrics.set(metrics)
    EvaluationOrganisation.objects.bulk_create([
        EvaluationOrganisation(evaluation=evaluation, name=p.name, code=p.code, organisation=p.organisation,
                               role=p.role, start=p.start) for p in participants])
    _sync_leader_index(evaluation)
    return evaluation


def update_evaluation(*, actor, evaluation, name, question="", metrics, participants, leads=6, lags=12):
    """Change the set-up. Organisations are matched by name: a removed one loses its figures."""
    cleaned = _check_design(name=name, metrics=metrics, participants=participants, leads=leads, lags=lags)
    preregistration.check_primary_still_followed(evaluation=evaluation, metrics=metrics)
    if Evaluation.objects.filter(organisation=evaluation.organisation, name__iexact=name.strip()).exclude(
            pk=evaluation.pk).exists():
        raise ValidationError(f"{evaluation.organisation} already has an evaluation called {name.strip()!r}")
    with actions.atomic():
        before = _design_summary(evaluation)
        evaluation.name, evaluation.question = name.strip(), question.strip()
        evaluation.leads, evaluation.lags = leads, lags
        evaluation.save(update_fields=["name", "question", "leads", "lags"])
        evaluation.metrics.set(metrics)
        existing = {p.name.casefold(): p for p in evaluation.organisations.all()}
        wanted = {p.name.casefold(): p for p in cleaned}
        removed = [p for key, p in existing.items() if key not in wanted]
        EvaluationOrganisation.objects.filter(pk__in=[p.pk for p in removed]).delete()
        for key, p in wanted.items():
            row = existing.get(key) or EvaluationOrganisation(evaluation=evaluation)
            row.name, row.code, row.organisation, row.role, row.start = p.name, p.code, p.organisation, p.role, p.start
            row.save()
        MetricResult.objects.filter(evaluation=evaluation).exclude(metric__in=metrics).delete()
        _sync_leader_index(evaluation)
        audit.record(actor=actor, action="evaluation.updated", obj=evaluation, before=before,
                     after=_design_summary(evaluation) | {"organisations_removed": [p.name for p in removed]})
    recompute_results(actor=actor, evaluation=evaluation)
    return evaluation


def _check_design(*, name, metrics, participants, leads, lags):
    errors = []
    if not name or not name.strip():
        errors.append("Give the evaluation a name")
    if not metrics:
        errors.append("Choose at least one metric to follow")
    if leads < 1 or lags < 0:
        errors.append("The event study needs at least 1 period before the start and 0 or more after")
    cleaned, names, codes, linked = [], set(), set(), set()
    for p in participants:
        label = p.name.strip()
        if not label:
            errors.append("Every organisation needs a name")
            continue
        if label.casefold() in names:
            errors.append(f"{label!r} is named twice")
        names.add(label.casefold())
        code = p.code.strip()
        if code and code.casefold() in codes:
            errors.append(f"The code {code!r} is given to two organisations")
        codes.add(code.casefold())
        if p.organisation is not None:
            if p.organisation.pk in linked:
                errors.append(f"{p.organisation} takes part twice")
            linked.add(p.organisation.pk)
        start = ""
        if p.role == EvaluationOrganisation.Role.PILOT:
            try:
                start = parse_period(text=p.start).label
            except PeriodError as exc:
                errors.append(f"Start of {label!r}: {exc}")
        cleaned.append(Participant(name=label, role=p.role, start=start, code=code, organisation=p.organisation))
    roles = {p.role for p in participants}
    if EvaluationOrganisation.Role.PILOT not in roles:
        errors.append("Name at least one pilot organisation with its start")
    if EvaluationOrganisation.Role.COMPARATOR not in roles:
        errors.append("Name at least one comparison organisation")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _design_summary(evaluation):
    roles = list(evaluation.organisations.values_list("role", "name", "start"))
    return {"name": evaluation.name, "metrics": sorted(evaluation.metrics.values_list("name", flat=True)),
            "pilots": {name: start for role, name, start in roles if role == "pilot"},
            "comparators": sorted(name for role, name, _ in roles if role == "comparator")}


def add_metric(*, actor, organisation, name, label, definition, unit, direction, source=""):
    """A metric of the organisation's own, for any evaluation to follow."""
    name = name.strip()
    if Metric.objects.filter(name__iexact=name).exists():
        raise ValidationError(f"There is already a metric called {name!r}: use it, or choose another name")
    if direction not in Metric.Direction.values:
        raise ValidationError("Say whether higher or lower is better")
    with actions.atomic():
        metric = Metric.objects.create(name=name, label=label.strip(), definition=definition.strip(),
                                       unit=unit.strip(), direction=direction, source=source.strip(),
                                       organisation=organisation)
        audit.record(actor=actor, action="evaluation.metric_added", obj=metric, organisation=organisation,
                     after={"name": name, "label": metric.label, "unit": metric.unit, "direction": direction})
    return metric


# --------------------------------------------------------------------------- figures


def import_observations(*, actor, evaluation, content: bytes, filename: str,
                        precomputed: dict | None = None, drawn: dict | None = None) -> ImportSummary:
    """Check every row of a CSV or Excel file (organisation, period, metric, value, optionally
    exposure), then add or replace the figures by (organisation, period, metric), all or nothing;
    recompute results (`precomputed`, `drawn`: see `recompute_results`)."""
    observations, problems = _read(content=content, filename=filename)
    rows = _match(evaluation=evaluation, observations=observations, filename=filename, problems=problems)
    with actions.atomic():
        summary = _upsert(evaluation=evaluation, rows=rows)
        audit.record(actor=actor, action="evaluation.figures_imported", obj=evaluation,
                     after={"file": Path(filename).name[:200], "rows": summary.rows, "created": summary.created,
                            "updated": summary.updated, "unchanged": summary.unchanged,
                            "metrics": summary.metrics})
    recompute_results(actor=actor, evaluation=evaluation, precomputed=precomputed, drawn=drawn)
    return summary


def _read(*, content, filename):
    name = Path(filename).name or "upload.csv"
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        raise ObservationFileError(filename=name, message=f"{name}: the file must be a .csv or .xlsx file")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            return read_metric_series(path=path).observations, []
        except MetricSeriesError as exc:
            if not exc.problems:  # the file as a whole cannot be read: nothing more to check
                raise ObservationFileError(filename=name, message=str(exc)) from None
            # Rows with problems of their own; the rest are still checked against the evaluation,
            # so the file's every problem is reported at once.
            return exc.readable, exc.problems


def _match(*, evaluation, observations, filename, problems=()):
    """Each observation's participant and metric, or every problem of the file (`problems`, those
    found reading it, and those against the evaluation's names), in row order."""
    participants = list(evaluation.organisations.all())
    by_name = {p.name.casefold(): p for p in participants} | {p.code.casefold(): p for p in participants if p.code}
    followed = {m.name: m for m in evaluation.metrics.all()}
    known = set(Metric.objects.values_list("name", flat=True))
    stored = dict(Observation.objects.filter(participant__evaluation=evaluation).values_list(
        "metric__name", "granularity").distinct())
    problems, rows, seen = list(problems), [], {}
    for o in observations:
        row_problems = []
        participant = by_name.get(o.organisation.casefold())
        if participant is None:
            row_problems.append(Problem(o.row, "organisation", o.organisation,
                                        "not an organisation of this evaluation (the names and codes it accepts are listed below)"))
        metric = followed.get(o.metric)
        if o.metric == LEADER_INDEX:
            row_problems.append(Problem(o.row, "metric", o.metric, "the leader index is taken from Clinlead's "
                                        "published cycles and cannot be imported"))
        elif metric is None:
            reason = ("not followed by this evaluation: add it to the set-up first" if o.metric in known
                      else "not in the metric catalogue: add it to the catalogue, then to the set-up")
            row_problems.append(Problem(o.row, "metric", o.metric, reason))
        elif stored.get(o.metric, o.period.granularity) != o.period.granularity:
            row_problems.append(Problem(o.row, "period", o.period.label, f"this evaluation holds {o.metric!r} in "
                                        f"{describe_granularity(granularity=stored[o.metric])}; use one granularity per metric"))
        if participant is not None and metric is not None:
            key = (participant.pk, o.period.label, o.metric)
            if key in seen:
                row_problems.append(Problem(o.row, "", "", f"duplicate of row {seen[key]} (the same organisation, "
                                            "by name or code, period and metric)"))
            seen.setdefault(key, o.row)
        if row_problems:
            problems += row_problems
        else:
            rows.append((participant, metric, o))
    if problems:
        raise ObservationFileError(filename=Path(filename).name, problems=sorted(problems, key=lambda p: p.row))
    return rows


def _upsert(*, evaluation, rows):
    existing = {(o.participant_id, o.metric_id, o.period): o for o in Observation.objects.filter(
        participant__evaluation=evaluation, metric__in={m for _, m, _ in rows})}
    new, changed, unchanged = [], [], 0
    for participant, metric, o in rows:
        stored = existing.get((participant.pk, metric.pk, o.period.label))
        if stored is None:
            new.append(Observation(participant=participant, metric=metric, period=o.period.label, value=o.value,
                                   exposure=o.exposure, granularity=o.period.granularity, ordinal=o.period.ordinal))
        elif (stored.value, stored.exposure) != (o.value, o.exposure):
            # A row replaces the figure whole, so a blank exposure clears a stored one: without
            # it the value is the metric's own figure, not a count that exposure could divide.
            stored.value, stored.exposure = o.value, o.exposure
            changed.append(stored)
        else:
            unchanged += 1
    Observation.objects.bulk_create(new, batch_size=2000)
    Observation.objects.bulk_update(changed, ["value", "exposure"], batch_size=2000)
    return ImportSummary(rows=len(rows), created=len(new), updated=len(changed), unchanged=unchanged,
                         metrics=sorted({m.name for _, m, _ in rows}))


def sync_leader_index(*, actor, evaluation) -> int:
    """Take each Clinlead organisation's leader index from its published cycles; recompute."""
    with actions.atomic():
        count = _sync_leader_index(evaluation)
        audit.record(actor=actor, action="evaluation.leader_index_taken", obj=evaluation,
                     after={"published_cycles": count})
    recompute_results(actor=actor, evaluation=evaluation)
    return count


def _sync_leader_index(evaluation) -> int:
    """Observations of the leader index: one per published cycle with an organisation-wide index.

    Only `CycleResult.index` of a published cycle is used (a figure the suppression rule
    published); anything else held for the metric is removed.
    """
    from clinlead.leaderindex.models import CycleResult
    from clinlead.surveys.models import SurveyCycle

    metric = Metric.objects.filter(name=LEADER_INDEX).first()
    held = Observation.objects.filter(participant__evaluation=evaluation, metric__name=LEADER_INDEX)
    if metric is None or not evaluation.metrics.filter(pk=metric.pk).exists():
        held.delete()
        return 0
    linked = {p.organisation_id: p for p in evaluation.organisations.exclude(organisation=None)}
    published = CycleResult.objects.filter(
        cycle__organisation_id__in=linked, cycle__status=SurveyCycle.Status.PUBLISHED, index__isnull=False,
    ).select_related("cycle").order_by("cycle__opens_on")
    wanted = {}
    for result in published:
        closed = result.cycle.closes_on
        period = parse_period(text=f"{closed.year:04d}-{closed.month:02d}")
        participant = linked[result.cycle.organisation_id]
        wanted[(participant.pk, period.label)] = Observation(
            participant=participant, metric=metric, period=period.label, granularity=period.granularity,
            ordinal=period.ordinal, value=float(result.index), source=Observation.Source.LEADER_INDEX,
            cycle=result.cycle)
    held.delete()
    Observation.objects.bulk_create(wanted.values())
    return len(wanted)


# --------------------------------------------------------------------------- results


def recompute_results(*, actor, evaluation, force=False, precomputed: dict | None = None,
                      drawn: dict | None = None) -> list:
    """Analyse every metric whose design or data changed since its stored result (all if `force`).

    Reads and computes outside the transaction, then writes the results in one. `precomputed`
    ({fingerprint: result}) holds results already computed elsewhere for exactly a design and
    data (the demo ships them): a metric whose fingerprint is there takes that result instead
    of computing it; any other is computed. `drawn` ({drawing key: (trend SVG, event SVG)}, see
    `charts.drawing_key`) likewise holds charts drawn elsewhere; any other chart is drawn.
    """
    analyses = _analyses(evaluation=evaluation, force=force, precomputed=precomputed)
    _draw(evaluation=evaluation, analyses=analyses, drawn=drawn or {})
    with actions.atomic():
        _store(evaluation=evaluation, analyses=analyses)
        if analyses:
            audit.record(actor=actor, action="evaluation.results_computed", obj=evaluation,
                         after={"metrics": [a.metric.name for a in analyses],
                                "estimated": sum(a.status == MetricResult.Status.ESTIMATED for a in analyses)})
    return analyses


def _analyses(*, evaluation, force=False, precomputed=None):
    precomputed = precomputed or {}
    stored = dict(MetricResult.objects.filter(evaluation=evaluation).values_list("metric_id", "fingerprint"))
    now = current_fingerprints(evaluation=evaluation)
    return [analyse_metric(evaluation=evaluation, metric=metric, precomputed=precomputed.get(now[metric.pk]))
            for metric in evaluation.metrics.all() if force or stored.get(metric.pk) != now[metric.pk]]


def _draw(*, evaluation, analyses, drawn):
    """Each analysis' charts (a fifth of a second each, unless `drawn` has them), before the
    writing transaction."""
    starts = list(evaluation.organisations.filter(role=EvaluationOrganisation.Role.PILOT).values_list("start", flat=True))
    for a in analyses:
        record = MetricResult(metric=a.metric, result=a.result, trends=a.trends, fingerprint=a.fingerprint)
        shipped = drawn and drawn.get(charts.drawing_key(record, starts=starts))
        a.trend_svg, a.event_svg = shipped or (charts.trend_svg(record, starts=starts), charts.event_svg(record))
        charts.pdf_image(a.trend_svg), charts.pdf_image(a.event_svg)  # ready for the PDF


def _store(*, evaluation, analyses):
    when = timezone.now()
    for a in analyses:
        MetricResult.objects.update_or_create(evaluation=evaluation, metric=a.metric, defaults={
            "status": a.status, "result": a.result, "reason": a.reason, "trends": a.trends,
            "fingerprint": a.fingerprint, "computed_at": when, "trend_svg": a.trend_svg, "event_svg": a.event_svg})
    MetricResult.objects.filter(evaluation=evaluation).exclude(metric__in=evaluation.metrics.all()).delete()
