"""Retention of survey answers: once a published cycle's closing day is more than
CLINLEAD_SURVEY_RETENTION_DAYS behind, its answers (Response rows), its comments and any sealed
box left of it are deleted; the figures stored at publication (leaderindex CycleResult,
LeaderResult, UnitResult) stay and keep being shown (docs/operations.md, "Retention").

Only published cycles: a closed cycle not yet published still needs its answers to be published,
and an open one its boxes to be closed. A cycle whose answers are gone cannot be published again
(`republish_cycle` refuses it) nor coarsened: both would work from nothing.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from clinlead import actions
from clinlead.audit import services as audit
from clinlead.surveys.models import Comment, Response, SealedResponse, SurveyCycle
from clinlead.surveys.services import _enqueue_reclaim, _transaction_id


def cycles_past_retention(*, days: int, today: date):
    """Published cycles whose answers are still kept and whose closing day is more than `days`
    days before `today`."""
    if days < 0:
        raise ValidationError("The survey retention period cannot be negative.")
    return (SurveyCycle.objects.filter(status=SurveyCycle.Status.PUBLISHED, answers_deleted_on__isnull=True,
                                       closes_on__lt=today - timedelta(days=days))
            .select_related("organisation").order_by("pk"))


def delete_answers_past_retention(*, actor, cycle, today: date) -> dict:
    """Delete one published cycle's answers, comments and sealed boxes, in one transaction with
    its audit event; the published figures are not touched. Returns the counts deleted."""
    with actions.atomic():
        cycle = SurveyCycle.objects.select_for_update().select_related("organisation").get(pk=cycle.pk)
        if cycle.status != SurveyCycle.Status.PUBLISHED:
            raise ValidationError(f"The {cycle} is not published: its answers are still needed.")
        if cycle.answers_deleted_on is not None:
            raise ValidationError(f"The answers of the {cycle} were deleted on {cycle.answers_deleted_on}.")
        deleted = {
            "responses": Response.objects.filter(cycle=cycle).delete()[0],
            "comments": Comment.objects.filter(cycle=cycle).delete()[0],
            "sealed_boxes": SealedResponse.objects.filter(cycle=cycle).delete()[0],
        }
        cycle.answers_deleted_on = today
        cycle.save(update_fields=["answers_deleted_on"])
        audit.record(actor=actor, action="surveys.answers_deleted_for_retention", obj=cycle,
                     organisation=cycle.organisation, after={**deleted, "closed_on": str(cycle.closes_on)})
        # As at close: on PostgreSQL the deleted rows' old versions are removed (VACUUM FULL), so
        # the answers do not linger in the table files after they are gone from the tables.
        xid = _transaction_id()
        transaction.on_commit(lambda: _enqueue_reclaim(xid))
    return deleted
