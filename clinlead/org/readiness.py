"""One readiness per person and position, shared by succession pools and career conversations.

The pool's candidate entry points at the `PositionReadiness` row and the career conversation
writes to it through `record_readiness`, so "Ready now" in the pool and "1–2 years" in the
career conversation can no longer sit side by side: there is one value, and every assessment
is kept in its history (`ReadinessRecord`).

The rule when two assessments meet: the newest counts. An assessment dated on or after the
current one replaces it (on the same day, the one recorded last); an assessment dated before
it (a career conversation written up late) joins the history only, marked as older.

It lives in org, the layer below both domains that use it: succession and development import
this module, and it imports neither. When the current level changes it sends
`readiness_changed`, so succession recounts the depth of the pools the person is in, in the
same transaction.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.dispatch import Signal

from clinlead import actions
from clinlead.audit import services as audit
from clinlead.org.models_readiness import (
    PositionReadiness,
    Readiness,
    ReadinessRecord,
    ReadinessSource,
)

# Sent inside the writing transaction when a person's current readiness for a position changes:
# readiness_changed.send(sender=PositionReadiness, readiness=<PositionReadiness>, before=<level or None>).
readiness_changed = Signal()


def check_level(level):
    if level not in Readiness.values:
        raise ValidationError({"readiness": f"Readiness must be one of: {', '.join(Readiness.labels)}"})


def record_readiness(*, actor, person, position, level, source, assessed_on: date | None = None, note=""):
    """Record one assessment: an action of its own, which joins the caller's action when there is
    one (the pool's or the career conversation's); returns (PositionReadiness, record).

    Writes the audit event (levels and source only, never the note) and sends `readiness_changed`
    when the current value changes."""
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
    with actions.atomic():
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
            readiness_changed.send(sender=PositionReadiness, readiness=current, before=before)
        audit.record(actor=actor, action="org.readiness_assessed", obj=current,
                     organisation=position.organisation, before={"readiness": before},
                     after={"readiness": current.level, "assessed": level, "source": source,
                            "older_than_current": older})
    return current, record


# ------------------------------------------------------------------ reading


def readiness_of(*, person):
    """The person's readiness for every position assessed, each with its history (newest first)."""
    return list(PositionReadiness.objects.filter(person=person).select_related("position")
                .prefetch_related("history").order_by("position__title"))


def current_readiness(pairs) -> dict:
    """{(person id, position id): PositionReadiness} for many pairs, in one query."""
    pairs = {(p, q) for p, q in pairs if p and q}
    if not pairs:
        return {}
    found = PositionReadiness.objects.filter(person_id__in={p for p, _ in pairs},
                                             position_id__in={q for _, q in pairs})
    return {(r.person_id, r.position_id): r for r in found if (r.person_id, r.position_id) in pairs}
