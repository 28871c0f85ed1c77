"""Succession actions: pools, candidates, planned departures, monitor settings and snapshots.

Each action is one durable transaction that writes its audit event. Audit before/after hold
readiness and dates only: never notes, development actions or anything special-category.
Terms (appointments and warnings) are in `clinlead.succession.terms`.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import F, Func, OuterRef, Subquery
from django.db.models.functions import Coalesce

from clinlead import actions
from clinlead.audit import services as audit
from clinlead.org.models import Appointment
from clinlead.org.readiness import check_level, record_readiness
from clinlead.succession.models import (
    IncumbentPlan,
    MonitorSettings,
    MonitorSnapshot,
    PoolCandidate,
    Readiness,
    ReadinessSource,
    SuccessionPool,
)
from clinlead.succession.monitor import snapshot_values
from clinlead.succession.monitor_store import data_changed
from clinlead.succession.readiness import refresh_pool_counts


def _lock(pool):
    """Hold the pool's row until the transaction ends, so concurrent changes to one pool queue up
    and each recount sees the others' candidates."""
    return SuccessionPool.objects.select_for_update().get(pk=pool.pk)


def recount_pools(*, pools):
    """Recount the pools of a queryset in one UPDATE, after candidates were written in bulk (demo
    data, benchmarks); the actions keep the counts themselves."""
    entries = PoolCandidate.objects.filter(pool=OuterRef("pk")).order_by().values("pool")
    count = entries.annotate(n=Func(F("id"), function="COUNT")).values("n")
    ready = entries.filter(standing__level=Readiness.READY_NOW).annotate(n=Func(F("id"), function="COUNT")).values("n")
    return pools.update(candidate_count=Coalesce(Subquery(count), 0), ready_now_count=Coalesce(Subquery(ready), 0))


def _create_pool(actor, position):
    if not position.active:
        raise ValidationError(f"{position} is no longer an active position")
    pool, created = SuccessionPool.objects.get_or_create(
        position=position, defaults={"created_by": actor if getattr(actor, "pk", None) else None})
    if created:
        data_changed(position.organisation_id)
        audit.record(actor=actor, action="succession.pool_created", obj=pool,
                     organisation=position.organisation, after={"position": position.title})
    return pool


def create_pool(*, actor, position):
    """The position's pool (created if it has none yet)."""
    with actions.atomic():
        return _create_pool(actor, position)


def nominate_candidate(*, actor, position, person, readiness, development_actions="", notes="",
                       nominated_on: date | None = None):
    check_level(readiness)
    if person.organisation_id != position.organisation_id:
        raise ValidationError({"person": "Only people of the position's own organisation can join its pool"})
    if not person.active:
        raise ValidationError({"person": f"{person} has left the organisation"})
    with actions.atomic():
        pool = _lock(_create_pool(actor, position))
        today = nominated_on or date.today()
        if Appointment.objects.held_on(today).filter(position=position, person=person).exists():
            raise ValidationError({"person": f"{person} holds this position: a holder cannot be their own successor"})
        if pool.candidates.filter(person=person).exists():
            raise ValidationError({"person": f"{person} is already in this pool"})
        # The pool's readiness is the person's one readiness for the position (shared with their
        # career conversations): nominating is an assessment of it, kept in its history.
        standing, _ = record_readiness(actor=actor, person=person, position=position, level=readiness,
                                       source=ReadinessSource.POOL, assessed_on=today)
        entry = PoolCandidate.objects.create(
            pool=pool, person=person, standing=standing, nominated_on=today,
            nominated_by=actor if getattr(actor, "pk", None) else None,
            nominated_by_label=str(actor) if actor is not None else audit.SYSTEM_ACTOR,
            development_actions=development_actions.strip(), notes=notes.strip())
        refresh_pool_counts(pool)
        data_changed(position.organisation_id)
        audit.record(actor=actor, action="succession.candidate_nominated", obj=entry,
                     organisation=position.organisation, after={"readiness": readiness})
    return entry


def update_candidate(*, actor, entry, readiness, development_actions, notes):
    check_level(readiness)
    with actions.atomic():
        _lock(entry.pool)
        entry = PoolCandidate.objects.select_related("pool__position", "standing", "person").get(pk=entry.pk)
        before = {"readiness": entry.readiness}
        if readiness != entry.readiness:  # editing notes alone is no new assessment
            entry.standing, _ = record_readiness(actor=actor, person=entry.person, position=entry.pool.position,
                                                 level=readiness, source=ReadinessSource.POOL)
        entry.development_actions = development_actions.strip()
        entry.notes = notes.strip()
        entry.save()
        refresh_pool_counts(entry.pool)
        data_changed(entry.pool.position.organisation_id)
        audit.record(actor=actor, action="succession.candidate_updated", obj=entry,
                     organisation=entry.pool.position.organisation, before=before,
                     after={"readiness": readiness})
    return entry


def remove_candidate(*, actor, entry):
    with actions.atomic():
        _lock(entry.pool)
        entry = PoolCandidate.objects.select_related("pool__position__organisation", "person", "standing").get(
            pk=entry.pk)
        pool = entry.pool
        audit.record(actor=actor, action="succession.candidate_removed", obj=entry,
                     organisation=pool.position.organisation, before={"readiness": entry.readiness})
        entry.delete()
        refresh_pool_counts(pool)
        data_changed(pool.position.organisation_id)
    return pool


def set_planned_departure(*, actor, appointment, planned_departure: date | None):
    """Record (or clear) the day the holder plans to leave; it must fall within the term."""
    if planned_departure is not None and not appointment.start <= planned_departure <= appointment.end:
        raise ValidationError({"planned_departure": "The planned departure must fall within the term "
                               f"({appointment.start:%d/%m/%Y} to {appointment.end:%d/%m/%Y})"})
    with actions.atomic():
        plan, _ = IncumbentPlan.objects.get_or_create(appointment=appointment)
        before = {"planned_departure": plan.planned_departure.isoformat() if plan.planned_departure else None}
        plan.planned_departure = planned_departure
        plan.updated_by = actor if getattr(actor, "pk", None) else None
        plan.save()
        data_changed(appointment.position.organisation_id)
        audit.record(actor=actor, action="succession.departure_planned", obj=plan,
                     organisation=appointment.position.organisation, before=before,
                     after={"planned_departure": planned_departure.isoformat() if planned_departure else None})
    return plan


def update_monitor_settings(*, actor, organisation, risk_window_months, over_nomination_threshold):
    with actions.atomic():
        current, _ = MonitorSettings.objects.get_or_create(organisation=organisation)
        before = {"risk_window_months": current.risk_window_months,
                  "over_nomination_threshold": current.over_nomination_threshold}
        current.risk_window_months = risk_window_months
        current.over_nomination_threshold = over_nomination_threshold
        current.full_clean()
        current.save()
        audit.record(actor=actor, action="succession.monitor_settings_changed", obj=current,
                     organisation=organisation, before=before,
                     after={"risk_window_months": risk_window_months,
                            "over_nomination_threshold": over_nomination_threshold})
    return current


def take_monitor_snapshot(*, organisation, day: date | None = None, actor=None):
    """Store the day's headline figures and published diversity figures (one row per day)."""
    day = day or date.today()
    values = snapshot_values(organisation=organisation, day=day)
    with actions.atomic():
        snapshot, _ = MonitorSnapshot.objects.update_or_create(organisation=organisation, day=day, defaults=values)
        audit.record(actor=actor, action="succession.monitor_snapshot_taken", obj=snapshot,
                     organisation=organisation, after={"day": day.isoformat()})
    return snapshot
