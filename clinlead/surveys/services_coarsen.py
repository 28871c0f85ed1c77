"""Coarsen the answers of a cycle closed before answers were coarsened at close (or loaded from a
past cycle's file): the same storage minimisation the close now does (docs/secrecy.md,
"Quasi-identifiers"), for the rows already stored. Published figures do not change; the cells
they cover, the "counted higher up" note and the profession-adjusted association are kept with
the cycle first, from the rows as they were.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from clinlead import actions, unsealing
from clinlead.audit import services as audit
from clinlead.surveys import coarsening
from clinlead.surveys.models import Comment, Response, SurveyCycle
from clinlead.surveys.services import _enqueue_reclaim, _transaction_id, store_coarsened

FIELDS = ("leader", "unit", "profession", "answers", "burnout", "satisfaction")


def coarsen_closed_cycle(*, actor, cycle) -> int:
    """Rewrite a closed or published cycle's answers as the close now stores them, in one
    transaction, in a fresh random order with new ids; then reclaim the old row versions.
    Returns how many answers were rewritten. A cycle already coarsened is refused (its rows no
    longer hold the cells `close_figures` is made from)."""
    with actions.atomic():
        cycle = SurveyCycle.objects.select_for_update().select_related("organisation", "instrument").get(pk=cycle.pk)
        if cycle.status not in (SurveyCycle.Status.CLOSED, SurveyCycle.Status.PUBLISHED):
            raise ValidationError(f"The {cycle} is {cycle.get_status_display().lower()}: only a closed or "
                                  "published cycle's stored answers can be coarsened")
        if cycle.answers_deleted_on is not None:
            raise ValidationError(f"The answers of the {cycle} were deleted on {cycle.answers_deleted_on}")
        if cycle.close_figures:
            raise ValidationError(f"The answers of the {cycle} are already stored coarsened")
        sheets = [dict(zip(FIELDS, row, strict=True))
                  for row in Response.objects.filter(cycle=cycle).values_list(*FIELDS).iterator(chunk_size=5000)]
        Response.objects.filter(cycle=cycle).delete()
        stored = store_coarsened(cycle=cycle, sheets=sheets)
        published = coarsening.published_leaders(stored)
        comments = unsealing.shuffled(Comment.objects.filter(cycle=cycle, leader_id__in=published)
                                      .values_list("leader_id", "text"))
        Comment.objects.filter(cycle=cycle).delete()
        Comment.objects.bulk_create([Comment(cycle=cycle, leader_id=leader, text=text) for leader, text in comments],
                                    batch_size=2000)
        audit.record(actor=actor, action="surveys.answers_coarsened", obj=cycle, organisation=cycle.organisation,
                     after={"responses": len(stored), "comments_kept": len(comments)})
        close_xid = _transaction_id()
        transaction.on_commit(lambda: _enqueue_reclaim(close_xid))
    return len(stored)
