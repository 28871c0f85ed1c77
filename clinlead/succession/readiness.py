"""One readiness per person and position, shared by succession pools and career conversations.

The pool's candidate entry points at the `PositionReadiness` row and the career conversation
writes to it through `record_readiness`, so "Ready now" in the pool and "1–2 years" in the
career conversation can no longer sit side by side: there is one value, and every assessment
is kept in its history (`ReadinessRecord`).

The rule when two assessments meet: the newest counts. An assessment dated on or after the
current one replaces it (on the same day, the one recorded last); an assessment dated before
it (a career conversation written up late) joins the history only, marked as older.

Development calls this module; it never imports development (succession is the lower layer).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q

from clinlead.audit import services as audit
from clinlead.succession.models import (
    PoolCandidate,
    PositionReadiness,
    Readiness,
    ReadinessRecord,
    ReadinessSource,
    SuccessionPool,
)
from clinlead.succession.monitor import data_changed


def check_level(level):
    if level not in Readiness.values:
        raise ValidationError({"readiness": f"Readiness must be one of: {', '.join(Readiness.labels)}"})


def refresh_pool_counts(pool):
    """Recount a pool's depth (called with the pool's row locked, in the changing transaction)."""
    counts = pool.candidates.aggregate(n=Count("id"),
                                       ready=Count("id", filter=Q(standing__level=Readiness.READY_NOW)))
    SuccessionPool.objects.filter(pk=pool.pk).update(candidate_count=counts["n"], ready_now_count=counts["ready"])
    pool.candidate_count, pool.ready_now_count = counts["n"], counts["ready"]


def record_readiness(*, actor, person, position, level, source, assessed_on: date | None = None, note=""):
    """Record one assessment inside the caller's transaction; returns (PositionReadiness, record).

    Writes the audit event (levels and source only, never the note) and keeps the pool's depth
    in step when the current value changes."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_readiness must run inside the caller's transaction")
    check_level(level)
    if source not in ReadinessSource.values:
        raise ValidationError({"source": f"Unknown readiness source: {source}"})
    if person.organisation_id != position.organisation_id:
        raise ValidationError({"position": "Readiness is recorded only for positions of the person's own organisation"})
    assessed_on = assessed_on or date.today()
    if assessed_on > date.today():
        raise ValidationError({"assessed_on": "A readiness cannot be assessed in the future"})
    note = (note or "").strip()[:500]
    by = actor if getattr(actor, "pk", None) else None
    label = (str(actor) if actor is not None else audit.SYSTEM_ACTOR)[:200]
    fields = {"level": level, "assessed_on": assessed_on, "assessed_by": by, "assessed_by_label": label,
              "source": source, "note": note}
    current = PositionReadiness.objects.select_for_update().filter(person=person, position=position).first()
    before = current.level if current else None
    older = current is not None and assessed_on < current.assessed_on
    if current is None:
        current = PositionReadiness.objects.create(person=person, position=position, **fields)
    elif not older:
        for name, value in fields.items():
            setattr(current, name, value)
        current.save()
    record = ReadinessRecord.objects.create(readiness=current, older_than_current=older, **fields)
    if current.level != before:
        for entry in PoolCandidate.objects.filter(standing=current).select_related("pool"):
            pool = SuccessionPool.objects.select_for_update().get(pk=entry.pool_id)
            refresh_pool_counts(pool)
        data_changed(position.organisation_id)
    audit.record(actor=actor, action="succession.readiness_assessed", obj=current,
                 organisation=position.organisation, before={"readiness": before},
                 after={"readiness": current.level, "assessed": level, "source": source,
                        "older_than_current": older})
    return current, record


def set_readiness(*, actor, person, position, level, source, assessed_on: date | None = None, note=""):
    """Record one assessment on its own (its own transaction); returns (PositionReadiness, record)."""
    with transaction.atomic(durable=True):
        return record_readiness(actor=actor, person=person, position=position, level=level, source=source,
                                assessed_on=assessed_on, note=note)


# ------------------------------------------------------------------ reading


def readiness_of(*, person):
    """The person's readiness for every position assessed, each with its history (newest first)."""
    return list(PositionReadiness.objects.filter(person=person).select_related("position")
                .prefetch_related("history").order_by("position__title"))


def readiness_for(*, person, position):
    return (PositionReadiness.objects.filter(person=person, position=position)
            .prefetch_related("history").first())


def current_readiness(pairs) -> dict:
    """{(person id, position id): PositionReadiness} for many pairs, in one query."""
    pairs = {(p, q) for p, q in pairs if p and q}
    if not pairs:
        return {}
    found = PositionReadiness.objects.filter(person_id__in={p for p, _ in pairs},
                                             position_id__in={q for _, q in pairs})
    return {(r.person_id, r.position_id): r for r in found if (r.person_id, r.position_id) in pairs}


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
