"""Writing the audit trail. Every named action calls `record` inside its own transaction."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clinlead.audit.models import AuditEvent, DailyCount

SYSTEM_ACTOR = "system"


def record(*, actor, action, obj=None, organisation=None, before=None, after=None, label=None):
    """Write one audit event; must run inside the action's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"Audit event {action!r} written outside its action's transaction")
    if organisation is None and obj is not None:
        organisation = getattr(obj, "organisation", None)
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=label or (str(actor) if actor is not None else SYSTEM_ACTOR),
        action=action,
        organisation=organisation,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        before=before or {},
        after=after or {},
    )


def count_today(*, action, obj, organisation=None):
    """Add one to today's count of `action` on `obj`; must run inside the action's transaction.

    For answering and voting: one event per person would date their participation (and, beside
    the order of rows, point at their answer), so the trail keeps a count per day instead.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"Daily count {action!r} written outside its action's transaction")
    if organisation is None:
        organisation = getattr(obj, "organisation", None)
    key = {"action": action, "object_type": obj._meta.label, "object_id": str(obj.pk),
           "day": timezone.localdate()}
    updated = DailyCount.objects.filter(**key).update(count=F("count") + 1)
    if not updated:
        _, created = DailyCount.objects.get_or_create(
            **key,
            defaults={"organisation": organisation, "object_repr": str(obj)[:300], "count": 1},
        )
        if not created:
            DailyCount.objects.filter(**key).update(count=F("count") + 1)
