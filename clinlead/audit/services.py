"""Writing the audit trail. Every named action calls `record` inside its own transaction."""

from django.db import IntegrityError, transaction
from django.db.models import F, Max
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
    key = _todays_key(action, obj)
    if organisation is None:
        organisation = getattr(obj, "organisation", None)
    connection = transaction.get_connection()
    if connection.features.has_select_for_update_skip_locked:
        _count_in_a_free_slot(connection, key, organisation=organisation, obj=obj)
        return
    # SQLite: one writer at a time, so one row a day.
    updated = DailyCount.objects.filter(**key).update(count=F("count") + 1)
    if not updated:
        _, created = DailyCount.objects.get_or_create(
            **key,
            defaults={"organisation": organisation, "object_repr": str(obj)[:300], "count": 1},
        )
        if not created:
            DailyCount.objects.filter(**key).update(count=F("count") + 1)


def _todays_key(action, obj):
    """The fields naming today's count of `action` on `obj`, in the order `_ADD_TO_A_FREE_SLOT`
    takes them; refused outside the action's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"Daily count {action!r} written outside its action's transaction")
    return {"action": action, "object_type": obj._meta.label, "object_id": str(obj.pk),
            "day": timezone.localdate()}


_ADD_TO_A_FREE_SLOT = (
    "UPDATE {table} SET count = count + 1 WHERE id = ("
    "SELECT id FROM {table} WHERE action = %s AND object_type = %s AND object_id = %s AND day = %s "
    "ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)"
)


def free_slot_count(*, action, obj, after):
    """`count_today`'s usual case as a part of another statement, for the busiest actions (a survey
    answer): (SQL, parameters) of a data-modifying WITH query named `counted` that adds one to
    today's first free slot when the query named `after` returned a row, returning a row when it
    did. When it returned none (no free slot yet), the caller calls `count_today`, in the same
    transaction, which adds a slot. PostgreSQL only (SKIP LOCKED)."""
    key = _todays_key(action, obj)
    table = transaction.get_connection().ops.quote_name(DailyCount._meta.db_table)
    add = _ADD_TO_A_FREE_SLOT.format(table=table)
    return f"counted AS ({add} AND EXISTS (SELECT 1 FROM {after}) RETURNING id)", list(key.values())


def _count_in_a_free_slot(connection, key, *, organisation, obj):
    """Add one to a row of today's count that no other open transaction holds.

    A row updated in a transaction stays locked until that transaction's commit is on disk: with
    one row a day, every answer queued behind the one before for a disk flush (a few ms each), so
    a busy survey could not take more answers a second than the disk does flushes. Each answer
    takes the first row not held by another, and adds a row only when all are held: the rows
    number at most the answers in flight at once, and the day's total is their sum."""
    table = connection.ops.quote_name(DailyCount._meta.db_table)
    params = list(key.values())
    for _ in range(100):
        with connection.cursor() as cursor:
            cursor.execute(_ADD_TO_A_FREE_SLOT.format(table=table), params)
            if cursor.rowcount:
                return
        taken = DailyCount.objects.filter(**key).aggregate(last=Max("slot"))["last"]
        try:
            with transaction.atomic():
                DailyCount.objects.create(
                    **key, slot=0 if taken is None else taken + 1, count=1,
                    organisation=organisation, object_repr=str(obj)[:300])
            return
        except IntegrityError:
            continue  # another answer took that slot first: look again
    raise RuntimeError(f"No free slot for today's count of {key['action']!r}")
