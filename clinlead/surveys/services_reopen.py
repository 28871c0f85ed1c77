"""Closing a survey early, and undoing a close until the results are published.

Closing before `closes_on` needs a confirmation that names how many days early it is (the view
asks; `days_early` counts). A closed cycle can be reopened until it is published: one audited
action that needs new custodians' passphrases, because the close page tells the custodians to
destroy their key files. What reopening means for secrecy (docs/secrecy.md, "Reopening a closed
survey"):

- answers already opened stay as they are: plaintext rows with random keys, in a random order,
  tied to nobody;
- answers sent while it is open again are sealed, to the new key;
- links used stay used (nobody answers twice); links not used were erased at close, so everyone
  who has not answered gets a new one by e-mail (or from the survey's start page);
- the invitations not used get their unit, leader and profession back, from the same snapshot
  day, so a new answer is counted where it would have been; they are erased again at the close;
- at the next close every answer of the cycle, old and new, is written again in one fresh random
  order in that close's transaction (`reopened.take_earlier_answers`), so neither row order nor
  transaction id tells the answers given after reopening from those given before.

A cycle closed without results (its key was lost) or published cannot be reopened.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from clinlead import actions, sealing
from clinlead.audit import services as audit
from clinlead.audit.models import AuditEvent
from clinlead.org.models import Person, ReportingLine, UnitMembership
from clinlead.surveys.models import Invitation, Response, SurveyCycle
from clinlead.surveys.reopened import REOPENED


def days_early(cycle, *, today: date | None = None) -> int:
    """How many days before its closing date an open cycle would be closed today (0 if not early)."""
    if cycle.status != SurveyCycle.Status.OPEN:
        return 0
    return max(0, (cycle.closes_on - (today or date.today())).days)


def early_close_refusal(cycle, confirmed: str, *, today: date | None = None) -> str:
    """The message when an early close has not been confirmed for today's count of days, else ""."""
    early = days_early(cycle, today=today)
    if not early or confirmed == str(early):
        return ""
    return (f"The survey is due to close on {cycle.closes_on:%-d %B %Y}: closing it now is {early} "
            f"day{'s' if early != 1 else ''} early. Tick the box to confirm. (A closed survey can be reopened "
            "until its results are published.)")


def reopen_refusal(cycle) -> str:
    """Why this cycle cannot be reopened, or "" when it can."""
    if cycle.status == SurveyCycle.Status.PUBLISHED:
        return "Its results are published, so it cannot be reopened."
    if cycle.status != SurveyCycle.Status.CLOSED:
        return f"It is {cycle.get_status_display().lower()}; only a closed survey can be reopened."
    if cycle.imported:
        return "It was loaded from a past cycle's file; it has no invitations to reopen."
    last = (AuditEvent.objects.filter(object_type=cycle._meta.label, object_id=str(cycle.pk),
                                      action__in=["surveys.cycle_closed", "surveys.cycle_abandoned"])
            .order_by("-occurred_at", "-pk").values_list("action", flat=True).first())
    if last == "surveys.cycle_abandoned":
        return "It was closed without results (its key was lost); its answers were deleted unread."
    return ""


def reopen_cycle(*, actor, cycle, passphrases, send=True):
    """Open a closed, unpublished cycle again with new custodians' keys.

    Returns (how many have still to answer, the custody keys). As at opening, the key files in it
    are the only copy of the new private key: the caller hands them to the custodians at once.
    """
    reason = reopen_refusal(cycle)
    if reason:
        raise ValidationError(f"The {cycle} cannot be reopened. {reason}")
    try:
        keys = sealing.make_custody_keys(passphrases=passphrases, label=f"{cycle.organisation} {cycle}")
    except sealing.CustodyError as exc:
        raise ValidationError(str(exc)) from exc
    with actions.atomic():
        if not SurveyCycle.objects.select_for_update().filter(pk=cycle.pk, status=SurveyCycle.Status.CLOSED).exists():
            raise ValidationError(f"The {cycle} is no longer closed")
        waiting = _restore_unused_invitations(cycle)
        cycle.status = SurveyCycle.Status.OPEN
        cycle.public_key = keys.public_key
        cycle.save(update_fields=["status", "public_key"])
        audit.record(actor=actor, action=REOPENED, obj=cycle, organisation=cycle.organisation,
                     after={"answers_kept": Response.objects.filter(cycle=cycle).count(),
                            "custodians": len(keys.key_files), "closes_on": str(cycle.closes_on)})
        if send:
            from clinlead.surveys.services import _enqueue

            transaction.on_commit(lambda: _enqueue(cycle, reminder=True))
    return waiting, keys


def _restore_unused_invitations(cycle) -> int:
    """Who rates whom for those who have not answered, from the cycle's snapshot day (the close
    erased it). Used invitations stay as the close left them."""
    day = cycle.snapshot_date
    unused = list(Invitation.objects.filter(cycle=cycle, used=False).values_list("pk", "person_id"))
    people = [pid for _, pid in unused]
    units = dict(UnitMembership.objects.on(day).filter(person_id__in=people).values_list("person_id", "unit_id"))
    leaders = dict(ReportingLine.objects.on(day).filter(person_id__in=people).values_list("person_id", "leader_id"))
    professions = dict(Person.objects.filter(id__in=people).values_list("id", "profession"))
    Invitation.objects.bulk_update(
        [Invitation(pk=pk, unit_id=units.get(pid), leader_id=leaders.get(pid), profession=professions[pid])
         for pk, pid in unused],
        ["unit", "leader", "profession"], batch_size=2000)
    return len(unused)


