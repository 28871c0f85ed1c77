"""The pool's side of the one readiness per person and position (`clinlead.org.readiness`): the
depth of the pools it counts in, kept in step when it changes, and pool entries written in bulk."""

from django.db.models import Count, Q
from django.dispatch import receiver

from clinlead.org.readiness import readiness_changed
from clinlead.succession.models import (
    PoolCandidate,
    PositionReadiness,
    Readiness,
    ReadinessRecord,
    ReadinessSource,
    SuccessionPool,
)
from clinlead.succession.monitor_store import data_changed


def refresh_pool_counts(pool):
    """Recount a pool's depth (called with the pool's row locked, in the changing transaction)."""
    counts = pool.candidates.aggregate(n=Count("id"),
                                       ready=Count("id", filter=Q(standing__level=Readiness.READY_NOW)))
    SuccessionPool.objects.filter(pk=pool.pk).update(candidate_count=counts["n"], ready_now_count=counts["ready"])
    pool.candidate_count, pool.ready_now_count = counts["n"], counts["ready"]


@receiver(readiness_changed, dispatch_uid="succession.recount_on_readiness_change")
def recount_on_readiness_change(sender, *, readiness, before, **kwargs):
    """A career conversation (or a pool) changed a readiness: recount the pools it counts in,
    each locked, in the same transaction."""
    pool_ids = list(PoolCandidate.objects.filter(standing=readiness).values_list("pool_id", flat=True))
    for pool in SuccessionPool.objects.select_for_update().filter(pk__in=pool_ids):
        refresh_pool_counts(pool)
    if pool_ids:
        data_changed(readiness.position.organisation_id)


def bulk_pool_entries(entries, *, assessed_by_label, batch_size=5000):
    """Write many pool entries at once (demo data, benchmarks, tests), each with its readiness and
    one history row; `entries` are (pool, person id, level, nominated on, {other PoolCandidate
    fields}). The first entry for a person and position wins, as `ignore_conflicts` would."""
    seen, kept = set(), []
    for pool, person_id, level, nominated_on, extra in entries:
        if (person_id, pool.position_id) not in seen:
            seen.add((person_id, pool.position_id))
            kept.append((pool, person_id, level, nominated_on, extra))
    fields = [dict(level=level, assessed_on=on, assessed_by_label=assessed_by_label, source=ReadinessSource.POOL)
              for _, _, level, on, _ in kept]
    PositionReadiness.objects.bulk_create(
        [PositionReadiness(person_id=person_id, position_id=pool.position_id, **f)
         for (pool, person_id, *_), f in zip(kept, fields, strict=True)], batch_size=batch_size, ignore_conflicts=True)
    standing = {(r.person_id, r.position_id): r for r in PositionReadiness.objects.filter(
        position_id__in={pool.position_id for pool, *_ in kept}, person_id__in={p for _, p, *_ in kept})}
    ReadinessRecord.objects.bulk_create(
        [ReadinessRecord(readiness=standing[(person_id, pool.position_id)], **f)
         for (pool, person_id, *_), f in zip(kept, fields, strict=True)], batch_size=batch_size)
    return PoolCandidate.objects.bulk_create(
        [PoolCandidate(pool=pool, person_id=person_id, standing=standing[(person_id, pool.position_id)],
                       nominated_on=on, **extra) for pool, person_id, _, on, extra in kept],
        batch_size=batch_size, ignore_conflicts=True)
