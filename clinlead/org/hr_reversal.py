"""Reversing an applied HR import: one audited action, for CLINLEAD_HR_IMPORT_REVERSIBLE_DAYS
(default 30) after it was applied.

What a reversal undoes, person by person, from the import's journal (`HrImport.journal`):
- people it marked as having left are in post again, with their unit and leader rows reopened,
  and the logins it ended work again;
- names, e-mail, profession, grade and start date it changed get their earlier values back, and
  the unit and leader rows it opened are removed and the ones it closed or replaced restored;
- people it added are removed, with their unit and leader rows;
- units and sites it added are removed once nothing uses them.

What it does not undo:
- anything about a person a later import (not itself reversed) changed again, or a field that
  has changed since: that person is left as they are now, and the reversal says how many;
- a person it added whom Clinlead has since recorded something about (a login, an appointment,
  a survey invitation, a nomination, someone reporting to them...): they are kept;
- gender and ethnicity: special-category values are never copied into the journal.

It is refused, with the reason, when it is too late, already done, or nothing is left to undo.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinlead import actions
from clinlead.audit import services as audit
from clinlead.org.hr_import import PERSON_FIELDS, _chunks
from clinlead.org.models import HrImport, Person, ReportingLine, Site, Unit, UnitMembership
from clinlead.org.signals import logins_to_restore
from clinlead.org.special_category import Demographics

ROW_MODELS = {"membership": (UnitMembership, "unit_id"), "reporting": (ReportingLine, "leader_id")}


def reversible_days() -> int:
    return int(getattr(settings, "CLINLEAD_HR_IMPORT_REVERSIBLE_DAYS", 30))


def reversible_until(hr_import):
    return hr_import.applied_at + timedelta(days=reversible_days())


def refusal(hr_import, *, now=None) -> str:
    """Why this import cannot be reversed now, or "" when it can be."""
    now = now or timezone.now()
    if hr_import.reversed_at is not None:
        return f"This import was already reversed on {timezone.localtime(hr_import.reversed_at):%-d %b %Y at %H:%M}."
    if now > reversible_until(hr_import):
        return (f"This import was applied on {timezone.localtime(hr_import.applied_at):%-d %b %Y}; an import "
                f"can be reversed for {reversible_days()} days only. Import a corrected file instead.")
    return ""


@dataclass
class ReversalPlan:
    hr_import: HrImport
    back_in_post: list[int] = field(default_factory=list)
    restored: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    kept_new: list[int] = field(default_factory=list)
    changed_since: list[int] = field(default_factory=list)
    demographics_changed: int = 0

    def counts(self):
        return {"back_in_post": len(self.back_in_post), "restored": len(self.restored),
                "removed": len(self.removed), "kept_new": len(self.kept_new),
                "changed_since": len(self.changed_since), "demographics_not_undone": self.demographics_changed}

    @property
    def anything(self):
        return bool(self.back_in_post or self.restored or self.removed)


def plan_reversal(*, hr_import, now=None) -> ReversalPlan:
    """What reversing would do now; raises ValidationError with the reason when it cannot."""
    reason = refusal(hr_import, now=now)
    if reason:
        raise ValidationError(reason)
    journal = hr_import.journal
    plan = ReversalPlan(hr_import=hr_import, demographics_changed=journal.get("demographics_changed", 0))
    later = _touched_later(hr_import)
    updated = {pid: (before, after) for pid, before, after in journal["updated"]}
    current = _current(set(journal["left"]) | set(updated))
    for pid in journal["left"]:
        if pid in later or current.get(pid, {}).get("active", True):
            plan.changed_since.append(pid)
        else:
            plan.back_in_post.append(pid)
    for pid, (_before, after) in updated.items():
        if pid in later or current.get(pid) != after:
            plan.changed_since.append(pid)
        else:
            plan.restored.append(pid)
    created = [pid for pid in journal["created"] if pid not in later]
    plan.changed_since += [pid for pid in journal["created"] if pid in later]
    # A new person kept keeps their own rows, which may refer to another new person: repeat.
    depended_on: set[int] = set()
    while True:
        undone = set(plan.back_in_post) | set(plan.restored) | (set(created) - depended_on)
        again = _depended_on(created, _rows_removed(journal, undone))
        if again == depended_on:
            break
        depended_on = again
    plan.removed = [pid for pid in created if pid not in depended_on]
    plan.kept_new = [pid for pid in created if pid in depended_on]
    if not plan.anything:
        raise ValidationError("Nothing of this import is left to reverse: every person it changed has been "
                              "changed again since, or is needed by something recorded later.")
    return plan


def reverse_hr_import(*, actor, hr_import) -> ReversalPlan:
    """Undo what `plan_reversal` says, in one transaction, with its audit event."""
    with actions.atomic():
        hr_import = HrImport.objects.select_for_update().get(pk=hr_import.pk)
        plan = plan_reversal(hr_import=hr_import)
        _undo(plan)
        hr_import.reversed_at = timezone.now()
        hr_import.reversed_by = actor if getattr(actor, "pk", None) else None
        hr_import.reversal = plan.counts()
        hr_import.save(update_fields=["reversed_at", "reversed_by", "reversal"])
        audit.record(actor=actor, action="hr.import_reversed", obj=hr_import, organisation=hr_import.organisation,
                     after={"import": hr_import.pk, "file": hr_import.filename,
                            "applied_at": hr_import.applied_at.isoformat(), **plan.counts()})
    return plan


def _touched_later(hr_import) -> set[int]:
    later = (HrImport.objects.filter(organisation=hr_import.organisation, reversed_at__isnull=True)
             .filter(applied_at__gte=hr_import.applied_at).exclude(pk=hr_import.pk)
             .exclude(applied_at=hr_import.applied_at, pk__lt=hr_import.pk))
    touched: set[int] = set()
    for journal in later.values_list("journal", flat=True):
        touched |= set(journal["created"]) | set(journal["left"]) | {row[0] for row in journal["updated"]}
    return touched


def _current(person_ids):
    current = {}
    for chunk in _chunks(person_ids):
        for values in Person.objects.filter(id__in=chunk).values("id", "active", *PERSON_FIELDS):
            pid = values.pop("id")
            current[pid] = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
    return current


def _rows_removed(journal, people):
    """The unit and leader rows the reversal deletes: those the import opened for these people."""
    return {kind: {row_id for row_id, pid in journal["opened"][kind] if pid in people} for kind in ROW_MODELS}


def _depended_on(created, removed_rows) -> set[int]:
    """New people whom something other than this import's own rows now refers to."""
    depended: set[int] = set()
    for chunk in _chunks(created):
        for rel in Person._meta.related_objects:
            model, column = rel.related_model, rel.field.attname
            rows = model._base_manager.filter(**{f"{column}__in": chunk})
            if model is Demographics:
                continue  # written by the import with the person; removed with them
            kind = next((k for k, (m, _) in ROW_MODELS.items() if m is model), None)
            if kind is not None:
                rows = rows.exclude(pk__in=removed_rows[kind])
            depended |= set(rows.values_list(column, flat=True))
    return depended


