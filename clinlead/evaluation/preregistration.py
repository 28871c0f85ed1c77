"""Pre-registration: an evaluation names its one primary outcome before results exist.

Actions (each in `actions.atomic()` with its audit event): name or change the primary outcome,
and lock it. Both are refused once it is locked or once any metric has an estimate, since a
primary outcome chosen after seeing results is not pre-registered. The report treats every
other metric as secondary (Holm-adjusted, see `clinlead.evaluation.multiplicity`).
"""

from django.core.exceptions import ValidationError
from django.utils import timezone

from clinlead import actions
from clinlead.audit import services as audit
from clinlead.evaluation.models import Evaluation, MetricResult, PrimaryOutcome


def results_exist(*, evaluation) -> bool:
    return MetricResult.objects.filter(evaluation=evaluation, status=MetricResult.Status.ESTIMATED).exists()


def primary_outcome_of(*, evaluation):
    return PrimaryOutcome.objects.filter(evaluation=evaluation).select_related(
        "metric", "registered_by", "locked_by").first()


def why_fixed(*, evaluation) -> str:
    """Why the primary outcome can no longer be named or changed ("" if it still can)."""
    registration = primary_outcome_of(evaluation=evaluation)
    if registration is not None and registration.is_locked:
        return "The primary outcome is locked: it can no longer change."
    if results_exist(evaluation=evaluation):
        return ("Results already exist, so a primary outcome named now would not be pre-registered; "
                + ("the one named before them stands." if registration else
                   "every outcome is treated as secondary."))
    return ""


def _fixed(evaluation):
    """Re-read under a row lock, so that two talent admins cannot both change it at once."""
    Evaluation.objects.select_for_update().filter(pk=evaluation.pk).first()
    if reason := why_fixed(evaluation=evaluation):
        raise ValidationError(reason)


def register_primary_outcome(*, actor, evaluation, metric, rationale=""):
    """Name (or, until locked and before any result, change) the evaluation's primary outcome."""
    if not evaluation.metrics.filter(pk=metric.pk).exists():
        raise ValidationError(f"{metric.label} is not a metric this evaluation follows")
    with actions.atomic():
        _fixed(evaluation)
        registration = primary_outcome_of(evaluation=evaluation)
        before = {"primary": registration.metric.name} if registration else None
        registration = registration or PrimaryOutcome(evaluation=evaluation)
        registration.metric, registration.rationale = metric, rationale.strip()
        registration.registered_by, registration.registered_at = actor, timezone.now()
        registration.save()
        audit.record(actor=actor, action="evaluation.primary_outcome_registered", obj=evaluation,
                     before=before, after={"primary": metric.name})
    return registration


def lock_primary_outcome(*, actor, evaluation):
    """Fix the primary outcome for good."""
    with actions.atomic():
        _fixed(evaluation)
        registration = primary_outcome_of(evaluation=evaluation)
        if registration is None:
            raise ValidationError("Name the primary outcome before locking it")
        registration.locked_by, registration.locked_at = actor, timezone.now()
        registration.save(update_fields=["locked_by", "locked_at"])
        audit.record(actor=actor, action="evaluation.primary_outcome_locked", obj=evaluation,
                     after={"primary": registration.metric.name})
    return registration


def check_primary_still_followed(*, evaluation, metrics):
    """A set-up change may not drop the pre-registered primary outcome from the metrics."""
    registration = primary_outcome_of(evaluation=evaluation)
    if registration is not None and registration.metric not in list(metrics):
        raise ValidationError(f"{registration.metric.label} is the pre-registered primary outcome: "
                              "the evaluation must keep following it")