def _undo(plan):
    journal = plan.hr_import.journal
    people = set(plan.back_in_post) | set(plan.restored) | set(plan.removed)
    for kind, (model, value) in ROW_MODELS.items():
        for chunk in _chunks(_rows_removed(journal, people)[kind]):
            model.objects.filter(pk__in=chunk).delete()
        reopen = [row_id for row_id, pid in journal["closed"][kind] if pid in people]
        for chunk in _chunks(reopen):
            model.objects.filter(pk__in=chunk).update(end=None)
        model.objects.bulk_create([model(person_id=pid, start=date.fromisoformat(start), **{value: other})
                                   for pid, other, start in journal["replaced"][kind] if pid in people])
    updated = {pid: before for pid, before, _after in journal["updated"]}
    Person.objects.bulk_update(
        [Person(id=pid, **{k: date.fromisoformat(v) if k == "start_date" and v else v
                           for k, v in updated[pid].items()}) for pid in plan.restored],
        ["active", *PERSON_FIELDS], batch_size=2000)
    for chunk in _chunks(plan.back_in_post):
        Person.objects.filter(id__in=chunk).update(active=True)
    _restore_logins(journal, set(plan.back_in_post))
    for chunk in _chunks(plan.removed):
        Demographics.objects.filter(person_id__in=chunk).delete()
        Person.objects.filter(id__in=chunk).delete()
    _remove_unused(Unit, sorted(journal["units_created"], reverse=True))
    _remove_unused(Site, journal["sites_created"])


def _restore_logins(journal, people):
    ended = [user_id for user_id, pid in journal["logins_ended"] if pid in people]
    for chunk in _chunks(ended):
        # accounts sits above org: it receives this and switches the logins back on.
        logins_to_restore.send(sender=Person, user_ids=chunk)


def _remove_unused(model, ids):
    """Delete the units (deepest first: ids grow with depth) or sites the import added, unless
    something refers to them now."""
    for pk in ids:
        in_use = any(rel.related_model._base_manager.filter(**{rel.field.attname: pk}).exists()
                     for rel in model._meta.related_objects)
        if not in_use:
            model.objects.filter(pk=pk).delete()
